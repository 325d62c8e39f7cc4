import { createHash } from "node:crypto";
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoTable, isConditionFailure } from "../dynamo.js";
import { log } from "../log.js";
import { text } from "../config.js";

/**
 * The Slack requests already handled, across every container: a signed request replayed to
 * another container, Slack's retry of one that already ran, a double click. Keyed on Slack's own
 * ids (a command's trigger_id; a click's trigger_id and action_ts; a Confirm's user, message and
 * value), each claimed by one conditional put before anything is dispatched, for a short while:
 * Slack refuses a request whose timestamp is more than 5 minutes off (the signature window,
 * ./signature.ts), so no copy of it can arrive later than 10 minutes after it was signed.
 * A retry (X-Slack-Retry-Num) is claimed like the first attempt: it runs only when no attempt did.
 */
export const REMEMBER_MS = 15 * 60_000;

/** Where claims live: the operations table (`slack#seen#…` items, TTL'd), behind this port. */
export interface SeenStore {
  /** true when this is the first claim of `key` still remembered; false when another holds it */
  claim(key: string, until: number): Promise<boolean>;
  /** lets the key be claimed again (its first attempt could not be dispatched) */
  release(key: string): Promise<void>;
}

/** Keys are hashed: a Confirm's key holds its button's value (up to 2000 characters), a partition key at most 2048 bytes. */
const itemKey = (key: string) => ({ pk: `slack#seen#${createHash("sha256").update(key).digest("hex")}`, sk: "seen" });

/**
 * One conditional put per claim, on a client of its own: one attempt, answered within 800 ms or
 * given up, because it sits in the 3-second ack path. DynamoDB deletes expired items lazily, so
 * an expired or released claim is taken over by the condition itself.
 */
export class DynamoSeenStore extends DynamoTable implements SeenStore {
  constructor(
    table = text("OPERATIONS_TABLE") ?? "",
    config: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {
    super(table, { maxAttempts: 1, requestHandler: { requestTimeout: 800, connectionTimeout: 800 }, ...config });
  }

  async claim(key: string, until: number): Promise<boolean> {
    try {
      await this.db().send(
        new PutCommand({
          TableName: this.table,
          Item: { ...itemKey(key), expiresAt: Math.ceil(until / 1000) },
          ConditionExpression: "attribute_not_exists(pk) OR expiresAt < :now OR released = :yes",
          ExpressionAttributeValues: { ":now": Math.floor(this.now() / 1000), ":yes": true },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async release(key: string): Promise<void> {
    await this.db().send(
      new PutCommand({ TableName: this.table, Item: { ...itemKey(key), released: true, expiresAt: Math.ceil(this.now() / 1000) } }),
    );
  }
}

/** The requests handled: this container's memory first (a double click costs no write), then the shared store. */
export class HandledRequests {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly store: () => SeenStore | undefined,
    private readonly now: () => number = Date.now,
    private readonly rememberMs = REMEMBER_MS,
  ) {}

  /** True the first time a key is seen anywhere within the window. */
  async first(key: string | undefined): Promise<boolean> {
    if (!key) return true;
    const now = this.now();
    for (const [k, at] of this.seen) if (now - at > this.rememberMs) this.seen.delete(k);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    const store = this.store();
    if (!store) return true;
    try {
      if (await store.claim(key, now + this.rememberMs)) return true;
      return false;
    } catch (err) {
      // the functions behind a job are exactly-once themselves: a request run twice beats one lost
      log("warn", "could not record a Slack request as handled; handling it", { error: (err as Error)?.name ?? String(err) });
      return true;
    }
  }

  /** Lets a key through again (the first attempt could not be dispatched). */
  async forget(key: string): Promise<void> {
    this.seen.delete(key);
    await this.store()
      ?.release(key)
      .catch((err) => log("warn", "could not release a Slack request's claim", { error: (err as Error)?.name ?? String(err) }));
  }
}
