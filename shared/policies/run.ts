import { randomUUID } from "node:crypto";
import { createImage } from "../images/create.js";
import { deleteImage } from "../images/delete.js";
import { shareImage } from "../images/share.js";
import { resolveServerId } from "../images/servers.js";
import { log } from "../log.js";
import { metric } from "../metrics.js";
import { asImageOpsError, ImageOpsError } from "../model/errors.js";
import { type EngineDeps, leaseUntil, MAX_STALE_ROUNDS, writeRecord } from "../operations/engine.js";
import { type CreateRecord, keyOfOperation } from "../operations/record.js";
import { type OperationStore, StaleRecord } from "../operations/store.js";
import type { CallContext, ProviderAdapter, Server } from "../providers/types.js";
import { type Runtime, sleepFor, withTarget } from "../runtime.js";
import { addEntry, type NewEntry, liveEntries, madeByThisPolicy, markDeleted, markDeleting, releaseCreateRecord } from "./ledger.js";
import { latestRuns } from "./list.js";
import {
  clipReason,
  KEPT_LISTED_PER_SERVER,
  type LedgerEntry,
  MAX_DELETES_PER_RUN,
  type PolicyRun,
  policyKey,
  type RunItem,
  type RunSummary,
  type RunTrigger,
  type RunView,
  runSort,
  runView,
} from "./record.js";
import { retain } from "./retention.js";
import { renderImageName } from "./schedule.js";
import type { Policy } from "./schema.js";

/**
 * One run of a policy, for one scheduled time:
 * 1. the run is claimed (its own item, policies/record.ts; a conditional write with a lease, as
 *    the operation engine claims): a second delivery of the same scheduled time finds it claimed
 *    or done, and does nothing;
 * 2. each server's image is created through createImage, the exactly-once path, with the policy
 *    and the scheduled time in the operation key (so a run carried out twice creates nothing twice),
 *    and recorded in the policy's ledger;
 * 3. the run waits for its images through their operation records (tracking writes available or
 *    failed there), as long as this invocation may; images slower than that are finished by a
 *    continuation (an asynchronous invocation of run-policy), or by the next run. An image whose
 *    tracking died unrecorded, or whose create was interrupted, is resumed by asking createImage again;
 * 4. retention, per server whose new image is available: among the images the ledger says this
 *    policy made, each confirmed by its own create record (this policy, this image, available),
 *    those beyond `keep`/`days` are deleted through deleteImage, the exactly-once delete;
 * 5. one summary (made, kept, deleted, failed) is posted to the policy's channel and recorded.
 */

export interface PolicyDeps extends EngineDeps {
  /** posts a run's summary (the Slack message); a port, so policies import nothing of Slack */
  reporter?: PolicyReporter;
  /** runs a waiting run again later (an asynchronous invocation of run-policy) */
  continueLater?: (event: ContinueEvent) => Promise<void>;
  /** how often the run reads its images' records while it waits */
  pollMs?: number;
  /** the longest one invocation waits for its images (default: until a minute before its deadline) */
  waitMs?: number;
  /** how long after its start a run stops waiting for images altogether */
  runLimitMs?: number;
}

export interface PolicyReporter {
  /**
   * throws when the summary could not be posted (with Slack's error as the message); a channel
   * that is rate limited is waited out for at most `maxWaitMs`
   */
  post(policy: Policy, run: RunView, maxWaitMs: number): Promise<{ channel: string; ts: string }>;
}

export interface ContinueEvent {
  action: "run";
  policy: string;
  scheduledAt: string;
  trigger: RunTrigger;
  continuation: true;
}

export interface RunRequest {
  scheduledAt: string;
  trigger: RunTrigger;
  requestedBy?: string;
}

export type RunResult =
  /** duplicate: the run was already done (a second delivery of its scheduled time) */
  | { status: "done"; run: RunView; duplicate: boolean }
  /** its images are still being made: a continuation finishes it */
  | { status: "waiting"; run: RunView }
  /** another invocation holds it right now */
  | { status: "busy"; run: RunView };

const DEFAULT_POLL_MS = 15_000;
const DEFAULT_RUN_LIMIT_MS = 6 * 3_600_000 + 15 * 60_000;
/** Time kept for retention, the summary and the record after the wait. */
const FINISH_MARGIN_MS = 60_000;
const STALE_RUNS_PER_RUN = 3;
/** Without a deadline, how long a summary waits for a rate-limited channel; with one, all but the time to record the run. */
const DEFAULT_SUMMARY_WAIT_MS = 120_000;
const RECORD_MARGIN_MS = 15_000;

class LostClaim extends Error {
  constructor(scheduledAt: string) {
    super(`the run of ${scheduledAt} was taken over by another invocation`);
  }
}

/** A run held by this invocation: its item as last written. */
interface Held {
  run: PolicyRun;
  claimId: string;
}

type Claimed = { status: "claimed"; held: Held } | RunResult;

/**
 * Claims the run of a scheduled time: a fresh item, or one whose lease ran out (an invocation
 * that died, or a paused run's continuation); done or held by another invocation, it is answered.
 */
async function claimRun(rt: Runtime, store: OperationStore, policy: Policy, req: RunRequest, stale?: boolean): Promise<Claimed> {
  const key = policyKey(policy.name);
  const sort = runSort(req.scheduledAt);
  for (let round = 0; round <= MAX_STALE_ROUNDS; round++) {
    const run = await store.get<PolicyRun>(key, sort);
    if (run?.state === "done") return { status: "done", run: runView(run), duplicate: true };
    if (run && run.leaseUntil > rt.now()) return { status: "busy", run: runView(run) };
    if (!run && stale) return { status: "busy", run: runView(freshRun(rt, policy, req, "")) };
    const claimId = randomUUID();
    const next: PolicyRun = run
      ? { ...run, claimId, leaseUntil: leaseUntil(rt), state: "running", version: run.version + 1 }
      : freshRun(rt, policy, req, claimId);
    try {
      await store.put(next, run?.version);
      return { status: "claimed", held: { run: next, claimId } };
    } catch (err) {
      if (!(err instanceof StaleRecord)) throw err;
    }
  }
  throw new ImageOpsError("CONFLICT", `the run of policy ${policy.name} at ${req.scheduledAt} keeps changing: try again in a few seconds`);
}

function freshRun(rt: Runtime, policy: Policy, req: RunRequest, claimId: string): PolicyRun {
  const now = new Date(rt.now()).toISOString();
  return {
    key: policyKey(policy.name),
    sort: runSort(req.scheduledAt),
    version: 1,
    claimedAt: now,
    kind: "policy-run",
    policy: policy.name,
    scheduledAt: req.scheduledAt,
    trigger: req.trigger,
    ...(req.requestedBy ? { requestedBy: req.requestedBy } : {}),
    state: "running",
    claimId,
    leaseUntil: leaseUntil(rt),
    startedAt: now,
    items: [],
  };
}

/** A change to the run this invocation holds, on the version read; LostClaim when another invocation took it over. */
async function updateRun(store: OperationStore, held: Held, change: Partial<PolicyRun>): Promise<Held> {
  let current = held.run;
  for (let round = 0; round <= MAX_STALE_ROUNDS; round++) {
    if (current.claimId !== held.claimId) throw new LostClaim(current.scheduledAt);
    try {
      return { run: await writeRecord(store, current, change), claimId: held.claimId };
    } catch (err) {
      if (!(err instanceof StaleRecord)) throw err;
      const fresh = await store.get<PolicyRun>(current.key, current.sort);
      if (!fresh) throw new LostClaim(current.scheduledAt);
      current = fresh;
    }
  }
  throw new LostClaim(current.scheduledAt);
}

export async function runPolicy(rt: Runtime, deps: PolicyDeps, policy: Policy, req: RunRequest): Promise<RunResult> {
  const claimed = await claimRun(rt, deps.store, policy, req);
  if (claimed.status !== "claimed") {
    log("info", claimed.status === "done" ? "policy run already done: nothing to do" : "policy run held by another invocation", {
      policy: policy.name,
      scheduledAt: req.scheduledAt,
    });
    return claimed;
  }
  try {
    const result = await carryOut(rt, deps, policy, claimed.held);
    if (result.status === "done") await finishStaleRuns(rt, deps, policy, req.scheduledAt);
    return result;
  } catch (err) {
    if (err instanceof LostClaim) {
      log("warn", "policy run taken over mid-way", { policy: policy.name, scheduledAt: req.scheduledAt });
      return { status: "busy", run: runView(claimed.held.run) };
    }
    // release the claim so that a retry, a continuation or the next run can take it at once
    await updateRun(deps.store, claimed.held, { leaseUntil: rt.now() }).catch(() => undefined);
    throw err;
  }
}

/** Make the images (unless made), wait for them, then retention and the summary; or pause while they are still being made. */
async function carryOut(rt: Runtime, deps: PolicyDeps, policy: Policy, claimed: Held, waitMs?: number): Promise<RunResult> {
  let held = claimed;
  if (held.run.items.length === 0) held = await makeImages(rt, deps, policy, held);
  held = await settle(rt, deps, policy, held, waitMs);
  const pastLimit = rt.now() - Date.parse(held.run.startedAt) > (deps.runLimitMs ?? DEFAULT_RUN_LIMIT_MS);
  if (held.run.items.some((i) => i.state === "creating") && !pastLimit) {
    held = await updateRun(deps.store, held, { state: "waiting", leaseUntil: rt.now() });
    const next: ContinueEvent = {
      action: "run",
      policy: policy.name,
      scheduledAt: held.run.scheduledAt,
      trigger: held.run.trigger,
      continuation: true,
    };
    await deps.continueLater?.(next).catch((err) =>
      log("warn", "could not start the policy run's continuation; the next run finishes it", {
        policy: policy.name,
        error: (err as Error)?.message,
      }),
    );
    log("info", "policy run waits for its images", {
      policy: policy.name,
      scheduledAt: held.run.scheduledAt,
      creating: held.run.items.filter((i) => i.state === "creating").length,
    });
    return { status: "waiting", run: runView(held.run) };
  }
  return { status: "done", run: runView(await finish(rt, deps, policy, held)), duplicate: false };
}

/** The server a policy names: by id, or by name where the adapter can look names up. */
async function resolveServer(ctx: CallContext, adapter: ProviderAdapter, ref: string): Promise<Server> {
  // the one server-name lookup (shared/images/servers.ts), as create-image resolves a name
  return adapter.getServer(ctx, await resolveServerId(ctx, adapter, ref));
}

const where = (policy: Policy) => ({ provider: policy.provider, account: policy.account, region: policy.region });
const origin = (policy: Policy, run: PolicyRun) => ({ policy: policy.name, scheduledAt: run.scheduledAt });

/** Creates every server's image for this scheduled time (exactly once each), and records them with the ledger. */
async function makeImages(rt: Runtime, deps: PolicyDeps, policy: Policy, held: Held): Promise<Held> {
  const { run } = held;
  const at = Date.parse(run.scheduledAt);
  const made: Array<{ item: RunItem; entry?: NewEntry }> = await Promise.all(
    policy.servers.map(async (ref) => {
      try {
        const server = await withTarget(rt, where(policy), (ctx, adapter) => resolveServer(ctx, adapter, ref));
        const name = renderImageName(policy.image, {
          server: server.name || server.id,
          serverId: server.id,
          policy: policy.name,
          at,
          tz: policy.timezone,
        });
        const out = await createImage(rt, deps, {
          ...where(policy),
          serverId: server.id,
          server,
          name,
          description: policy.description,
          origin: origin(policy, run),
        });
        if (out.dryRun) throw new Error("unreachable: not a dry run");
        const item: RunItem = {
          server: ref,
          serverId: server.id,
          name,
          operation: out.operation.id,
          imageId: out.image.id,
          state: out.image.status === "failed" ? "failed" : "creating",
        };
        const entry: NewEntry = {
          operation: out.operation.id,
          serverId: server.id,
          imageId: out.image.id,
          name,
          scheduledAt: run.scheduledAt,
          account: out.image.account,
          region: out.image.region,
        };
        return { item, entry };
      } catch (err) {
        const e = asImageOpsError(err);
        log("warn", "a policy's image could not be made", { policy: policy.name, server: ref, code: e.code, error: e.message });
        return { item: { server: ref, state: "failed" as const, reason: clipReason(`${e.code}: ${e.message}`) } };
      }
    }),
  );
  metric("PolicyRuns", { policy: policy.name });
  for (const { entry } of made) if (entry) await addEntry(deps.store, policy.name, entry, rt.now());
  return updateRun(deps.store, held, { items: made.map((m) => m.item) });
}

/**
 * Reads the state of the run's images from their operation records until none is being made, or
 * the wait is over. First, an image nothing follows any more (its tracking run ended without
 * recording an outcome, or its create was interrupted) is asked for again through createImage,
 * whose engine resumes it.
 */
async function settle(rt: Runtime, deps: PolicyDeps, policy: Policy, held: Held, waitMs?: number): Promise<Held> {
  const poll = deps.pollMs ?? DEFAULT_POLL_MS;
  const until = Math.min((rt.deadline ?? Infinity) - FINISH_MARGIN_MS, rt.now() + (waitMs ?? deps.waitMs ?? Infinity));
  const items = structuredClone(held.run.items);
  await resumeStalled(rt, deps, policy, held.run, items);
  for (;;) {
    for (const item of items) {
      if (item.state !== "creating" || !item.operation) continue;
      const record = await deps.store.get<CreateRecord>(keyOfOperation(item.operation));
      const state = record?.id === item.operation ? record.state : undefined;
      if (state === "available" || state === "failed" || state === "stopped") {
        item.state = state;
        if (state !== "available") item.reason = clipReason(record!.reason ?? state);
      }
    }
    if (!items.some((i) => i.state === "creating") || rt.now() + poll > until) break;
    await sleepFor(rt, poll);
  }
  if (JSON.stringify(items) === JSON.stringify(held.run.items)) return held;
  return updateRun(deps.store, held, { items });
}

/** Images of the run whose operation nothing moves on: asked for again, so the engine restarts their tracking or finishes their create. */
async function resumeStalled(rt: Runtime, deps: PolicyDeps, policy: Policy, run: PolicyRun, items: RunItem[]): Promise<void> {
  for (const item of items) {
    if (item.state !== "creating" || !item.operation || !item.serverId || !item.name) continue;
    const record = await deps.store.get<CreateRecord>(keyOfOperation(item.operation));
    if (!record || record.id !== item.operation) continue;
    const interrupted = (record.state === "claimed" || record.state === "sent") && record.leaseUntil <= rt.now();
    const untracked =
      record.state === "created" &&
      (!record.tracking || (await deps.tracker.status(record.tracking.execution).catch(() => "unknown" as const)) !== "running");
    if (!interrupted && !untracked) continue;
    log("info", "a policy's image is resumed: nothing followed it", { policy: policy.name, operation: record.id, state: record.state });
    try {
      const out = await createImage(rt, deps, {
        ...where(policy),
        serverId: item.serverId,
        name: item.name,
        description: policy.description,
        origin: origin(policy, run),
      });
      if (!out.dryRun && out.image.id) item.imageId = out.image.id;
    } catch (err) {
      log("warn", "a policy's image could not be resumed; the next run tries again", {
        policy: policy.name,
        operation: record.id,
        error: asImageOpsError(err).message,
      });
    }
  }
}

/** Retention for each server whose new image is available, then the summary, posted and recorded; the run is done. */
async function finish(rt: Runtime, deps: PolicyDeps, policy: Policy, held: Held): Promise<PolicyRun> {
  const { run } = held;
  const summary: RunSummary = { made: [], keptCount: 0, kept: [], deleted: [], failed: [], deferred: [] };
  for (const i of run.items) {
    if (i.imageId && i.name) summary.made.push({ server: i.server, name: i.name, imageId: i.imageId, state: i.state });
    if (i.state === "failed" || i.state === "stopped")
      summary.failed.push({
        what: i.name ? `image ${i.name}${i.imageId ? ` (${i.imageId})` : ""} of ${i.server}` : `server ${i.server}`,
        reason: i.reason ?? i.state,
      });
  }
  if (policy.share) await shareNewImages(rt, deps, policy, run.items, summary);
  const ledger = await liveEntries(deps.store, policy.name, rt.now());
  let deletes = 0;
  for (const item of run.items) {
    if (!item.serverId) continue;
    if (item.state !== "available") {
      summary.deferred.push({
        server: item.server,
        reason: item.state === "creating" ? "its new image is still being made" : "no new image was made this run",
      });
      continue;
    }
    const candidates: LedgerEntry[] = [];
    for (const entry of ledger.filter((e) => e.serverId === item.serverId && !e.deleting)) {
      if (await madeByThisPolicy(deps.store, policy, entry)) candidates.push(entry);
    }
    const { keep, remove } = retain(candidates, policy.retention, rt.now());
    summary.keptCount += keep.length;
    for (const k of keep.slice(0, KEPT_LISTED_PER_SERVER)) summary.kept.push({ server: item.server, name: k.name, imageId: k.imageId });
    const batch = remove.slice(0, Math.max(0, MAX_DELETES_PER_RUN - deletes));
    if (batch.length < remove.length)
      summary.deferred.push({
        server: item.server,
        reason: `${remove.length - batch.length} more beyond retention: the next run deletes them`,
      });
    deletes += batch.length;
    for (const old of batch) {
      try {
        // whoever the image is shared with loses it: the shares go first, so the delete's "shared with" is empty
        await unshareAll(rt, deps, policy, old);
        const out = await deleteImage(rt, deps, {
          provider: policy.provider,
          account: old.account ?? policy.account,
          region: old.region ?? policy.region,
          id: old.imageId,
          expectName: old.name,
          origin: { policy: policy.name },
        });
        if (out.dryRun) throw new Error("unreachable: not a dry run");
        await markDeleting(deps.store, old, out.operation.id);
        summary.deleted.push({ server: item.server, name: old.name, imageId: old.imageId, operation: out.operation.id });
        await releaseCreateRecord(deps.store, old.operation);
      } catch (err) {
        const e = asImageOpsError(err);
        // the image itself is gone (not an account or region that is not configured: that is a failure to say)
        if (e.code === "NOT_FOUND" && e.field === "id") await markDeleted(deps.store, old, rt.now());
        else summary.failed.push({ what: `delete of ${old.name} (${old.imageId})`, reason: clipReason(`${e.code}: ${e.message}`) });
      }
    }
  }
  let posted: PolicyRun["posted"];
  const endedAt = new Date(rt.now()).toISOString();
  if (deps.reporter) {
    // policies sharing a minute and a channel meet Slack's per-channel limit: wait it out while the invocation may
    const maxWaitMs = Math.max(0, (rt.deadline ?? rt.now() + DEFAULT_SUMMARY_WAIT_MS) - rt.now() - RECORD_MARGIN_MS);
    posted = await deps.reporter.post(policy, runView({ ...run, summary, state: "done", endedAt }), maxWaitMs).catch((err: unknown) => ({
      channel: policy.channel,
      error: clipReason((err as { error?: string })?.error ?? (err as Error)?.message ?? "error"),
    }));
  }
  const recorded = await updateRun(deps.store, held, {
    summary,
    state: "done",
    endedAt,
    leaseUntil: rt.now(),
    ...(posted ? { posted } : {}),
  });
  log("info", "policy run done", {
    policy: policy.name,
    scheduledAt: run.scheduledAt,
    made: summary.made.length,
    kept: summary.keptCount,
    deleted: summary.deleted.length,
    failed: summary.failed.length,
  });
  if (posted && "error" in posted) {
    throw new ImageOpsError(
      "INTERNAL",
      `policy ${policy.name}: the run of ${run.scheduledAt} is done and recorded, but its summary could not be posted in channel ${policy.channel} (Slack: ${posted.error}); invite the bot there (/invite @imageops) or set another channel in policies.yaml`,
    );
  }
  return recorded.run;
}

/** Each available new image shared with the policy's `share:` targets, once (share-image's operation per image and targets). */
async function shareNewImages(rt: Runtime, deps: PolicyDeps, policy: Policy, items: RunItem[], summary: RunSummary): Promise<void> {
  summary.shared = [];
  for (const item of items) {
    if (item.state !== "available" || !item.imageId) continue;
    try {
      const out = await shareImage(rt, deps, {
        ...where(policy),
        id: item.imageId,
        targets: policy.share!,
        origin: { policy: policy.name },
      });
      if (out.dryRun) throw new Error("unreachable: not a dry run");
      summary.shared.push({ server: item.server, imageId: item.imageId, targets: policy.share!, operation: out.operation.id });
    } catch (err) {
      const e = asImageOpsError(err);
      summary.failed.push({
        what: `share of ${item.name ?? item.imageId} (${item.imageId})`,
        reason: clipReason(`${e.code}: ${e.message}`),
      });
    }
  }
}

/**
 * Before retention deletes an image: every account the cloud shows it shared with is removed (one
 * unshare operation), so no share outlives the image unrecorded. Throws when the unshare fails:
 * the image is then kept for the next run.
 */
async function unshareAll(rt: Runtime, deps: PolicyDeps, policy: Policy, old: { imageId: string; account?: string; region?: string }) {
  const at = { provider: policy.provider, account: old.account ?? policy.account, region: old.region ?? policy.region };
  const members = await withTarget(rt, at, async (ctx, adapter) => {
    if (!adapter.sharer) return [];
    const target = await adapter.sharer.describeForShare(ctx, old.imageId);
    return target.members.map((m) => m.id);
  });
  if (!members.length) return;
  await shareImage(rt, deps, { ...at, id: old.imageId, action: "unshare", targets: members, origin: { policy: policy.name } });
}

/**
 * Earlier runs left waiting or running whose claim has lapsed (a continuation that never came):
 * taken over and finished now, without waiting for images that are still being made.
 */
async function finishStaleRuns(rt: Runtime, deps: PolicyDeps, policy: Policy, except: string): Promise<void> {
  const stale = (await latestRuns(deps.store, policy.name))
    .filter((r) => r.scheduledAt !== except && r.state !== "done" && r.leaseUntil <= rt.now())
    .slice(0, STALE_RUNS_PER_RUN);
  for (const run of stale) {
    if ((rt.deadline ?? Infinity) - rt.now() < 2 * FINISH_MARGIN_MS) return;
    try {
      const claimed = await claimRun(rt, deps.store, policy, run, true);
      const out = claimed.status === "claimed" ? await carryOut(rt, deps, policy, claimed.held, 0) : claimed;
      log("info", "an earlier policy run was picked up", { policy: policy.name, scheduledAt: run.scheduledAt, status: out.status });
    } catch (err) {
      log("warn", "an earlier policy run could not be finished", {
        policy: policy.name,
        scheduledAt: run.scheduledAt,
        error: (err as Error)?.message,
      });
    }
  }
}
