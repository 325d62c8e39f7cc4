import { ImageOpsError } from "../../model/errors.js";
import { type Rec, record, text } from "../read.js";
import type { ServerRef } from "../types.js";
import type { QueryValue } from "./signer.js";

/** One signed GET of the adapter (client.ts `call`), answering the parsed JSON. */
export type ScpGet = (path: string, query: Record<string, QueryValue>) => Promise<unknown>;

const PAGE_SIZE = 100;
const MAX_PAGES = 100;

/**
 * Every server of List Virtual Servers, `GET /v1/servers` (scp.md §4 table, docs D5
 * listvirtualservers), with `query`'s filters: `limit` (D5 shows no default, so it is always sent,
 * §6.4), `marker` (the last id of the previous page) and the documented default `sort`
 * created_at:desc pinned, as the image list pages (§6.4). The answer is
 * `{"servers": [ServerShowResponse]}` (S1/S3 models), each server as it came.
 */
export async function listScpServers(get: ScpGet, query: Record<string, QueryValue>, what: string): Promise<Rec[]> {
  const out: Rec[] = [];
  let marker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const json = await get("/v1/servers", { ...query, limit: PAGE_SIZE, marker, sort: "created_at:desc" });
    const servers = (json as { servers?: unknown })?.servers;
    if (!Array.isArray(servers))
      throw new ImageOpsError("PROVIDER_ERROR", "scp: unexpected server list response shape", { provider: "scp" });
    for (const raw of servers) out.push(record(raw));
    // marker paging as for images: a short page is the last one
    const last = (servers[servers.length - 1] as { id?: unknown } | undefined)?.id;
    if (servers.length < PAGE_SIZE || typeof last !== "string" || last === marker) return out;
    marker = last;
  }
  throw new ImageOpsError("PROVIDER_ERROR", `scp: more than ${MAX_PAGES} pages of ${what}`, { provider: "scp" });
}

/** A server as the product names it: only `id`, `name` and `state`, the fields §4.6 lists (the list's shape changed in virtualserver 1.5, §3.4). */
export function scpServerRef(s: Rec): ServerRef | undefined {
  const id = text(s.id);
  return id ? { id, name: text(s.name) ?? "", providerStatus: text(s.state) ?? "" } : undefined;
}

/** Servers named exactly `name`. How List Virtual Servers' `name` matches is not documented: the exact name is kept here. */
export async function findScpServersByName(get: ScpGet, name: string): Promise<ServerRef[]> {
  const servers = await listScpServers(get, { name }, `servers named "${name}"`);
  return servers.flatMap((s) => {
    const ref = s.name === name ? scpServerRef(s) : undefined;
    return ref ? [{ ...ref, name }] : [];
  });
}

/** Every server of the region, as the product names them (`/images servers`). */
export async function listAllScpServers(get: ScpGet): Promise<ServerRef[]> {
  return (await listScpServers(get, {}, "servers")).flatMap((s) => scpServerRef(s) ?? []);
}
