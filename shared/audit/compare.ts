import { log } from "../log.js";
import { ImageOpsError } from "../model/errors.js";
import { ackDuration, ACK_REASON_MAX } from "./ack-input.js";
import { type Ack, type AuditChanges, applyAcks, plan, type PlanContext, type Remembered, type Snapshot, type Stream } from "./history.js";
import type { AuditResult } from "./run.js";
import { type AuditStore, StaleSnapshot } from "./store.js";

/**
 * The audit with its memory: acknowledgements applied, the run compared with the last one, and the
 * new snapshot stored when the caller says (after the report was posted, so that a report Slack
 * refused is reported again by the next run rather than never).
 */
export interface Recalled {
  result: AuditResult;
  /** stores the snapshot; never throws (a failure is logged and said in `changes.notSaved`) */
  commit(): Promise<void>;
}

const newer = (a: Snapshot | undefined, b: Snapshot | undefined) => (!a ? b : !b ? a : Date.parse(b.at) > Date.parse(a.at) ? b : a);

export async function recall(store: AuditStore | undefined, result: AuditResult, ctx: Omit<PlanContext, "unread">): Promise<Recalled> {
  if (!store) return { result, commit: async () => {} };
  const { scope, stream, now } = ctx;
  const read = async () => {
    const [own, other] = await Promise.all([
      store.read(scope, stream),
      stream === "on-demand" ? store.read(scope, "scheduled") : Promise.resolve(undefined),
    ]);
    return { own, baseline: stream === "scheduled" ? own : newer(own, other) };
  };
  let acks: Ack[];
  let snapshots: Awaited<ReturnType<typeof read>>;
  try {
    [acks, snapshots] = await Promise.all([store.acks(), read()]);
  } catch (err) {
    log("error", "the audit's memory could not be read; the run is reported without what changed", { scope, stream, error: err });
    const changes: AuditChanges = {
      memory: "unavailable",
      stream,
      since: null,
      new: [],
      resolved: [],
      stillOpen: [],
      unverified: [],
      newlyAcknowledged: [],
      acknowledged: 0,
      changed: true,
    };
    return { result: { ...result, changes }, commit: async () => {} };
  }
  const { findings, endedByChange } = applyAcks(result.findings, acks, now);
  const planCtx: PlanContext = { ...ctx, unread: result.errors };
  const { changes, next } = plan(snapshots.baseline, findings, planCtx);
  const acknowledged = findings.filter((f) => f.acknowledged).length;
  const out: AuditResult = { ...result, findings, summary: { ...result.summary, acknowledged }, changes };

  const commit = async () => {
    const at = new Date(now).toISOString();
    await Promise.all(
      endedByChange.map((a) =>
        store
          .endAck(a, { at, because: "image changed" })
          .catch((err) => log("warn", "could not record an acknowledgement's end", { finding: a.finding, error: err })),
      ),
    );
    let own = snapshots.own;
    let data = next;
    for (let attempt = 1; ; attempt++) {
      try {
        await store.write(data, own);
        return;
      } catch (err) {
        if (err instanceof StaleSnapshot && attempt < 4) {
          // another run stored its snapshot first: build ours on top of it (what was reported stays reported)
          const again = await read().catch(() => undefined);
          if (again) {
            own = again.own;
            data = plan(again.baseline, findings, planCtx).next;
            continue;
          }
        }
        changes.notSaved = err instanceof Error ? err.message : String(err);
        log("error", "the audit's snapshot could not be stored; the next run compares with the one before", { scope, stream, error: err });
        return;
      }
    }
  };
  return { result: out, commit };
}

/** The open finding `id` in the newest snapshot of the whole estate (the one the summaries show). */
async function openFinding(store: AuditStore, id: string): Promise<Remembered | undefined> {
  const [scheduled, onDemand] = await Promise.all([store.read("*/*", "scheduled"), store.read("*/*", "on-demand")]);
  const ordered = [scheduled, onDemand].filter((s): s is Snapshot => !!s).sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  for (const s of ordered) {
    const found = s.findings.find((f) => f.id === id);
    if (found) return found;
  }
  return undefined;
}

const noMemory = () =>
  new ImageOpsError("INTERNAL", "OPERATIONS_TABLE is not set: the audit keeps no memory here, so nothing can be acknowledged");

/**
 * Acknowledges an open finding: not reported until `until`, or until its image changes (the
 * fingerprint it was acknowledged on no longer matches). A new acknowledgement replaces the last.
 */
export async function acknowledge(
  store: AuditStore | undefined,
  input: { finding: string; for: string; reason: string; by: string },
  now: number,
): Promise<Ack> {
  if (!store) throw noMemory();
  const duration = ackDuration(input.for);
  if ("error" in duration) throw new ImageOpsError("INVALID_ARGUMENT", duration.error, { field: "ack.for" });
  const reason = input.reason.trim().slice(0, ACK_REASON_MAX);
  const found = await openFinding(store, input.finding);
  if (!found) {
    throw new ImageOpsError(
      "NOT_FOUND",
      `no open finding ${input.finding} in the latest audit; copy a finding id from the latest summary or its thread (run /images audit for a fresh one)`,
      { field: "ack.finding" },
    );
  }
  const ack: Ack = {
    finding: found.id,
    rule: found.rule,
    provider: found.provider,
    account: found.account,
    region: found.region,
    imageId: found.imageId,
    imageName: found.imageName,
    fingerprint: found.fp,
    reason,
    by: input.by,
    at: new Date(now).toISOString(),
    until: new Date(now + duration.ms).toISOString(),
  };
  await store.putAck(ack);
  log("info", "audit finding acknowledged", {
    type: "audit-ack",
    finding: ack.finding,
    rule: ack.rule,
    provider: ack.provider,
    account: ack.account,
    region: ack.region,
    imageId: ack.imageId,
    by: ack.by,
    until: ack.until,
  });
  return ack;
}

/** Acknowledgements in force, and those that ended (expired, or the image changed) in the last 30 days. */
export async function listAcks(store: AuditStore | undefined, now: number): Promise<{ acks: Ack[]; ended: Ack[] }> {
  if (!store) throw noMemory();
  const all = await store.acks();
  const inForce = (a: Ack) => !a.ended && Date.parse(a.until) > now;
  const endedAt = (a: Ack) => (a.ended ? Date.parse(a.ended.at) : Date.parse(a.until));
  const byUntil = (a: Ack, b: Ack) => Date.parse(a.until) - Date.parse(b.until) || a.finding.localeCompare(b.finding);
  return {
    acks: all.filter(inForce).sort(byUntil),
    ended: all.filter((a) => !inForce(a) && now - endedAt(a) <= 30 * 86_400_000).sort((a, b) => endedAt(b) - endedAt(a)),
  };
}

export type { Stream };
