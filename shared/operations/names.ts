import { createHash } from "node:crypto";
import { ImageOpsError } from "../model/errors.js";
import type { ProviderName } from "../model/image.js";
import type { CreateRecord, RecordedCreate } from "./record.js";
import { type OperationStore, StaleRecord, type StoredRecord } from "./store.js";

/**
 * An image name's claim: one item per provider, account, region and name (key `name-…`), naming
 * the create operation that holds the name. A create claims its name together with its record
 * (a conditional write), so while it is live no other create — from another server — may send
 * that name. That is what makes an image found by name after an ambiguous send provably this
 * operation's, on clouds that cannot say which server an image came from (NCP's KVM images).
 */
export interface NameClaim extends StoredRecord {
  kind: "name";
  provider: ProviderName;
  account: string;
  region: string;
  name: string;
  /** the record key of the create that holds the name, and its operation id (generation) */
  holder: string;
  operation: string;
  /** the claimer's lease: until then the name is held even before the holder's record is written */
  leaseUntil: number;
}

type Where = Pick<RecordedCreate, "provider" | "account" | "region" | "name">;

export function nameKey(w: Where): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(["name", w.provider, w.account, w.region, w.name]))
    .digest("hex");
  return `name-${w.provider}-${digest.slice(0, 40)}`;
}

/**
 * Whether a create record holds its name: from its claim until the cloud shows its image (then
 * the image itself holds the name, and the name-free check sees it), or, sent and never
 * answered, until a request of its own settles it. A claim whose attempt died before sending
 * holds nothing.
 */
export function holdsName(r: CreateRecord, now: number): boolean {
  if (r.state === "claimed") return now < r.leaseUntil;
  return r.state === "sent" || r.state === "created";
}

/**
 * Who holds a claim: its create's record while that holds the name; or, while the claimer's
 * lease runs, the claim itself — its generation's record not written yet (the key may have none,
 * or an older generation's).
 */
async function liveHolder(store: OperationStore, claim: NameClaim, now: number): Promise<Holder | undefined> {
  const record = await store.get<CreateRecord>(claim.holder);
  if (record?.id === claim.operation) return holdsName(record, now) ? record : undefined;
  return now < claim.leaseUntil ? claim : undefined;
}

type Holder = CreateRecord | NameClaim;

/** The live create of another key that holds this name, if any. */
export async function nameHolder(store: OperationStore, w: Where, ownKey: string, now: number): Promise<Holder | undefined> {
  const claim = await store.get<NameClaim>(nameKey(w));
  if (!claim || claim.holder === ownKey) return undefined;
  return liveHolder(store, claim, now);
}

/** Why a name cannot be had: the operation holding it, and how to settle it. */
export function nameHeld(name: string, holder: Holder): ImageOpsError {
  if (holder.kind === "name")
    return new ImageOpsError(
      "CONFLICT",
      `name "${name}" is being claimed by operation ${holder.operation} right now: choose another name, or retry in a minute`,
      {
        field: "name",
        provider: holder.provider,
      },
    );
  const by = `operation ${holder.id} (server ${holder.request.serverId}, ${holder.state} since ${holder.sentAt ?? holder.claimedAt})`;
  return new ImageOpsError("CONFLICT", `name "${name}" is being used by ${by}: choose another name, or wait until that image exists`, {
    field: "name",
    provider: holder.request.provider,
  });
}

/**
 * Claims the name for `record` (written just before the record's own claim, and again by an
 * attempt that takes an unsent claim over): a conditional write, so of two creates of one name
 * from different servers exactly one gets it; the other is refused CONFLICT naming the holder.
 * Written even when this key held it already: the claim's lease must be this attempt's, or a
 * claim left by a dead attempt could be taken between this check and the record's write.
 * StaleRecord when another writer changed the claim meanwhile.
 */
export async function claimName(store: OperationStore, record: CreateRecord, now: number): Promise<void> {
  const key = nameKey(record.request);
  const current = await store.get<NameClaim>(key);
  if (current && current.holder !== record.key) {
    const holder = await liveHolder(store, current, now);
    if (holder) throw nameHeld(record.request.name, holder);
  }
  const { provider, account, region, name } = record.request;
  const next: NameClaim = {
    key,
    version: (current?.version ?? 0) + 1,
    claimedAt: new Date(now).toISOString(),
    kind: "name",
    provider,
    account,
    region,
    name,
    holder: record.key,
    operation: record.id,
    leaseUntil: record.leaseUntil,
  };
  try {
    await store.put(next, current?.version);
  } catch (err) {
    if (err instanceof StaleRecord) throw new StaleRecord(record.key);
    throw err;
  }
}
