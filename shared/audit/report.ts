import { log } from "../log.js";
import { clip, esc, FIELD_TEXT_MAX, SECTION_TEXT_MAX, sections } from "../slack/render.js";
import { honouringRetryAfter, type SlackPoster, toSlackCallError } from "../slack/web.js";
import type { Finding, Severity } from "./finding.js";
import type { AuditResult } from "./run.js";

const ICON: Record<Severity, string> = { critical: ":red_circle:", warning: ":large_orange_circle:", info: ":large_blue_circle:" };
/** Critical findings shown under the summary; everything is in the full list. */
export const INLINE_LIMIT = 10;
/** One finding's line, at most (long names and messages are cut, never the message). */
const LINE_MAX = 400;
/**
 * One thread reply: at most this many characters of findings in sections of ≤ 3000. Slack also
 * refuses a message whose blocks are too long in total (`msg_blocks_too_long`, reported near
 * 12,000–13,000 characters: slackapi/bolt-js#2509), so a reply stays well below that.
 */
const PART_MAX = 3 * SECTION_TEXT_MAX;
/** The summary waits out Slack's rate limit this long: it is the one message that must arrive. */
const SUMMARY_WAIT_MS = 30_000;

const line = (f: Finding) =>
  clip(`${ICON[f.severity]} *${esc(f.rule)}* ${f.provider}/${esc(f.account)}/${esc(f.region)} \`${esc(clip(f.imageName, 120))}\` (${esc(clip(f.imageId, 80))}) — ${esc(f.message)}`, LINE_MAX);

export interface SummaryOptions {
  /** who ran it (`/images audit`), named for everyone who sees the summary */
  requester?: string;
  /** where the full list is (or why it is not complete), said under the summary */
  fullList?: string;
}

/** Whether the full list says more than the summary shows. */
export const needsFullList = (result: AuditResult) => result.findings.length > Math.min(INLINE_LIMIT, result.findings.filter((f) => f.severity === "critical").length);

/** The summary message: counts by severity and cloud, the critical findings, the rest summarized; within Block Kit's limits. */
export function auditSummaryMessage(result: AuditResult, o: SummaryOptions = {}): { text: string; blocks: unknown[] } {
  const { summary, findings, errors } = result;
  const s = summary.bySeverity;
  const byCloud = new Map<string, number>();
  for (const f of findings) byCloud.set(f.provider, (byCloud.get(f.provider) ?? 0) + 1);
  const clouds = [...byCloud].map(([p, n]) => `${p} ${n}`).join(", ") || "none";
  const headline = `Image audit: ${summary.findings} finding(s) in ${summary.images} image(s) — ${s.critical} critical, ${s.warning} warning, ${s.info} info`;
  const critical = findings.filter((f) => f.severity === "critical");
  const restByRule = new Map<string, number>();
  for (const f of findings) if (f.severity !== "critical") restByRule.set(f.rule, (restByRule.get(f.rule) ?? 0) + 1);

  const context = (text: string) => ({ type: "context", elements: [{ type: "mrkdwn", text: clip(text, FIELD_TEXT_MAX) }] });
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${headline}*` } },
    context(`By cloud: ${clouds}${o.requester ? ` · run by <@${o.requester}>` : ""}`),
  ];
  const shownCritical = critical.slice(0, INLINE_LIMIT);
  blocks.push(...sections(shownCritical.map(line)));
  if (critical.length > shownCritical.length) blocks.push(context(`…and ${critical.length - shownCritical.length} more critical`));
  if (restByRule.size) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(`Also: ${[...restByRule].map(([r, n]) => `${esc(r)} ${n}`).join(", ")}`, SECTION_TEXT_MAX) } });
  if (errors.length) blocks.push(context(`:warning: not audited: ${errors.map((e) => `${e.provider}/${esc(e.account)}/${esc(e.region)} (${e.code}: ${esc(clip(e.message, 200))})`).join("; ")}`));
  if (o.fullList) blocks.push(context(o.fullList));
  return { text: headline, blocks };
}

/** The full list, every finding, as thread replies within Block Kit's limits. */
export function auditThread(result: AuditResult): Array<{ text: string; blocks: unknown[] }> {
  const parts: string[][] = [];
  let size = PART_MAX;
  for (const l of result.findings.map(line)) {
    if (size + l.length + 1 > PART_MAX) parts.push([]), (size = 0);
    parts.at(-1)!.push(l);
    size += l.length + 1;
  }
  let from = 1;
  return parts.map((lines) => {
    const text = `Audit findings ${from}–${from + lines.length - 1} of ${result.findings.length}`;
    from += lines.length;
    return { text, blocks: sections(lines) };
  });
}

export interface Posted {
  ts: string;
  /** the conversation it is in (a DM's D… id when posted to a user id) */
  channel: string;
  parts: number;
  posted: number;
}

/**
 * Posts the summary, then the full list in its thread, one reply after another and waiting out
 * Slack's 429s (Retry-After) within `budgetMs`. The summary comes first and its failure is
 * thrown (nothing was posted); a thread cut short is logged as an error and the summary is
 * updated to say so, never left promising a full list.
 */
export async function postAuditReport(poster: SlackPoster, channel: string, result: AuditResult, o: { requester?: string; budgetMs?: number; now?: () => number } = {}): Promise<Posted> {
  const now = o.now ?? Date.now;
  const thread = needsFullList(result) ? auditThread(result) : [];
  const total = result.findings.length;
  const summary = (fullList?: string) => auditSummaryMessage(result, { requester: o.requester, fullList });
  const first = summary(thread.length ? `Full list (${total} findings) in the thread.` : undefined);
  const { ts, channel: where } = await honouringRetryAfter(() => poster.post({ channel, ...first }), SUMMARY_WAIT_MS);

  const deadline = now() + (o.budgetMs ?? 120_000);
  let posted = 0;
  let failure: string | undefined;
  for (const part of thread) {
    try {
      await honouringRetryAfter(() => poster.post({ channel: where, threadTs: ts, ...part }), Math.max(0, deadline - now()));
      posted++;
    } catch (err) {
      failure = toSlackCallError(err).error;
      break;
    }
  }
  if (failure) {
    log("error", "the audit's full list was cut short", { channel, parts: thread.length, posted, error: failure });
    const cut = summary(`:warning: Full list incomplete: ${posted} of ${thread.length} part(s) posted in the thread (Slack: ${failure}). Every finding is also in the audit-images log.`);
    await honouringRetryAfter(() => poster.update({ channel: where, ts, ...cut }), SUMMARY_WAIT_MS).catch((err) =>
      log("error", "could not mark the audit summary incomplete", { channel, error: toSlackCallError(err).error }),
    );
  }
  return { ts, channel: where, parts: thread.length, posted };
}
