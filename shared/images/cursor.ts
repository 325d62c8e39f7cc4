import { createHash } from "node:crypto";
import { invalidArgument } from "../model/errors.js";
import type { Image } from "../model/image.js";

/**
 * Keyset paging over the merged, sorted list of every cloud: the cursor holds the sort key of
 * the last image returned, so the next page starts exactly after it even if images were added
 * or removed meanwhile. It is bound to the filters it was made with.
 */
export type SortKey = [string, string, string, string, string];

export const sortKey = (i: Image): SortKey => [i.provider, i.account, i.region, i.name.toLowerCase(), i.id];

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

export function filtersHash(filters: unknown): string {
  return createHash("sha256").update(JSON.stringify(filters)).digest("base64url").slice(0, 12);
}

export function encodeCursor(key: SortKey, filters: string): string {
  return Buffer.from(JSON.stringify({ v: 1, k: key, f: filters })).toString("base64url");
}

export function decodeCursor(cursor: string, filters: string): SortKey {
  let parsed: { v?: unknown; k?: unknown; f?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidArgument("cursor", "not a cursor this API returned");
  }
  const k = parsed?.k;
  if (parsed?.v !== 1 || !Array.isArray(k) || k.length !== 5 || !k.every((x) => typeof x === "string")) {
    throw invalidArgument("cursor", "not a cursor this API returned");
  }
  if (parsed.f !== filters) throw invalidArgument("cursor", "was made for other filters; repeat the same filters or drop the cursor");
  return k as SortKey;
}
