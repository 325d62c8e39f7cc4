import type { ProviderErrorEntry } from "../model/errors.js";
import type { Image, ImageStatus, ProviderName } from "../model/image.js";
import { canonicalDistro } from "../model/os.js";
import { fanOut, type Runtime, selectTargets } from "../runtime.js";
import { compareKeys, decodeCursor, encodeCursor, filtersHash, sortKey } from "./cursor.js";

export interface ListInput {
  provider?: ProviderName[];
  account?: string;
  region?: string;
  scope?: "public" | "custom" | "all";
  os?: string;
  name?: string;
  status?: ImageStatus;
  limit?: number;
  cursor?: string;
}

export interface ListOutput {
  images: Image[];
  nextCursor: string | null;
  errors: ProviderErrorEntry[];
}

export function matches(image: Image, input: ListInput, distro: string | null): boolean {
  if (input.scope && input.scope !== "all" && image.kind !== input.scope) return false;
  if (distro && image.os.distro !== distro) return false;
  if (input.name && !image.name.toLowerCase().includes(input.name.toLowerCase())) return false;
  if (input.status && image.status !== input.status) return false;
  return true;
}

/**
 * Lists images across every selected cloud account concurrently, filters them, and returns one
 * page in a stable order. A cloud that fails is an `errors` entry; the others still answer.
 */
export async function listImages(rt: Runtime, input: ListInput): Promise<ListOutput> {
  const limit = input.limit ?? 100;
  const { cursor, limit: _limit, ...filters } = input;
  const hash = filtersHash(filters);
  const after = cursor ? decodeCursor(cursor, hash) : undefined;
  const creds = await rt.credentials.get();
  const targets = selectTargets(creds.accounts, input);
  const distro = canonicalDistro(input.os);
  const providerFilter = { scope: input.scope, os: distro ?? undefined, name: input.name, status: input.status };
  const { results, errors } = await fanOut(rt, targets, (ctx, adapter) => adapter.listImages(ctx, providerFilter));

  const keyed: Array<{ key: ReturnType<typeof sortKey>; image: Image }> = [];
  for (const { value } of results) {
    for (const image of value) {
      if (!matches(image, input, distro)) continue;
      const key = sortKey(image);
      if (after && compareKeys(key, after) <= 0) continue;
      keyed.push({ key, image });
    }
  }
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  const page = keyed.slice(0, limit);
  const nextCursor = keyed.length > limit ? encodeCursor(page[page.length - 1]!.key, hash) : null;
  return { images: page.map((k) => k.image), nextCursor, errors };
}
