import { randomUUID } from "node:crypto";
import { log } from "../log.js";
import { metric } from "../metrics.js";
import { ImageOpsError } from "../model/errors.js";
import type { Image, ProviderName } from "../model/image.js";
import { DEFAULT_TRACK_LIMIT_MS, decideAndAct, startTracking } from "../operations/lifecycle.js";
import {
  type CreateRequestFields,
  claimRecord,
  type Decision,
  decide,
  type OperationRecord,
  operationIdOf,
  predictedOperationId,
  operationKey,
  type Origin,
  payloadHash,
  predict,
} from "../operations/record.js";
import { type OperationStore, StaleRecord } from "../operations/store.js";
import type { CallContext, ProviderAdapter, Server } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import type { ProgressTarget, Tracker } from "../tracking/types.js";
import { resolveServerId } from "./servers.js";
import { type Check, Checks } from "./checks.js";

export { DEFAULT_TRACK_LIMIT_MS };

export interface CreateInput {
  provider: ProviderName;
  serverId: string;
  name: string;
  description?: string;
  account?: string;
  region?: string;
  dryRun?: boolean;
  notify?: ProgressTarget;
  /** set by a policy's run (shared/policies/run.ts): the scheduled time is part of the operation key */
  origin?: Origin;
  /**
   * the server `serverId` names, as the caller has just read it (a policy's run, which needs its
   * name for the image's): it is then neither looked up by name nor read again
   */
  server?: Server;
}

export type { Check } from "./checks.js";

export type CreateOutput =
  | { dryRun: true; checks: Check[]; operation: { id: string } }
  | { dryRun: false; image: Image; operation: { id: string; startedAt: string }; existing: boolean };

export interface CreateDeps {
  tracker: Tracker;
  store: OperationStore;
  /** how long one tracking run follows the image before it records the operation as stopped */
  trackLimitMs?: number;
}

const MAX_DESCRIPTION_BYTES = 1000;
/** An image the cloud dates this much before the claim can still be the claim's (clocks differ). */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Answers by which the cloud refused a create outright: it made nothing. */
const REFUSED: ReadonlySet<string> = new Set([
  "INVALID_ARGUMENT",
  "NOT_FOUND",
  "CONFLICT",
  "PROVIDER_AUTH_FAILED",
  "UNSUPPORTED",
  "FORBIDDEN",
  "UNAUTHORIZED",
]);

/**
 * Creates an image from a server exactly once per request, on a durable operation record:
 * the request is claimed (a conditional write decides between concurrent twins) before the
 * cloud is called, marked sent before the create goes out, and created with the image id the
 * moment the cloud answers. A retry, a lost answer, a concurrent twin or an interrupted attempt
 * is then settled from the record (operations/record.ts `decide`), never by sending twice.
 */
export async function createImage(rt: Runtime, deps: CreateDeps, input: CreateInput): Promise<CreateOutput> {
  return withTarget(rt, input, async (ctx, adapter) => {
    // a server may be given by its name: the operation key and every call use its id (a cloud that cannot create is not asked)
    const serverId = input.server?.id ?? (adapter.supportsCreate ? await resolveServerId(ctx, adapter, input.serverId) : input.serverId);
    const resolved = { ...input, serverId };
    const request: CreateRequestFields = {
      provider: adapter.name,
      account: ctx.account.name,
      region: ctx.region,
      serverId: resolved.serverId,
      name: input.name,
    };
    if (input.description !== undefined) request.description = input.description;
    if (input.origin) request.origin = input.origin;
    if (!adapter.supportsCreate) {
      const checks = localChecks(ctx, adapter, input);
      if (input.dryRun) return { dryRun: true, checks: checks.checks, operation: { id: operationIdOf(operationKey(request), 1) } };
      throw checks.failure!;
    }
    const op = new CreateOperation(rt, deps, ctx, adapter, resolved, request);
    return op.run();
  });
}

class CreateOperation {
  private readonly key: string;
  private readonly hash: string;

  constructor(
    private readonly rt: Runtime,
    private readonly deps: CreateDeps,
    private readonly ctx: CallContext,
    private readonly adapter: ProviderAdapter,
    private readonly input: CreateInput,
    private readonly request: CreateRequestFields,
  ) {
    this.key = operationKey(request);
    this.hash = payloadHash(request);
  }

  run(): Promise<CreateOutput> {
    return decideAndAct(this.rt, this.key, "name", async (waitUntil) => {
      const record = await this.deps.store.get<OperationRecord>(this.key);
      const image = await this.imageOf(record);
      const decision = decide(record, this.hash, this.rt.now(), image);
      // the id Confirm's operation will have: Slack's Cancel names it when the Confirm came first
      if (this.input.dryRun)
        return {
          dryRun: true,
          checks: await this.dryRun(record, decision),
          operation: { id: predictedOperationId(this.key, record, decision.action === "create") },
        };
      return this.act(record, decision, image ?? undefined, waitUntil);
    });
  }

  /** One decision carried out; undefined when the request must read the record again. */
  private async act(
    record: OperationRecord | undefined,
    decision: Decision,
    image: Image | undefined,
    waitUntil: number,
  ): Promise<CreateOutput | undefined> {
    switch (decision.action) {
      case "conflict":
        throw new ImageOpsError("CONFLICT", `${decision.message}: repeat the original request, or use another name`, {
          field: "name",
          provider: this.adapter.name,
        });
      case "wait": {
        const now = this.rt.now();
        if (now >= waitUntil) {
          throw new ImageOpsError(
            "CONFLICT",
            `operation ${record!.id} is being created by another request since ${record!.claimedAt}: retry in a few seconds`,
            {
              field: "name",
              provider: this.adapter.name,
            },
          );
        }
        await sleep(Math.min(500, waitUntil - now, Math.max(50, decision.until - now)));
        return undefined;
      }
      case "existing":
        return this.answer(record!, image!, true);
      case "track":
        return this.answer(await this.track(record!), image!, true);
      case "create": {
        const pre = await preflight(this.ctx, this.adapter, this.input, ownImages(record));
        if (pre.checks.failure) throw pre.checks.failure;
        const claim = claimRecord(record, this.request, {
          claimId: randomUUID(),
          now: this.rt.now(),
          leaseUntil: this.leaseUntil(),
          notify: this.input.notify,
        });
        await this.deps.store.put(claim, record?.version);
        return this.send(claim, pre.server);
      }
      case "take-over":
        return this.takeOver(record!, decision.sent);
    }
  }

  /** The image a record names, as the cloud sees it now: null when it is gone. */
  private async imageOf(record: OperationRecord | undefined): Promise<Image | null | undefined> {
    if (!record?.imageId || record.state === "failed") return undefined;
    try {
      return await this.adapter.describeImage(this.ctx, record.imageId);
    } catch (err) {
      if (err instanceof ImageOpsError && err.code === "NOT_FOUND") return null;
      throw err;
    }
  }

  private leaseUntil(): number {
    // the claim outlives this invocation by a margin: only then may another attempt take over
    return (this.rt.deadline ?? this.rt.now() + 60_000) + 5_000;
  }

  private async write(previous: OperationRecord, change: Partial<OperationRecord>): Promise<OperationRecord> {
    const next: OperationRecord = { ...previous, ...change, version: previous.version + 1 };
    await this.deps.store.put(next, previous.version);
    return next;
  }

  /** Marks the claim sent, sends the one create (with the server the preflight read), and records its image the moment the cloud answers. */
  private async send(claim: OperationRecord, server?: Server): Promise<CreateOutput> {
    const sent = await this.write(claim, { state: "sent", sentAt: new Date(this.rt.now()).toISOString() });
    let image: Image;
    try {
      image = await this.adapter.createImage(this.ctx, {
        serverId: this.input.serverId,
        name: this.input.name,
        description: this.input.description,
        server,
      });
    } catch (err) {
      if (!(err instanceof ImageOpsError)) throw err;
      image = await this.settleFailedSend(sent, err);
    }
    let created: OperationRecord;
    try {
      created = await this.write(sent, { state: "created", imageId: image.id, createdAt: new Date(this.rt.now()).toISOString() });
    } catch (err) {
      if (err instanceof StaleRecord) throw err;
      // the next attempt takes over the claim and finds this image by its name
      throw new ImageOpsError(
        "INTERNAL",
        `image ${image.id} was created but could not be recorded (${(err as Error).message}): repeat the same request to track it`,
        { cause: err },
      );
    }
    metric("ImagesCreated", { provider: this.adapter.name });
    log("info", "image creation started", {
      operation: created.id,
      provider: this.adapter.name,
      account: this.ctx.account.name,
      region: this.ctx.region,
      imageId: image.id,
      serverId: this.input.serverId,
    });
    return this.answer(await this.track(created), image, false);
  }

  /**
   * The create failed. Unless the cloud refused it outright (a 4xx), it may have made the image
   * (a timeout after sending, a 5xx after accepting): the image is looked up by name among those
   * made after the claim. Found: it is the claim's. Not found (or the lookup failed): the claim is
   * released still `sent`, so the next attempt looks again before creating anything. Never sent
   * again from here.
   */
  private async settleFailedSend(sent: OperationRecord, err: ImageOpsError): Promise<Image> {
    if (REFUSED.has(err.code) && !err.ambiguous) {
      await this.end(sent, `the cloud refused the create: ${err.message}`);
      throw err;
    }
    const found = await this.findMine(sent).catch(() => undefined);
    if (found) return found;
    await this.write(sent, { leaseUntil: this.rt.now() }).catch(() => undefined);
    throw new ImageOpsError(
      err.code,
      `${err.message}; the cloud may still make the image, and none named "${this.input.name}" has appeared yet: repeat the same request — it looks for the image before creating anything`,
      { provider: this.adapter.name, providerCode: err.providerCode, requestId: err.requestId },
    );
  }

  /** A refused or unmade create: the record ends failed with no image, and the next request creates afresh. */
  private async end(record: OperationRecord, reason: string): Promise<void> {
    await this.write(record, { state: "failed", endedAt: new Date(this.rt.now()).toISOString(), reason }).catch((e) => {
      if (!(e instanceof StaleRecord))
        log("warn", "could not record a refused create", { operation: record.id, error: (e as Error).message });
    });
  }

  /** The claim's image: this name, made after the claim, and not an image of an earlier generation. */
  private async findMine(record: OperationRecord): Promise<Image | undefined> {
    const earlier = ownImages(record);
    const since = Date.parse(record.claimedAt) - CLOCK_SKEW_MS;
    const found = await this.adapter.findImagesByName(this.ctx, this.input.name);
    return found.find((i) => !earlier.has(i.id) && (i.createdAt === null || Date.parse(i.createdAt) >= since));
  }

  /** An attempt died holding the claim (its lease ran out): claim it again and finish its work. */
  private async takeOver(record: OperationRecord, sent: boolean): Promise<CreateOutput> {
    const claim = await this.write(record, { claimId: randomUUID(), leaseUntil: this.leaseUntil(), attempts: record.attempts + 1 });
    if (sent) {
      const found = await this.findMine(claim);
      if (found) {
        log("info", "an interrupted create had made its image", { operation: claim.id, imageId: found.id, attempt: claim.attempts });
        const created = await this.write(claim, {
          state: "created",
          imageId: found.id,
          createdAt: new Date(this.rt.now()).toISOString(),
          reason: `attempt ${claim.attempts} found image ${found.id}, made by an interrupted attempt`,
        });
        return this.answer(await this.track(created), found, true);
      }
      log("info", "an interrupted create had made no image: creating it", { operation: claim.id, attempt: claim.attempts });
    }
    const { checks, server } = await preflight(this.ctx, this.adapter, this.input, ownImages(claim));
    if (checks.failure) {
      await this.end(claim, `checks failed when attempt ${claim.attempts} took over: ${checks.failure.message}`);
      throw checks.failure;
    }
    return this.send(claim, server);
  }

  /** Starts a tracking run for the record's image and records it. */
  private track(record: OperationRecord): Promise<OperationRecord> {
    return startTracking(
      this.rt,
      this.deps,
      record,
      this.input.notify ?? record.notify,
      `image ${record.imageId} was created (operation ${record.id}) but tracking could not start: repeat the same request to track it`,
    );
  }

  private answer(record: OperationRecord, image: Image, existing: boolean): CreateOutput {
    return { dryRun: false, image, operation: { id: record.id, startedAt: record.sentAt ?? record.claimedAt }, existing };
  }

  /** The same look-ups as the real create, and what Confirm will do. */
  private async dryRun(record: OperationRecord | undefined, decision: Decision): Promise<Check[]> {
    const checks =
      decision.action === "create" || (decision.action === "take-over" && !decision.sent)
        ? (await preflight(this.ctx, this.adapter, this.input, ownImages(record))).checks.checks
        : localChecks(this.ctx, this.adapter, this.input).checks;
    checks.push({ name: "operation", ok: decision.action !== "conflict", message: predict(decision, record) });
    return checks;
  }
}

/** Images of this key's earlier generations: never someone else's name conflict, never the new claim's image. */
function ownImages(record: OperationRecord | undefined): Set<string> {
  const ids = new Set<string>();
  if (record?.imageId) ids.add(record.imageId);
  for (const h of record?.history ?? []) if (h.imageId) ids.add(h.imageId);
  return ids;
}

/** The checks that need no cloud call: account, provider, name rule (of the server's create call when known), description size. */
function localChecks(ctx: CallContext, adapter: ProviderAdapter, input: CreateInput, server?: Server): Checks {
  const c = new Checks();
  const provider = adapter.name;
  c.add("account", true, `${provider} account "${ctx.account.name}", region ${ctx.region}`);
  c.add(
    "provider",
    adapter.supportsCreate,
    adapter.supportsCreate ? `${provider} can create images` : `${provider}'s API has no image-creation call`,
    () => new ImageOpsError("UNSUPPORTED", `${provider}'s API has no call that creates an image from a server`, { provider }),
  );
  const nameProblem = adapter.validateImageName(input.name, server);
  c.add(
    "name",
    !nameProblem,
    nameProblem ?? `"${input.name}" is a valid name`,
    () => new ImageOpsError("INVALID_ARGUMENT", `name: ${nameProblem}`, { field: "name" }),
  );
  const bytes = Buffer.byteLength(input.description ?? "", "utf8");
  const dropped = bytes > 0 && bytes <= MAX_DESCRIPTION_BYTES ? adapter.descriptionNotStored : undefined;
  c.add(
    "description",
    bytes <= MAX_DESCRIPTION_BYTES,
    dropped ?? (bytes <= MAX_DESCRIPTION_BYTES ? `${bytes} bytes` : `${bytes} bytes; at most ${MAX_DESCRIPTION_BYTES}`),
    () => new ImageOpsError("INVALID_ARGUMENT", `description: ${bytes} bytes; at most ${MAX_DESCRIPTION_BYTES}`, { field: "description" }),
    dropped ? "warning" : undefined,
  );
  return c;
}

/**
 * Every check before a create: the local ones, then the server and whether the name is free of
 * other images; with the server as read, which the create then hands to the adapter.
 */
async function preflight(
  ctx: CallContext,
  adapter: ProviderAdapter,
  input: CreateInput,
  own: Set<string>,
): Promise<{ checks: Checks; server?: Server }> {
  // looked up first: the name rule can depend on the server (NCP: KVM and XEN servers are imaged by calls with different rules)
  const [server, sameName] = await Promise.allSettled([
    input.server ?? adapter.getServer(ctx, input.serverId),
    adapter.findImagesByName(ctx, input.name),
  ]);
  const c = localChecks(ctx, adapter, input, server.status === "fulfilled" ? server.value : undefined);
  const provider = adapter.name;
  if (server.status === "rejected") {
    const e = server.reason as ImageOpsError;
    if (e?.code !== "NOT_FOUND") throw server.reason;
    c.add(
      "server",
      false,
      `no server ${input.serverId}`,
      () => new ImageOpsError("NOT_FOUND", `no ${provider} server ${input.serverId} in ${ctx.region}`, { field: "serverId", provider }),
    );
  } else {
    const s = server.value;
    c.add("server", true, `server ${s.name || s.id} (${s.id})`);
    c.add(
      "server-state",
      s.imageable,
      s.imageable
        ? `state ${s.providerStatus} can be imaged`
        : (s.reason ?? `state ${s.providerStatus} cannot be imaged; stop or start the server first`),
      () =>
        new ImageOpsError("CONFLICT", s.reason ?? `server ${s.id} is ${s.providerStatus}: it cannot be imaged in this state`, {
          field: "serverId",
          provider,
        }),
    );
  }
  if (sameName.status === "rejected") throw sameName.reason;
  const taken = sameName.value.filter((i) => !own.has(i.id));
  c.add(
    "name-free",
    taken.length === 0,
    taken.length === 0 ? `no other image is named "${input.name}"` : `"${input.name}" is taken by image ${taken[0]!.id}`,
    () => new ImageOpsError("CONFLICT", `name "${input.name}" is taken by image ${taken[0]!.id}`, { field: "name", provider }),
  );
  return { checks: c, server: server.status === "fulfilled" ? server.value : undefined };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
