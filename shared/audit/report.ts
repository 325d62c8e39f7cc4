import { log } from "../log.js";
import { CAPABILITIES } from "../model/capabilities.js";
import type { ProviderName } from "../model/image.js";
import { BUTTON_VALUE_MAX, FIELD_TEXT_MAX, SECTION_TEXT_MAX } from "../slack/limits.js";
import { clip, esc, sections, slackDate } from "../slack/render.js";
import { honouringRetryAfter, type SlackPoster, toSlackCallError } from "../slack/web.js";
import type { Finding, Severity } from "./finding.js";
import type { Ack, AuditedFinding, Remembered } from "./history.js";
import type { AuditResult } from "./run.js";

/** What a report renders: an audit's result (a finding without an id, from before the audit had a memory, is shown without one). */
type ReportFinding = Finding & Partial<Pick<AuditedFinding, "id" | "fingerprint" | "acknowledged" | "ackEnded">>;
export type AuditReport = Omit<AuditResult, "findings"> & { findings: ReportFinding[] };

const ICON: Record<Severity, string> = { critical: ":red_circle:", warning: ":large_orange_circle:", info: ":large_blue_circle:" };
/** Critical findings shown under the summary; everything is in the full list. */
export const INLINE_LIMIT = 10;
/**
 * With the audit's memory: new findings and the critical ones still open share INLINE_LIMIT lines,
 * resolved ones get this many (shorter) lines, so the summary stays far below Slack's total size.
 */
export const RESOLVED_INLINE = 5;
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

/** One finding: its id first (what `/images audit ack` takes), then rule, cloud, image and message. */
const line = (f: ReportFinding, mark = "") =>
  clip(
    `${ICON[f.severity]} ${mark}${f.id ? `\`${f.id}\` ` : ""}*${esc(f.rule)}* ${f.provider}/${esc(f.account)}/${esc(f.region)} \`${esc(clip(f.imageName, 120))}\` (${esc(clip(f.imageId, 80))}) — ${esc(f.message)}${f.ackEnded ? ` _(acknowledgement ${f.ackEnded === "expired" ? "expired" : "ended: the image changed"})_` : ""}`,
    LINE_MAX,
  );
/** A finding that is gone since the last run. */
const resolvedLine = (r: Remembered) =>
  clip(
    `:white_check_mark: \`${r.id}\` *${esc(r.rule)}* ${r.provider}/${esc(r.account)}/${esc(r.region)} \`${esc(clip(r.imageName, 120))}\` (${esc(clip(r.imageId, 80))})`,
    LINE_MAX,
  );

/** Rules whose findings the summary offers to act on, with the button's label (Slack: button text ≤ 75 characters). */
export const REMEDIES: Record<string, { actionId: string; label: string }> = {
  "stale-custom": { actionId: "images_audit_remedy", label: "Delete stale images…" },
};
/** What a remedy button carries: [provider, account, region, image id, name (clipped)] per image. */
export interface RemedyValue {
  rule: string;
  total: number;
  images: Array<[string, string, string, string, string]>;
}

/**
 * The images of a rule's reported findings, as many as fit in a button's value (Slack: at most
 * 2,000 characters, https://docs.slack.dev/reference/block-kit/block-elements/button-element);
 * `total` says how many there are.
 */
/** A rule's reported findings that name an image. */
const remedyTargets = (rule: string, findings: ReportFinding[]) =>
  findings.filter((f) => f.rule === rule && !f.acknowledged && f.imageId !== "-");

/**
 * The stale images the button may offer: only those of clouds whose API deletes images (an
 * iwinv image would only ever be refused); the rest are said beside it (remedyElsewhere).
 */
export function remedyValue(rule: string, findings: ReportFinding[]): string | undefined {
  const targets = remedyTargets(rule, findings).filter((f) => CAPABILITIES[f.provider].deletes);
  if (!targets.length) return undefined;
  const value: RemedyValue = { rule, total: targets.length, images: [] };
  let text = JSON.stringify(value);
  for (const f of targets) {
    const entry: RemedyValue["images"][number] = [f.provider, f.account, f.region, f.imageId, clip(f.imageName, 40)];
    const size = JSON.stringify(entry).length + 1;
    if (text.length + size > BUTTON_VALUE_MAX) break;
    value.images.push(entry);
    text = JSON.stringify(value);
  }
  return value.images.length ? text : undefined;
}

const when = (iso: string) => slackDate(Date.parse(iso), `${iso.slice(0, 16).replace("T", " ")} UTC`);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface SummaryOptions {
  /** who ran it (`/images audit`), named for everyone who sees the summary */
  requester?: string;
  /** where the full list is (or why it is not complete), said under the summary */
  fullList?: string;
}

/** The findings a report shows: an acknowledgement hides the rest. */
const reported = (result: AuditReport) => result.findings.filter((f) => !f.acknowledged);
const remembers = (result: AuditReport) => result.changes?.memory === "ok";

/** Whether the full list says more than the summary shows. */
export function needsFullList(result: AuditReport): boolean {
  const shown = reported(result);
  if (!remembers(result)) return shown.length > Math.min(INLINE_LIMIT, shown.filter((f) => f.severity === "critical").length);
  const c = result.changes!;
  return shown.length > Math.min(INLINE_LIMIT, c.new.length) || c.resolved.length > RESOLVED_INLINE;
}

/**
 * The summary message, within Block Kit's limits: counts by severity and cloud; with the audit's
 * memory, what is new since the last run, what was resolved and what is still open (the critical
 * ones shown), the week's digest, and how many acknowledged findings are not shown; without it, the
 * critical findings and the rest summarized. A remedy (delete the stale images) is offered as a button.
 */
export function auditSummaryMessage(result: AuditReport, o: SummaryOptions = {}): { text: string; blocks: unknown[] } {
  const { summary, errors, changes } = result;
  const findings = reported(result);
  const s: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) s[f.severity]++;
  const byCloud = new Map<string, number>();
  for (const f of findings) byCloud.set(f.provider, (byCloud.get(f.provider) ?? 0) + 1);
  const clouds = [...byCloud].map(([p, n]) => `${p} ${n}`).join(", ") || "none";
  const headline = `Image audit: ${findings.length} finding(s) in ${summary.images} image(s) — ${s.critical} critical, ${s.warning} warning, ${s.info} info`;
  const context = (text: string) => ({ type: "context", elements: [{ type: "mrkdwn", text: clip(text, FIELD_TEXT_MAX) }] });
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: `*${headline}*` } }];
  let text = headline;
  const byRule = (list: ReportFinding[]) => {
    const n = new Map<string, number>();
    for (const f of list) n.set(f.rule, (n.get(f.rule) ?? 0) + 1);
    return [...n].map(([r, k]) => `${esc(r)} ${k}`).join(", ");
  };

  if (changes && remembers(result)) {
    const c = changes;
    const change =
      c.since === null
        ? `*First audit of this scope with memory: ${plural(c.new.length, "finding is", "findings are")} new.*`
        : `*${c.new.length} new · ${c.resolved.length} resolved · ${c.stillOpen.length + c.unverified.length} still open* since the last run (${when(c.since)})`;
    blocks.push({ type: "section", text: { type: "mrkdwn", text: change } });
    text +=
      c.since === null
        ? "; first run: every finding is new"
        : c.changed
          ? `; ${c.new.length} new, ${c.resolved.length} resolved, ${c.stillOpen.length + c.unverified.length} still open`
          : "; nothing changed since the last run";
    if (c.digest) {
      const quiet = !c.changed ? " Nothing changed since the last run." : "";
      blocks.push(
        context(
          `:calendar: *Weekly digest* (the first scheduled run of each week, weeks starting Monday in ${c.digest.timeZone}): since ${when(c.digest.from)}, ${c.digest.new} new and ${c.digest.resolved} resolved in ${plural(c.digest.runs, "scheduled run")}; ${findings.length} open, ${c.acknowledged} acknowledged.${quiet}`,
        ),
      );
      text = `${text} (weekly digest)`;
    }
    blocks.push(context(`By cloud: ${clouds}${o.requester ? ` · run by <@${o.requester}>` : ""}`));
    const isNew = new Set(c.new);
    const fresh = findings.filter((f) => isNew.has(f.id ?? ""));
    if (fresh.length) {
      blocks.push(...sections([`*New (${fresh.length})*`, ...fresh.slice(0, INLINE_LIMIT).map((f) => line(f))]));
      if (fresh.length > INLINE_LIMIT) blocks.push(context(`…and ${fresh.length - INLINE_LIMIT} more new: every one is in the thread`));
    }
    if (c.resolved.length) {
      blocks.push(...sections([`*Resolved (${c.resolved.length})*`, ...c.resolved.slice(0, RESOLVED_INLINE).map(resolvedLine)]));
      if (c.resolved.length > RESOLVED_INLINE)
        blocks.push(context(`…and ${c.resolved.length - RESOLVED_INLINE} more resolved: every one is in the thread`));
    }
    const open = findings.filter((f) => !isNew.has(f.id ?? ""));
    if (open.length) {
      const critical = open.filter((f) => f.severity === "critical");
      const shownCritical = critical.slice(0, Math.max(0, INLINE_LIMIT - Math.min(INLINE_LIMIT, fresh.length)));
      const rest = open.filter((f) => f.severity !== "critical" || !shownCritical.includes(f));
      const head = `*Still open (${open.length})*${rest.length ? `: ${byRule(rest)}` : ""}`;
      blocks.push(...sections([clip(head, SECTION_TEXT_MAX), ...shownCritical.map((f) => line(f))]));
    }
    if (c.unverified.length)
      blocks.push(
        context(
          `:grey_question: ${plural(c.unverified.length, "finding")} not re-checked (the cloud could not be read): kept open, not resolved.`,
        ),
      );
    if (c.acknowledged)
      blocks.push(
        context(`:zipper_mouth_face: ${plural(c.acknowledged, "acknowledged finding")} not shown: \`/images audit acks\` lists them.`),
      );
  } else {
    if (changes?.memory === "unavailable")
      blocks.push(
        context(
          ":warning: The audit's memory could not be read: what changed since the last run is unknown, so every finding is reported.",
        ),
      );
    blocks.push(context(`By cloud: ${clouds}${o.requester ? ` · run by <@${o.requester}>` : ""}`));
    const critical = findings.filter((f) => f.severity === "critical");
    const shownCritical = critical.slice(0, INLINE_LIMIT);
    blocks.push(...sections(shownCritical.map((f) => line(f))));
    if (critical.length > shownCritical.length) blocks.push(context(`…and ${critical.length - shownCritical.length} more critical`));
    const rest = findings.filter((f) => f.severity !== "critical");
    if (rest.length) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(`Also: ${byRule(rest)}`, SECTION_TEXT_MAX) } });
  }
  if (errors.length)
    blocks.push(
      context(
        `:warning: not audited: ${errors.map((e) => `${e.provider}/${esc(e.account)}/${esc(e.region)} (${e.code}: ${esc(clip(e.message, 200))})`).join("; ")}`,
      ),
    );
  if (o.fullList) blocks.push(context(o.fullList));
  const buttons = Object.entries(REMEDIES).flatMap(([rule, r]) => {
    const value = remedyValue(rule, findings);
    return value ? [{ type: "button", action_id: r.actionId, text: { type: "plain_text", text: r.label }, value }] : [];
  });
  if (buttons.length) blocks.push({ type: "actions", elements: buttons });
  const elsewhere = remedyElsewhere(findings);
  if (elsewhere) blocks.push(context(elsewhere));
  return { text, blocks };
}

/** Where the stale images a remedy cannot offer go: the console of each cloud whose API cannot delete. */
function remedyElsewhere(findings: ReportFinding[]): string | undefined {
  const by = new Map<ProviderName, number>();
  for (const rule of Object.keys(REMEDIES))
    for (const f of remedyTargets(rule, findings)) if (!CAPABILITIES[f.provider].deletes) by.set(f.provider, (by.get(f.provider) ?? 0) + 1);
  if (!by.size) return undefined;
  return `:information_source: Not offered to delete: ${[...by]
    .map(
      ([p, n]) =>
        `${plural(n, "stale image")} on ${p} (its API cannot delete images: delete ${n === 1 ? "it" : "them"} in ${CAPABILITIES[p].console})`,
    )
    .join("; ")}.`;
}

/**
 * The full list as thread replies within Block Kit's limits: every reported finding (new ones
 * marked), then, when the summary could not show them all, every resolved one.
 */
export function auditThread(result: AuditReport): Array<{ text: string; blocks: unknown[] }> {
  const isNew = new Set(remembers(result) ? result.changes!.new : []);
  const lines = reported(result).map((f) => line(f, isNew.has(f.id ?? "") ? "*new* " : ""));
  const resolved = remembers(result) ? result.changes!.resolved : [];
  if (resolved.length > RESOLVED_INLINE) lines.push(...resolved.map(resolvedLine));
  const parts: string[][] = [];
  let size = PART_MAX;
  for (const l of lines) {
    if (size + l.length + 1 > PART_MAX) parts.push([]), (size = 0);
    parts.at(-1)!.push(l);
    size += l.length + 1;
  }
  let from = 1;
  return parts.map((part) => {
    const text = `Audit findings ${from}–${from + part.length - 1} of ${lines.length}`;
    from += part.length;
    return { text, blocks: sections(part) };
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
export async function postAuditReport(
  poster: SlackPoster,
  channel: string,
  result: AuditReport,
  o: { requester?: string; budgetMs?: number; now?: () => number } = {},
): Promise<Posted> {
  const now = o.now ?? Date.now;
  const thread = needsFullList(result) ? auditThread(result) : [];
  const total = reported(result).length;
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
    const cut = summary(
      `:warning: Full list incomplete: ${posted} of ${thread.length} part(s) posted in the thread (Slack: ${failure}). Every finding is also in the audit-images log.`,
    );
    await honouringRetryAfter(() => poster.update({ channel: where, ts, ...cut }), SUMMARY_WAIT_MS).catch((err) =>
      log("error", "could not mark the audit summary incomplete", { channel, error: toSlackCallError(err).error }),
    );
  }
  return { ts, channel: where, parts: thread.length, posted };
}

// ---------------------------------------------------------------- acknowledgements and remedies in Slack

/** At most this many acknowledgements are listed in one message (each line ≤ LINE_MAX; Slack: ≤ 50 blocks). */
const ACKS_SHOWN = 60;

const ackTarget = (a: Ack) =>
  `\`${a.finding}\` *${esc(a.rule)}* ${a.provider}/${esc(a.account)}/${esc(a.region)} \`${esc(clip(a.imageName, 120))}\` (${esc(clip(a.imageId, 80))})`;

/** The answer to `/images audit ack`: in the channel, so everyone sees who acknowledged what and why. */
export function ackMessage(a: Ack): { text: string; lines: string[] } {
  return {
    text: `${a.by ? `<@${a.by}> ` : ""}acknowledged ${a.finding} until ${a.until.slice(0, 10)}`,
    lines: [
      `:pushpin: <@${a.by}> acknowledged ${ackTarget(a)} until ${when(a.until)}: “${esc(clip(a.reason, 500))}”`,
      "It is not reported again until then, or until the image changes. `/images audit acks` lists the acknowledged findings.",
    ],
  };
}

/** `/images audit acks`: the acknowledgements in force, then those that ended in the last 30 days. */
export function acksMessage(list: { acks: Ack[]; ended: Ack[] }): { text: string; lines: string[] } {
  if (!list.acks.length && !list.ended.length) {
    return {
      text: "No audit finding is acknowledged",
      lines: [
        'No audit finding is acknowledged. `/images audit ack <finding> --for 30d --reason "…"` acknowledges one (image creators only).',
      ],
    };
  }
  const lines: string[] = [];
  const show = (items: Ack[], render: (a: Ack) => string) => {
    lines.push(...items.slice(0, ACKS_SHOWN).map((a) => clip(render(a), LINE_MAX)));
    if (items.length > ACKS_SHOWN) lines.push(`…and ${items.length - ACKS_SHOWN} more`);
  };
  lines.push(`*Acknowledged findings (${list.acks.length})*: not reported until they end or their image changes`);
  show(list.acks, (a) => `• ${ackTarget(a)} — until ${when(a.until)}, by <@${a.by}>: “${esc(clip(a.reason, 200))}”`);
  if (list.ended.length) {
    lines.push(`*Ended in the last 30 days (${list.ended.length})*: reported again while they last`);
    show(
      list.ended,
      (a) =>
        `• ${ackTarget(a)} — ${a.ended ? `ended ${when(a.ended.at)}: the image changed` : `expired ${when(a.until)}`} (by <@${a.by}>: “${esc(clip(a.reason, 120))}”)`,
    );
  }
  return { text: `${list.acks.length} acknowledged audit finding(s)`, lines };
}

/** A remedy button's value, checked (it comes back from Slack in a click). */
export function parseRemedyValue(value: string | undefined): RemedyValue | undefined {
  try {
    const v = JSON.parse(value ?? "") as RemedyValue;
    const ok =
      typeof v?.rule === "string" &&
      Object.hasOwn(REMEDIES, v.rule) &&
      Number.isInteger(v.total) &&
      Array.isArray(v.images) &&
      v.images.every((e) => Array.isArray(e) && e.length === 5 && e.every((x) => typeof x === "string" && x.length <= 255));
    return ok && v.images.length ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Shell-free quoting for a slash command value (ids and names with spaces or quotes). */
const arg = (v: string) => (/^[\w.:\-/]+$/.test(v) ? v : `"${v.replace(/"/g, "")}"`);

/**
 * The answer to "Delete stale images…" until it can call delete-image itself: the images the
 * button carries and the `/images delete` command for each.
 */
export function remedyMessage(v: RemedyValue, confirming = 0): { text: string; lines: string[] } {
  const lines = [
    `:wastebasket: *Stale custom images from the audit (${v.images.length}${v.total > v.images.length ? ` of ${v.total}` : ""})*`,
  ];
  lines.push(
    ...v.images.map(([provider, account, region, id, name]) =>
      clip(`• ${provider}/${esc(account)}/${esc(region)} \`${esc(name)}\` (\`${esc(id)}\`)`, LINE_MAX),
    ),
  );
  const rest = v.images.slice(confirming);
  if (confirming)
    lines.push(
      `The first ${confirming === 1 ? "one comes" : `${confirming} come`} below, each with its checks and a Confirm for that exact image.`,
    );
  if (rest.length) lines.push(confirming ? "For the others, run:" : "To delete them, run each of these commands:");
  lines.push(
    ...rest.map(
      ([provider, account, region, id]) => `\`/images delete ${provider} ${arg(id)} --account ${arg(account)} --region ${arg(region)}\``,
    ),
  );
  if (v.total > v.images.length)
    lines.push(
      `:information_source: A button holds at most 2,000 characters, so these are ${v.images.length} of the ${v.total} stale images: run \`/images audit\` again after deleting them for the rest.`,
    );
  return { text: `${v.images.length} stale custom image(s) to delete`, lines };
}
