import { createHash } from "node:crypto";
import { ImageOpsError } from "../model/errors.js";
import type { ProviderName } from "../model/image.js";
import type { CreateRecord, CreateRequestFields } from "./record.js";
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
}

type Where = Pick<CreateRequestFields, "provider" | "account" | "region" | "name">;

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

/** The live create of another key that holds this name, if any. */
export async function nameHolder(store: OperationStore, w: Where, ownKey: string, now: number): Promise<CreateRecord | undefined> {
  const claim = await store.get<NameClaim>(nameKey(w));
  if (!claim || claim.holder === ownKey) return undefined;
  const holder = await store.get<CreateRecord>(claim.holder);
  return holder && holder.id === claim.operation && holdsName(holder, now) ? holder : undefined;
}

/** Why a name cannot be had: the operation holding it, and how to settle it. */
export function nameHeld(name: string, holder: CreateRecord): ImageOpsError {
  const by = `operation ${holder.id} (server ${holder.request.serverId}, ${holder.state} since ${holder.sentAt ?? holder.claimedAt})`;
  return new ImageOpsError("CONFLICT", `name "${name}" is being used by ${by}: choose another name, or wait until that image exists`, {
    field: "name",
    provider: holder.request.provider,
  });
}

/**
 * Claims the name for `record` (written just before the record's own claim): a conditional
 * write, so of two creates of one name from different servers exactly one gets it; the other is
 * refused CONFLICT naming the holder. StaleRecord when another writer changed the claim meanwhile.
 */
export async function claimName(store: OperationStore, record: CreateRecord, now: number): Promise<void> {
  const key = nameKey(record.request);
  const current = await store.get<NameClaim>(key);
  if (current && current.holder !== record.key) {
    const holder = await store.get<CreateRecord>(current.holder);
    if (holder && holder.id === current.operation && holdsName(holder, now)) throw nameHeld(record.request.name, holder);
  }
  if (current?.holder === record.key && current.operation === record.id) return;
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
  };
  try {
    await store.put(next, current?.version);
  } catch (err) {
    if (err instanceof StaleRecord) throw new StaleRecord(record.key);
    throw err;
  }
}
