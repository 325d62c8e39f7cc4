import { randomUUID } from "node:crypto";
import { log } from "../log.js";
import { metric } from "../metrics.js";
import { createImage } from "../images/create.js";
import { deleteImage } from "../images/delete.js";
import { asImageOpsError, ImageOpsError } from "../model/errors.js";
import type { TrackingDeps } from "../operations/lifecycle.js";
import { type AnyOperationRecord, keyOfOperation, type OperationRecord } from "../operations/record.js";
import { type OperationStore, StaleRecord } from "../operations/store.js";
import type { CallContext, ProviderAdapter, Server } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import {
  emptyPolicyRecord,
  type LedgerEntry,
  policyKey,
  type PolicyRecord,
  type PolicyRun,
  RUNS_KEPT,
  type RunItem,
  type RunSummary,
  type RunTrigger,
} from "./record.js";
import { retain } from "./retention.js";
import { nextRun, parseSchedule, renderImageName } from "./schedule.js";
import type { Policy } from "./schema.js";
import { resolveServerId } from "../images/servers.js";

/**
 * One run of a policy, for one scheduled time:
 * 1. the run is claimed on the policy's record (a second delivery of the same scheduled time
 *    finds it claimed or done, and does nothing);
 * 2. each server's image is created through createImage, the exactly-once path, with the policy
 *    and the scheduled time in the operation key (so a run carried out twice creates nothing twice),
 *    and recorded in the policy's ledger;
 * 3. the run waits for its images through their operation records (tracking writes available or
 *    failed there), as long as this invocation may; images slower than that are finished by a
 *    continuation (an asynchronous invocation of run-policy), or by the next run;
 * 4. retention, per server whose new image is available: among the images the ledger says this
 *    policy made, each confirmed by its own create record (this policy, this image, available),
 *    those beyond `keep`/`days` are deleted through deleteImage, the exactly-once delete;
 * 5. one summary (made, kept, deleted, failed) is posted to the policy's channel and recorded.
 */

export interface PolicyDeps extends TrackingDeps {
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
  post(policy: Policy, run: PolicyRun, maxWaitMs: number): Promise<{ channel: string; ts: string }>;
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
  | { status: "done"; run: PolicyRun; duplicate: boolean }
  /** its images are still being made: a continuation finishes it */
  | { status: "waiting"; run: PolicyRun }
  /** another invocation holds it right now */
  | { status: "busy"; run: PolicyRun };

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

/**
 * Reads the policy's record, applies `change`, and writes it on the version read; on a
 * concurrent write, reads again and applies it again. `change` answers what to return, and
 * whether anything changed (no write otherwise).
 */
async function updatePolicy<T>(
  store: OperationStore,
  policy: string,
  now: () => number,
  change: (r: PolicyRecord) => { value: T; write: boolean },
): Promise<T> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const current = await store.get<PolicyRecord>(policyKey(policy));
    const next: PolicyRecord = structuredClone(current ?? emptyPolicyRecord(policy, now()));
    const { value, write } = change(next);
    if (!write) return value;
    next.version = (current?.version ?? 0) + 1;
    next.runs = next.runs.slice(0, RUNS_KEPT);
    try {
      await store.put(next, current?.version);
      return value;
    } catch (err) {
      if (!(err instanceof StaleRecord)) throw err;
    }
  }
  throw new ImageOpsError("CONFLICT", `the record of policy ${policy} keeps changing: try again in a few seconds`);
}

/** A change to a run this invocation holds; LostClaim when another invocation took it over. */
function onRun(scheduledAt: string, claimId: string, f: (run: PolicyRun, r: PolicyRecord) => void) {
  return (r: PolicyRecord) => {
    const run = r.runs.find((x) => x.scheduledAt === scheduledAt);
    if (!run || run.claimId !== claimId) throw new LostClaim(scheduledAt);
    f(run, r);
    return { value: structuredClone(run), write: true };
  };
}

export async function runPolicy(rt: Runtime, deps: PolicyDeps, policy: Policy, req: RunRequest): Promise<RunResult> {
  const claimId = randomUUID();
  const leaseUntil = (rt.deadline ?? rt.now() + 900_000) + 5_000;
  type Claimed = RunResult | { status: "claimed"; run: PolicyRun };
  const claimed = await updatePolicy<Claimed>(deps.store, policy.name, rt.now, (r) => {
    const run = r.runs.find((x) => x.scheduledAt === req.scheduledAt);
    if (run?.state === "done") return { value: { status: "done", run, duplicate: true }, write: false };
    if (run && run.leaseUntil > rt.now()) return { value: { status: "busy", run }, write: false };
    if (run) Object.assign(run, { claimId, leaseUntil, state: "running" });
    else
      r.runs.unshift({
        scheduledAt: req.scheduledAt,
        trigger: req.trigger,
        ...(req.requestedBy ? { requestedBy: req.requestedBy } : {}),
        state: "running",
        claimId,
        leaseUntil,
        startedAt: new Date(rt.now()).toISOString(),
        items: [],
      });
    return { value: { status: "claimed", run: structuredClone(r.runs.find((x) => x.scheduledAt === req.scheduledAt)!) }, write: true };
  });
  if (claimed.status !== "claimed") {
    log("info", claimed.status === "done" ? "policy run already done: nothing to do" : "policy run held by another invocation", {
      policy: policy.name,
      scheduledAt: req.scheduledAt,
    });
    return claimed;
  }
  try {
    const result = await carryOut(rt, deps, policy, claimed.run, claimId);
    if (result.status === "done") await finishStaleRuns(rt, deps, policy, req.scheduledAt);
    return result;
  } catch (err) {
    if (err instanceof LostClaim) {
      log("warn", "policy run taken over mid-way", { policy: policy.name, scheduledAt: req.scheduledAt });
      return { status: "busy", run: claimed.run };
    }
    // release the claim so that a retry, a continuation or the next run can take it at once
    await updatePolicy(
      deps.store,
      policy.name,
      rt.now,
      onRun(req.scheduledAt, claimId, (run) => (run.leaseUntil = rt.now())),
    ).catch(() => undefined);
    throw err;
  }
}

/** Make the images (unless made), wait for them, then retention and the summary; or pause while they are still being made. */
async function carryOut(
  rt: Runtime,
  deps: PolicyDeps,
  policy: Policy,
  held: PolicyRun,
  claimId: string,
  waitMs?: number,
): Promise<RunResult> {
  let run = held;
  if (run.items.length === 0) run = await makeImages(rt, deps, policy, run, claimId);
  run = await settle(rt, deps, policy, run, claimId, waitMs);
  const pastLimit = rt.now() - Date.parse(run.startedAt) > (deps.runLimitMs ?? DEFAULT_RUN_LIMIT_MS);
  if (run.items.some((i) => i.state === "creating") && !pastLimit) {
    run = await updatePolicy(
      deps.store,
      policy.name,
      rt.now,
      onRun(run.scheduledAt, claimId, (r) => Object.assign(r, { state: "waiting", leaseUntil: rt.now() })),
    );
    const next: ContinueEvent = {
      action: "run",
      policy: policy.name,
      scheduledAt: run.scheduledAt,
      trigger: run.trigger,
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
      scheduledAt: run.scheduledAt,
      creating: run.items.filter((i) => i.state === "creating").length,
    });
    return { status: "waiting", run };
  }
  return { status: "done", run: await finish(rt, deps, policy, run, claimId), duplicate: false };
}

/** The server a policy names: by id, or by name where the adapter can look names up. */
async function resolveServer(ctx: CallContext, adapter: ProviderAdapter, ref: string): Promise<Server> {
  // the one server-name lookup (shared/images/servers.ts), as create-image resolves a name
  return adapter.getServer(ctx, await resolveServerId(ctx, adapter, ref));
}

/** Creates every server's image for this scheduled time (exactly once each), and records them with the ledger. */
async function makeImages(rt: Runtime, deps: PolicyDeps, policy: Policy, run: PolicyRun, claimId: string): Promise<PolicyRun> {
  const at = Date.parse(run.scheduledAt);
  const where = { provider: policy.provider, account: policy.account, region: policy.region };
  const made: Array<{ item: RunItem; entry?: LedgerEntry }> = await Promise.all(
    policy.servers.map(async (ref) => {
      try {
        const server = await withTarget(rt, where, (ctx, adapter) => resolveServer(ctx, adapter, ref));
        const name = renderImageName(policy.image, {
          server: server.name || server.id,
          serverId: server.id,
          policy: policy.name,
          at,
          tz: policy.timezone,
        });
        const out = await createImage(rt, deps, {
          ...where,
          serverId: server.id,
          server,
          name,
          description: policy.description,
          origin: { policy: policy.name, scheduledAt: run.scheduledAt },
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
        const entry: LedgerEntry = {
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
        return { item: { server: ref, state: "failed" as const, reason: `${e.code}: ${e.message}` } };
      }
    }),
  );
  metric("PolicyRuns", { policy: policy.name });
  return updatePolicy(
    deps.store,
    policy.name,
    rt.now,
    onRun(run.scheduledAt, claimId, (r, rec) => {
      r.items = made.map((m) => m.item);
      for (const { entry } of made) if (entry && !rec.images.some((e) => e.operation === entry.operation)) rec.images.push(entry);
    }),
  );
}

/** Reads the state of the run's images from their operation records until none is being made, or the wait is over. */
async function settle(rt: Runtime, deps: PolicyDeps, policy: Policy, run: PolicyRun, claimId: string, waitMs?: number): Promise<PolicyRun> {
  const poll = deps.pollMs ?? DEFAULT_POLL_MS;
  const until = Math.min((rt.deadline ?? Infinity) - FINISH_MARGIN_MS, rt.now() + (waitMs ?? deps.waitMs ?? Infinity));
  const items = structuredClone(run.items);
  for (;;) {
    for (const item of items) {
      if (item.state !== "creating" || !item.operation) continue;
      const record = await deps.store.get<OperationRecord>(keyOfOperation(item.operation));
      const state = record?.id === item.operation ? record.state : undefined;
      if (state === "available" || state === "failed" || state === "stopped") {
        item.state = state;
        if (state !== "available") item.reason = record!.reason ?? state;
      }
    }
    if (!items.some((i) => i.state === "creating") || rt.now() + poll > until) break;
    await new Promise((r) => setTimeout(r, poll));
  }
  if (JSON.stringify(items) === JSON.stringify(run.items)) return run;
  return updatePolicy(
    deps.store,
    policy.name,
    rt.now,
    onRun(run.scheduledAt, claimId, (r) => (r.items = items)),
  );
}

/** Retention for each server whose new image is available, then the summary, posted and recorded; the run is done. */
async function finish(rt: Runtime, deps: PolicyDeps, policy: Policy, run: PolicyRun, claimId: string): Promise<PolicyRun> {
  const summary: RunSummary = { made: [], kept: [], deleted: [], failed: [], deferred: [] };
  for (const i of run.items) {
    if (i.imageId && i.name) summary.made.push({ server: i.server, name: i.name, imageId: i.imageId, state: i.state });
    if (i.state === "failed" || i.state === "stopped")
      summary.failed.push({
        what: i.name ? `image ${i.name}${i.imageId ? ` (${i.imageId})` : ""} of ${i.server}` : `server ${i.server}`,
        reason: i.reason ?? i.state,
      });
  }
  const rec = (await deps.store.get<PolicyRecord>(policyKey(policy.name))) ?? emptyPolicyRecord(policy.name, rt.now());
  const ledger = await tidyLedger(deps.store, rec.images);
  const drop = new Set<string>(rec.images.filter((e) => !ledger.includes(e)).map((e) => e.operation));
  const deleting = new Map<string, string>();
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
    for (const k of keep) summary.kept.push({ server: item.server, name: k.name, imageId: k.imageId });
    for (const old of remove) {
      try {
        const out = await deleteImage(rt, deps, {
          provider: policy.provider,
          account: old.account ?? policy.account,
          region: old.region ?? policy.region,
          id: old.imageId,
          expectName: old.name,
          origin: { policy: policy.name },
        });
        if (out.dryRun) throw new Error("unreachable: not a dry run");
        deleting.set(old.operation, out.operation.id);
        summary.deleted.push({ server: item.server, name: old.name, imageId: old.imageId, operation: out.operation.id });
        await releaseCreateRecord(deps.store, old.operation);
      } catch (err) {
        const e = asImageOpsError(err);
        if (e.code === "NOT_FOUND") drop.add(old.operation);
        else summary.failed.push({ what: `delete of ${old.name} (${old.imageId})`, reason: `${e.code}: ${e.message}` });
      }
    }
  }
  let posted: PolicyRun["posted"];
  const done = { ...run, summary, state: "done" as const, endedAt: new Date(rt.now()).toISOString() };
  if (deps.reporter) {
    // policies sharing a minute and a channel meet Slack's per-channel limit: wait it out while the invocation may
    const maxWaitMs = Math.max(0, (rt.deadline ?? rt.now() + DEFAULT_SUMMARY_WAIT_MS) - rt.now() - RECORD_MARGIN_MS);
    posted = await deps.reporter.post(policy, done, maxWaitMs).catch((err: unknown) => ({
      channel: policy.channel,
      error: (err as { error?: string })?.error ?? (err as Error)?.message ?? "error",
    }));
  }
  const recorded = await updatePolicy(
    deps.store,
    policy.name,
    rt.now,
    onRun(run.scheduledAt, claimId, (r, record) => {
      Object.assign(r, { summary, state: "done", endedAt: done.endedAt, leaseUntil: rt.now() }, posted ? { posted } : {});
      record.images = record.images
        .filter((e) => !drop.has(e.operation))
        .map((e) => (deleting.has(e.operation) ? { ...e, deleting: deleting.get(e.operation) } : e));
    }),
  );
  log("info", "policy run done", {
    policy: policy.name,
    scheduledAt: run.scheduledAt,
    made: summary.made.length,
    kept: summary.kept.length,
    deleted: summary.deleted.length,
    failed: summary.failed.length,
  });
  if (posted && "error" in posted) {
    throw new ImageOpsError(
      "INTERNAL",
      `policy ${policy.name}: the run of ${run.scheduledAt} is done and recorded, but its summary could not be posted in channel ${policy.channel} (Slack: ${posted.error}); invite the bot there (/invite @imageops) or set another channel in policies.yaml`,
    );
  }
  return recorded;
}

/** The ledger without the images whose deletion is over (deleted); a refused deletion is retried by a later run. */
async function tidyLedger(store: OperationStore, images: LedgerEntry[]): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  for (const e of images) {
    if (!e.deleting) {
      out.push(e);
      continue;
    }
    const d = await store.get<AnyOperationRecord>(keyOfOperation(e.deleting));
    if (d?.id === e.deleting && d.state === "deleted") continue;
    out.push(d?.id === e.deleting && d.state === "failed" ? { ...e, deleting: undefined } : e);
  }
  return out;
}

/**
 * Whether the ledger entry's image is one this policy made, by its create record: the operation
 * of that id, of this policy, that made this very image, which became available. Never by name.
 */
async function madeByThisPolicy(store: OperationStore, policy: Policy, entry: LedgerEntry): Promise<boolean> {
  const r = await store.get<AnyOperationRecord>(keyOfOperation(entry.operation));
  if (!r || r.kind === "delete-image") return false;
  return r.id === entry.operation && r.request.origin?.policy === policy.name && r.imageId === entry.imageId && r.state === "available";
}

/** A create record whose image retention deleted no longer needs keeping forever: it expires like any other. */
async function releaseCreateRecord(store: OperationStore, operation: string): Promise<void> {
  const r = await store.get<OperationRecord>(keyOfOperation(operation)).catch(() => undefined);
  if (!r?.keep) return;
  const { keep: _keep, ...rest } = r;
  await store.put({ ...rest, version: r.version + 1 }, r.version).catch(() => undefined);
}

/**
 * Earlier runs left waiting or running whose claim has lapsed (a continuation that never came):
 * taken over and finished now, without waiting for images that are still being made.
 */
async function finishStaleRuns(rt: Runtime, deps: PolicyDeps, policy: Policy, except: string): Promise<void> {
  const rec = await deps.store.get<PolicyRecord>(policyKey(policy.name));
  const stale = (rec?.runs ?? [])
    .filter((r) => r.scheduledAt !== except && r.state !== "done" && r.leaseUntil <= rt.now())
    .slice(0, STALE_RUNS_PER_RUN);
  for (const run of stale) {
    if ((rt.deadline ?? Infinity) - rt.now() < 2 * FINISH_MARGIN_MS) return;
    try {
      const out = await runPolicyOnce(rt, deps, policy, run);
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

/** Takes over one earlier run and carries it out without waiting. */
async function runPolicyOnce(rt: Runtime, deps: PolicyDeps, policy: Policy, stale: PolicyRun): Promise<RunResult> {
  const claimId = randomUUID();
  const leaseUntil = (rt.deadline ?? rt.now() + 900_000) + 5_000;
  const taken = await updatePolicy<PolicyRun | undefined>(deps.store, policy.name, rt.now, (r) => {
    const run = r.runs.find((x) => x.scheduledAt === stale.scheduledAt);
    if (!run || run.state === "done" || run.leaseUntil > rt.now()) return { value: undefined, write: false };
    Object.assign(run, { claimId, leaseUntil, state: "running" });
    return { value: structuredClone(run), write: true };
  });
  if (!taken) return { status: "busy", run: stale };
  return carryOut(rt, deps, policy, taken, claimId, 0);
}

/** What `/images policy list` shows of each policy: its definition, next run and last result. */
export interface PolicyView {
  name: string;
  provider: string;
  account?: string;
  region?: string;
  servers: string[];
  schedule: string;
  timezone: string;
  enabled: boolean;
  image: string;
  retention: Policy["retention"];
  channel: string;
  /** ISO, or absent when it cannot be known (a rate before its first run; a disabled policy) */
  nextRun?: string;
  lastRun?: {
    scheduledAt: string;
    trigger: RunTrigger;
    state: PolicyRun["state"];
    endedAt?: string;
    made: number;
    kept: number;
    deleted: number;
    failed: number;
    posted?: PolicyRun["posted"];
  };
}

export async function listPolicies(store: OperationStore, policies: Policy[], now: number): Promise<PolicyView[]> {
  return Promise.all(
    policies.map(async (p) => {
      const rec = await store.get<PolicyRecord>(policyKey(p.name));
      const last = rec?.runs.find((r) => r.trigger === "schedule") ?? rec?.runs[0];
      const latest = rec?.runs[0];
      const next = p.enabled
        ? nextRun(parseSchedule(p.schedule), p.timezone, now, last ? Date.parse(last.scheduledAt) : undefined)
        : undefined;
      const view: PolicyView = {
        name: p.name,
        provider: p.provider,
        account: p.account,
        region: p.region,
        servers: p.servers,
        schedule: p.schedule,
        timezone: p.timezone,
        enabled: p.enabled,
        image: p.image,
        retention: p.retention,
        channel: p.channel,
      };
      if (next !== undefined) view.nextRun = new Date(next).toISOString();
      if (latest) {
        const s = latest.summary;
        view.lastRun = {
          scheduledAt: latest.scheduledAt,
          trigger: latest.trigger,
          state: latest.state,
          endedAt: latest.endedAt,
          made: s?.made.length ?? latest.items.filter((i) => i.imageId).length,
          kept: s?.kept.length ?? 0,
          deleted: s?.deleted.length ?? 0,
          failed: s?.failed.length ?? latest.items.filter((i) => i.state === "failed").length,
          posted: latest.posted,
        };
      }
      return view;
    }),
  );
}
