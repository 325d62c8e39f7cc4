import { auditConfig } from "../../shared/audit/config.js";
import { postAuditReport } from "../../shared/audit/report.js";
import { runAudit } from "../../shared/audit/run.js";
import { lambdaHandler } from "../../shared/events.js";
import { log } from "../../shared/log.js";
import { AuditImagesInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { lazySlackPoster } from "../../shared/slack/web.js";

const slack = lazySlackPoster();

/** The read-only image audit: on a schedule, by function URL, and from `/images audit`. */
export const handler = lambdaHandler({
  name: "audit-images",
  schema: AuditImagesInput,
  methods: ["GET", "POST"],
  run: async (input, context, form) => {
    const result = await runAudit(lambdaRuntime(context), input, auditConfig());
    const channel = process.env.AUDIT_CHANNEL;
    // Scheduled runs report to the channel; other callers ask for it with notify.
    if (channel && (form === "scheduled" || input.scheduled || input.notify)) {
      try {
        await postAuditReport(await slack(), channel, result);
      } catch (err) {
        log("error", "could not post the audit report to Slack", { channel, error: (err as Error)?.message });
      }
    }
    return { body: result };
  },
});
