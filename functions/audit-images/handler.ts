import { auditConfig } from "../../shared/audit/config.js";
import { postAuditReport } from "../../shared/audit/report.js";
import { runAudit } from "../../shared/audit/run.js";
import { lambdaHandler } from "../../shared/events.js";
import { log } from "../../shared/log.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { AuditImagesInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { NOT_POSTABLE, lazySlackPoster, toSlackCallError } from "../../shared/slack/web.js";

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
      // the full list's replies wait out Slack's rate limits, within the time this invocation has left
      const budgetMs = Math.max(0, Math.min(120_000, (context?.getRemainingTimeInMillis?.() ?? 150_000) - 30_000));
      try {
        await postAuditReport(await slack(), channel, result, { budgetMs });
      } catch (err) {
        // nobody saw the report: the invocation fails, so an operator learns it (Errors metric,
        // the on-failure destination of a scheduled run), not only a log line
        const e = toSlackCallError(err);
        const fix = NOT_POSTABLE.has(e.error) ? "; invite @imageops to that channel (/invite @imageops) or set auditChannel to one it is in" : "";
        log("error", "the audit report could not be posted to Slack", { channel, error: e.error, findings: result.summary.findings });
        throw new ImageOpsError("INTERNAL", `the audit ran (${result.summary.findings} finding(s)) but its report could not be posted to Slack channel ${channel}: ${e.error}${fix}`, { cause: err });
      }
    }
    return { body: result };
  },
});
