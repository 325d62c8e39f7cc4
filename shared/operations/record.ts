import { createHash } from "node:crypto";
import type { Image, ProviderName } from "../model/image.js";

/**
 * The durable record of one create request (one item per request key in the operations table).
 * It is written *before* the cloud is called, so a retry, a lost answer or a concurrent twin is
 * recognised from the record, never from what the cloud happens to return about an image.
 *
 *   claimed → sent → created(imageId) → available | failed | stopped
 *
 * A request whose image was deleted or failed starts a new generation of the same key: a new
 * operation id, the old one kept in `history`.
 */
export type OperationState = "claimed" | "sent" | "created" | "available" | "failed" | "stopped";

export interface CreateRequestFields {
  provider: ProviderName;
  account: string;
  region: string;
  serverId: string;
  name: string;
  description?: string;
}

export interface OperationSummary {
  id: string;
  state: OperationState;
  imageId?: string;
  claimedAt: string;
  endedAt?: string;
  reason?: string;
}

export interface OperationRecord {
  /** derived from provider, account, region, server and name */
  key: string;
  /** optimistic-concurrency counter: every write is conditional on the version it read */
  version: number;
  request: CreateRequestFields;
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
  createdAt?: string;
  tracking?: { execution: string; startedAt: string; runs: number };
  endedAt?: string;
  /** why it ended (failed, stopped) or what a takeover found */
  reason?: string;
  /** where progress is posted, so a restarted tracking posts there too */
  notify?: { channel: string; threadTs?: string };
  history: OperationSummary[];
}

/** How long after the claim a record is kept (DynamoDB TTL); Step Functions keeps execution names as long. */
export const RECORD_TTL_DAYS = 90;
/** Older generations kept on a record, for describe-operation. */
const HISTORY_LIMIT = 10;

export function operationKey(p: Pick<CreateRequestFields, "provider" | "account" | "region" | "serverId" | "name">): string {
  const digest = createHash("sha256").update(JSON.stringify([p.provider, p.account, p.region, p.serverId, p.name])).digest("hex");
  return `img-${p.provider}-${digest.slice(0, 40)}`;
}

export function payloadHash(r: CreateRequestFields): string {
  return createHash("sha256")
    .update(JSON.stringify([r.provider, r.account, r.region, r.serverId, r.name, r.description ?? null]))
    .digest("hex")
    .slice(0, 32);
}

/** Generation 1 keeps the key as its id (ids stay stable for the common case); later ones add `-N`. */
export function operationIdOf(key: string, generation: number): string {
  return generation === 1 ? key : `${key}-${generation}`;
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

/** A fresh claim: generation 1 on a new key, or the next generation of a record whose operation is over. */
export function claimRecord(
  previous: OperationRecord | undefined,
  request: CreateRequestFields,
  claim: { claimId: string; now: number; leaseUntil: number; notify?: OperationRecord["notify"] },
): OperationRecord {
  const key = operationKey(request);
  const generation = (previous?.generation ?? 0) + 1;
  const record: OperationRecord = {
    key,
    version: (previous?.version ?? 0) + 1,
    request,
    payloadHash: payloadHash(request),
    generation,
    id: operationIdOf(key, generation),
    state: "claimed",
    claimedAt: new Date(claim.now).toISOString(),
    claimId: claim.claimId,
    leaseUntil: claim.leaseUntil,
    attempts: 1,
    history: previous ? [summary(previous), ...previous.history].slice(0, HISTORY_LIMIT) : [],
  };
  if (claim.notify) record.notify = claim.notify;
  return record;
}

/**
 * What a create request must do, given the record of its key and (when the record names an
 * image) what the cloud says of that image: `null` when it is gone. Pure, so the dry run can
 * predict exactly what Confirm will do.
 */
export type Decision =
  | { action: "create"; reason: string }
  | { action: "conflict"; message: string }
  | { action: "wait"; until: number }
  | { action: "take-over"; sent: boolean }
  | { action: "track"; reason: string }
  | { action: "existing" };

export function decide(record: OperationRecord | undefined, hash: string, now: number, image?: Image | null): Decision {
  if (!record) return { action: "create", reason: "no earlier request" };
  const gone = image === null;
  const failed = record.state === "failed" || image?.status === "failed";
  if (record.state === "failed" && !record.imageId) return { action: "create", reason: `the earlier attempt made no image (${record.reason ?? "refused"})` };
  if (gone) return { action: "create", reason: `image ${record.imageId} of operation ${record.id} no longer exists` };
  if (failed) return { action: "create", reason: `image ${record.imageId} of operation ${record.id} failed` };
  if (record.payloadHash !== hash) {
    return { action: "conflict", message: `operation ${record.id} with other parameters (e.g. a different description) exists for this server and name (${record.state})` };
  }
  if (record.state === "claimed" || record.state === "sent") {
    if (now < record.leaseUntil) return { action: "wait", until: record.leaseUntil };
    return { action: "take-over", sent: record.state === "sent" };
  }
  if (record.state === "created" && !record.tracking) return { action: "track", reason: "tracking had not started" };
  if (record.state === "stopped") return { action: "track", reason: `tracking had stopped (${record.reason ?? "no reason recorded"})` };
  return { action: "existing" };
}

/** What the dry run says Confirm will do. */
export function predict(decision: Decision, record: OperationRecord | undefined): string {
  switch (decision.action) {
    case "create":
      return record ? `Confirm creates a new image: ${decision.reason}` : "Confirm creates the image";
    case "conflict":
      return `Confirm is refused: ${decision.message}`;
    case "wait":
      return `operation ${record!.id} is being created right now: Confirm answers it`;
    case "take-over":
      return decision.sent
        ? `operation ${record!.id} was interrupted after sending: Confirm looks for its image before creating anything`
        : `operation ${record!.id} was interrupted before sending: Confirm creates the image`;
    case "track":
      return `Confirm tracks image ${record!.imageId} of operation ${record!.id} again: ${decision.reason}`;
    case "existing":
      return `Confirm answers operation ${record!.id} (image ${record!.imageId}, ${record!.state}); nothing new is created`;
  }
}
