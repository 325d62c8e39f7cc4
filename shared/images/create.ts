import { log } from "../log.js";
import { metric } from "../metrics.js";
import { ImageOpsError } from "../model/errors.js";
import { type Image, type ProviderName, unknownImage } from "../model/image.js";
import {
  DEFAULT_GRACE_MS,
  DEFAULT_TRACK_LIMIT_MS,
  type EngineDeps,
  type OperationSpec,
  type Proof,
  runOperation,
} from "../operations/engine.js";
import { claimName, nameHeld, nameHolder } from "../operations/names.js";
import {
  type Claim,
  type CreateRecord,
  type RecordedCreate,
  claimRecord,
  type Decision,
  operationIdOf,
  operationKey,
  type Origin,
  payloadHash,
  predict,
  predictedOperationId,
  type Sighting,
} from "../operations/record.js";
import type { CallContext, ImageCreator, ProviderAdapter, Server } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import type { ProgressTarget } from "../tracking/types.js";
import { addUnsupported, type Check, Checks } from "./checks.js";
import { resolveServerId } from "./servers.js";

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
  /**
   * the dry run: its checks, the operation the request will have, and the server's id as resolved
   * (a name given for it); when that operation exists already (the request answers it: nothing new
   * is created), its state and its image as the cloud shows it
   */
  | { dryRun: true; checks: Check[]; operation: { id: string; state?: string }; image?: Image; serverId: string }
  | { dryRun: false; image: Image; operation: { id: string; startedAt: string }; existing: boolean };

export type CreateDeps = EngineDeps;

const MAX_DESCRIPTION_BYTES = 1000;
/** An image the cloud dates this much before the claim can still be the claim's (clocks differ). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Creates an image from a server exactly once per request, on the one operation engine
 * (operations/engine.ts): the request is claimed, with its image name, before the cloud is
 * called, and a retry, a lost answer, a twin or an interrupted attempt is settled from the
 * record — never by sending twice. This module is the create's part: what it checks, sends, and
 * accepts as proof that a send it could not see the answer of made an image.
 */
export async function createImage(rt: Runtime, deps: CreateDeps, input: CreateInput): Promise<CreateOutput> {
  return withTarget(rt, input, async (ctx, adapter) => {
    // a server may be given by its name: the operation key and every call use its id (a cloud that cannot create is not asked)
    const serverId = input.server?.id ?? (adapter.creator ? await resolveServerId(ctx, adapter, input.serverId) : input.serverId);
    return createOnTarget(rt, deps, ctx, adapter, { ...input, serverId });
  });
}

/** The create on an account and region already resolved, with the server's id (the model-based test drives this). */
export async function createOnTarget(
  rt: Runtime,
  deps: CreateDeps,
  ctx: CallContext,
  adapter: ProviderAdapter,
  input: CreateInput,
): Promise<CreateOutput> {
  const request: RecordedCreate = {
    provider: adapter.name,
    account: ctx.account.name,
    region: ctx.region,
    serverId: input.serverId,
    name: input.name,
  };
  if (input.description !== undefined) request.description = input.description;
  if (input.origin) request.origin = input.origin;
  const { creator } = adapter;
  if (!creator) {
    const checks = localChecks(ctx, adapter, input);
    if (input.dryRun)
      return { dryRun: true, checks: checks.checks, operation: { id: operationIdOf(operationKey(request), 1) }, serverId: input.serverId };
    throw checks.failure;
  }
  const spec = new CreateSpec(rt, deps, ctx, adapter, creator, input, request);
  const out = await runOperation(rt, deps, spec, { dryRun: input.dryRun });
  if (out.dryRun) {
    const afresh = out.decision.action === "start";
    // the id Confirm's operation will have: Slack's Cancel names it when the Confirm came first
    const operation: { id: string; state?: string } = { id: predictedOperationId(spec.key, out.record, afresh) };
    const checks = await spec.dryRunChecks(out.record, out.decision, out.sighting);
    const dry: CreateOutput = { dryRun: true, checks, operation, serverId: input.serverId };
    if (!afresh && out.record) operation.state = out.record.state;
    if (!afresh && out.sighting?.seen === "present") dry.image = out.sighting.image;
    return dry;
  }
  const r = out.record;
  return {
    dryRun: false,
    image: out.image ?? spec.unread(r),
    operation: { id: r.id, startedAt: r.sentAt ?? r.claimedAt },
    existing: out.existing,
  };
}

class CreateSpec implements OperationSpec<CreateRecord, Server | undefined> {
  readonly kind = "create-image" as const;
  readonly field = "name";
  readonly took = "created" as const;
  readonly key: string;
  readonly hash: string;
  readonly provider: ProviderName;

  constructor(
    private readonly rt: Runtime,
    private readonly deps: CreateDeps,
    private readonly ctx: CallContext,
    private readonly adapter: ProviderAdapter,
    private readonly creator: ImageCreator,
    private readonly input: CreateInput,
    private readonly request: RecordedCreate,
  ) {
    this.key = operationKey(request);
    this.hash = payloadHash(request);
    this.provider = adapter.name;
  }

  /**
   * The record's image as the cloud shows it. One read that cannot find it is not proof it is
   * gone (SCP answers a create with an id before the image can be read): the list by name must
   * agree, and the cloud must have had its grace since it answered.
   */
  async observe(record: CreateRecord | undefined): Promise<Sighting | undefined> {
    if (!record?.imageId || record.state === "failed") return undefined;
    try {
      return { seen: "present", image: await this.adapter.describeImage(this.ctx, record.imageId) };
    } catch (err) {
      if (!(err instanceof ImageOpsError && err.code === "NOT_FOUND")) throw err;
    }
    const listed = (await this.adapter.findImagesByName(this.ctx, record.request.name)).find((i) => i.id === record.imageId);
    if (listed) return { seen: "present", image: listed };
    const answered = Date.parse(record.createdAt ?? record.sentAt ?? record.claimedAt);
    return this.rt.now() < answered + (this.deps.graceMs ?? DEFAULT_GRACE_MS) ? { seen: "unseen" } : { seen: "gone" };
  }

  async preflight(record: CreateRecord | undefined): Promise<{ checks: Checks; prepared: Server | undefined }> {
    const { checks, server } = await preflight(this.ctx, this.adapter, this.input, ownImages(record));
    const holder = await nameHolder(this.deps.store, this.request, this.key, this.rt.now());
    if (holder) {
      const refusal = nameHeld(this.input.name, holder);
      checks.add("name-claim", false, refusal.message, () => refusal);
    }
    return { checks, prepared: server };
  }

  claim(previous: CreateRecord | undefined, claim: Claim): CreateRecord {
    return claimRecord(previous, this.request, { ...claim, notify: this.input.notify });
  }

  reserve(claim: CreateRecord): Promise<void> {
    return claimName(this.deps.store, claim, this.rt.now());
  }

  send(_record: CreateRecord, server: Server | undefined): Promise<Image> {
    return this.creator.createImage(this.ctx, {
      serverId: this.input.serverId,
      name: this.input.name,
      description: this.input.description,
      server,
    });
  }

  /**
   * The record's image after a send whose answer was lost: an image of its name made after the
   * claim, of no earlier generation. The name was claimed with the record, so no other imageops
   * operation can have made it; where the cloud says which server an image came from (NCP
   * member images' originalServerInstanceNo, SCP's instance_uuid when shown), it must be this one.
   */
  async find(record: CreateRecord): Promise<Proof | undefined> {
    const earlier = new Set(record.history.map((h) => h.imageId).filter(Boolean));
    const since = Date.parse(record.claimedAt) - CLOCK_SKEW_MS;
    const found = (await this.adapter.findImagesByName(this.ctx, record.request.name)).filter(
      (i) => !earlier.has(i.id) && (i.createdAt === null || Date.parse(i.createdAt) >= since),
    );
    const other = found.filter((i) => i.sourceServerId !== null && i.sourceServerId !== record.request.serverId);
    if (other.length)
      log("warn", "an image of this name from another server is not taken as this operation's", {
        operation: record.id,
        imageIds: other.map((i) => i.id),
      });
    const mine = found.find((i) => !other.includes(i));
    return mine ? { image: mine, found: `image ${mine.id}` } : undefined;
  }

  refused(err: ImageOpsError): ImageOpsError {
    return err;
  }

  /** the card names the source server (the record's: a name given for it was resolved to its id) */
  progress(record: CreateRecord) {
    const notify = this.input.notify ?? record.notify;
    return notify ? { ...notify, serverId: record.request.serverId } : undefined;
  }

  onTook(record: CreateRecord, image: Image | undefined): void {
    metric("ImagesCreated", { provider: this.provider });
    log("info", "image creation started", {
      operation: record.id,
      provider: this.provider,
      account: this.ctx.account.name,
      region: this.ctx.region,
      imageId: image?.id ?? record.imageId,
      serverId: this.input.serverId,
    });
  }

  readonly words = {
    busy: (r: CreateRecord) => `operation ${r.id} is being created by another request since ${r.claimedAt}: retry in a few seconds`,
    ambiguous: (_e: ImageOpsError, r: CreateRecord) =>
      `the cloud may still make the image, and none named "${r.request.name}" has appeared yet: repeat the same request — it looks for the image before creating anything`,
    unrecorded: (r: CreateRecord, image: Image | undefined) =>
      `image ${image?.id ?? "?"} was created (operation ${r.id}) but could not be recorded: repeat the same request to track it`,
    untracked: (r: CreateRecord) =>
      `image ${r.imageId} was created (operation ${r.id}) but tracking could not start: repeat the same request to track it`,
    unproven: (r: CreateRecord, until: number) =>
      `operation ${r.id} sent its create at ${r.sentAt} and was interrupted, and the cloud shows no image named "${r.request.name}" yet: repeat the same request after ${new Date(until).toISOString()} — it creates the image only if none has appeared by then`,
  };

  /** An image this operation made that the cloud does not show yet: what the record says of it, nothing invented. */
  unread(record: CreateRecord): Image {
    const r = record.request;
    return unknownImage({
      provider: r.provider,
      account: r.account,
      region: r.region,
      id: record.imageId ?? "",
      name: r.name,
      sourceServerId: r.serverId,
    });
  }

  /** The same look-ups as the real create, and what Confirm will do. */
  async dryRunChecks(record: CreateRecord | undefined, decision: Decision, sighting: Sighting | undefined): Promise<Check[]> {
    const sends = decision.action === "start" || (decision.action === "take-over" && !decision.sent);
    const checks = sends ? (await this.preflight(record)).checks.checks : localChecks(this.ctx, this.adapter, this.input).checks;
    if (sighting?.seen === "unseen")
      checks.push({
        name: "image",
        ok: true,
        message: `image ${record!.imageId} is not readable yet (the cloud answered ${record!.createdAt})`,
        level: "warning",
      });
    checks.push({ name: "operation", ok: decision.action !== "conflict", message: predict(decision, record) });
    return checks;
  }
}

/**
 * Images of this key's earlier generations and of the record itself: an own image that failed
 * or is being deleted does not hold the name against a new generation; one in any other state
 * does (a 404 may only mean it is not readable yet).
 */
function ownImages(record: CreateRecord | undefined): Set<string> {
  const ids = new Set<string>();
  if (record?.imageId) ids.add(record.imageId);
  for (const h of record?.history ?? []) if (h.imageId) ids.add(h.imageId);
  return ids;
}

/** The checks that need no cloud call: account, provider, name rule (of the server's create call when known; none without a creator), description size. */
function localChecks(ctx: CallContext, adapter: ProviderAdapter, input: CreateInput, server?: Server): Checks {
  const c = new Checks();
  const provider = adapter.name;
  c.add("account", true, `${provider} account "${ctx.account.name}", region ${ctx.region}`);
  const { creator } = adapter;
  if (creator) {
    c.add("provider", true, `${provider} can create images`);
    const nameProblem = creator.validateImageName(input.name, server);
    c.add(
      "name",
      !nameProblem,
      nameProblem ?? `"${input.name}" is a valid name`,
      () => new ImageOpsError("INVALID_ARGUMENT", `name: ${nameProblem}`, { field: "name" }),
    );
  } else addUnsupported(c, adapter, "create");
  const bytes = Buffer.byteLength(input.description ?? "", "utf8");
  const dropped = bytes > 0 && bytes <= MAX_DESCRIPTION_BYTES ? creator?.descriptionNotStored : undefined;
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
  const taken = sameName.value.filter((i) => !(own.has(i.id) && (i.status === "failed" || i.status === "deleting")));
  c.add(
    "name-free",
    taken.length === 0,
    taken.length === 0 ? `no other image is named "${input.name}"` : `"${input.name}" is taken by image ${taken[0]!.id}`,
    () => new ImageOpsError("CONFLICT", `name "${input.name}" is taken by image ${taken[0]!.id}`, { field: "name", provider }),
  );
  return { checks: c, server: server.status === "fulfilled" ? server.value : undefined };
}
