import { MAX_STALE_ROUNDS, writeRecord } from "../operations/engine.js";
import { keyOfOperation, type OperationRecord } from "../operations/record.js";
import { type OperationStore, StaleRecord } from "../operations/store.js";
import { LEDGER_PREFIX, type LedgerEntry, ledgerSort, policyKey } from "./record.js";
import type { Policy } from "./schema.js";

/**
 * A policy's ledger: one item per image its runs made (policies/record.ts), so it grows with
 * the images a policy keeps, never into one item's limit. Retention deletes only what is here,
 * and only after the image's own create record confirms it (madeByThisPolicy).
 */

export type NewEntry = Omit<LedgerEntry, "key" | "sort" | "version" | "claimedAt" | "keep" | "kind">;

/** Records an image a run made; a second record of the same operation (a run carried out twice) changes nothing. */
export async function addEntry(store: OperationStore, policy: string, entry: NewEntry, now: number): Promise<void> {
  const item: LedgerEntry = {
    key: policyKey(policy),
    sort: ledgerSort(entry.operation),
    version: 1,
    claimedAt: new Date(now).toISOString(),
    keep: true,
    kind: "ledger",
    ...entry,
  };
  await store.put(item, undefined).catch((err) => {
    if (!(err instanceof StaleRecord)) throw err;
  });
}

/**
 * The images the policy has not deleted, with those whose deletion is over set aside (their
 * entries then expire): a deletion that ended deleted is done; one that failed is tried again
 * by a later run.
 */
export async function liveEntries(store: OperationStore, policy: string, now: number): Promise<LedgerEntry[]> {
  const entries = await store.query<LedgerEntry>(policyKey(policy), LEDGER_PREFIX);
  const live: LedgerEntry[] = [];
  for (const e of entries) {
    if (e.deleted) continue;
    if (!e.deleting) {
      live.push(e);
      continue;
    }
    const d = await store.get<OperationRecord>(keyOfOperation(e.deleting));
    if (d?.id === e.deleting && d.state === "deleted") await markDeleted(store, e, now);
    else if (d?.id === e.deleting && d.state === "failed") live.push(await update(store, e, { deleting: undefined }));
    else live.push(e);
  }
  return live;
}

/** The entry's image is being deleted by `operation`. */
export function markDeleting(store: OperationStore, e: LedgerEntry, operation: string): Promise<LedgerEntry> {
  return update(store, e, { deleting: operation });
}

/** The entry's image is gone: it is kept 90 days (TTL) for whoever reads the ledger, then expires. */
export async function markDeleted(store: OperationStore, e: LedgerEntry, now: number): Promise<void> {
  await update(store, e, { deleted: true, keep: undefined, claimedAt: new Date(now).toISOString() });
}

/** A change written on the version read; against a concurrent writer, applied again to what it wrote. */
async function update(store: OperationStore, e: LedgerEntry, change: Partial<LedgerEntry>): Promise<LedgerEntry> {
  let current = e;
  for (let round = 0; ; round++) {
    try {
      return await writeRecord(store, current, change);
    } catch (err) {
      if (!(err instanceof StaleRecord) || round >= MAX_STALE_ROUNDS) throw err;
      current = (await store.get<LedgerEntry>(e.key, e.sort)) ?? current;
    }
  }
}

/**
 * Whether the entry's image is one this policy made, by its create record: the operation of that
 * id, of this policy, that made this very image, which became available. Never by name.
 */
export async function madeByThisPolicy(store: OperationStore, policy: Policy, entry: LedgerEntry): Promise<boolean> {
  const r = await store.get<OperationRecord>(keyOfOperation(entry.operation));
  if (!r || r.kind === "delete-image") return false;
  return r.id === entry.operation && r.request.origin?.policy === policy.name && r.imageId === entry.imageId && r.state === "available";
}

/** A create record whose image retention deleted no longer needs keeping forever: it expires like any other. */
export async function releaseCreateRecord(store: OperationStore, operation: string): Promise<void> {
  const r = await store.get<OperationRecord>(keyOfOperation(operation)).catch(() => undefined);
  if (!r?.keep) return;
  await writeRecord(store, r, { keep: undefined }).catch(() => undefined);
}
