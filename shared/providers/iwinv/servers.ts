import { providerFailure } from "../../model/errors.js";
import { record, text } from "../read.js";
import type { ServerRef } from "../types.js";
import type { IwinvQueryValue } from "./signer.js";

/** One signed list GET of the adapter (client.ts `get`): the envelope, or null for iwinv's "empty set". */
export type IwinvListGet = (path: string, query: Record<string, IwinvQueryValue>) => Promise<{ result?: unknown } | null>;

const PAGE_SIZE = 100;
const MAX_PAGES = 100;
/** instance_id 1 | name 2 | status 8 (iwinv.md §5.3): never the password (128) or console (16384) bits */
const FIELDS = 1 | 2 | 8;

/**
 * Instances named exactly `name` in the zone: Instance List, `GET /v1/instances` (iwinv.md §5.1,
 * [R7][T2-inv]) with `name`, `zone_id`, `page_no` (default 1), `page_size` (default 10) and `fields`.
 * Its `name` matching is not documented (Image List's is "containing"): the exact name is kept here.
 * Servers in zones the API does not support are invisible to it (§5.1).
 */
export async function findIwinvServersByName(get: IwinvListGet, zone: string, name: string): Promise<ServerRef[]> {
  return (await listIwinvServers(get, zone, name)).filter((s) => s.name === name);
}

/** Every instance of the zone (or those the `name` filter gives), by the same Instance List pages. */
export async function listIwinvServers(get: IwinvListGet, zone: string, name?: string): Promise<ServerRef[]> {
  const out: ServerRef[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const query = { name, zone_id: zone, page_no: page, page_size: PAGE_SIZE, fields: FIELDS };
    const body = await get("/v1/instances", query);
    const result = body?.result ?? [];
    if (!Array.isArray(result)) throw providerFailure("iwinv", 200, { message: "unexpected instance list response shape" });
    for (const raw of result) {
      const s = record(raw);
      const id = text(s.instance_id);
      if (id) out.push({ id, name: text(s.name) ?? "", providerStatus: text(s.status) ?? "" });
    }
    if (result.length < PAGE_SIZE) return out;
  }
  throw providerFailure("iwinv", 200, { message: `more than ${MAX_PAGES} pages of instances${name ? ` named "${name}"` : ""}` });
}
