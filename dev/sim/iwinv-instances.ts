import { fail, type IwinvSimInstance, ok, pickFields } from "./iwinv.js";
import type { SimResponse } from "./server.js";

/** Instance List's `status` enum (iwinv.md §5.1 [R7]). */
const STATUSES = new Set(["pending", "active", "error", "work", "off"]);
/** What comes back without `fields`: not documented; assumed id, name, status (as Instance Detail here). */
const DEFAULT_FIELDS = 1 | 2 | 8;

/**
 * Instance List, GET /v1/instances (docs/providers/iwinv.md §5.1 [R7][T2-inv]): filters
 * `name`, `zone_id`, `status` (enum), paging `page_no` (default 1) and `page_size` (default 10),
 * `fields` as Instance Detail (§5.3). "If don't have instances running in API supported zones, it
 * will return an empty array" [R7]. How `name` matches is undocumented: the simulator's Image List
 * name option decides (Image List's is "containing").
 */
export function listInstances(q: URLSearchParams, servers: IwinvSimInstance[], nameMatch: "insensitive" | "sensitive"): SimResponse {
  const pageNo = q.get("page_no") ?? "1";
  const pageSize = q.get("page_size") ?? "10";
  const fields = q.get("fields");
  if (
    !/^\d+$/.test(pageNo) ||
    Number(pageNo) < 1 ||
    !/^\d+$/.test(pageSize) ||
    Number(pageSize) < 1 ||
    (fields !== null && !/^\d+$/.test(fields))
  ) {
    return fail(400, "0xe", "CHECK_PARAM", "Check request.");
  }
  const status = q.get("status");
  if (status !== null && !STATUSES.has(status)) return fail(400, "0xf", "CHECK_PARAM_ENUM", "허용되지 않은 값입니다.");
  const fold = (t: string) => (nameMatch === "insensitive" ? t.toLowerCase() : t);
  const name = fold(q.get("name") ?? "");
  const zones = (q.get("zone_id") ?? "").split(",").filter(Boolean);
  const matches = servers.filter(
    (s) => (!name || fold(s.name).includes(name)) && (!zones.length || zones.includes(s.zone.zone_id)) && (!status || s.status === status),
  );
  const size = Number(pageSize);
  const page = Number(pageNo);
  const result = matches.slice((page - 1) * size, page * size).map((s) => pickFields(s, fields === null ? DEFAULT_FIELDS : Number(fields)));
  return ok(result, { count: result.length, page_no: page, page_size: size });
}
