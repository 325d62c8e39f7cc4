import { createHash } from "node:crypto";
import type { StoredRecord } from "../operations/record.js";

/**
 * A policy's own record in the operations table (key `pol-<name>`, kept without expiry): its
 * recent runs, each claimed like an operation (one delivery of a scheduled time runs it, a twin
 * sees it claimed or done), and the ledger of the images its runs made — the only images its
 * retention may ever delete, each confirmed again by the image's own create record.
 */
export interface PolicyRecord extends StoredRecord {
  kind: "policy";
  policy: string;
  keep: true;
  /** newest first, at most RUNS_KEPT */
  runs: PolicyRun[];
  /** images this policy's runs made and has not deleted yet */
  images: LedgerEntry[];
}

export interface LedgerEntry {
  /** the create operation (its record says origin.policy and imageId) */
  operation: string;
  serverId: string;
  imageId: string;
  name: string;
  scheduledAt: string;
  /** where it was made (the account and region the policy resolved to) */
  account?: string;
  region?: string;
  /** the delete operation retention started for it */
  deleting?: string;
}

export type RunTrigger = "schedule" | "manual";

export interface RunItem {
  /** the server as the policy names it (an id or a name) */
  server: string;
  serverId?: string;
  name?: string;
  operation?: string;
  imageId?: string;
  state: "creating" | "available" | "failed" | "stopped";
  /** why no image was made, or why it ended without being available */
  reason?: string;
}

export interface RunSummary {
  made: Array<{ server: string; name: string; imageId: string; state: RunItem["state"] }>;
  kept: Array<{ server: string; name: string; imageId: string }>;
  deleted: Array<{ server: string; name: string; imageId: string; operation: string }>;
  failed: Array<{ what: string; reason: string }>;
  /** retention left for a later run, and why (the new image is not available) */
  deferred: Array<{ server: string; reason: string }>;
}

export interface PolicyRun {
  scheduledAt: string;
  trigger: RunTrigger;
  requestedBy?: string;
  /** running: being carried out (claimed); waiting: its images are still being made, a continuation finishes it; done */
  state: "running" | "waiting" | "done";
  claimId: string;
  leaseUntil: number;
  startedAt: string;
  endedAt?: string;
  items: RunItem[];
  summary?: RunSummary;
  /** where the summary went, or why it did not */
  posted?: { channel: string; ts: string } | { channel: string; error: string };
}

export const RUNS_KEPT = 20;

export function policyKey(name: string): string {
  // names are validated ([a-z0-9-]); the digest keeps the key's form whatever they become
  return `pol-${name}-${createHash("sha256").update(name).digest("hex").slice(0, 12)}`;
}

export function emptyPolicyRecord(name: string, now: number): PolicyRecord {
  return {
    key: policyKey(name),
    version: 0,
    claimedAt: new Date(now).toISOString(),
    keep: true,
    kind: "policy",
    policy: name,
    runs: [],
    images: [],
  };
}
