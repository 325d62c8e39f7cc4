import { ImageOpsError } from "../model/errors.js";
import type { Runtime } from "../runtime.js";
import type { ProgressState, TrackInput, Tracker } from "../tracking/types.js";
import { type AnyOperationRecord, executionName, type StoredRecord } from "./record.js";
import { type OperationStore, StaleRecord } from "./store.js";

/**
 * What both kinds of operation (create-image, delete-image) do with their record around the
 * decision itself (./record.ts): the loop that reads, decides and acts; a change written on the
 * version read; and a tracking run that follows the image to its end (available for a create,
 * gone for a delete) and records it.
 */

/** How long one tracking run follows an image before it records the operation as stopped. */
export const DEFAULT_TRACK_LIMIT_MS = 6 * 3_600_000;

export interface TrackingDeps {
  tracker: Tracker;
  store: OperationStore;
  trackLimitMs?: number;
}

/** Past this, a request waiting on its twin answers instead of waiting on. */
const DEFAULT_WAIT_MS = 30_000;
const MAX_STALE_ROUNDS = 5;

/**
 * The loop both kinds of operation run: `round` reads the record and what the cloud shows,
 * decides and acts, answering the output, or undefined to go round again (a twin is still at
 * work, until `waitUntil`). A round that acted on a record another writer had just changed
 * (StaleRecord) starts over, a few times at most; then CONFLICT on `field`.
 */
export async function decideAndAct<O>(
  rt: Runtime,
  key: string,
  field: string,
  round: (waitUntil: number) => Promise<O | undefined>,
): Promise<O> {
  const waitUntil = Math.min(rt.now() + DEFAULT_WAIT_MS, (rt.deadline ?? Infinity) - 2_000);
  for (let stale = 0; ; ) {
    try {
      const out = await round(waitUntil);
      if (out) return out;
    } catch (err) {
      if (!(err instanceof StaleRecord)) throw err;
      if (++stale > MAX_STALE_ROUNDS)
        throw new ImageOpsError("CONFLICT", `operation ${key} keeps changing under this request: retry in a few seconds`, { field });
    }
  }
}

/** The record with `change`, written only if nobody wrote it since it was read (StaleRecord otherwise). */
export async function writeRecord<R extends StoredRecord>(store: OperationStore, previous: R, change: Partial<R>): Promise<R> {
  const next: R = { ...previous, ...change, version: previous.version + 1 };
  await store.put(next, previous.version);
  return next;
}

/**
 * Starts a tracking run for the record's image and records it. Execution names come from the
 * record (`<id>`, then `<id>-t2`, …), so Step Functions itself refuses a duplicate start. A
 * stopped operation whose tracking starts again is live again. `couldNotStart` is what the
 * caller is told when Step Functions cannot be reached: how to get tracking started.
 */
export async function startTracking<R extends AnyOperationRecord>(
  rt: Runtime,
  deps: TrackingDeps,
  record: R,
  notify: ProgressState | undefined,
  couldNotStart: string,
): Promise<R> {
  const now = rt.now();
  const run = (record.tracking?.runs ?? 0) + 1;
  const execution = executionName(record.id, run);
  const input: TrackInput = {
    operation: record.id,
    provider: record.request.provider,
    account: record.request.account,
    region: record.request.region,
    imageId: record.imageId!,
    startedAt: record.sentAt ?? record.claimedAt,
    limitAt: new Date(now + (deps.trackLimitMs ?? DEFAULT_TRACK_LIMIT_MS)).toISOString(),
  };
  // absent for a create: a create's tracking input is what it always was
  if (record.kind === "delete-image") input.kind = "delete-image";
  if (rt.correlationId) input.correlationId = rt.correlationId;
  if (notify) input.notify = { ...notify };
  try {
    await deps.tracker.start(input, execution);
  } catch (err) {
    throw new ImageOpsError("INTERNAL", couldNotStart, { cause: err });
  }
  const change: Partial<AnyOperationRecord> = { tracking: { execution, startedAt: new Date(now).toISOString(), runs: run } };
  if (record.state === "stopped")
    Object.assign(change, { state: record.kind === "delete-image" ? "accepted" : "created", endedAt: undefined, reason: undefined });
  return writeRecord(deps.store, record, change as Partial<R>);
}
