import { randomUUID } from "node:crypto";
import { log } from "../log.js";
import { ImageOpsError } from "../model/errors.js";
import type { Image, ProviderName } from "../model/image.js";
import { decideAndAct, startTracking, type TrackingDeps, writeRecord } from "../operations/lifecycle.js";
import {
  claimRecord,
  type Decision,
  decide,
  type DeleteRecord,
  type DeleteRequestFields,
  keyOf,
  operationIdOf,
  predictedOperationId,
  predict,
} from "../operations/record.js";
import { StaleRecord } from "../operations/store.js";
import type { CallContext, DeleteTarget, ProviderAdapter } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import type { ProgressTarget } from "../tracking/types.js";
import { type Check, Checks } from "./checks.js";
import { unknownImage } from "../model/image.js";

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
}

export type DeleteOutput =
  | { dryRun: true; checks: Check[]; image?: Image; operation: { id: string } }
  | { dryRun: false; image: Image; operation: { id: string; startedAt: string }; existing: boolean };

export type DeleteDeps = TrackingDeps;

/** Answers by which the cloud refused the delete outright: the image is still there, untouched. */
const REFUSED: ReadonlySet<string> = new Set([
  "INVALID_ARGUMENT",
  "CONFLICT",
  "PROVIDER_AUTH_FAILED",
  "UNSUPPORTED",
  "FORBIDDEN",
  "UNAUTHORIZED",
  "PROVIDER_ERROR",
]);

/**
 * Deletes a custom image exactly once per image, on the same durable operation record a create
 * uses (operations/record.ts, kind delete-image): claimed before the cloud is called (a
 * conditional write decides between concurrent twins), marked sent, then accepted when the cloud
 * answers, and tracked until the image is gone. Preflight first: the image exists, is custom
 * (never a public image), is not protected (SCP), and is the one the requester saw; whom it is
 * shared with is said as a warning.
 */
export async function deleteImage(rt: Runtime, deps: DeleteDeps, input: DeleteInput): Promise<DeleteOutput> {
  return withTarget(rt, input, async (ctx, adapter) => {
    const request: DeleteRequestFields = { provider: adapter.name, account: ctx.account.name, region: ctx.region, imageId: input.id };
    if (input.origin) request.origin = input.origin;
    if (!adapter.supportsDelete || !adapter.describeForDelete || !adapter.deleteImage) {
      const c = new Checks();
      c.add("account", true, `${adapter.name} account "${ctx.account.name}", region ${ctx.region}`);
      c.add("provider", false, `${adapter.name}'s API has no image-deletion call`, () => unsupported(adapter.name));
      if (input.dryRun) return { dryRun: true, checks: c.checks, operation: { id: operationIdOf(keyOf(request).key, 1) } };
      throw c.failure!;
    }
    return new DeleteOperation(rt, deps, ctx, adapter, input, request).run();
  });
}

function unsupported(provider: ProviderName): ImageOpsError {
  return new ImageOpsError(
    "UNSUPPORTED",
    `${provider}'s API has no call that deletes an image (its Images API offers only Image List and Image Detail): delete it in the ${provider} console`,
    { provider },
  );
}

class DeleteOperation {
  private readonly key: string;
  private readonly hash: string;

  constructor(
    private readonly rt: Runtime,
    private readonly deps: DeleteDeps,
    private readonly ctx: CallContext,
    private readonly adapter: ProviderAdapter,
    private readonly input: DeleteInput,
    private readonly request: DeleteRequestFields,
  ) {
    ({ key: this.key, hash: this.hash } = keyOf(request));
  }

  run(): Promise<DeleteOutput> {
    return decideAndAct(this.rt, this.key, "id", async (waitUntil) => {
      const record = await this.deps.store.get<DeleteRecord>(this.key);
      const target = await this.look();
      const decision = decide(record, this.hash, this.rt.now(), target ? target.image : null);
      if (this.input.dryRun) {
        const out: DeleteOutput = {
          dryRun: true,
          checks: this.checks(target, record, decision).checks,
          operation: { id: predictedOperationId(this.key, record, decision.action === "create") },
        };
        if (target) out.image = target.image;
        return out;
      }
      return this.act(record, decision, target, waitUntil);
    });
  }

  /** The image and its delete facts as the cloud sees them now; null when it is gone. */
  private async look(): Promise<DeleteTarget | null> {
    try {
      return await this.adapter.describeForDelete!(this.ctx, this.input.id);
    } catch (err) {
      if (err instanceof ImageOpsError && err.code === "NOT_FOUND") return null;
      throw err;
    }
  }

  private async act(
    record: DeleteRecord | undefined,
    decision: Decision,
    target: DeleteTarget | null,
    waitUntil: number,
  ): Promise<DeleteOutput | undefined> {
    switch (decision.action) {
      case "conflict":
        throw new ImageOpsError("CONFLICT", decision.message, { field: "id", provider: this.adapter.name });
      case "wait": {
        const now = this.rt.now();
        if (now >= waitUntil) {
          throw new ImageOpsError(
            "CONFLICT",
            `operation ${record!.id} is deleting image ${this.input.id} for another request since ${record!.claimedAt}: retry in a few seconds`,
            { field: "id", provider: this.adapter.name },
          );
        }
        await sleep(Math.min(500, waitUntil - now, Math.max(50, decision.until - now)));
        return undefined;
      }
      case "existing":
        return this.answer(record!, target?.image, true);
      case "track":
        return this.answer(await this.track(record!), target?.image, true);
      case "create": {
        const pre = this.checks(target, record, decision);
        if (pre.failure) throw pre.failure;
        const claim = claimRecord(record, this.request, {
          claimId: randomUUID(),
          now: this.rt.now(),
          leaseUntil: this.leaseUntil(),
          notify: this.input.notify,
        });
        if (target!.image.name) claim.request.imageName = target!.image.name;
        await this.deps.store.put(claim, record?.version);
        return this.send(claim, target!);
      }
      case "take-over":
        return this.takeOver(record!, decision.sent, target);
    }
  }

  private leaseUntil(): number {
    return (this.rt.deadline ?? this.rt.now() + 60_000) + 5_000;
  }

  /** Marks the claim sent, sends the one delete, and records that the cloud accepted it. */
  private async send(claim: DeleteRecord, target: DeleteTarget): Promise<DeleteOutput> {
    const sent = await writeRecord(this.deps.store, claim, { state: "sent", sentAt: new Date(this.rt.now()).toISOString() });
    try {
      await this.adapter.deleteImage!(this.ctx, target);
    } catch (err) {
      if (!(err instanceof ImageOpsError)) throw err;
      // NOT_FOUND: gone already (a retried request whose first try went through)
      if (err.code !== "NOT_FOUND") await this.settleFailedSend(sent, err);
    }
    const accepted = await writeRecord(this.deps.store, sent, { state: "accepted", createdAt: new Date(this.rt.now()).toISOString() });
    log("info", "image deletion started", {
      operation: accepted.id,
      provider: this.adapter.name,
      account: this.ctx.account.name,
      region: this.ctx.region,
      imageId: target.image.id,
      policy: this.input.origin?.policy,
    });
    return this.answer(await this.track(accepted), target.image, false);
  }

  /**
   * The delete failed. The image is looked up first: gone or being deleted, the cloud acted and
   * the delete is accepted. Still there after a refusal (a 4xx): the record ends failed and the
   * next request may try again. Otherwise (a timeout, a 5xx, the lookup failing) the cloud may
   * still act: the claim is released still `sent`, and the next attempt looks again before
   * sending anything.
   */
  private async settleFailedSend(sent: DeleteRecord, err: ImageOpsError): Promise<void> {
    const now = await this.look().catch(() => undefined);
    if (now === null || now?.image.status === "deleting") return;
    if (now && REFUSED.has(err.code) && !err.ambiguous) {
      await writeRecord(this.deps.store, sent, {
        state: "failed",
        endedAt: new Date(this.rt.now()).toISOString(),
        reason: `the cloud refused the delete: ${err.message}`,
      }).catch((e) => {
        if (!(e instanceof StaleRecord))
          log("warn", "could not record a refused delete", { operation: sent.id, error: (e as Error).message });
      });
      throw err;
    }
    await writeRecord(this.deps.store, sent, { leaseUntil: this.rt.now() }).catch(() => undefined);
    throw new ImageOpsError(
      err.code,
      `${err.message}; the cloud may still delete image ${this.input.id}: repeat the same request — it checks the image before sending anything again`,
      {
        provider: this.adapter.name,
        providerCode: err.providerCode,
        requestId: err.requestId,
      },
    );
  }

  /** An attempt died holding the claim: claim it again and finish its work. */
  private async takeOver(record: DeleteRecord, sent: boolean, target: DeleteTarget | null): Promise<DeleteOutput> {
    const claim = await writeRecord(this.deps.store, record, {
      claimId: randomUUID(),
      leaseUntil: this.leaseUntil(),
      attempts: record.attempts + 1,
    });
    if (sent && (target === null || target.image.status === "deleting")) {
      log("info", "an interrupted delete had been accepted", { operation: claim.id, attempt: claim.attempts });
      const accepted = await writeRecord(this.deps.store, claim, {
        state: "accepted",
        createdAt: new Date(this.rt.now()).toISOString(),
        reason: `attempt ${claim.attempts} found image ${record.imageId} ${target === null ? "gone" : "being deleted"}, by an interrupted attempt`,
      });
      return this.answer(await this.track(accepted), target?.image, true);
    }
    const pre = this.checks(target, claim, { action: "create", reason: "take-over" });
    if (pre.failure) {
      await writeRecord(this.deps.store, claim, {
        state: "failed",
        endedAt: new Date(this.rt.now()).toISOString(),
        reason: `checks failed when attempt ${claim.attempts} took over: ${pre.failure.message}`,
      }).catch(() => undefined);
      throw pre.failure;
    }
    return this.send(claim, target!);
  }

  private track(record: DeleteRecord): Promise<DeleteRecord> {
    const notify = this.input.notify ?? record.notify;
    const name = record.request.imageName;
    return startTracking(
      this.rt,
      this.deps,
      record,
      notify ? { ...notify, ...(name ? { imageName: name } : {}) } : undefined,
      `the delete of image ${record.imageId} was accepted (operation ${record.id}) but tracking could not start: repeat the same request to track it`,
    );
  }

  private answer(record: DeleteRecord, image: Image | undefined, existing: boolean): DeleteOutput {
    return {
      dryRun: false,
      image: image ?? goneImage(record),
      operation: { id: record.id, startedAt: record.sentAt ?? record.claimedAt },
      existing,
    };
  }

  /** The preflight checks, in order; the first failed one is the request's failure. */
  private checks(target: DeleteTarget | null, record: DeleteRecord | undefined, decision: Decision): Checks {
    const c = new Checks();
    const { name: provider } = this.adapter;
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
    } else {
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
      c.add(
        "custom",
        i.kind === "custom",
        i.kind === "custom" ? "a custom image" : `a public image of ${provider}: imageops deletes only custom images`,
        () =>
          new ImageOpsError("FORBIDDEN", `image ${id} is a public image of ${provider}: imageops deletes only custom images`, {
            field: "id",
            provider,
          }),
      );
      c.add(
        "protected",
        !target.protected,
        target.protected ? "protected: SCP refuses to delete it" : "not protected",
        () =>
          new ImageOpsError(
            "CONFLICT",
            `image ${id} is protected: clear "protected" first (in the SCP console, or PUT /v1/images/${id} with protected=false), then repeat the delete`,
            { field: "id", provider },
          ),
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
    }
    c.add("operation", decision.action !== "conflict", predict(decision, record, "delete-image"));
    return c;
  }
}

/** What a delete answers for an image that is already gone: what the record says of it. */
function goneImage(record: DeleteRecord): Image {
  const r = record.request;
  return unknownImage({ provider: r.provider, account: r.account, region: r.region, id: r.imageId, name: r.imageName ?? r.imageId });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
