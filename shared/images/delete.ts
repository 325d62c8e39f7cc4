import { log } from "../log.js";
import { ImageOpsError } from "../model/errors.js";
import { type Image, type ProviderName, unknownImage } from "../model/image.js";
import { type EngineDeps, type OperationSpec, type Proof, runOperation } from "../operations/engine.js";
import {
  type Claim,
  claimRecord,
  type Decision,
  type DeleteRecord,
  type RecordedDelete,
  keyOf,
  operationIdOf,
  predict,
  predictedOperationId,
  type Sighting,
} from "../operations/record.js";
import { count } from "../model/words.js";
import type { CallContext, DeleteTarget, ImageDeleter, ProviderAdapter, ServerRef, ServerUsage } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import type { ProgressTarget } from "../tracking/types.js";
import { addUnsupported, type Check, Checks } from "./checks.js";
import { notFound, resolveImageId } from "./named.js";

export interface DeleteInput {
  provider: ProviderName;
  id: string;
  account?: string;
  region?: string;
  dryRun?: boolean;
  /** the name the requester saw: refused if the image now has another (Slack's Confirm carries it) */
  expectName?: string;
  notify?: ProgressTarget;
  /** set by a policy's retention (shared/policies/run.ts) */
  origin?: { policy: string };
  /** delete even though servers still use the image (or whether they do could not be read) */
  force?: boolean;
}

export type DeleteOutput =
  | { dryRun: true; checks: Check[]; image?: Image; operation: { id: string } }
  | { dryRun: false; image: Image; operation: { id: string; startedAt: string }; existing: boolean };

export type DeleteDeps = EngineDeps;

/**
 * Deletes a custom image exactly once per image, on the one operation engine
 * (operations/engine.ts, kind delete-image): claimed before the cloud is called, marked sent,
 * then accepted when the cloud answers, and tracked until the image is gone. Preflight first:
 * the image exists, is the one the requester saw, is positively this account's own custom image
 * (the adapter reads it from the cloud's fields; anything else is refused), is not protected, is
 * not already going, and no server still uses it (unless `force`); whom it is shared with is said
 * as a warning. This module is the delete's part:
 * what it checks, sends, and accepts as proof that a delete took (the image gone or going).
 */
export async function deleteImage(rt: Runtime, deps: DeleteDeps, input: DeleteInput): Promise<DeleteOutput> {
  return withTarget(rt, input, async (ctx, adapter) => {
    // an image may be named by its name (one custom image of that name), as show takes it
    const id = await resolveImageId(ctx, adapter, input.id);
    try {
      const out = await deleteOnTarget(rt, deps, ctx, adapter, { ...input, id });
      // a dry run's "no image" check says what to try, in every cloud's same words
      const missing = out.dryRun ? out.checks.find((c) => c.name === "image" && !c.ok && c.message === `no image ${id}`) : undefined;
      if (missing) missing.message = (await notFound(ctx, adapter, id)).message;
      return out;
    } catch (err) {
      if (err instanceof ImageOpsError && err.code === "NOT_FOUND" && err.field === "id") throw await notFound(ctx, adapter, id, err);
      throw err;
    }
  });
}

/** The delete on an account and region already resolved (the model-based test drives this). */
export async function deleteOnTarget(
  rt: Runtime,
  deps: DeleteDeps,
  ctx: CallContext,
  adapter: ProviderAdapter,
  input: DeleteInput,
): Promise<DeleteOutput> {
  const request: RecordedDelete = { provider: adapter.name, account: ctx.account.name, region: ctx.region, imageId: input.id };
  if (input.origin) request.origin = input.origin;
  const { deleter } = adapter;
  if (!deleter) {
    const c = new Checks();
    c.add("account", true, `${adapter.name} account "${ctx.account.name}", region ${ctx.region}`);
    addUnsupported(c, adapter, "delete");
    if (input.dryRun) return { dryRun: true, checks: c.checks, operation: { id: operationIdOf(keyOf(request).key, 1) } };
    throw c.failure;
  }
  const spec = new DeleteSpec(ctx, adapter.name, deleter, input, request);
  const out = await runOperation(rt, deps, spec, { dryRun: input.dryRun });
  if (out.dryRun) {
    // the same look-ups as a delete that sends; only what the record says when it would not send
    const sends = out.decision.action === "start" || (out.decision.action === "take-over" && !out.decision.sent);
    const checks = sends ? (await spec.preflight(out.record)).checks : spec.checks(spec.target, out.record);
    checks.add("operation", out.decision.action !== "conflict", predict(out.decision, out.record, "delete-image"));
    const dry: DeleteOutput = {
      dryRun: true,
      checks: checks.checks,
      operation: { id: predictedOperationId(spec.key, out.record, startsAfresh(out.decision)) },
    };
    if (spec.target) dry.image = spec.target.image;
    return dry;
  }
  const r = out.record;
  return {
    dryRun: false,
    image: out.image ?? spec.target?.image ?? goneImage(r),
    operation: { id: r.id, startedAt: r.sentAt ?? r.claimedAt },
    existing: out.existing,
  };
}

const startsAfresh = (d: Decision) => d.action === "start";

class DeleteSpec implements OperationSpec<DeleteRecord, DeleteTarget> {
  readonly kind = "delete-image" as const;
  readonly field = "id";
  readonly took = "accepted" as const;
  readonly key: string;
  readonly hash: string;
  /** the image and its delete facts as last read (null: gone) */
  target: DeleteTarget | null = null;

  constructor(
    private readonly ctx: CallContext,
    readonly provider: ProviderName,
    private readonly deleter: ImageDeleter,
    private readonly input: DeleteInput,
    private readonly request: RecordedDelete,
  ) {
    ({ key: this.key, hash: this.hash } = keyOf(request));
  }

  /** The image and its delete facts as the cloud sees them now; null when it is gone. */
  private async look(): Promise<DeleteTarget | null> {
    try {
      this.target = await this.deleter.describeForDelete(this.ctx, this.input.id);
    } catch (err) {
      if (!(err instanceof ImageOpsError && err.code === "NOT_FOUND")) throw err;
      this.target = null;
    }
    return this.target;
  }

  async observe(): Promise<Sighting> {
    const target = await this.look();
    return target ? { seen: "present", image: target.image } : { seen: "gone" };
  }

  async preflight(record: DeleteRecord | undefined): Promise<{ checks: Checks; prepared: DeleteTarget }> {
    const checks = this.checks(this.target, record);
    // the server list is read only for an image that may be deleted: this account's own
    if (this.target?.own.ok) await this.addServers(checks, this.target);
    return { checks, prepared: this.target! };
  }

  /**
   * Servers still made from the image refuse the delete, naming them, unless the request says
   * `force`. Refused rather than only warned of: a delete cannot be undone, and a server made from
   * the image would lose what it is rebuilt, reinstalled or scaled out from (an SCP auto-scaling
   * group's launch configuration, NCP's re-creation from a server image); whoever knows that this
   * does not matter says so. A list that cannot be read is refused the same way: not known to be
   * unused is not unused.
   */
  private async addServers(c: Checks, target: DeleteTarget): Promise<void> {
    const { provider } = this;
    const id = this.input.id;
    const force = this.input.force === true;
    const override = "repeat the delete with force: true (delete-image's input) to delete it anyway";
    let usage: ServerUsage;
    try {
      usage = await this.deleter.serversUsing(this.ctx, target);
    } catch (err) {
      if (!(err instanceof ImageOpsError)) throw err;
      const why = `whether servers use it could not be read (${err.code}: ${err.message})`;
      c.add(
        "servers",
        force,
        force ? `${why}: deleted anyway (force)` : why,
        () => new ImageOpsError("CONFLICT", `image ${id}: ${why}; ${override}`, { field: "id", provider }),
        force ? "warning" : undefined,
      );
      return;
    }
    const unsure = usage.unsure ? `, ${usage.unsure}` : "";
    if (!usage.servers.length) {
      c.add("servers", true, `no server uses it (${count(usage.read, "server")} read${unsure})`, undefined, unsure ? "warning" : undefined);
      return;
    }
    const named = serverList(usage.servers);
    c.add(
      "servers",
      force,
      force ? `used by ${named}: deleted anyway (force)` : `used by ${named}`,
      () =>
        new ImageOpsError(
          "CONFLICT",
          `image ${id} is still used by ${named}: they could not be rebuilt from it once it is gone; delete or rebuild them first, or ${override}`,
          { field: "id", provider },
        ),
      force ? "warning" : undefined,
    );
  }

  claim(previous: DeleteRecord | undefined, claim: Claim): DeleteRecord {
    const record = claimRecord(previous, this.request, { ...claim, notify: this.input.notify });
    if (this.target?.image.name) record.request = { ...record.request, imageName: this.target.image.name };
    return record;
  }

  send(_record: DeleteRecord, target: DeleteTarget): Promise<undefined> {
    return this.deleter.deleteImage(this.ctx, target).then(() => undefined);
  }

  /** The delete took when the image is gone or being deleted (a 404 to the DELETE itself proves nothing until a read agrees). */
  async find(record: DeleteRecord): Promise<Proof | undefined> {
    const now = await this.look();
    if (now === null) return { found: `image ${record.imageId} gone` };
    if (now.image.status === "deleting")
      return { image: now.image, found: `image ${record.imageId} being deleted (${now.image.providerStatus})` };
    return undefined;
  }

  refused(err: ImageOpsError, record: DeleteRecord): ImageOpsError {
    if (err.code !== "NOT_FOUND") return err;
    return new ImageOpsError(
      "PROVIDER_ERROR",
      `${err.message} — yet the cloud still shows image ${record.imageId}: nothing was deleted; repeat the delete to send it again`,
      { provider: this.provider, providerCode: err.providerCode, requestId: err.requestId },
    );
  }

  progress(record: DeleteRecord) {
    const notify = this.input.notify ?? record.notify;
    const name = record.request.imageName;
    return notify ? { ...notify, ...(name ? { imageName: name } : {}) } : undefined;
  }

  onTook(record: DeleteRecord): void {
    log("info", "image deletion started", {
      operation: record.id,
      provider: this.provider,
      account: this.ctx.account.name,
      region: this.ctx.region,
      imageId: record.imageId,
      policy: this.input.origin?.policy,
    });
  }

  readonly words = {
    busy: (r: DeleteRecord) =>
      `operation ${r.id} is deleting image ${this.input.id} for another request since ${r.claimedAt}: retry in a few seconds`,
    ambiguous: () =>
      `the cloud may still delete image ${this.input.id}: repeat the same request — it checks the image before sending anything again`,
    unrecorded: (r: DeleteRecord) =>
      `the delete of image ${r.imageId} was accepted (operation ${r.id}) but could not be recorded: repeat the same request to track it`,
    untracked: (r: DeleteRecord) =>
      `the delete of image ${r.imageId} was accepted (operation ${r.id}) but tracking could not start: repeat the same request to track it`,
    unproven: (r: DeleteRecord, until: number) =>
      `operation ${r.id} sent its delete at ${r.sentAt} and was interrupted, and image ${r.imageId} still shows no sign of going: repeat the same request after ${new Date(until).toISOString()} — it sends the delete again only if the image is still there then`,
  };

  /** The preflight checks, in order; the first failed one is the request's failure. */
  checks(target: DeleteTarget | null, record: DeleteRecord | undefined): Checks {
    const c = new Checks();
    const { provider } = this;
    const id = this.input.id;
    c.add("account", true, `${provider} account "${this.ctx.account.name}", region ${this.ctx.region}`);
    c.add("provider", true, `${provider} deletes images (${target?.via ?? "its delete call"})`);
    // what an operation of this image already did: its deletion is not refused for the image being gone or going
    const ours = record && record.state !== "failed";
    if (!target) {
      c.add(
        "image",
        !!ours,
        ours ? `image ${id} is gone` : `no image ${id}`,
        () => new ImageOpsError("NOT_FOUND", `no ${provider} image ${id} in ${this.ctx.region}`, { field: "id", provider }),
      );
      return c;
    }
    const i = target.image;
    c.add("image", true, `image ${i.name || i.id} (${i.id}), ${i.status}, created ${i.createdAt ?? "at an unknown time"}`);
    if (this.input.expectName !== undefined) {
      const same = i.name === this.input.expectName;
      c.add(
        "same-image",
        same,
        same ? `still named "${i.name}"` : `image ${id} is now named "${i.name}", not "${this.input.expectName}"`,
        () =>
          new ImageOpsError(
            "CONFLICT",
            `image ${id} is now named "${i.name}", not "${this.input.expectName}" as when the delete was asked for: look at it again and repeat the delete`,
            { field: "id", provider },
          ),
      );
    }
    // positively this account's own custom image, as the adapter reads the cloud's fields; nothing else
    const { own } = target;
    c.add(
      "own",
      own.ok,
      own.says,
      () =>
        new ImageOpsError("FORBIDDEN", `image ${id} is not this account's own custom image (${own.says}): imageops deletes only those`, {
          field: "id",
          provider,
        }),
    );
    const { protected: unprotect } = target;
    c.add(
      "protected",
      !unprotect,
      unprotect ? `protected: ${provider} refuses to delete it` : "not protected",
      () => new ImageOpsError("CONFLICT", `image ${id} is protected: ${unprotect}, then repeat the delete`, { field: "id", provider }),
    );
    const going = i.status === "deleting" && !ours;
    c.add(
      "state",
      !going,
      going
        ? `image ${id} is already being deleted (${i.providerStatus})`
        : i.status === "creating"
          ? `still creating (${i.providerStatus}): deleting it ends the creation`
          : `status ${i.status}`,
      () => new ImageOpsError("CONFLICT", `image ${id} is already being deleted (${i.providerStatus})`, { field: "id", provider }),
      i.status === "creating" ? "warning" : undefined,
    );
    const shared = target.sharedWith ?? [];
    if (shared.length) c.add("shared", true, `shared with ${shared.join(", ")}: they lose it too`, undefined, "warning");
    else if (target.sharingUnknown)
      c.add("shared", true, `shared; with whom could not be read (${target.sharingUnknown})`, undefined, "warning");
    else if (i.visibility === "shared") c.add("shared", true, "shared (the cloud names nobody)", undefined, "warning");
    return c;
  }
}

/** What a delete answers for an image that is already gone: what the record says of it. */
function goneImage(record: DeleteRecord): Image {
  const r = record.request;
  return unknownImage({ provider: r.provider, account: r.account, region: r.region, id: r.imageId, name: r.imageName ?? r.imageId });
}

/** Servers as a refusal names them: "web-01 (1234567, RUN)", at most ten, then how many more. */
function serverList(servers: readonly ServerRef[]): string {
  const shown = servers.slice(0, 10).map((s) => `${s.name || s.id} (${[s.name ? s.id : "", s.providerStatus].filter(Boolean).join(", ")})`);
  const more = servers.length - shown.length;
  return `${count(servers.length, "server")}: ${shown.join(", ")}${more > 0 ? `, and ${more} more` : ""}`;
}
