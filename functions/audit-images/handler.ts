import { auditConfig, auditTimeZone } from "../../shared/audit/config.js";
import { scopeOf } from "../../shared/audit/history.js";
import { acknowledge, listAcks, recall } from "../../shared/audit/compare.js";
import { postAuditReport } from "../../shared/audit/report.js";
import { runAudit } from "../../shared/audit/run.js";
import { recordedShares } from "../../shared/images/share-ledger.js";
import { operationStore } from "../../shared/operations/store.js";
import { auditStore } from "../../shared/audit/store.js";
import { lambdaHandler } from "../../shared/events.js";
import { log } from "../../shared/log.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { AuditImagesInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { NOT_POSTABLE, lazySlackPoster, toSlackCallError } from "../../shared/slack/web.js";
import { text } from "../../shared/config.js";

const slack = lazySlackPoster();

/**
 * The image audit: on a schedule, by function URL, and from `/images audit`. With its memory
 * (OPERATIONS_TABLE), a run is compared with the last one; a scheduled run posts only when
 * something changed, or when it is the week's digest. `ack` and `acks` manage acknowledgements.
 */
export const handler = lambdaHandler({
  name: "audit-images",
  schema: AuditImagesInput,
  methods: ["GET", "POST"],
  run: async (input, context, form): Promise<{ body: unknown }> => {
    const config = auditConfig();
    const store = auditStore();
    if (input.ack) return { body: { ack: await acknowledge(store, input.ack, config.now) } };
    if (input.acks) return { body: await listAcks(store, config.now) };

    const scheduled = form === "scheduled" || input.scheduled === true;
    const shares = operationStore();
    const audited = await runAudit(lambdaRuntime(context), input, config, {
      recordedShares: (i) => recordedShares(shares, { provider: i.provider, account: i.account, region: i.region, imageId: i.id }),
    });
    const { result, commit } = await recall(store, audited, {
      scope: scopeOf(input),
      stream: scheduled ? "scheduled" : "on-demand",
      now: config.now,
      timeZone: auditTimeZone(),
    });
    const changes = result.changes;
    const channel = text("AUDIT_CHANNEL");
    // Scheduled runs report to the channel when something changed (or it is the week's digest);
    // other callers ask for it with notify.
    const quiet = scheduled && !input.notify && changes?.memory === "ok" && !changes.changed && !changes.digest;
    if (channel && (scheduled || input.notify) && !quiet) {
      // the full list's replies wait out Slack's rate limits, within the time this invocation has left
      const budgetMs = Math.max(0, Math.min(120_000, (context?.getRemainingTimeInMillis?.() ?? 150_000) - 30_000));
      try {
        await postAuditReport(await slack(), channel, result, { budgetMs });
        if (changes) changes.posted = changes.digest ? "digest" : "summary";
      } catch (err) {
        // nobody saw the report: the invocation fails, so an operator learns it (Errors metric,
        // the on-failure destination of a scheduled run), not only a log line; the snapshot is
        // not stored, so the next run reports these changes again
        const e = toSlackCallError(err);
        const fix = NOT_POSTABLE.has(e.error)
          ? "; invite @imageops to that channel (/invite @imageops) or set auditChannel to one it is in"
          : "";
        log("error", "the audit report could not be posted to Slack", { channel, error: e.error, findings: result.summary.findings });
        throw new ImageOpsError(
          "INTERNAL",
          `the audit ran (${result.summary.findings} finding(s)) but its report could not be posted to Slack channel ${channel}: ${e.error}${fix}`,
          { cause: err },
        );
      }
    } else if (quiet && changes) {
      changes.posted = "quiet";
      log("info", "nothing changed since the last scheduled audit: not posted", {
        open: changes.stillOpen.length,
        acknowledged: changes.acknowledged,
        since: changes.since,
      });
    }
    await commit();
    return { body: result };
  },
});
