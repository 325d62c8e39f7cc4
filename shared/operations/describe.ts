import { ImageOpsError } from "../model/errors.js";
import { type OperationRecord, keyOfOperation, type OperationKind, type OperationState } from "./record.js";
import type { OperationStore } from "./store.js";

/** What anyone holding an operation id may learn of it (describe-operation, `/images status`). */
export interface OperationView {
  id: string;
  /** absent for a create (as before deletes existed) */
  kind?: OperationKind;
  state: OperationState;
  provider: string;
  account: string;
  region: string;
  /** a create's server and new image name */
  serverId?: string;
  name?: string;
  imageId?: string;
  /** a delete's image name, as it was when the delete was asked for */
  imageName?: string;
  /** a share's action and whom it names */
  action?: "share" | "unshare";
  targets?: string[];
  /** the policy whose run made the request */
  policy?: string;
  /** the Slack user who confirmed it, when it came from Slack (who made an image, for the one who asks again) */
  requestedBy?: string;
  scheduledAt?: string;
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
  const record = await store.get<OperationRecord>(keyOfOperation(id));
  const about = record ? requestView(record) : undefined;
  if (record && record.id === id) {
    const { state, imageId, claimedAt, sentAt, createdAt, endedAt, reason, attempts, tracking } = record;
    return strip({ id, ...about!, state, imageId, claimedAt, sentAt, createdAt, endedAt, reason, attempts, tracking });
  }
  const old = record?.history.find((h) => h.id === id);
  if (!record || !old) throw new ImageOpsError("NOT_FOUND", `no operation ${id} (records are kept 90 days)`, { field: "operation" });
  return strip({ ...about!, ...old, supersededBy: record.id });
}

/** The request's fields, by kind. */
function requestView(record: OperationRecord) {
  const { provider, account, region } = record.request;
  const requestedBy = record.notify?.requester;
  if (record.kind === "delete-image") {
    const r = record.request;
    return { kind: record.kind, provider, account, region, imageName: r.imageName, policy: r.origin?.policy, requestedBy };
  }
  if (record.kind === "share-image") {
    const r = record.request;
    return {
      kind: record.kind,
      provider,
      account,
      region,
      imageName: r.imageName,
      action: r.action,
      targets: r.targets,
      policy: r.origin?.policy,
    };
  }
  const r = record.request;
  return {
    provider,
    account,
    region,
    serverId: r.serverId,
    name: r.name,
    policy: r.origin?.policy,
    scheduledAt: r.origin?.scheduledAt,
    requestedBy,
  };
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
