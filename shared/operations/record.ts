import { createHash } from "node:crypto";
import type { Image, ProviderName } from "../model/image.js";
import type { StoredRecord } from "./store.js";

/**
 * The durable record of one request that changes an image (one item per request key in the
 * operations table), of one of two kinds:
 *
 *   create-image   claimed → sent → created(imageId) → available | failed | stopped
 *   delete-image   claimed → sent → accepted → deleted | failed | stopped
 *   share-image    claimed → sent → accepted → shared | unshared | failed | stopped
 *
 * It is written *before* the cloud is called, so a retry, a lost answer or a concurrent twin is
 * recognised from the record, never from what the cloud happens to return about an image.
 * A create whose image was deleted or failed, or a delete the cloud refused, starts a new
 * generation of the same key: a new operation id, the old one kept in `history`.
 * What each state promises, and the engine that moves records between them: ./engine.ts.
 */
export type OperationKind = "create-image" | "delete-image" | "share-image";
export type OperationState =
  | "claimed"
  | "sent"
  | "created"
  | "available"
  | "failed"
  | "stopped"
  | "accepted"
  | "deleted"
  | "shared"
  | "unshared";

/** A request a policy's run made (shared/policies/): which policy, and the scheduled time of the run. */
export interface Origin {
  policy: string;
  scheduledAt: string;
}

export interface RecordedCreate {
  provider: ProviderName;
  account: string;
  region: string;
  serverId: string;
  name: string;
  description?: string;
  /** set when a policy's run made the request: part of the key, so each scheduled time is its own operation */
  origin?: Origin;
}

export interface RecordedDelete {
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  /** the image's name when the delete was asked for (for people reading the record) */
  imageName?: string;
  /** the policy whose retention asked for it; not part of the key: an image is deleted once, whoever asks */
  origin?: { policy: string };
}

/** A share or unshare of one image with a set of accounts (login ids at NCP, account ids at SCP). */
export interface RecordedShare {
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  action: "share" | "unshare";
  /** whom, sorted and without repeats: part of the key, so a repeat of the same request is the same operation */
  targets: string[];
  /** the targets the cloud did not list yet when the request was claimed: the ones its send adds (or, unsharing, the listed ones it removes) */
  sent?: string[];
  imageName?: string;
  /** the policy that asked (its `share:`, or its retention unsharing before a delete); not part of the key */
  origin?: { policy: string };
}

export interface OperationSummary {
  id: string;
  state: OperationState;
  imageId?: string;
  claimedAt: string;
  endedAt?: string;
  reason?: string;
}

/**
 * Where a restarted tracking run posts progress: what the record keeps of the request's Slack
 * target — never its response_url, which lets its holder post as the app and lives 30 minutes.
 */
export interface StoredNotify {
  channel: string;
  threadTs?: string;
  requester?: string;
}

/** The part of a progress target an operation record keeps. */
export function storedNotify(n: StoredNotify): StoredNotify {
  const out: StoredNotify = { channel: n.channel };
  if (n.threadTs) out.threadTs = n.threadTs;
  if (n.requester) out.requester = n.requester;
  return out;
}

interface RecordBase extends StoredRecord {
  /** hash of every field of the request that shapes the image (the key's fields and the description) */
  payloadHash: string;
  generation: number;
  /** the operation id of this generation */
  id: string;
  state: OperationState;
  claimedAt: string;
  /** who holds the claim, and until when (epoch ms): after that another attempt may take over */
  claimId: string;
  leaseUntil: number;
  /** claims of this generation (1 + takeovers of an interrupted attempt) */
  attempts: number;
  sentAt?: string;
  imageId?: string;
  /** a create: when the cloud answered with the image; a delete: when the cloud accepted it */
  createdAt?: string;
  /** the tracking run (a Step Functions execution name), written before it is started */
  tracking?: { execution: string; startedAt: string; runs: number };
  endedAt?: string;
  /** why it ended (failed, stopped) or what a takeover found */
  reason?: string;
  notify?: StoredNotify;
  history: OperationSummary[];
}

/** A create request's record (`kind` is absent on records written before deletes existed). */
export interface CreateRecord extends RecordBase {
  kind?: "create-image";
  /** the key is derived from provider, account, region, server and name (and a policy run's origin) */
  request: RecordedCreate;
}

/** A delete request's record: `imageId` is the image to delete, from the claim on. */
export interface DeleteRecord extends RecordBase {
  kind: "delete-image";
  /** the key is derived from provider, account, region and image id */
  request: RecordedDelete;
}

/** A share request's record: `imageId` is the image shared, from the claim on. */
export interface ShareRecord extends RecordBase {
  kind: "share-image";
  /** the key is derived from provider, account, region, image id, action and targets */
  request: RecordedShare;
}

export type OperationRecord = CreateRecord | DeleteRecord | ShareRecord;

/** Older generations kept on a record, for describe-operation. */
const HISTORY_LIMIT = 10;

/** The scheduled run a policy's request belongs to, in the key's hash (absent for every other request: their keys are unchanged). */
const originOf = (o: Origin | undefined) => (o ? [o.policy, o.scheduledAt] : []);

export function operationKey(p: Pick<RecordedCreate, "provider" | "account" | "region" | "serverId" | "name" | "origin">): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([p.provider, p.account, p.region, p.serverId, p.name, ...originOf(p.origin)]))
    .digest("hex");
  return `img-${p.provider}-${digest.slice(0, 40)}`;
}

export function payloadHash(r: RecordedCreate): string {
  return createHash("sha256")
    .update(JSON.stringify([r.provider, r.account, r.region, r.serverId, r.name, r.description ?? null, ...originOf(r.origin)]))
    .digest("hex")
    .slice(0, 32);
}

/** One delete operation per image: provider, account, region and id. */
export function deleteKey(p: Pick<RecordedDelete, "provider" | "account" | "region" | "imageId">): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(["delete-image", p.provider, p.account, p.region, p.imageId]))
    .digest("hex");
  return `del-${p.provider}-${digest.slice(0, 40)}`;
}

/** One share operation per image, action and set of targets. */
/**
 * Whether the cloud shows a share's targets as asked: every one listed (a share) or none of them
 * (an unshare), login and account ids compared without case. The share's proof, its tracking's end
 * and its dry run all read this one rule.
 */
export function showsAsAsked(request: Pick<RecordedShare, "action" | "targets">, members: readonly { id: string }[]): boolean {
  const listed = new Set(members.map((m) => m.id.toLowerCase()));
  return request.targets.every((t) => listed.has(t.toLowerCase()) === (request.action === "share"));
}

export function shareKey(p: Pick<RecordedShare, "provider" | "account" | "region" | "imageId" | "action" | "targets">): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(["share-image", p.provider, p.account, p.region, p.imageId, p.action, [...new Set(p.targets)].sort()]))
    .digest("hex");
  return `shr-${p.provider}-${digest.slice(0, 40)}`;
}

type AnyRequest = RecordedCreate | RecordedDelete | RecordedShare;
const isShare = (r: AnyRequest): r is RecordedShare => "action" in r && "targets" in r;
const isDelete = (r: AnyRequest): r is RecordedDelete => "imageId" in r && !isShare(r);

/** The key and payload hash of a request, whichever its kind. */
export function keyOf(r: AnyRequest): { key: string; hash: string; kind: OperationKind } {
  if (isShare(r)) {
    const key = shareKey(r);
    return { key, hash: key.slice(-32), kind: "share-image" };
  }
  if (isDelete(r)) {
    const key = deleteKey(r);
    return { key, hash: key.slice(-32), kind: "delete-image" };
  }
  return { key: operationKey(r), hash: payloadHash(r), kind: "create-image" };
}

/** Generation 1 keeps the key as its id (ids stay stable for the common case); later ones add `-N`. */
export function operationIdOf(key: string, generation: number): string {
  return generation === 1 ? key : `${key}-${generation}`;
}

/** The operation id a request will have: its record's, or the next generation's when it starts afresh. */
export function predictedOperationId(key: string, record: { id: string; generation: number } | undefined, startsAfresh: boolean): string {
  if (!record) return operationIdOf(key, 1);
  return startsAfresh ? operationIdOf(key, record.generation + 1) : record.id;
}

/** The record key an operation id belongs to. */
export function keyOfOperation(id: string): string {
  return id.replace(/-\d+$/, "");
}

/** Execution names are unique per state machine for 90 days: a restarted tracking gets `-tN`. */
export function executionName(id: string, run: number): string {
  return run === 1 ? id : `${id}-t${run}`;
}

export function summary(r: OperationRecord): OperationSummary {
  const s: OperationSummary = { id: r.id, state: r.state, claimedAt: r.claimedAt };
  if (r.imageId) s.imageId = r.imageId;
  if (r.endedAt) s.endedAt = r.endedAt;
  if (r.reason) s.reason = r.reason;
  return s;
}

export type Claim = { claimId: string; now: number; leaseUntil: number; notify?: StoredNotify };

/**
 * A fresh claim: generation 1 on a new key, or the next generation of a record whose operation
 * is over. The request's kind decides the key: a create's or a delete's.
 */
export function claimRecord(previous: CreateRecord | undefined, request: RecordedCreate, claim: Claim): CreateRecord;
export function claimRecord(previous: DeleteRecord | undefined, request: RecordedDelete, claim: Claim): DeleteRecord;
export function claimRecord(previous: ShareRecord | undefined, request: RecordedShare, claim: Claim): ShareRecord;
export function claimRecord(previous: OperationRecord | undefined, request: AnyRequest, claim: Claim): OperationRecord {
  const { key, hash, kind } = keyOf(request);
  const generation = (previous?.generation ?? 0) + 1;
  const record = {
    key,
    version: (previous?.version ?? 0) + 1,
    request,
    payloadHash: hash,
    generation,
    id: operationIdOf(key, generation),
    state: "claimed",
    claimedAt: new Date(claim.now).toISOString(),
    claimId: claim.claimId,
    leaseUntil: claim.leaseUntil,
    attempts: 1,
    history: previous ? [summary(previous), ...previous.history].slice(0, HISTORY_LIMIT) : [],
  } as OperationRecord;
  if (kind === "delete-image" || kind === "share-image") Object.assign(record, { kind, imageId: (request as RecordedDelete).imageId });
  // an image a policy made is kept on record while the policy's retention may delete it
  if (!isDelete(request) && request.origin) record.keep = true;
  if (claim.notify) record.notify = storedNotify(claim.notify);
  return record;
}

/**
 * What the cloud shows of the image a record is about, as the engine read it:
 * - present: read (with the status it has now);
 * - gone: proven absent — for a create's image, a describe and the list by name agree, after the
 *   grace the cloud has to make a new image readable; for a delete's, the cloud no longer knows it;
 * - unseen: not readable now, but not proven gone (a new image the cloud does not show yet).
 */
export type Sighting =
  | {
      seen: "present";
      image: Image;
      /** a share's: whether the cloud already shows what it asks (every target listed; unsharing, none) */
      done?: boolean;
    }
  | { seen: "gone" }
  | { seen: "unseen" };

/**
 * Whether the record's tracking run is still going, as Step Functions says: `ended` (any end)
 * while the record is not final means the run died unrecorded; `missing`: it was never started.
 * `unknown` when Step Functions could not be asked.
 */
export type TrackingStatus = "running" | "ended" | "missing" | "unknown";

/**
 * What a request must do, given the record of its key, what the cloud shows of the record's
 * image (when the record names one) and whether its tracking still runs. Pure, so the dry run
 * can predict exactly what Confirm will do.
 *   start       claim a new generation and send (the first, or after the last one ended for good)
 *   conflict    another payload holds this key
 *   wait        a twin holds the claim until `until`
 *   take-over   the claim's lease ran out: finish an interrupted attempt (it may have sent)
 *   track       the cloud took the request but nothing follows it: start a tracking run
 *   existing    answer the operation as it is
 */
export type Decision =
  | { action: "start"; reason: string }
  | { action: "conflict"; message: string }
  | { action: "wait"; until: number }
  | { action: "take-over"; sent: boolean }
  | { action: "track"; reason: string }
  | { action: "existing" };

export function decide(
  record: OperationRecord | undefined,
  hash: string,
  now: number,
  sighting?: Sighting,
  tracking: TrackingStatus = "unknown",
): Decision {
  if (!record) return { action: "start", reason: "no earlier request" };
  if (record.kind === "delete-image") return decideDelete(record, now, sighting, tracking);
  if (record.kind === "share-image") return decideShare(record, now, sighting, tracking);
  const image = sighting?.seen === "present" ? sighting.image : undefined;
  if (record.state === "failed" && !record.imageId)
    return { action: "start", reason: `the earlier attempt made no image (${record.reason ?? "refused"})` };
  if (sighting?.seen === "gone") return { action: "start", reason: `image ${record.imageId} of operation ${record.id} no longer exists` };
  if (record.state === "failed" || image?.status === "failed")
    return { action: "start", reason: `image ${record.imageId} of operation ${record.id} failed` };
  if (record.payloadHash !== hash) {
    return {
      action: "conflict",
      message: `operation ${record.id} with other parameters (e.g. a different description) exists for this server and name (${record.state})`,
    };
  }
  return decideLive(record, now, tracking);
}

/** What claim, take-over and tracking mean alike for both kinds, once the record is this request's and not over. */
function decideLive(record: OperationRecord, now: number, tracking: TrackingStatus): Decision {
  if (record.state === "claimed" || record.state === "sent") {
    if (now < record.leaseUntil) return { action: "wait", until: record.leaseUntil };
    return { action: "take-over", sent: record.state === "sent" };
  }
  const took = record.state === "created" || record.state === "accepted";
  if (took && !record.tracking) return { action: "track", reason: "tracking had not started" };
  if (took && tracking === "missing") return { action: "track", reason: `tracking run ${record.tracking!.execution} never started` };
  if (took && tracking === "ended")
    return { action: "track", reason: `tracking run ${record.tracking!.execution} ended without recording an outcome` };
  if (record.state === "stopped") return { action: "track", reason: `tracking had stopped (${record.reason ?? "no reason recorded"})` };
  return { action: "existing" };
}

/**
 * A delete's decision. The image being gone is the goal, not a reason to start again: only a
 * delete that did not happen starts a new generation — refused (`failed`), or tracking stopped
 * with the image still there and nothing deleting it.
 */
function decideDelete(record: DeleteRecord, now: number, sighting: Sighting | undefined, tracking: TrackingStatus): Decision {
  if (record.state === "failed") return { action: "start", reason: `the earlier delete did not happen (${record.reason ?? "refused"})` };
  if (record.state === "stopped" && sighting?.seen === "present" && sighting.image.status !== "deleting")
    return {
      action: "start",
      reason: `image ${record.imageId} is still there (${sighting.image.status}): the earlier delete did not take`,
    };
  return decideLive(record, now, tracking);
}

/**
 * A share's decision. What the cloud shows is the goal: a share that ended (or was refused) whose
 * targets the cloud no longer shows as asked — someone unshared by hand, say — starts a new
 * generation, which sends only what is missing; one the cloud shows done is answered as it is.
 */
function decideShare(record: ShareRecord, now: number, sighting: Sighting | undefined, tracking: TrackingStatus): Decision {
  const what = record.request.action === "share" ? "shared with" : "unshared from";
  if (record.state === "failed")
    return { action: "start", reason: `the earlier ${record.request.action} did not happen (${record.reason ?? "refused"})` };
  const over = record.state === "shared" || record.state === "unshared" || record.state === "stopped";
  if (over && sighting?.seen === "present" && sighting.done === false)
    return { action: "start", reason: `the cloud no longer shows image ${record.imageId} ${what} every target` };
  return decideLive(record, now, tracking);
}

/**
 * What the request will do when it is sent without dryRun, as the dry run's `operation` check says
 * it: always a sentence about REQUEST (the API has no Confirm; Slack's card says "Confirm" for it,
 * shared/images/verdict.ts).
 */
export const REQUEST = "the request";

export function predict(
  decision: Decision,
  record: OperationRecord | undefined,
  kind: OperationKind = record?.kind ?? "create-image",
): string {
  const what = kind === "delete-image" ? predictDelete : kind === "share-image" ? predictShare : predictCreate;
  return `${REQUEST} ${what(decision, record)}`;
}

function predictCreate(decision: Decision, record: OperationRecord | undefined): string {
  switch (decision.action) {
    case "start":
      return record ? `creates a new image: ${decision.reason}` : "creates the image";
    case "conflict":
      return `is refused: ${decision.message}`;
    case "wait":
      return `answers operation ${record!.id}, which is creating the image right now`;
    case "take-over":
      return decision.sent
        ? `looks for the image of operation ${record!.id} (interrupted after sending) before creating anything`
        : `creates the image (operation ${record!.id} was interrupted before sending)`;
    case "track":
      return `tracks image ${record!.imageId} of operation ${record!.id} again: ${decision.reason}`;
    case "existing":
      return `answers operation ${record!.id} (image ${record!.imageId}, ${record!.state}); nothing new is created`;
  }
}

function predictShare(decision: Decision, record: OperationRecord | undefined): string {
  switch (decision.action) {
    case "start":
      return record ? `sends it again: ${decision.reason}` : "sends it";
    case "conflict":
      return `is refused: ${decision.message}`;
    case "wait":
      return `answers operation ${record!.id}, which is doing this right now`;
    case "take-over":
      return decision.sent
        ? `looks at what the cloud shows before sending anything (operation ${record!.id} was interrupted after sending)`
        : `sends it (operation ${record!.id} was interrupted before sending)`;
    case "track":
      return `follows operation ${record!.id} again: ${decision.reason}`;
    case "existing":
      return `answers operation ${record!.id} (${record!.state}); nothing is sent again`;
  }
}

function predictDelete(decision: Decision, record: OperationRecord | undefined): string {
  switch (decision.action) {
    case "start":
      return record ? `sends the delete again: ${decision.reason}` : "deletes the image";
    case "conflict":
      return `is refused: ${decision.message}`;
    case "wait":
      return `answers operation ${record!.id}, which is deleting the image right now`;
    case "take-over":
      return decision.sent
        ? `checks whether the image is already going before sending anything (operation ${record!.id} was interrupted after sending)`
        : `deletes the image (operation ${record!.id} was interrupted before sending)`;
    case "track":
      return `follows the deletion of image ${record!.imageId} by operation ${record!.id} again: ${decision.reason}`;
    case "existing":
      return `answers operation ${record!.id} (${record!.state === "deleted" ? "the image is deleted" : `deletion ${record!.state}`}); nothing is sent again`;
  }
}
