import { randomUUID } from "node:crypto";
import { log } from "../log.js";
import { ImageOpsError, isRefusal } from "../model/errors.js";
import type { Image, ProviderName } from "../model/image.js";
import { type Runtime, sleepFor } from "../runtime.js";
import type { ProgressState, TrackInput, Tracker } from "../tracking/types.js";
import type { Checks } from "../images/checks.js";
import {
  type Claim,
  type Decision,
  decide,
  executionName,
  type OperationKind,
  type OperationRecord,
  type Sighting,
  type TrackingStatus,
} from "./record.js";
import { type OperationStore, StaleRecord, type StoredRecord } from "./store.js";

/**
 * The one engine that creates and deletes exactly once. Each kind (create-image, delete-image)
 * is a small spec (how to look, check, send, and prove what an ambiguous send did); the rules
 * live here, once:
 *
 * 1. Claim first, then act: a record is written (a conditional put; of two twins exactly one
 *    wins) before the cloud is called, and marked `sent` just before the one request goes out.
 * 2. A claim is held until its lease (the attempt's deadline + a margin); a twin waits on it as
 *    long as its own invocation allows, then answers the winner's operation.
 * 3. A send that failed is settled by looking, never by sending again: proof that it took effect
 *    (the image it made, found by name — a name its create claimed, so no other operation of
 *    imageops can have made it — from this server where the cloud says; or the image gone or
 *    going) records it as taken; a refusal with nothing to show ends the generation `failed`;
 *    anything else releases the claim still `sent`, and the next attempt looks again.
 * 4. An attempt that died after `sent` is taken over by the next request after its lease: it
 *    looks for proof first, and sends again only once the cloud has had `graceMs` to show it.
 * 5. Gone is proven, never assumed: a create's image that one read cannot find is "not visible
 *    yet" until a second read (the list by name) agrees and the grace has passed.
 * 6. Tracking is never lost: its run is written on the record before it starts, and a request
 *    that finds the run over (Step Functions says so) but the record not final starts another.
 *
 * What is guaranteed: at most one request that changes the cloud per operation generation, as
 * long as the cloud shows what it did within `graceMs` (a cloud slower than that, after a lost
 * answer, can be asked twice); never another server's image taken as this operation's where the
 * cloud names an image's server, and never another imageops operation's image anywhere.
 */

/** How long one tracking run follows an image before it records the operation as stopped. */
export const DEFAULT_TRACK_LIMIT_MS = 6 * 3_600_000;
/** How long a cloud may take to show what it answered (an image it made readable, a delete taking). */
export const DEFAULT_GRACE_MS = 5 * 60_000;
/** A claim outlives its invocation's deadline by this much: only then may another attempt take over. */
const LEASE_MARGIN_MS = 5_000;
/** Without a deadline (a local call), how long a claim is held, and how long a twin waits on it. */
const NO_DEADLINE_MS = 60_000;
const NO_DEADLINE_WAIT_MS = 30_000;
/** A twin stops waiting this long before its deadline, to answer. */
const WAIT_MARGIN_MS = 2_000;
/** How often a twin reads the record again while it waits. */
const WAIT_POLL_MS = 500;
/** Writes that lose to another writer are read and decided again, this many times at most. */
export const MAX_STALE_ROUNDS = 5;

export interface EngineDeps {
  store: OperationStore;
  tracker: Tracker;
  /** one tracking run's limit (default 6 h) */
  trackLimitMs?: number;
  /** how long the cloud may take to show what it answered (default 5 min) */
  graceMs?: number;
}

/** Until when a claim made now is held. */
export function leaseUntil(rt: Runtime): number {
  return (rt.deadline ?? rt.now() + NO_DEADLINE_MS) + LEASE_MARGIN_MS;
}

/** A write's proof of what the cloud did: the image it made (a create), or what it shows of the image (a delete). */
export interface Proof {
  image?: Image;
  /** what was found, in words for the record */
  found: string;
}

/** One kind of operation, as the engine drives it. */
export interface OperationSpec<R extends OperationRecord, P> {
  readonly kind: OperationKind;
  readonly key: string;
  readonly hash: string;
  readonly provider: ProviderName;
  /** the request field a CONFLICT names */
  readonly field: string;
  /** the state a record takes when the cloud took the request */
  readonly took: "created" | "accepted";
  /** what the cloud shows now of the image the record is about (undefined: nothing to look at) */
  observe(record: R | undefined): Promise<Sighting | undefined>;
  /** every check a new send must pass, and what the send needs (create: the server as read) */
  preflight(record: R | undefined, sighting: Sighting | undefined): Promise<{ checks: Checks; prepared: P }>;
  /** the record of a new generation, not yet written */
  claim(previous: R | undefined, claim: Claim): R;
  /** written just before the claim, and by a take-over before it sends (a create's name); throws to refuse */
  reserve?(claim: R): Promise<void>;
  /** the one request to the cloud; a create answers the image it made */
  send(record: R, prepared: P): Promise<Image | undefined>;
  /** proof that the record's send took effect, or undefined */
  find(record: R): Promise<Proof | undefined>;
  /** what a refusal is answered with */
  refused(err: ImageOpsError, record: R): ImageOpsError;
  /** where a tracking run of the record reports progress */
  progress(record: R): ProgressState | undefined;
  /** told once the cloud took it (logs, metrics) */
  onTook?(record: R, image: Image | undefined): void;
  readonly words: {
    /** a twin held the claim all the while this request could wait */
    busy(record: R): string;
    /** added to a failed send's message when the cloud may still act */
    ambiguous(err: ImageOpsError, record: R): string;
    /** the cloud took it, but it could not be recorded, or tracking could not start */
    unrecorded(record: R, image: Image | undefined): string;
    untracked(record: R): string;
    /** an interrupted attempt's send cannot be proven either way before `until` */
    unproven(record: R, until: number): string;
  };
}

export type EngineOutcome<R extends OperationRecord> =
  | { dryRun: true; record?: R; decision: Decision; sighting?: Sighting }
  | { dryRun: false; record: R; image?: Image; sighting?: Sighting; existing: boolean };

/** What one round ends with: an outcome, or a wait before the next round. */
type Round<R extends OperationRecord> = { outcome: EngineOutcome<R> } | { sleepMs: number };

/**
 * Runs one request of an operation: reads the record and what the cloud shows, decides
 * (./record.ts `decide`), acts, and answers. A round that lost a write to another writer
 * (StaleRecord) reads and decides again.
 */
export async function runOperation<R extends OperationRecord, P>(
  rt: Runtime,
  deps: EngineDeps,
  spec: OperationSpec<R, P>,
  options: { dryRun?: boolean } = {},
): Promise<EngineOutcome<R>> {
  const op = new Engine(rt, deps, spec);
  const waitUntil = rt.deadline !== undefined ? rt.deadline - WAIT_MARGIN_MS : rt.now() + NO_DEADLINE_WAIT_MS;
  for (let stale = 0; ; ) {
    try {
      const round = await op.round(waitUntil, options.dryRun ?? false);
      if ("outcome" in round) return round.outcome;
      await sleepFor(rt, round.sleepMs);
    } catch (err) {
      if (!(err instanceof StaleRecord)) throw err;
      if (++stale > MAX_STALE_ROUNDS)
        throw new ImageOpsError("CONFLICT", `operation ${spec.key} keeps changing under this request: retry in a few seconds`, {
          field: spec.field,
          provider: spec.provider,
        });
    }
  }
}

/** The record with `change`, written only if nobody wrote it since it was read (StaleRecord otherwise). */
export async function writeRecord<R extends StoredRecord>(store: OperationStore, previous: R, change: Partial<R>): Promise<R> {
  const next: R = { ...previous, ...change, version: previous.version + 1 };
  await store.put(next, previous.version);
  return next;
}

/** Whether a record's tracking run must be asked about: the cloud took it and a run should be following it. */
const tracked = (r: OperationRecord | undefined): r is OperationRecord & { tracking: NonNullable<OperationRecord["tracking"]> } =>
  !!r?.tracking && (r.state === "created" || r.state === "accepted");

class Engine<R extends OperationRecord, P> {
  constructor(
    private readonly rt: Runtime,
    private readonly deps: EngineDeps,
    private readonly spec: OperationSpec<R, P>,
  ) {}

  private get graceMs(): number {
    return this.deps.graceMs ?? DEFAULT_GRACE_MS;
  }

  private iso(): string {
    return new Date(this.rt.now()).toISOString();
  }

  private write(previous: R, change: Partial<R>): Promise<R> {
    return writeRecord(this.deps.store, previous, change);
  }

  async round(waitUntil: number, dryRun: boolean): Promise<Round<R>> {
    const record = await this.deps.store.get<R>(this.spec.key);
    const sighting = await this.spec.observe(record);
    const tracking = await this.trackingStatus(record);
    const decision = decide(record, this.spec.hash, this.rt.now(), sighting, tracking);
    if (dryRun) return { outcome: { dryRun: true, record, decision, sighting } };
    switch (decision.action) {
      case "conflict":
        throw new ImageOpsError("CONFLICT", decision.message, { field: this.spec.field, provider: this.spec.provider });
      case "wait": {
        const now = this.rt.now();
        if (now >= waitUntil)
          throw new ImageOpsError("CONFLICT", this.spec.words.busy(record!), { field: this.spec.field, provider: this.spec.provider });
        return { sleepMs: Math.min(WAIT_POLL_MS, waitUntil - now, Math.max(50, decision.until - now)) };
      }
      case "existing":
        return this.answer(record!, sighting, true);
      case "track":
        return this.answer(await this.track(record!, tracking === "missing"), sighting, true);
      case "start": {
        const pre = await this.spec.preflight(record, sighting);
        if (pre.checks.failure) {
          // a twin may have claimed (and made) it while the checks ran: then what they saw is its doing
          const now = await this.deps.store.get<R>(this.spec.key);
          if (now?.version !== record?.version) throw new StaleRecord(this.spec.key);
          throw pre.checks.failure;
        }
        const claim = this.spec.claim(record, { claimId: randomUUID(), now: this.rt.now(), leaseUntil: leaseUntil(this.rt) });
        await this.spec.reserve?.(claim);
        await this.deps.store.put(claim, record?.version);
        return this.sendAndSettle(claim, pre.prepared);
      }
      case "take-over":
        return this.takeOver(record!, decision.sent, waitUntil);
    }
  }

  /** Asked only when the answer matters: the cloud took the request and a run should be following it. */
  private async trackingStatus(record: R | undefined): Promise<TrackingStatus> {
    if (!tracked(record)) return "unknown";
    return this.deps.tracker.status(record.tracking.execution).catch((err) => {
      log("warn", "could not ask whether tracking still runs", { operation: record.id, error: (err as Error)?.message });
      return "unknown" as const;
    });
  }

  private answer(record: R, sighting: Sighting | undefined, existing: boolean, image?: Image): Round<R> {
    const seen = image ?? (sighting?.seen === "present" ? sighting.image : undefined);
    return { outcome: { dryRun: false, record, image: seen, sighting, existing } };
  }

  /** Marks the claim sent, sends the one request, and records that the cloud took it. */
  private async sendAndSettle(claim: R, prepared: P): Promise<Round<R>> {
    const sent = await this.write(claim, { state: "sent", sentAt: this.iso() } as Partial<R>);
    let image: Image | undefined;
    try {
      image = await this.spec.send(sent, prepared);
    } catch (err) {
      if (!(err instanceof ImageOpsError)) throw err;
      return this.settleFailedSend(sent, err);
    }
    return this.took(sent, image, undefined, false);
  }

  /**
   * The send failed. It is settled by looking: proof that it took effect records it as taken; a
   * refusal with nothing to show ends the generation failed; otherwise (a timeout, a 5xx, the
   * look failing) the claim is released still `sent`, and the next attempt looks again.
   */
  private async settleFailedSend(sent: R, err: ImageOpsError): Promise<Round<R>> {
    let proof: Proof | undefined;
    let looked = true;
    try {
      proof = await this.spec.find(sent);
    } catch (lookErr) {
      looked = false;
      log("warn", "could not look for what a failed send did", { operation: sent.id, error: (lookErr as Error)?.message });
    }
    if (proof) return this.took(sent, proof.image, undefined, false);
    if (looked && isRefusal(err)) {
      await this.end(sent, `the cloud refused: ${err.message}`);
      throw this.spec.refused(err, sent);
    }
    await this.write(sent, { leaseUntil: this.rt.now() } as Partial<R>).catch(() => undefined);
    throw new ImageOpsError(err.code, `${err.message}; ${this.spec.words.ambiguous(err, sent)}`, {
      provider: this.spec.provider,
      providerCode: err.providerCode,
      requestId: err.requestId,
    });
  }

  /** An attempt died holding the claim (its lease ran out): finish its work, proving first what it sent. */
  private async takeOver(record: R, sent: boolean, waitUntil: number): Promise<Round<R>> {
    const again = { claimId: randomUUID(), leaseUntil: leaseUntil(this.rt), attempts: record.attempts + 1 } as Partial<R>;
    if (sent) {
      const proof = await this.spec.find(record);
      if (proof) {
        const claim = await this.write(record, again);
        log("info", "an interrupted attempt's request had taken effect", { operation: claim.id, attempt: claim.attempts });
        return this.took(claim, proof.image, `attempt ${claim.attempts} found ${proof.found}, left by an interrupted attempt`, true);
      }
      // nothing to show yet: only once the cloud has had its grace is "not sent" proven
      const provenAt = Date.parse(record.sentAt!) + this.graceMs;
      const now = this.rt.now();
      if (now < provenAt) {
        if (provenAt > waitUntil)
          throw new ImageOpsError("CONFLICT", this.spec.words.unproven(record, provenAt), {
            field: this.spec.field,
            provider: this.spec.provider,
          });
        return { sleepMs: Math.min(provenAt - now, 5_000) };
      }
      log("info", "an interrupted attempt's request left nothing: sending it", { operation: record.id, attempt: record.attempts + 1 });
    }
    const claim = await this.write(record, again);
    await this.spec.reserve?.(claim);
    const pre = await this.spec.preflight(claim, undefined);
    if (pre.checks.failure) {
      // what failed may be the interrupted attempt's own doing, appearing just now
      const proof = sent ? await this.spec.find(claim).catch(() => undefined) : undefined;
      if (proof)
        return this.took(claim, proof.image, `attempt ${claim.attempts} found ${proof.found}, left by an interrupted attempt`, true);
      await this.end(claim, `checks failed when attempt ${claim.attempts} took over: ${pre.checks.failure.message}`);
      throw pre.checks.failure;
    }
    return this.sendAndSettle(claim, pre.prepared);
  }

  /** The cloud took the request: recorded, then tracked. */
  private async took(record: R, image: Image | undefined, reason: string | undefined, existing: boolean): Promise<Round<R>> {
    const change = { state: this.spec.took, createdAt: this.iso() } as Partial<R>;
    if (image && this.spec.kind === "create-image") change.imageId = image.id;
    if (reason) change.reason = reason;
    let done: R;
    try {
      done = await this.write(record, change);
    } catch (err) {
      if (err instanceof StaleRecord) throw err;
      // the next attempt takes over the claim and finds it by looking
      throw new ImageOpsError("INTERNAL", `${this.spec.words.unrecorded(record, image)} (${(err as Error).message})`, { cause: err });
    }
    this.spec.onTook?.(done, image);
    return this.answer(await this.track(done, false), undefined, existing, image);
  }

  /**
   * Starts a tracking run for the record and records it — written first, then started, so a run
   * that could not start is seen as missing (and started under the same name) by the next
   * request. Names come from the record (`<id>`, then `<id>-t2`, …), so Step Functions itself
   * refuses a duplicate start. A stopped operation whose tracking starts again is live again.
   */
  private async track(record: R, reuseName: boolean): Promise<R> {
    const runs = reuseName && record.tracking ? record.tracking.runs : (record.tracking?.runs ?? 0) + 1;
    const execution = executionName(record.id, runs);
    const change = { tracking: { execution, startedAt: this.iso(), runs } } as Partial<R>;
    if (record.state === "stopped") Object.assign(change, { state: this.spec.took, endedAt: undefined, reason: undefined });
    const next = await this.write(record, change);
    try {
      await this.deps.tracker.start(this.trackInput(next), execution);
    } catch (err) {
      throw new ImageOpsError("INTERNAL", this.spec.words.untracked(next), { cause: err });
    }
    return next;
  }

  private trackInput(record: R): TrackInput {
    const { provider, account, region } = record.request;
    const input: TrackInput = {
      operation: record.id,
      provider,
      account,
      region,
      imageId: record.imageId!,
      startedAt: record.sentAt ?? record.claimedAt,
      limitAt: new Date(this.rt.now() + (this.deps.trackLimitMs ?? DEFAULT_TRACK_LIMIT_MS)).toISOString(),
    };
    // absent for a create: a create's tracking input is what it always was
    if (this.spec.kind !== "create-image") input.kind = this.spec.kind;
    if (this.rt.correlationId) input.correlationId = this.rt.correlationId;
    const notify = this.spec.progress(record);
    if (notify) input.notify = notify;
    return input;
  }

  /** A refused or unmade request: the generation ends failed, and the next request starts afresh. */
  private async end(record: R, reason: string): Promise<void> {
    await this.write(record, { state: "failed", endedAt: this.iso(), reason } as Partial<R>).catch((e) => {
      if (!(e instanceof StaleRecord))
        log("warn", "could not record a refused request", { operation: record.id, error: (e as Error).message });
    });
  }
}
