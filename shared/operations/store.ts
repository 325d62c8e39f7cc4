import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoTable, dynamoUnavailable, isConditionFailure } from "../dynamo.js";
import { required } from "../config.js";

/** Another writer changed the record since it was read: read again and decide again. */
export class StaleRecord extends Error {
  constructor(readonly key: string) {
    super(`operation record ${key} changed while it was being written`);
    this.name = "StaleRecord";
  }
}

/** What the operations table holds under one key: every write is conditional on `version`. */
export interface StoredRecord {
  key: string;
  /** the item's place under its key (absent: the key's own record, sort key `operation`) */
  sort?: string;
  /** optimistic-concurrency counter: every write is conditional on the version it read */
  version: number;
  /** the item expires (DynamoDB TTL) RECORD_TTL_DAYS after this, unless `keep` */
  claimedAt: string;
  /** no expiry: the records of images a policy may still delete, and a policy's ledger */
  keep?: boolean;
}

/** How long after its claim an item is kept (DynamoDB TTL); Step Functions keeps execution names as long. */
export const RECORD_TTL_DAYS = 90;

/**
 * Where operation records live: DynamoDB in AWS and locally (dynalite), behind this port. A key's
 * prefix says what it holds (`img-` a create, `del-` a delete, `name-` an image name's claim,
 * `pol-` a policy's runs and ledger), so a reader names the type it expects.
 */
export interface OperationStore {
  get<R extends StoredRecord>(key: string, sort?: string): Promise<R | undefined>;
  /**
   * Writes `record` if the stored one still has `expectedVersion` (undefined: no record yet);
   * throws StaleRecord when another writer won.
   */
  put(record: StoredRecord, expectedVersion: number | undefined): Promise<void>;
  /** The items under `key` whose sort key starts with `prefix`, in sort-key order (reversed: `newestFirst`), at most `limit`. */
  query<R extends StoredRecord>(key: string, prefix: string, options?: { newestFirst?: boolean; limit?: number }): Promise<R[]>;
}

/** The sort key of a key's own record. */
export const RECORD_SORT = "operation";

/** When an item expires (DynamoDB TTL, epoch seconds); undefined for a kept one. */
export function expiresAt(record: StoredRecord): number | undefined {
  return record.keep ? undefined : Math.floor(Date.parse(record.claimedAt) / 1000) + RECORD_TTL_DAYS * 86_400;
}

/**
 * One item per request key (pk = key, sk = "operation"; a policy's runs and ledger entries under
 * their own sort keys), written whole with a condition on the version read — the conditional
 * write is what decides between concurrent twins. Strongly consistent reads, so a twin never
 * decides on a stale copy.
 */
export class DynamoOperationStore extends DynamoTable implements OperationStore {
  async get<R extends StoredRecord>(key: string, sort?: string): Promise<R | undefined> {
    try {
      const out = await this.db().send(
        new GetCommand({ TableName: this.table, Key: { pk: key, sk: sort ?? RECORD_SORT }, ConsistentRead: true }),
      );
      return out.Item ? fromItem<R>(out.Item) : undefined;
    } catch (err) {
      throw dynamoUnavailable(`could not read operation ${key}`, err);
    }
  }

  async put(record: StoredRecord, expectedVersion: number | undefined): Promise<void> {
    // a kept record has no expiresAt at all (the whole item is replaced, so a TTL set before goes too)
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
            ConditionExpression: "#v = :v",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":v": expectedVersion },
          };
    const { sort, ...fields } = record;
    try {
      await this.db().send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: record.key, sk: sort ?? RECORD_SORT, expiresAt: expiresAt(record), ...fields },
          ...condition,
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new StaleRecord(record.key);
      throw dynamoUnavailable(`could not write operation ${record.key}`, err);
    }
  }

  async query<R extends StoredRecord>(key: string, prefix: string, options: { newestFirst?: boolean; limit?: number } = {}): Promise<R[]> {
    const out: R[] = [];
    let start: Record<string, unknown> | undefined;
    try {
      do {
        const page = await this.db().send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: "pk = :k AND begins_with(sk, :p)",
            ExpressionAttributeValues: { ":k": key, ":p": prefix },
            ScanIndexForward: !options.newestFirst,
            ConsistentRead: true,
            ExclusiveStartKey: start,
            ...(options.limit ? { Limit: options.limit - out.length } : {}),
          }),
        );
        for (const item of page.Items ?? []) out.push(fromItem<R>(item));
        start = page.LastEvaluatedKey;
      } while (start && (!options.limit || out.length < options.limit));
    } catch (err) {
      throw dynamoUnavailable(`could not read the items of ${key}`, err);
    }
    return out;
  }
}

function fromItem<R extends StoredRecord>(item: Record<string, unknown>): R {
  const { pk: _pk, sk, expiresAt: _ttl, ...record } = item;
  return (sk === RECORD_SORT ? record : { ...record, sort: sk }) as unknown as R;
}

let shared: DynamoOperationStore | undefined;
/** The container's store, from OPERATIONS_TABLE. */
export function operationStore(): OperationStore {
  return (shared ??= new DynamoOperationStore(required("OPERATIONS_TABLE")));
}
