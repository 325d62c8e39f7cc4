import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ImageOpsError } from "../model/errors.js";
import { type AnyOperationRecord, RECORD_TTL_DAYS, type StoredRecord } from "./record.js";
import { DynamoTable, dynamoUnavailable, isConditionFailure } from "../dynamo.js";

/** Another writer changed the record since it was read: read again and decide again. */
export class StaleRecord extends Error {
  constructor(readonly key: string) {
    super(`operation record ${key} changed while it was being written`);
    this.name = "StaleRecord";
  }
}

/**
 * Where operation records live: DynamoDB in AWS and locally (dynalite), behind this port. A key's
 * prefix says what it holds (`img-` a create, `del-` a delete, `pol-` a policy's runs and ledger),
 * so a reader names the type it expects.
 */
export interface OperationStore {
  get<R extends StoredRecord = AnyOperationRecord>(key: string): Promise<R | undefined>;
  /**
   * Writes `record` if the stored one still has `expectedVersion` (undefined: no record yet);
   * throws StaleRecord when another writer won.
   */
  put(record: StoredRecord, expectedVersion: number | undefined): Promise<void>;
}

const SORT_KEY = "operation";

/**
 * One item per request key (pk = key, sk = "operation"), written whole with a condition on the
 * version read — the conditional write is what decides between concurrent twins. Strongly
 * consistent reads, so a twin never decides on a stale copy.
 */
export class DynamoOperationStore extends DynamoTable implements OperationStore {
  async get<R extends StoredRecord = AnyOperationRecord>(key: string): Promise<R | undefined> {
    try {
      const out = await this.db().send(new GetCommand({ TableName: this.table, Key: { pk: key, sk: SORT_KEY }, ConsistentRead: true }));
      if (!out.Item) return undefined;
      const { pk: _pk, sk: _sk, expiresAt: _ttl, ...record } = out.Item;
      return record as R;
    } catch (err) {
      throw dynamoUnavailable(`could not read operation ${key}`, err);
    }
  }

  async put(record: StoredRecord, expectedVersion: number | undefined): Promise<void> {
    // a kept record has no expiresAt at all (the whole item is replaced, so a TTL set before goes too)
    const expiresAt = record.keep ? undefined : Math.floor(Date.parse(record.claimedAt) / 1000) + RECORD_TTL_DAYS * 86_400;
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: "attribute_not_exists(pk)" }
        : {
            ConditionExpression: "#v = :v",
            ExpressionAttributeNames: { "#v": "version" },
            ExpressionAttributeValues: { ":v": expectedVersion },
          };
    try {
      await this.db().send(
        new PutCommand({ TableName: this.table, Item: { pk: record.key, sk: SORT_KEY, expiresAt, ...record }, ...condition }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new StaleRecord(record.key);
      throw dynamoUnavailable(`could not write operation ${record.key}`, err);
    }
  }
}

let shared: DynamoOperationStore | undefined;
/** The container's store, from OPERATIONS_TABLE. */
export function operationStore(): OperationStore {
  const table = process.env.OPERATIONS_TABLE;
  if (!table) throw new ImageOpsError("INTERNAL", "OPERATIONS_TABLE is not set");
  return (shared ??= new DynamoOperationStore(table));
}
