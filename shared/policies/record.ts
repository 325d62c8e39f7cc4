import { createHash } from "node:crypto";
import type { StoredRecord } from "../operations/store.js";

/**
 * A policy's items in the operations table, all under its key (`pol-<name>-<hash>`), each
 * bounded whatever the policy's settings (DynamoDB holds at most 400 KB an item):
 *
 * | item | sort key | kept |
 * |---|---|---|
 * | one run: its claim (one delivery of a scheduled time runs it, a twin sees it claimed or done), its images, its summary | `run#<scheduledAt>` | 90 days (TTL) |
 * | one ledger entry: an image this policy's runs made — the only images its retention may ever delete, each confirmed again by the image's own create record | `img#<operation>` | while the image lives; 90 days after its deletion |
 *
 * A run holds at most one item per server (≤ 20) and its summary at most MAX_DELETES_PER_RUN
 * deletes and KEPT_LISTED_PER_SERVER kept images per server, with reasons clipped to
 * REASON_MAX characters: `test/unit/policy-record.test.ts` holds the largest one the schema
 * allows under the limit.
 */

export interface LedgerEntry extends StoredRecord {
  kind: "ledger";
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
  /** its deletion is over: the entry only waits for its TTL */
  deleted?: true;
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
  /** how many images retention kept in all */
  keptCount: number;
  /** the newest of them, at most KEPT_LISTED_PER_SERVER per server */
  kept: Array<{ server: string; name: string; imageId: string }>;
  deleted: Array<{ server: string; name: string; imageId: string; operation: string }>;
  /** new images shared as the policy's `share:` says (absent on runs before shares existed) */
  shared?: Array<{ server: string; imageId: string; targets: string[]; operation: string }>;
  failed: Array<{ what: string; reason: string }>;
  /** retention left for a later run, and why (the new image is not available, or this run deleted its share) */
  deferred: Array<{ server: string; reason: string }>;
}

/** One run of a policy, for one scheduled time (its own item). */
export interface PolicyRun extends StoredRecord {
  kind: "policy-run";
  policy: string;
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

/** What a run answers and shows: the run without its storage fields. */
export type RunView = Omit<PolicyRun, "key" | "sort" | "version" | "claimedAt" | "keep" | "kind" | "claimId" | "leaseUntil">;

/** Runs a policy's list reads (the latest, newest first). */
export const RUNS_LISTED = 20;
/** Images one run deletes at most; the rest are the next run's (a run lasts one invocation of at most 900 s). */
export const MAX_DELETES_PER_RUN = 50;
export const KEPT_LISTED_PER_SERVER = 5;
/** A reason a run records (a cloud's message can be long). */
export const REASON_MAX = 500;

export function policyKey(name: string): string {
  // names are validated ([a-z0-9-]); the digest keeps the key's form whatever they become
  return `pol-${name}-${createHash("sha256").update(name).digest("hex").slice(0, 12)}`;
}

export const runSort = (scheduledAt: string) => `run#${scheduledAt}`;
export const RUN_PREFIX = "run#";
export const ledgerSort = (operation: string) => `img#${operation}`;
export const LEDGER_PREFIX = "img#";

export function clipReason(reason: string): string {
  return reason.length > REASON_MAX ? `${reason.slice(0, REASON_MAX - 1)}…` : reason;
}

export function runView(run: PolicyRun): RunView {
  const { key: _k, sort: _s, version: _v, claimedAt: _c, keep: _keep, kind: _kind, claimId: _id, leaseUntil: _l, ...view } = run;
  return view;
}
