import { createHash } from "node:crypto";
import { log } from "../log.js";
import { ImageOpsError } from "../model/errors.js";
import type { Image, ProviderName } from "../model/image.js";
import type { CallContext, ProviderAdapter } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import type { ProgressTarget, TrackInput, Tracker } from "../tracking/types.js";

export interface CreateInput {
  provider: ProviderName;
  serverId: string;
  name: string;
  description?: string;
  account?: string;
  region?: string;
  dryRun?: boolean;
  notify?: ProgressTarget;
}

export interface Check {
  name: string;
  ok: boolean;
  message: string;
}

export type CreateOutput =
  | { dryRun: true; checks: Check[]; operation: { id: string } }
  | { dryRun: false; image: Image; operation: { id: string; startedAt: string }; existing: boolean };

const MAX_DESCRIPTION_BYTES = 1000;

/**
 * The operation id is derived from what identifies the request (cloud, account, region, server,
 * name), so a retry or a double click maps to the same operation and Step Functions refuses a
 * second execution of that name.
 */
export function operationId(p: { provider: string; account: string; region: string; serverId: string; name: string }): string {
  const digest = createHash("sha256").update(JSON.stringify([p.provider, p.account, p.region, p.serverId, p.name])).digest("hex");
  return `img-${p.provider}-${digest.slice(0, 40)}`;
}

interface Preflight {
  checks: Check[];
  /** the error a failed check stands for, in check order */
  failure?: ImageOpsError;
  /** an image of this name made from this server: an earlier attempt of the same request */
  earlier?: Image;
}

async function preflight(ctx: CallContext, adapter: ProviderAdapter, input: CreateInput): Promise<Preflight> {
  const checks: Check[] = [];
  let failure: ImageOpsError | undefined;
  const check = (name: string, ok: boolean, message: string, error?: () => ImageOpsError) => {
    checks.push({ name, ok, message });
    if (!ok && !failure && error) failure = error();
  };
  const provider = adapter.name;
  check("account", true, `${provider} account "${ctx.account.name}", region ${ctx.region}`);
  check("provider", adapter.supportsCreate, adapter.supportsCreate ? `${provider} can create images` : `${provider}'s API has no image-creation call`, () =>
    new ImageOpsError("UNSUPPORTED", `${provider}'s API has no call that creates an image from a server`, { provider }),
  );
  const nameProblem = adapter.validateImageName(input.name);
  check("name", !nameProblem, nameProblem ?? `"${input.name}" is a valid name`, () => new ImageOpsError("INVALID_ARGUMENT", `name: ${nameProblem}`, { field: "name" }));
  const bytes = Buffer.byteLength(input.description ?? "", "utf8");
  check("description", bytes <= MAX_DESCRIPTION_BYTES, bytes <= MAX_DESCRIPTION_BYTES ? `${bytes} bytes` : `${bytes} bytes; at most ${MAX_DESCRIPTION_BYTES}`, () =>
    new ImageOpsError("INVALID_ARGUMENT", `description: ${bytes} bytes; at most ${MAX_DESCRIPTION_BYTES}`, { field: "description" }),
  );
  if (!adapter.supportsCreate) return { checks, failure };

  const [server, sameName] = await Promise.allSettled([adapter.getServer(ctx, input.serverId), adapter.findImagesByName(ctx, input.name)]);
  if (server.status === "rejected") {
    const e = server.reason as ImageOpsError;
    if (e?.code !== "NOT_FOUND") throw server.reason;
    check("server", false, `no server ${input.serverId}`, () => new ImageOpsError("NOT_FOUND", `no ${provider} server ${input.serverId} in ${ctx.region}`, { field: "serverId", provider }));
  } else {
    const s = server.value;
    check("server", true, `server ${s.name || s.id} (${s.id})`);
    check("server-state", s.imageable, s.imageable ? `state ${s.providerStatus} can be imaged` : `state ${s.providerStatus} cannot be imaged; stop or start the server first`, () =>
      new ImageOpsError("CONFLICT", `server ${s.id} is ${s.providerStatus}: it cannot be imaged in this state`, { field: "serverId", provider }),
    );
  }
  if (sameName.status === "rejected") throw sameName.reason;
  const taken = sameName.value;
  const earlier = taken.find((i) => i.sourceServerId === input.serverId && i.status !== "failed" && i.status !== "deleting");
  if (earlier) check("name-free", true, `image ${earlier.id} of this name from this server exists already: it is this request's`);
  else
    check("name-free", taken.length === 0, taken.length === 0 ? `no image is named "${input.name}"` : `"${input.name}" is taken by image ${taken[0]!.id}`, () =>
      new ImageOpsError("CONFLICT", `name "${input.name}" is taken by image ${taken[0]!.id}`, { field: "name", provider }),
    );
  return { checks, failure, earlier };
}

/**
 * Creates an image from a server, at most once per request: a repeated request returns the
 * existing operation; an ambiguous failure (timeout after sending) is settled by looking the
 * image up by name, never by sending the create again.
 */
export async function createImage(rt: Runtime, tracker: Tracker, input: CreateInput): Promise<CreateOutput> {
  return withTarget(rt, input, async (ctx, adapter) => {
    const where = { provider: adapter.name, account: ctx.account.name, region: ctx.region };
    const operation = operationId({ ...where, serverId: input.serverId, name: input.name });

    if (!input.dryRun) {
      const known = await tracker.find(operation);
      if (known) {
        const image = await adapter.describeImage(ctx, known.imageId);
        return { dryRun: false, image, operation: { id: operation, startedAt: known.startedAt }, existing: true };
      }
    }

    const pre = await preflight(ctx, adapter, input);
    // the id a confirmed request will have: Slack's Cancel names it when the Confirm came first
    if (input.dryRun) return { dryRun: true, checks: pre.checks, operation: { id: operation } };
    if (pre.failure) throw pre.failure;

    let image = pre.earlier;
    if (!image) image = await createOnce(ctx, adapter, input);

    const startedAt = new Date(rt.now()).toISOString();
    const track: TrackInput = { operation, ...where, imageId: image.id, startedAt };
    if (input.notify) track.notify = { ...input.notify };
    const started = await tracker.start(track);
    if (started === "exists") {
      // A concurrent request of the same operation got there first: report its operation.
      const known = await tracker.find(operation);
      if (known) return { dryRun: false, image, operation: { id: operation, startedAt: known.startedAt }, existing: true };
    }
    log("info", "image creation started", { operation, ...where, imageId: image.id, serverId: input.serverId });
    return { dryRun: false, image, operation: { id: operation, startedAt }, existing: started === "exists" || pre.earlier !== undefined };
  });
}

async function createOnce(ctx: CallContext, adapter: ProviderAdapter, input: CreateInput): Promise<Image> {
  try {
    return await adapter.createImage(ctx, { serverId: input.serverId, name: input.name, description: input.description });
  } catch (err) {
    if (!(err instanceof ImageOpsError)) throw err;
    // The cloud may have made it (timeout after sending, or a concurrent twin won a name race): look, don't resend.
    if (!err.ambiguous && err.code !== "PROVIDER_ERROR") throw err;
    let found: Image[];
    try {
      found = await adapter.findImagesByName(ctx, input.name);
    } catch {
      throw new ImageOpsError(err.code, `${err.message}; whether the image was created is unknown: check for an image named "${input.name}" before retrying`, {
        provider: adapter.name,
        providerCode: err.providerCode,
      });
    }
    const mine = found.find((i) => i.sourceServerId === input.serverId) ?? (err.ambiguous ? found[0] : undefined);
    if (mine) return mine;
    if (err.ambiguous) {
      throw new ImageOpsError(err.code, `${err.message}; no image named "${input.name}" exists, so it was not created: it is safe to retry`, {
        provider: adapter.name,
      });
    }
    throw err;
  }
}
