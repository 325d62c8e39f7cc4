import { createHash } from "node:crypto";
import { factsOf } from "../model/facts.js";
import type { Image, ProviderName } from "../model/image.js";
import type { Finding } from "./finding.js";

/**
 * What the audit remembers between runs, as pure functions: a finding's stable id and the
 * fingerprint of the image state it was raised on, and the plan that compares a run with the
 * snapshot the previous run left (new, resolved, still open) and makes the next snapshot.
 * Storage is ./store.ts; the run that uses both is ./compare.ts.
 */

/** A finding as an audit run reports it: the rule's finding, its id and fingerprint, and whether an acknowledgement hides it. */
export interface AuditedFinding extends Finding {
  /** `f-` + 12 hex of SHA-256(rule, provider, account, region, image id): the same finding keeps it across runs */
  id: string;
  /** 16 hex of SHA-256 of the image's state (name, status, visibility, OS, size, …): an acknowledgement ends when it changes */
  fingerprint: string;
  /** an active acknowledgement: the finding is not reported until it ends */
  acknowledged?: { until: string; by: string; reason: string };
  /** the acknowledgement that hid it has just ended */
  ackEnded?: "expired" | "image changed";
}

/** One open finding as a snapshot keeps it: the finding without its message (rendered again from the rule). */
export interface Remembered extends Omit<Finding, "message"> {
  id: string;
  fp: string;
  /** the first run that saw it (ISO) */
  firstSeen: string;
  /** hidden by an acknowledgement in that run */
  acked?: true;
}

/**
 * Two streams per scope. `scheduled` is what the audit channel has been told (scheduled runs
 * compare with it, and only they replace it); `on-demand` is every other run. An on-demand run
 * compares with the newer of the two, so "new" means new since anyone last looked.
 */
export type Stream = "scheduled" | "on-demand";

export interface DigestCounts {
  /** since when (ISO): the previous digest, or the first run */
  from: string;
  runs: number;
  new: number;
  resolved: number;
}

/** The state of one scope and stream after a run. */
export interface SnapshotData {
  scope: string;
  stream: Stream;
  /** the run's instant (ISO) */
  at: string;
  findings: Remembered[];
  /** the Monday (local date, YYYY-MM-DD in the schedule's time zone) of the week whose digest was posted */
  digestWeek?: string;
  /** what scheduled runs saw since the last digest */
  sinceDigest: DigestCounts;
}

/** A stored snapshot: its data and what a conditional write needs. */
export interface Snapshot extends SnapshotData {
  version: number;
  generation: string;
  chunks: number;
}

/** An acknowledgement: the finding (its identity when acknowledged), why, by whom, until when. */
export interface Ack {
  finding: string;
  rule: string;
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  imageName: string;
  /** the image state it was acknowledged on */
  fingerprint: string;
  reason: string;
  /** Slack user id (or who called the function) */
  by: string;
  at: string;
  until: string;
  /** it ended before `until`: the image changed */
  ended?: { at: string; because: "image changed" };
}

/** What a run says about its findings against the last run. */
export interface AuditChanges {
  /** `ok`: compared with the stored snapshot; `unavailable`: the table could not be read (nothing is known about changes) */
  memory: "ok" | "unavailable";
  stream: Stream;
  /** the run compared with (ISO), null for the first run of this scope */
  since: string | null;
  /** ids of reported findings that the last run did not report (new, or back after an acknowledgement ended) */
  new: string[];
  /** findings of the last run that are gone (only where the cloud was read this time) */
  resolved: Remembered[];
  /** ids reported by both runs */
  stillOpen: string[];
  /** ids of findings in clouds that could not be read this time: kept as they were, not resolved */
  unverified: string[];
  /** ids acknowledged since the last run (no longer reported) */
  newlyAcknowledged: string[];
  /** hidden by an acknowledgement now */
  acknowledged: number;
  /** new or resolved findings, or a cloud that could not be audited */
  changed: boolean;
  /** set when this run is the week's digest: what scheduled runs saw since the last digest, this one included */
  digest?: DigestCounts & { week: string; timeZone: string };
  /** what the handler did with it: posted the summary, the digest, or stayed quiet */
  posted?: "summary" | "digest" | "quiet";
  /** the new snapshot could not be stored (the next run compares with the older one) */
  notSaved?: string;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** The stable id of a finding: rule + provider + account + region + image id. */
export function findingId(f: Pick<Finding, "rule" | "provider" | "account" | "region" | "imageId">): string {
  return `f-${sha256([f.rule, f.provider, f.account, f.region, f.imageId].join("\u0000")).slice(0, 12)}`;
}

/**
 * The fingerprint of the image state a finding is raised on: every field of the image and the
 * facts the rules read, never the audit's own clock (a stale image's age grows, its state does not).
 */
export function imageFingerprint(image: Image): string {
  const f = factsOf(image);
  const state = [
    image.name,
    image.description,
    image.kind,
    image.visibility,
    image.status,
    image.providerStatus,
    image.os.family,
    image.os.distro,
    image.os.version,
    image.os.name,
    image.architecture,
    image.sizeBytes,
    image.createdAt,
    image.sourceServerId,
    f.eolDate ?? null,
    f.lifecycle ?? null,
    f.sharedWith ?? null,
  ];
  return sha256(JSON.stringify(state)).slice(0, 16);
}

/** A finding with its id and fingerprint: of its image, or (an account-level finding) of its message. */
export function identify(f: Finding, image: Image | undefined): AuditedFinding {
  return { ...f, id: findingId(f), fingerprint: image ? imageFingerprint(image) : sha256(f.message).slice(0, 16) };
}

const DAY_MS = 86_400_000;
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** The Monday (YYYY-MM-DD, local date in `timeZone`) of the week that `ms` falls in there. */
export function weekOf(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    weekday: "short",
  }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  const local = Date.UTC(Number(get("year")), Number(get("month")) - 1, Number(get("day")));
  return new Date(local - WEEKDAYS.indexOf(get("weekday")) * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Acknowledgements applied to a run's findings: an ack hides its finding while it lasts and the
 * image is as it was when acknowledged. Returns the findings marked, and the acks that the image's
 * change has ended (to be recorded as ended).
 */
export function applyAcks(findings: AuditedFinding[], acks: Ack[], now: number): { findings: AuditedFinding[]; endedByChange: Ack[] } {
  const byFinding = new Map(acks.map((a) => [a.finding, a]));
  const endedByChange: Ack[] = [];
  const marked = findings.map((f) => {
    const ack = byFinding.get(f.id);
    if (!ack) return f;
    if (ack.ended) return { ...f, ackEnded: ack.ended.because };
    if (Date.parse(ack.until) <= now) return { ...f, ackEnded: "expired" as const };
    if (ack.fingerprint !== f.fingerprint) {
      endedByChange.push(ack);
      return { ...f, ackEnded: "image changed" as const };
    }
    return { ...f, acknowledged: { until: ack.until, by: ack.by, reason: ack.reason } };
  });
  return { findings: marked, endedByChange };
}

export interface PlanContext {
  scope: string;
  stream: Stream;
  now: number;
  timeZone: string;
  /** clouds (provider/account/region) that could not be read this run */
  unread: Array<{ provider: string; account: string; region: string }>;
}

/**
 * Compares a run's findings with the last snapshot and makes the next one. A finding that is gone
 * is resolved only where its cloud was read this time (and a duplicate name only when every
 * region of its provider was: its twin may be in the one that failed); otherwise it is kept,
 * unverified. The week's digest is due on the first scheduled run of each week (Monday 00:00 in
 * `timeZone` starts a week), whatever changed.
 */
export function plan(
  prev: SnapshotData | undefined,
  current: AuditedFinding[],
  ctx: PlanContext,
): { changes: AuditChanges; next: SnapshotData } {
  const at = new Date(ctx.now).toISOString();
  const before = new Map((prev?.findings ?? []).map((r) => [r.id, r]));
  const now = new Set(current.map((f) => f.id));
  const unreadRegions = new Set(ctx.unread.map((u) => `${u.provider}\u0000${u.account}\u0000${u.region}`));
  const unreadProviders = new Set(ctx.unread.map((u) => u.provider));
  const unverifiable = (r: Remembered) =>
    unreadRegions.has(`${r.provider}\u0000${r.account}\u0000${r.region}`) ||
    (r.rule === "duplicate-name" && unreadProviders.has(r.provider));

  const fresh: string[] = [];
  const stillOpen: string[] = [];
  const newlyAcknowledged: string[] = [];
  const findings: Remembered[] = [];
  let acknowledged = 0;
  for (const f of current) {
    const p = before.get(f.id);
    const entry: Remembered = {
      id: f.id,
      fp: f.fingerprint,
      rule: f.rule,
      severity: f.severity,
      provider: f.provider,
      account: f.account,
      region: f.region,
      imageId: f.imageId,
      imageName: f.imageName,
      firstSeen: p?.firstSeen ?? at,
    };
    if (f.acknowledged) {
      entry.acked = true;
      acknowledged++;
      if (p && !p.acked) newlyAcknowledged.push(f.id);
    } else if (!p || p.acked) fresh.push(f.id);
    else stillOpen.push(f.id);
    findings.push(entry);
  }
  const resolved: Remembered[] = [];
  const unverified: string[] = [];
  for (const p of before.values()) {
    if (now.has(p.id)) continue;
    if (unverifiable(p)) {
      findings.push(p);
      unverified.push(p.id);
    } else resolved.push(p);
  }

  const base: DigestCounts = prev?.sinceDigest ?? { from: at, runs: 0, new: 0, resolved: 0 };
  const counts: DigestCounts = {
    from: base.from,
    runs: base.runs + 1,
    new: base.new + fresh.length,
    resolved: base.resolved + resolved.length,
  };
  const week = weekOf(ctx.now, ctx.timeZone);
  const digestDue = ctx.stream === "scheduled" && prev?.digestWeek !== week;
  const changes: AuditChanges = {
    memory: "ok",
    stream: ctx.stream,
    since: prev?.at ?? null,
    new: fresh,
    resolved,
    stillOpen,
    unverified,
    newlyAcknowledged,
    acknowledged,
    changed: fresh.length > 0 || resolved.length > 0 || ctx.unread.length > 0,
    ...(digestDue ? { digest: { ...counts, week, timeZone: ctx.timeZone } } : {}),
  };
  const next: SnapshotData = {
    scope: ctx.scope,
    stream: ctx.stream,
    at,
    findings,
    digestWeek: digestDue ? week : prev?.digestWeek,
    sinceDigest: digestDue ? { from: at, runs: 0, new: 0, resolved: 0 } : counts,
  };
  return { changes, next };
}

/** The scope key of an audit input: `*` for what it does not narrow. */
export const scopeOf = (input: { provider?: string; account?: string }) => `${input.provider ?? "*"}/${input.account ?? "*"}`;
