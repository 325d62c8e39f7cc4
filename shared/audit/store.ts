import { randomBytes } from "node:crypto";
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Ack, Remembered, Snapshot, SnapshotData, Stream } from "./history.js";
import { DynamoTable, dynamoUnavailable, isConditionFailure } from "../dynamo.js";
import { text } from "../config.js";

/** Another run stored its snapshot since this one read it: read again and compare again. */
export class StaleSnapshot extends Error {
  constructor(
    readonly scope: string,
    readonly stream: Stream,
  ) {
    super(`the ${stream} audit snapshot of ${scope} changed while it was being written`);
    this.name = "StaleSnapshot";
  }
}

/** Where the audit's memory lives: the operations table in AWS and locally (dynalite), behind this port. */
export interface AuditStore {
  /** The last snapshot of a scope and stream, whole; undefined before its first run. */
  read(scope: string, stream: Stream): Promise<Snapshot | undefined>;
  /**
   * Stores `next` if the stored snapshot is still `expected` (undefined: none yet); throws
   * StaleSnapshot when another run stored one first.
   */
  write(next: SnapshotData, expected: Pick<Snapshot, "version" | "generation" | "chunks"> | undefined): Promise<void>;
  /** Every acknowledgement still stored (active, expired or ended: the caller decides). */
  acks(): Promise<Ack[]>;
  /** Stores an acknowledgement (a new one for the same finding replaces it). */
  putAck(ack: Ack): Promise<void>;
  /** Records that an acknowledgement ended, unless it was replaced meanwhile. */
  endAck(ack: Ack, ended: NonNullable<Ack["ended"]>): Promise<void>;
}

/**
 * Keys, chosen so that they cannot meet an operation record (pk `img-<provider>-<hex>`, sk
 * `operation`): every audit key starts `audit#`, which no operation key can.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | a snapshot's head: version, generation, run time, digest state | `audit#scope#<provider>/<account>` | `snapshot#<stream>` |
 * | its findings, in parts of ≤ 300 KB (DynamoDB items are ≤ 400 KB) | the same | `snapshot#<stream>#<generation>#<n>` |
 * | an acknowledgement | `audit#acks` | `<finding id>` |
 *
 * A run writes its findings under a new generation, then the head, on the condition that the head
 * is still the version it read (optimistic concurrency: of two runs at once, the second to finish
 * reads again and compares with the first), then deletes the old generation. A reader that finds a
 * part missing (the head moved under it) reads again. Every item expires (TTL `expiresAt`) 90 days
 * after its run, an acknowledgement 30 days after it ends: a scope not audited for 90 days starts afresh.
 */
const PART_BYTES = 300_000;
const SNAPSHOT_TTL_DAYS = 90;
const ACK_KEPT_DAYS = 30;
const ACKS_PK = "audit#acks";
const scopePk = (scope: string) => `audit#scope#${scope}`;
const headSk = (stream: Stream) => `snapshot#${stream}`;
const partSk = (stream: Stream, generation: string, n: number) => `snapshot#${stream}#${generation}#${String(n).padStart(4, "0")}`;

/** Splits findings into JSON parts of at most PART_BYTES each. */
export function toParts(findings: Remembered[]): string[] {
  const parts: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const f of findings) {
    const json = JSON.stringify(f);
    const size = Buffer.byteLength(json, "utf8") + 1;
    if (current.length && bytes + size > PART_BYTES) {
      parts.push(`[${current.join(",")}]`);
      current = [];
      bytes = 2;
    }
    current.push(json);
    bytes += size;
  }
  if (current.length || parts.length === 0) parts.push(`[${current.join(",")}]`);
  return parts;
}

export class DynamoAuditStore extends DynamoTable implements AuditStore {
  async read(scope: string, stream: Stream): Promise<Snapshot | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        const head = (
          await this.db().send(
            new GetCommand({ TableName: this.table, Key: { pk: scopePk(scope), sk: headSk(stream) }, ConsistentRead: true }),
          )
        ).Item;
        if (!head) return undefined;
        const parts = await Promise.all(
          Array.from({ length: head.chunks as number }, (_, n) =>
            this.db().send(
              new GetCommand({
                TableName: this.table,
                Key: { pk: scopePk(scope), sk: partSk(stream, head.generation, n) },
                ConsistentRead: true,
              }),
            ),
          ),
        );
        // a part gone: another run replaced this snapshot between the two reads
        if (parts.some((p) => !p.Item) && attempt < 3) continue;
        if (parts.some((p) => !p.Item)) throw new Error(`snapshot ${scope} ${stream} keeps changing`);
        const findings = parts.flatMap((p) => JSON.parse(p.Item!.data as string) as Remembered[]);
        return {
          scope,
          stream,
          findings,
          at: head.at,
          version: head.version,
          generation: head.generation,
          chunks: head.chunks,
          digestWeek: head.digestWeek,
          sinceDigest: head.sinceDigest,
        };
      } catch (err) {
        throw dynamoUnavailable(`could not read the audit snapshot of ${scope}`, err);
      }
    }
  }

  async write(next: SnapshotData, expected: Pick<Snapshot, "version" | "generation" | "chunks"> | undefined): Promise<void> {
    const pk = scopePk(next.scope);
    const generation = randomBytes(6).toString("hex");
    const parts = toParts(next.findings);
    const expiresAt = Math.floor(Date.parse(next.at) / 1000) + SNAPSHOT_TTL_DAYS * 86_400;
    try {
      await Promise.all(
        parts.map((data, n) =>
          this.db().send(new PutCommand({ TableName: this.table, Item: { pk, sk: partSk(next.stream, generation, n), data, expiresAt } })),
        ),
      );
    } catch (err) {
      throw dynamoUnavailable(`could not write the audit snapshot of ${next.scope}`, err);
    }
    const condition =
      expected === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
            ConditionExpression: "#v = :v",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":v": expected.version },
          };
    const head = {
      pk,
      sk: headSk(next.stream),
      version: (expected?.version ?? 0) + 1,
      generation,
      chunks: parts.length,
      count: next.findings.length,
      at: next.at,
      digestWeek: next.digestWeek,
      sinceDigest: next.sinceDigest,
      expiresAt,
    };
    try {
      await this.db().send(new PutCommand({ TableName: this.table, Item: head, ...condition }));
    } catch (err) {
      await this.deleteParts(pk, next.stream, generation, parts.length);
      if (isConditionFailure(err)) throw new StaleSnapshot(next.scope, next.stream);
      throw dynamoUnavailable(`could not write the audit snapshot of ${next.scope}`, err);
    }
    if (expected) await this.deleteParts(pk, next.stream, expected.generation, expected.chunks);
  }

  /** Best effort: what is left behind expires with its TTL. */
  private async deleteParts(pk: string, stream: Stream, generation: string, count: number): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, (_, n) =>
        this.db()
          .send(new DeleteCommand({ TableName: this.table, Key: { pk, sk: partSk(stream, generation, n) } }))
          .catch(() => undefined),
      ),
    );
  }

  async acks(): Promise<Ack[]> {
    const out: Ack[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.db().send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": ACKS_PK },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const { pk: _pk, sk: _sk, expiresAt: _ttl, ...ack } of page.Items ?? []) out.push(ack as Ack);
        start = page.LastEvaluatedKey;
      } while (start);
    } catch (err) {
      throw dynamoUnavailable("could not read the audit's acknowledgements", err);
    }
    return out;
  }

  async putAck(ack: Ack): Promise<void> {
    const expiresAt = Math.floor(Date.parse(ack.until) / 1000) + ACK_KEPT_DAYS * 86_400;
    try {
      await this.db().send(new PutCommand({ TableName: this.table, Item: { pk: ACKS_PK, sk: ack.finding, expiresAt, ...ack } }));
    } catch (err) {
      throw dynamoUnavailable(`could not store the acknowledgement of ${ack.finding}`, err);
    }
  }

  async endAck(ack: Ack, ended: NonNullable<Ack["ended"]>): Promise<void> {
    const expiresAt = Math.floor(Date.parse(ended.at) / 1000) + ACK_KEPT_DAYS * 86_400;
    try {
      await this.db().send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: ACKS_PK, sk: ack.finding, expiresAt, ...ack, ended },
          // a new acknowledgement given meanwhile (another `at`) stands
          ConditionExpression: "#at = :at",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":at": ack.at },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return;
      throw dynamoUnavailable(`could not record the end of the acknowledgement of ${ack.finding}`, err);
    }
  }
}

let shared: DynamoAuditStore | undefined;
/** The container's audit store on OPERATIONS_TABLE, or undefined when the table is not configured (the audit then has no memory). */
export function auditStore(): AuditStore | undefined {
  const table = text("OPERATIONS_TABLE");
  if (!table) return undefined;
  return (shared ??= new DynamoAuditStore(table));
}
