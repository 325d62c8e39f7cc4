import { log } from "../log.js";
import { metric } from "../metrics.js";
import { ImageOpsError, isPermanent } from "../model/errors.js";
import type { Image } from "../model/image.js";
import { DEFAULT_GRACE_MS, MAX_STALE_ROUNDS } from "../operations/engine.js";
import { keyOfOperation, type OperationRecord, type OperationState, showsAsAsked } from "../operations/record.js";
import { type OperationStore, StaleRecord } from "../operations/store.js";
import type { ProgressReporter, TrackEnd, TrackInput } from "../tracking/types.js";
import type { ShareTarget } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import { describeImageById } from "./describe.js";

/**
 * How a tracking run ended: the image's outcome (a create: available or failed; a delete: deleted,
 * the image is gone), or tracking stopped (the image may still be creating, or still there).
 */
export type TrackOutcome = "available" | "failed" | "stopped" | "deleted" | "shared" | "unshared";

export interface TrackOutput {
  done: boolean;
  image?: Image;
  waitSeconds: number;
  failures: number;
  outcome?: TrackOutcome;
  reason?: string;
  notify?: TrackInput["notify"];
}

export interface TrackDeps {
  store: OperationStore;
  /** where progress goes (the Slack card, in track-image): a port, so tracking knows nothing of Slack */
  progress?: ProgressReporter;
  /** how long after the create a new image may still be unreadable (default 5 min, operations/engine.ts) */
  graceMs?: number;
  /** where the image is read (default: the account's cloud, describeImage) */
  read?: (rt: Runtime, input: TrackInput) => Promise<Image>;
  /** where a share's image and members are read (default: the account's cloud, the adapter's sharer) */
  readShare?: (rt: Runtime, input: TrackInput) => Promise<ShareTarget>;
}

const readShareTarget = (rt: Runtime, i: TrackInput) =>
  withTarget(rt, { provider: i.provider, account: i.account, region: i.region }, (ctx, adapter) => {
    if (!adapter.sharer) throw new ImageOpsError("UNSUPPORTED", `${i.provider} does not share images`, { provider: i.provider });
    return adapter.sharer.describeForShare(ctx, i.imageId);
  });

const readImage = (rt: Runtime, i: TrackInput) =>
  describeImageById(rt, { provider: i.provider, id: i.imageId, account: i.account, region: i.region });

/** Poll often at first (small images finish in minutes), then back off for long ones. */
export function nextWait(elapsedMs: number): number {
  const minutes = elapsedMs / 60_000;
  if (minutes < 2) return 10;
  if (minutes < 10) return 20;
  if (minutes < 60) return 30;
  return 60;
}

/** After transient failures in a row, wait longer each time (up to 5 minutes), never give up for them. */
export function backoffWait(elapsedMs: number, failures: number): number {
  return Math.min(300, nextWait(elapsedMs) * 2 ** Math.min(failures, 5));
}

const TIME_LIMIT = "tracking gave up";

/** Slack updates only on a change of state or every ≥ 10 s, to stay far from rate limits. */
export const PROGRESS_THROTTLE_MS = 10_000;

/**
 * One step of tracking: fetch the image and decide whether it is done. Transient trouble (5xx,
 * throttling, timeouts, Secrets Manager) answers `done: false` with a longer wait; only a
 * permanent answer, the run's time limit or an explicit `stop` ends it. The end is written to
 * the operation record before the step answers done, so the record always says why.
 * Slack trouble never fails the step.
 */
export async function trackStep(rt: Runtime, input: TrackInput & { stop?: string }, deps: TrackDeps): Promise<TrackOutput> {
  const now = rt.now();
  const elapsed = now - Date.parse(input.startedAt);
  const failures = input.failures ?? 0;
  const deleting = input.kind === "delete-image";
  if (input.stop) return finish(rt, input, deps, { outcome: "stopped", reason: input.stop });
  if (input.kind === "share-image") return shareStep(rt, input, deps, elapsed, failures);
  // a step that only brings the channel card up to its recorded outcome is never cut by the time limit
  const owed = input.notify?.channelOwed !== undefined;
  if (!owed && input.limitAt && now >= Date.parse(input.limitAt)) {
    // the card shows how far the image got, when the cloud can say
    let gone = false;
    const last = await (deps.read ?? readImage)(rt, input).catch((err) => {
      gone = err instanceof ImageOpsError && err.code === "NOT_FOUND";
      return undefined;
    });
    if (deleting && gone) return finish(rt, input, deps, { outcome: "deleted" });
    const what = deleting ? "with the image still there" : "without a final state";
    return finish(
      rt,
      input,
      deps,
      { outcome: "stopped", reason: `${TIME_LIMIT} after ${formatHours(now - Date.parse(input.startedAt))} ${what}` },
      last,
    );
  }
  let image: Image;
  try {
    image = await (deps.read ?? readImage)(rt, input);
  } catch (err) {
    const e = err instanceof ImageOpsError ? err : new ImageOpsError("INTERNAL", (err as Error)?.message ?? String(err));
    // a delete is done when the cloud no longer knows the image
    if (deleting && e.code === "NOT_FOUND") return finish(rt, input, deps, { outcome: "deleted" });
    // a new image may not be readable at once (SCP answers a create with an id first): not gone within the grace
    if (!deleting && e.code === "NOT_FOUND" && elapsed < (deps.graceMs ?? DEFAULT_GRACE_MS)) {
      log("info", "the new image is not readable yet", { operation: input.operation, imageId: input.imageId });
      return { done: false, waitSeconds: nextWait(elapsed), failures, notify: input.notify };
    }
    if (isPermanent(e)) {
      const reason = e.code === "NOT_FOUND" ? `image ${input.imageId} no longer exists` : `${e.code}: ${e.message}`;
      return finish(rt, input, deps, { outcome: "stopped", reason });
    }
    log("warn", "tracking step failed; trying again later", {
      operation: input.operation,
      code: e.code,
      failures: failures + 1,
      error: e.message,
    });
    return { done: false, waitSeconds: backoffWait(elapsed, failures + 1), failures: failures + 1, notify: input.notify };
  }
  // a delete goes on while the image is there, whatever its status says (deleting, or still available: NCP shows CREAT with operation TERMT)
  const outcome: TrackOutcome | undefined = deleting
    ? undefined
    : image.status === "available"
      ? "available"
      : image.status === "failed"
        ? "failed"
        : image.status === "deleting"
          ? "stopped"
          : undefined;
  if (outcome) {
    const reason =
      outcome === "failed" ? `the cloud reports ${image.providerStatus}` : outcome === "stopped" ? "the image is being deleted" : undefined;
    return finish(rt, input, deps, { outcome, reason }, image);
  }
  return { done: false, image, waitSeconds: nextWait(elapsed), failures: 0, notify: await progress(input, deps, image, now) };
}

/**
 * One step of a share's tracking: done once the cloud lists every target (an unshare: none of
 * them), as the record names them. The image gone ends it stopped; transient trouble waits longer.
 */
async function shareStep(rt: Runtime, input: TrackInput, deps: TrackDeps, elapsed: number, failures: number): Promise<TrackOutput> {
  const record = await deps.store.get<OperationRecord>(keyOfOperation(input.operation));
  if (!record || record.id !== input.operation || record.kind !== "share-image")
    return { done: true, waitSeconds: 0, failures: 0, outcome: "stopped", reason: `no share operation ${input.operation}` };
  const { action } = record.request;
  if (input.limitAt && rt.now() >= Date.parse(input.limitAt))
    return finish(rt, input, deps, {
      outcome: "stopped",
      reason: `${TIME_LIMIT} after ${formatHours(elapsed)}: the cloud does not show the ${action} yet`,
    });
  let target: ShareTarget;
  try {
    target = await (deps.readShare ?? readShareTarget)(rt, input);
  } catch (err) {
    const e = err instanceof ImageOpsError ? err : new ImageOpsError("INTERNAL", (err as Error)?.message ?? String(err));
    if (isPermanent(e))
      return finish(rt, input, deps, {
        outcome: "stopped",
        reason: e.code === "NOT_FOUND" ? `image ${input.imageId} no longer exists` : `${e.code}: ${e.message}`,
      });
    return { done: false, waitSeconds: backoffWait(elapsed, failures + 1), failures: failures + 1 };
  }
  if (showsAsAsked(record.request, target.members))
    return finish(rt, input, deps, { outcome: action === "share" ? "shared" : "unshared" }, target.image);
  return { done: false, image: target.image, waitSeconds: nextWait(elapsed), failures: 0 };
}

/** Records the end on the operation record, then tells Slack; a record that cannot be written yet keeps the run going. */
async function finish(
  rt: Runtime,
  input: TrackInput,
  deps: TrackDeps,
  end: { outcome: TrackOutcome; reason?: string },
  image?: Image,
): Promise<TrackOutput> {
  const now = rt.now();
  const failures = input.failures ?? 0;
  let recorded: boolean;
  try {
    recorded = await recordEnd(deps.store, input.operation, end.outcome, end.reason, now);
  } catch (err) {
    log("warn", "could not record the end of an operation; trying again later", {
      operation: input.operation,
      error: (err as Error)?.message,
    });
    return {
      done: false,
      image,
      waitSeconds: backoffWait(now - Date.parse(input.startedAt), failures + 1),
      failures: failures + 1,
      notify: input.notify,
    };
  }
  // said and counted once: a step that only brings the channel card up to date (channelOwed) ends the same operation again
  if (recorded) {
    log(end.outcome === "failed" || end.outcome === "stopped" ? "warn" : "info", "operation ended", {
      operation: input.operation,
      imageId: input.imageId,
      outcome: end.outcome,
      reason: end.reason,
    });
    if (end.outcome === "failed") metric("ImagesFailed", { provider: input.provider });
    if (end.outcome === "deleted") metric("ImagesDeleted", { provider: input.provider });
    if (end.outcome === "available")
      metric("TimeToAvailable", { provider: input.provider }, Math.round((now - Date.parse(input.startedAt)) / 1000), "Seconds");
  }
  const notify = await progress(input, deps, image, now, end);
  // the requester has the outcome; the channel card was rate-limited: one more step after Slack's Retry-After
  if (notify?.channelOwed !== undefined) return { done: false, image, waitSeconds: notify.channelOwed, failures: 0, notify };
  const out: TrackOutput = { done: true, image, waitSeconds: 0, failures: 0, outcome: end.outcome, notify };
  if (end.reason) out.reason = end.reason;
  return out;
}

/**
 * The end state on the record of this operation (an execution of an older generation changes
 * nothing); false when the record said so already (this step ends an operation a step ended).
 */
async function recordEnd(
  store: OperationStore,
  operation: string,
  state: OperationState,
  reason: string | undefined,
  now: number,
): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_STALE_ROUNDS; attempt++) {
    const record = await store.get<OperationRecord>(keyOfOperation(operation));
    if (!record || record.id !== operation) return true;
    if (record.state === state) return false;
    try {
      // an end without a reason keeps what the record said (e.g. what a takeover found)
      const ended: OperationRecord = {
        ...record,
        state,
        endedAt: new Date(now).toISOString(),
        reason: reason ?? record.reason,
        version: record.version + 1,
      };
      await store.put(ended, record.version);
      return true;
    } catch (err) {
      if (!(err instanceof StaleRecord)) throw err;
    }
  }
  return true;
}

async function progress(
  input: TrackInput,
  deps: TrackDeps,
  image: Image | undefined,
  now: number,
  end?: { outcome: TrackOutcome; reason?: string },
): Promise<TrackInput["notify"]> {
  const n = input.notify;
  if (!n || !deps.progress) return n;
  const changed = n.lastStatus !== (image?.status ?? end?.outcome);
  const due = n.lastUpdate === undefined || now - n.lastUpdate >= PROGRESS_THROTTLE_MS;
  if (n.messageTs && !changed && !due && !end) return n;
  const stop: TrackEnd | undefined =
    end?.outcome !== "stopped"
      ? undefined
      : end.reason?.startsWith(TIME_LIMIT)
        ? { kind: "timed-out" }
        : { kind: "stopped", reason: end.reason ?? "tracking stopped" };
  try {
    return await deps.progress.report(input, { image, now, final: end !== undefined, end: stop });
  } catch (err) {
    log("warn", "could not report progress", { operation: input.operation, error: (err as Error)?.message });
    return n;
  }
}

function formatHours(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 1 ? `${Math.round(h * 10) / 10} h` : `${Math.max(1, Math.round(ms / 60_000))} min`;
}
