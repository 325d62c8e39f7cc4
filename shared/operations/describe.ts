import { ImageOpsError } from "../model/errors.js";
import { keyOfOperation, type OperationState } from "./record.js";
import type { OperationStore } from "./store.js";

/** What anyone holding an operation id may learn of it (describe-operation, `/images status`). */
export interface OperationView {
  id: string;
  state: OperationState;
  provider: string;
  account: string;
  region: string;
  serverId: string;
  name: string;
  imageId?: string;
  claimedAt: string;
  sentAt?: string;
  createdAt?: string;
  endedAt?: string;
  reason?: string;
  attempts?: number;
  tracking?: { execution: string; startedAt: string; runs: number };
  /** set on an earlier generation: the operation the same request has now */
  supersededBy?: string;
}

export async function describeOperation(store: OperationStore, id: string): Promise<OperationView> {
  const record = await store.get(keyOfOperation(id));
  const { provider, account, region, serverId, name } = record?.request ?? ({} as Record<string, string>);
  if (record && record.id === id) {
    const { state, imageId, claimedAt, sentAt, createdAt, endedAt, reason, attempts, tracking } = record;
    return strip({ id, state, provider, account, region, serverId, name, imageId, claimedAt, sentAt, createdAt, endedAt, reason, attempts, tracking });
  }
  const old = record?.history.find((h) => h.id === id);
  if (!record || !old) throw new ImageOpsError("NOT_FOUND", `no operation ${id} (records are kept 90 days)`, { field: "operation" });
  return strip({ ...old, provider, account, region, serverId, name, supersededBy: record.id });
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
