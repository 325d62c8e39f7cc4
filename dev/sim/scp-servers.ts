import { scpError } from "./scp.js";
import type { SimResponse } from "./server.js";

/**
 * List Virtual Servers, GET /v1/servers (docs/providers/scp.md §4 table, docs D5
 * listvirtualservers): filters `name` and `state`, `limit` (no documented default, §6.4; 1–1000
 * as List Images), `marker` ("the last item's ID from previous request", as List Images) and
 * `sort` (default created_at:desc). The answer is {"servers": [ServerShowResponse]} with no count
 * or next link (S1/S3 models). How `name` matches is undocumented: the simulator's name option
 * decides, as for List Images.
 */
export function listServers(q: URLSearchParams, servers: Array<Record<string, unknown>>, nameMatch: "exact" | "contains"): SimResponse {
  const limitRaw = q.get("limit");
  const limit = Number(limitRaw ?? 20);
  if (limitRaw !== null && (!/^\d+$/.test(limitRaw) || limit < 1 || limit > 1000))
    return scpError(400, "ValidationError", "limit: must be an integer from 1 to 1000.");
  const sort = q.get("sort") ?? "created_at:desc";
  const [key, dir = "desc"] = sort.split(":");
  if (!key || (dir !== "asc" && dir !== "desc")) return scpError(400, "ValidationError", `sort: invalid sort ${sort}.`);
  const sign = dir === "asc" ? 1 : -1;
  // ties broken by id, so marker paging walks one fixed order
  const cmp = (a: Record<string, unknown>, b: Record<string, unknown>) =>
    (String(a[key] ?? "") < String(b[key] ?? "")
      ? -1
      : String(a[key] ?? "") > String(b[key] ?? "")
        ? 1
        : String(a.id) < String(b.id)
          ? -1
          : String(a.id) > String(b.id)
            ? 1
            : 0) * sign;
  const name = q.get("name");
  const state = q.get("state");
  let rows = servers
    .filter((s) => name === null || (nameMatch === "exact" ? s.name === name : String(s.name ?? "").includes(name)))
    .filter((s) => state === null || s.state === state)
    .sort(cmp);
  const marker = q.get("marker");
  if (marker !== null) {
    const m = servers.find((s) => s.id === marker);
    if (!m) return scpError(400, "ValidationError", `marker: server ${marker} could not be found.`);
    rows = rows.filter((r) => cmp(r, m) > 0);
  }
  return { status: 200, body: { servers: rows.slice(0, limit) } };
}
