/**
 * The operations table in memory, with DynamoDB's semantics where the product relies on them:
 * conditional puts on the version read (attribute_not_exists for a new item), strongly
 * consistent reads, a key's items queried by sort-key prefix in sort-key order, and the 400 KB
 * item limit ("Item size has exceeded the maximum allowed size", a ValidationException), sized
 * as the DynamoDB Developer Guide sizes an item (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 * For unit and model-based tests of what sits behind the OperationStore port; the e2e suites use
 * dynalite through the real SDK.
 */
import { expiresAt, type OperationStore, RECORD_SORT, StaleRecord, type StoredRecord } from "../../shared/operations/store.js";

/** DynamoDB's documented maximum item size: 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

const utf8 = (s: string) => Buffer.byteLength(s, "utf8");

/** A value's size as DynamoDB counts it (its attribute name is counted by the caller). */
function valueSize(v: unknown): number {
  if (v === null || typeof v === "boolean") return 1;
  if (typeof v === "string") return utf8(v);
  if (typeof v === "number") {
    const digits = String(Math.abs(v)).replace(".", "").replace(/^0+/, "").replace(/0+$/, "").replace(/e.*$/, "");
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (Array.isArray(v)) return 3 + v.filter((x) => x !== undefined).reduce((n, x) => n + 1 + valueSize(x), 0);
  if (typeof v === "object")
    return 3 + Object.entries(v as object).reduce((n, [k, x]) => (x === undefined ? n : n + 1 + utf8(k) + valueSize(x)), 0);
  return 0;
}

/** An item's size in bytes: the sum of its attribute names and values (the Developer Guide's rule). */
export function dynamoItemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((n, [k, v]) => (v === undefined ? n : n + utf8(k) + valueSize(v)), 0);
}

export class ItemTooLarge extends Error {
  constructor(
    readonly key: string,
    readonly bytes: number,
  ) {
    super(`Item size has exceeded the maximum allowed size (${key}: ${bytes} bytes)`);
    this.name = "ValidationException";
  }
}

export class MemoryStore implements OperationStore {
  readonly items = new Map<string, Record<string, unknown>>();
  /** every successful write, in order: a test can read what was written when */
  readonly writes: StoredRecord[] = [];
  /** the largest item written (bytes) */
  largest = 0;

  private id(key: string, sort?: string) {
    return `${key}\u0000${sort ?? RECORD_SORT}`;
  }

  async get<R extends StoredRecord>(key: string, sort?: string): Promise<R | undefined> {
    const item = this.items.get(this.id(key, sort));
    return item ? (structuredClone(item) as unknown as R) : undefined;
  }

  async put(record: StoredRecord, expectedVersion: number | undefined): Promise<void> {
    const id = this.id(record.key, record.sort);
    const current = this.items.get(id);
    if (expectedVersion === undefined ? current !== undefined : current?.version !== expectedVersion) throw new StaleRecord(record.key);
    const stored = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
    const size = dynamoItemSize({ pk: record.key, sk: record.sort ?? RECORD_SORT, expiresAt: expiresAt(record), ...stored });
    if (size > MAX_ITEM_BYTES) throw new ItemTooLarge(record.key, size);
    this.largest = Math.max(this.largest, size);
    this.items.set(id, stored);
    this.writes.push(structuredClone(stored) as unknown as StoredRecord);
  }

  async query<R extends StoredRecord>(key: string, prefix: string, options: { newestFirst?: boolean; limit?: number } = {}): Promise<R[]> {
    const found = [...this.items.entries()]
      .filter(([id]) => id.startsWith(`${key}\u0000${prefix}`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, item]) => structuredClone(item) as unknown as R);
    if (options.newestFirst) found.reverse();
    return options.limit ? found.slice(0, options.limit) : found;
  }
}
