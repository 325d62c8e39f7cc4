import type { SlackPoster } from "../slack/web.js";
import type { Finding, Severity } from "./finding.js";
import type { AuditResult } from "./run.js";

const ICON: Record<Severity, string> = { critical: ":red_circle:", warning: ":large_orange_circle:", info: ":large_blue_circle:" };
/** More lines than this go to a thread reply, so the channel message stays short. */
export const INLINE_LIMIT = 10;

const line = (f: Finding) => `${ICON[f.severity]} *${f.rule}* ${f.provider}/${f.account}/${f.region} \`${f.imageName}\` (${f.imageId}) — ${f.message}`;

/** The summary message: counts by severity and cloud, the critical findings, the rest summarized. */
export function auditSummaryMessage(result: AuditResult): { text: string; blocks: unknown[]; thread?: string[] } {
  const { summary, findings, errors } = result;
  const s = summary.bySeverity;
  const byCloud = new Map<string, number>();
  for (const f of findings) byCloud.set(f.provider, (byCloud.get(f.provider) ?? 0) + 1);
  const clouds = [...byCloud].map(([p, n]) => `${p} ${n}`).join(", ") || "none";
  const headline = `Image audit: ${summary.findings} finding(s) in ${summary.images} image(s) — ${s.critical} critical, ${s.warning} warning, ${s.info} info`;
  const critical = findings.filter((f) => f.severity === "critical");
  const rest = findings.filter((f) => f.severity !== "critical");
  const restByRule = new Map<string, number>();
  for (const f of rest) restByRule.set(f.rule, (restByRule.get(f.rule) ?? 0) + 1);

  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `*${headline}*` } },
    { type: "context", elements: [{ type: "mrkdwn", text: `By cloud: ${clouds}` }] },
  ];
  const shownCritical = critical.slice(0, INLINE_LIMIT);
  if (shownCritical.length) blocks.push({ type: "section", text: { type: "mrkdwn", text: shownCritical.map(line).join("\n") } });
  if (critical.length > shownCritical.length) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `…and ${critical.length - shownCritical.length} more critical (full list in the thread)` }] });
  if (restByRule.size) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `Also: ${[...restByRule].map(([r, n]) => `${r} ${n}`).join(", ")}` } });
  }
  if (errors.length) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `:warning: not audited: ${errors.map((e) => `${e.provider}/${e.account}/${e.region} (${e.code}: ${e.message})`).join("; ")}` }] });
  }
  const needsThread = findings.length > shownCritical.length;
  const thread = needsThread ? chunk(findings.map(line), 40).map((lines) => lines.join("\n")) : undefined;
  return { text: headline, blocks, thread };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Posts the summary, then the full list as thread replies when it does not fit. */
export async function postAuditReport(poster: SlackPoster, channel: string, result: AuditResult): Promise<string> {
  const message = auditSummaryMessage(result);
  const { ts } = await poster.post({ channel, text: message.text, blocks: message.blocks });
  for (const text of message.thread ?? []) await poster.post({ channel, text, threadTs: ts });
  return ts;
}
