import { createHash } from "node:crypto";
import { log } from "../log.js";
import type { ProviderName } from "../model/image.js";
import { MAX_STALE_ROUNDS } from "../operations/engine.js";
import type { RecordedShare } from "../operations/record.js";
import { type OperationStore, StaleRecord, type StoredRecord } from "../operations/store.js";

/**
 * Whom imageops shared an image with: one item per image (pk `shr-led-<provider>-<40 hex>`), each
 * target with the share operation that gave it the image and the policy that asked, if one did.
 * Written once a share or an unshare took; kept (no TTL) while the shares last. The audit reads it
 * to tell what imageops recorded from what was shared by hand.
 */
export interface ShareLedger extends StoredRecord {
  kind: "share-ledger";
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  targets: Record<string, { operation: string; policy?: string }>;
}

type Where = { provider: ProviderName; account: string; region: string; imageId: string };

export function shareLedgerKey(w: Where): string {
  const digest = createHash("sha256")
    .update(JSON.stringify([w.provider, w.account, w.region, w.imageId]))
    .digest("hex");
  return `shr-led-${w.provider}-${digest.slice(0, 40)}`;
}

/** Records that `request` took (operation `operation`): its targets added, or (unsharing) removed. Never fails the share. */
export async function recordShares(store: OperationStore, request: RecordedShare, operation: string, now: number): Promise<void> {
  const key = shareLedgerKey(request);
  for (let round = 0; round < MAX_STALE_ROUNDS; round++) {
    try {
      const was = await store.get<ShareLedger>(key);
      const targets = { ...(was?.targets ?? {}) };
      for (const t of request.targets) {
        const id = t.toLowerCase();
        if (request.action === "unshare") delete targets[id];
        else targets[id] = { operation, ...(request.origin ? { policy: request.origin.policy } : {}) };
      }
      const { provider, account, region, imageId } = request;
      const next: ShareLedger = {
        key,
        version: (was?.version ?? 0) + 1,
        claimedAt: was?.claimedAt ?? new Date(now).toISOString(),
        keep: true,
        kind: "share-ledger",
        provider,
        account,
        region,
        imageId,
        targets,
      };
      await store.put(next, was?.version);
      return;
    } catch (err) {
      if (err instanceof StaleRecord) continue;
      log("warn", "could not record whom an image is shared with", { imageId: request.imageId, operation, error: (err as Error).message });
      return;
    }
  }
}

/** The targets imageops recorded for an image (lower case), or undefined when it recorded none. */
export async function recordedShares(store: OperationStore, w: Where): Promise<Set<string> | undefined> {
  const ledger = await store.get<ShareLedger>(shareLedgerKey(w));
  return ledger ? new Set(Object.keys(ledger.targets)) : undefined;
}
