import { log } from "../log.js";
import { ImageOpsError, isRefusal } from "../model/errors.js";
import type { Image, ProviderName } from "../model/image.js";
import { type EngineDeps, type OperationSpec, type Proof, runOperation } from "../operations/engine.js";
import {
  type Claim,
  claimRecord,
  keyOf,
  operationIdOf,
  predict,
  predictedOperationId,
  type RecordedShare,
  type ShareRecord,
  type Sighting,
  showsAsAsked,
} from "../operations/record.js";
import type { CallContext, ImageSharer, ProviderAdapter, ShareMember, ShareTarget } from "../providers/types.js";
import { callContext, type Runtime, withTarget } from "../runtime.js";
import { addUnsupported, type Check, Checks } from "./checks.js";
import { recordShares } from "./share-ledger.js";

export type ShareAction = "share" | "unshare";

export interface ShareInput {
  provider: ProviderName;
  id: string;
  account?: string;
  region?: string;
  /** login ids (NCP) or account ids (SCP) */
  targets: string[];
  /** default share */
  action?: ShareAction;
  dryRun?: boolean;
  /** set by a policy (its `share:`, or its retention unsharing before a delete) */
  origin?: { policy: string };
}

/** How a receiving account's accept went (SCP): accepted by imageops with its keys, already accepted, or who must accept and how. */
export type Acceptance =
  | { target: string; accepted: "now"; by: string }
  | { target: string; accepted: "before" }
  | { target: string; pending: string };

export type ShareOutput =
  | {
      dryRun: true;
      checks: Check[];
      image?: Image;
      operation: { id: string };
      /** whom Confirm sends (the targets the cloud does not show as asked yet) */
      send: string[];
      /** the targets the cloud already shows as asked: reported, not sent */
      already: string[];
    }
  | {
      dryRun: false;
      image: Image;
      operation: { id: string; startedAt: string; state: string };
      existing: boolean;
      send: string[];
      already: string[];
      /** whom the cloud shows the image shared with now */
      sharedWith: ShareMember[];
      accept?: Acceptance[];
    };

/** At most this many targets in one request (a Slack line, a policy's list). */
export const MAX_TARGETS = 20;

/**
 * Shares an image with other accounts, or stops sharing it, exactly once per image, action and
 * set of targets, on the one operation engine (operations/engine.ts, kind share-image): claimed
 * before the cloud is called, marked sent, accepted when the cloud answers, and tracked until the
 * cloud lists the targets (or, unsharing, lists none of them). Idempotent against the cloud: what
 * it already shows is reported and never sent again. Checks first: the targets have the cloud's
 * documented form, the image is this account's own custom image, not public, and available (a
 * share; an unshare takes any image still there). At SCP the receiving account accepts: with its
 * own keys when the credentials secret holds them (an SCP account whose accountId is the
 * target), else the answer says who must accept and how.
 */
export async function shareImage(rt: Runtime, deps: EngineDeps, input: ShareInput): Promise<ShareOutput> {
  return withTarget(rt, input, (ctx, adapter) => shareOnTarget(rt, deps, ctx, adapter, input));
}

/** The share on an account and region already resolved. */
export async function shareOnTarget(
  rt: Runtime,
  deps: EngineDeps,
  ctx: CallContext,
  adapter: ProviderAdapter,
  input: ShareInput,
): Promise<ShareOutput> {
  const action = input.action ?? "share";
  const targets = [...new Set(input.targets)].sort();
  const request: RecordedShare = {
    provider: adapter.name,
    account: ctx.account.name,
    region: ctx.region,
    imageId: input.id,
    action,
    targets,
  };
  if (input.origin) request.origin = input.origin;
  const { sharer } = adapter;
  if (!sharer) {
    const c = new Checks();
    c.add("account", true, `${adapter.name} account "${ctx.account.name}", region ${ctx.region}`);
    addUnsupported(c, adapter, "share");
    if (input.dryRun)
      return { dryRun: true, checks: c.checks, operation: { id: operationIdOf(keyOf(request).key, 1) }, send: [], already: [] };
    throw c.failure;
  }
  const spec = new ShareSpec(ctx, adapter.name, sharer, request);
  const out = await runOperation(rt, deps, spec, { dryRun: input.dryRun });
  if (out.dryRun) {
    const checks = spec.checks(spec.target, out.record);
    checks.add("operation", out.decision.action !== "conflict", predict(out.decision, out.record, "share-image"));
    if (spec.target && action === "share" && sharer.accept) addAcceptPlan(checks, await rt.credentials.get(), spec, sharer);
    const dry: ShareOutput = {
      dryRun: true,
      checks: checks.checks,
      operation: { id: predictedOperationId(spec.key, out.record, out.decision.action === "start") },
      ...spec.split(),
    };
    if (spec.target) dry.image = spec.target.image;
    return dry;
  }
  const r = out.record;
  // whom imageops gave it (the audit tells these from shares made by hand)
  await recordShares(deps.store, request, r.id, rt.now());
  const split = spec.split(r);
  // what the cloud shows now (the share's own look, or a fresh one after the send)
  const now = (await spec.look()) ?? undefined;
  const result: ShareOutput = {
    dryRun: false,
    image: now?.image ?? out.image ?? spec.target!.image,
    operation: { id: r.id, startedAt: r.sentAt ?? r.claimedAt, state: r.state },
    existing: out.existing,
    ...split,
    sharedWith: now?.members ?? [],
  };
  if (action === "share" && sharer.accept && now) {
    result.accept = await acceptAll(rt, ctx, sharer, now, targets);
    // what was accepted just now is what the cloud shows now
    const accepted = new Set(result.accept.flatMap((a) => ("by" in a ? [a.target.toLowerCase()] : [])));
    result.sharedWith = result.sharedWith.map((m) => (accepted.has(m.id.toLowerCase()) ? { ...m, status: "accepted" } : m));
  }
  return result;
}

/** The receiving account of a target, when the credentials secret holds it (an account of the same cloud that is the target, as the sharer says). */
function receivingAccount(creds: { accounts: CallContext["account"][] }, sharer: ImageSharer, provider: ProviderName, target: string) {
  return creds.accounts.find((a) => a.provider === provider && sharer.targetOf?.(a)?.toLowerCase() === target.toLowerCase());
}

function addAcceptPlan(c: Checks, creds: { accounts: CallContext["account"][] }, spec: ShareSpec, sharer: ImageSharer): void {
  const id = spec.request.imageId;
  for (const t of spec.request.targets) {
    const member = spec.target?.members.find((m) => m.id === t);
    if (member?.status === "accepted") continue;
    const receiving = receivingAccount(creds, sharer, spec.provider, t);
    c.add(
      "accept",
      true,
      receiving
        ? `${t} accepts it with the keys of account "${receiving.name}" of the credentials secret`
        : `${t} must accept it: ${sharer.acceptHow?.(id, t) ?? "in its console"}`,
      undefined,
      receiving ? undefined : "warning",
    );
  }
}

/** Accepts each pending target whose account the secret holds; says for the others who must accept and how. */
async function acceptAll(
  rt: Runtime,
  ctx: CallContext,
  sharer: ImageSharer,
  target: ShareTarget,
  targets: readonly string[],
): Promise<Acceptance[]> {
  const creds = await rt.credentials.get();
  const id = target.image.id;
  const out: Acceptance[] = [];
  for (const t of targets) {
    const member = target.members.find((m) => m.id.toLowerCase() === t.toLowerCase());
    if (!member) continue;
    if (member.status === "accepted") {
      out.push({ target: t, accepted: "before" });
      continue;
    }
    const how = sharer.acceptHow?.(id, t) ?? "the receiving account must accept it";
    const receiving = receivingAccount(creds, sharer, ctx.account.provider, t);
    if (!receiving) {
      out.push({ target: t, pending: how });
      continue;
    }
    try {
      // the receiving account's own keys, in the image's region
      await sharer.accept!(callContext(rt, { account: receiving, region: ctx.region }), id, member.id);
      out.push({ target: t, accepted: "now", by: receiving.name });
    } catch (err) {
      const why = err instanceof ImageOpsError ? `${err.code}: ${err.message}` : "the accept failed";
      log("warn", "could not accept a share with the receiving account's keys", { imageId: id, target: t, error: why });
      out.push({ target: t, pending: `accepting with account "${receiving.name}" failed (${why}); ${how}` });
    }
  }
  return out;
}

class ShareSpec implements OperationSpec<ShareRecord, string[]> {
  readonly kind = "share-image" as const;
  readonly field = "targets";
  readonly took = "accepted" as const;
  readonly key: string;
  readonly hash: string;
  /** the image and whom it is shared with, as last read (null: gone) */
  target: ShareTarget | null = null;

  constructor(
    private readonly ctx: CallContext,
    readonly provider: ProviderName,
    private readonly sharer: ImageSharer,
    readonly request: RecordedShare,
  ) {
    ({ key: this.key, hash: this.hash } = keyOf(request));
  }

  private get sharing(): boolean {
    return this.request.action === "share";
  }

  /** The image as the cloud shows it now; null when it is gone. */
  async look(): Promise<ShareTarget | null> {
    try {
      this.target = await this.sharer.describeForShare(this.ctx, this.request.imageId);
    } catch (err) {
      if (!(err instanceof ImageOpsError && err.code === "NOT_FOUND")) throw err;
      this.target = null;
    }
    return this.target;
  }

  /** What is still to send (`send`), and what the cloud already shows as asked (`already`). */
  split(record?: ShareRecord): { send: string[]; already: string[] } {
    const listed = new Set((this.target?.members ?? []).map((m) => m.id.toLowerCase()));
    const asked = this.request.targets;
    const shown = (t: string) => listed.has(t.toLowerCase()) === this.sharing;
    // after a send, what it sent is what the record says
    if (record?.request.sent) return { send: record.request.sent, already: asked.filter((t) => !record.request.sent!.includes(t)) };
    return { send: asked.filter((t) => !shown(t)), already: asked.filter(shown) };
  }

  private done(target: ShareTarget | null): boolean {
    return showsAsAsked(this.request, target?.members ?? []);
  }

  async observe(): Promise<Sighting> {
    const target = await this.look();
    return target ? { seen: "present", image: target.image, done: this.done(target) } : { seen: "gone" };
  }

  async preflight(record: ShareRecord | undefined): Promise<{ checks: Checks; prepared: string[] }> {
    return { checks: this.checks(this.target, record), prepared: this.split().send };
  }

  claim(previous: ShareRecord | undefined, claim: Claim): ShareRecord {
    const record = claimRecord(previous, this.request, claim);
    const request: RecordedShare = { ...record.request, sent: this.split().send };
    if (this.target?.image.name) request.imageName = this.target.image.name;
    record.request = request;
    return record;
  }

  async send(record: ShareRecord, targets: string[]): Promise<undefined> {
    // nothing missing: the cloud already shows it as asked, and nothing is sent
    if (!targets.length || !this.target) return undefined;
    if (this.sharing) await this.sharer.addTargets(this.ctx, this.target, targets);
    else await this.sharer.removeTargets(this.ctx, this.target, targets);
    log("info", `image ${this.request.action} sent`, { operation: record.id, imageId: record.imageId, targets });
    return undefined;
  }

  /** The send took when the cloud shows every target as asked. */
  async find(record: ShareRecord): Promise<Proof | undefined> {
    const now = await this.look();
    if (now && this.done(now))
      return {
        image: now.image,
        found: `image ${record.imageId} ${this.sharing ? "shared with" : "unshared from"} ${this.request.targets.join(", ")}`,
      };
    return undefined;
  }

  refused(err: ImageOpsError, record: ShareRecord): ImageOpsError {
    if (!isRefusal(err)) return err;
    const sent = record.request.sent ?? this.request.targets;
    return new ImageOpsError(
      err.code,
      `${err.message} — ${this.provider} refused to ${this.request.action} image ${record.imageId} ${this.sharing ? "with" : "from"} ${sent.join(", ")}; each target must be ${this.sharer.targetForm} of an existing account`,
      { provider: this.provider, providerCode: err.providerCode, requestId: err.requestId, field: "targets" },
    );
  }

  progress() {
    return undefined;
  }

  readonly words = {
    busy: (r: ShareRecord) =>
      `operation ${r.id} is doing this ${this.request.action} of image ${r.imageId} for another request since ${r.claimedAt}: retry in a few seconds`,
    ambiguous: () =>
      `the cloud may still ${this.request.action} image ${this.request.imageId}: repeat the same request — it looks at whom the image is shared with before sending anything again`,
    unrecorded: (r: ShareRecord) =>
      `the ${this.request.action} of image ${r.imageId} was accepted (operation ${r.id}) but could not be recorded: repeat the same request`,
    untracked: (r: ShareRecord) =>
      `the ${this.request.action} of image ${r.imageId} was accepted (operation ${r.id}) but tracking could not start: repeat the same request`,
    unproven: (r: ShareRecord, until: number) =>
      `operation ${r.id} sent its ${this.request.action} at ${r.sentAt} and was interrupted, and the cloud does not show it yet: repeat the same request after ${new Date(until).toISOString()}`,
  };

  /** The checks, in order; the first failed one is the request's failure. */
  checks(target: ShareTarget | null, record: ShareRecord | undefined): Checks {
    const c = new Checks();
    const { provider } = this;
    const id = this.request.imageId;
    c.add("account", true, `${provider} account "${this.ctx.account.name}", region ${this.ctx.region}`);
    c.add("provider", true, `${provider} shares images (${target ? `${target.via.add}, ${target.via.remove}` : "its sharing calls"})`);
    const targets = this.request.targets;
    const bad = targets.flatMap((t) => {
      const why = this.sharer.validateTarget(t);
      return why ? [`${JSON.stringify(t).slice(0, 80)} (${why})`] : [];
    });
    const count = targets.length >= 1 && targets.length <= MAX_TARGETS;
    c.add(
      "targets",
      count && !bad.length,
      !count
        ? `1–${MAX_TARGETS} targets, not ${targets.length}`
        : bad.length
          ? `not ${this.sharer.targetForm}: ${bad.join(", ")}`
          : targets.join(", "),
      () =>
        new ImageOpsError(
          "INVALID_ARGUMENT",
          !count ? `targets: 1–${MAX_TARGETS} targets` : `targets: each must be ${this.sharer.targetForm}; not: ${bad.join(", ")}`,
          { field: "targets" },
        ),
    );
    const ours = record && record.state !== "failed";
    if (!target) {
      c.add(
        "image",
        false,
        `no image ${id}`,
        () => new ImageOpsError("NOT_FOUND", `no ${provider} image ${id} in ${this.ctx.region}`, { field: "id", provider }),
      );
      return c;
    }
    const i = target.image;
    c.add("image", true, `image ${i.name || i.id} (${i.id}), ${i.status}`);
    c.add(
      "own",
      target.own.ok,
      target.own.says,
      () =>
        new ImageOpsError(
          "FORBIDDEN",
          `image ${id} is not this account's own custom image (${target.own.says}): imageops shares only those`,
          {
            field: "id",
            provider,
          },
        ),
    );
    const isPublic = i.visibility === "public" || i.kind === "public";
    c.add(
      "public",
      !isPublic,
      isPublic ? "a public image" : `visibility ${i.visibility}`,
      () =>
        new ImageOpsError("FORBIDDEN", `image ${id} is a public image: only this account's own images are shared`, {
          field: "id",
          provider,
        }),
    );
    // a share hands out a usable image; an unshare takes back whatever is still there
    const usable = !this.sharing || i.status === "available" || !!ours;
    c.add(
      "state",
      usable,
      usable ? `status ${i.status}` : `image ${id} is ${i.status} (${i.providerStatus}), not available`,
      () =>
        new ImageOpsError(
          "CONFLICT",
          i.status === "failed"
            ? `image ${id} failed (${i.providerStatus}): a failed image is never shared`
            : `image ${id} is ${i.status} (${i.providerStatus}): share it once it is available`,
          { field: "id", provider },
        ),
    );
    const { send, already } = this.split();
    if (already.length)
      c.add(
        "already",
        true,
        this.sharing
          ? `already shared with ${already.join(", ")}: not sent again`
          : `not shared with ${already.join(", ")}: nothing to remove`,
      );
    c.add(
      "send",
      true,
      send.length ? `${this.request.action}: ${send.join(", ")}` : "nothing to send: the cloud already shows it as asked",
    );
    return c;
  }
}
