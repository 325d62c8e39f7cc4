import { createHmac } from "node:crypto";
import { encodeSegment } from "../escape.js";

/**
 * iwinv API signing (docs: "API Request", https://api.iwinv.kr/doc-637859):
 *   X-iwinv-Timestamp  = seconds since the epoch (refused when more than 5 minutes off)
 *   X-iwinv-Credential = access key
 *   X-iwinv-Signature  = hex(HMAC-SHA256(secretKey, timestamp + path))
 * where path is e.g. "/v1/images/{id}": no trailing slash and no query string
 * (the query goes on the wire only, it is not signed).
 */

export const IWINV_HEADERS = {
  timestamp: "X-iwinv-Timestamp",
  credential: "X-iwinv-Credential",
  signature: "X-iwinv-Signature",
} as const;

export type IwinvQueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

/** The docs forbid a trailing slash on the signed path; "/" alone stays. */
export function canonicalIwinvPath(path: string): string {
  let p = path;
  while (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
  return p;
}

export function iwinvSignature(secretKey: string, timestampSeconds: number | string, path: string): string {
  return createHmac("sha256", secretKey)
    .update(`${timestampSeconds}${canonicalIwinvPath(path)}`, "utf8")
    .digest("hex");
}

/** The three auth headers for one attempt; `timestampSeconds` is whole seconds. */
export function iwinvHeaders(path: string, timestampSeconds: number, accessKey: string, secretKey: string): Record<string, string> {
  const ts = String(Math.floor(timestampSeconds));
  return {
    [IWINV_HEADERS.timestamp]: ts,
    [IWINV_HEADERS.credential]: accessKey,
    [IWINV_HEADERS.signature]: iwinvSignature(secretKey, ts, path),
  };
}

/**
 * The path of a URL exactly as it goes on the wire (percent-encoding kept), without
 * query or fragment. Parsed by hand: WHATWG URL parsing would re-normalise the path.
 */
export function iwinvPathOf(url: string): string {
  let rest = url;
  const scheme = rest.indexOf("://");
  if (scheme >= 0) {
    rest = rest.slice(scheme + 3);
    const slash = rest.indexOf("/");
    rest = slash >= 0 ? rest.slice(slash) : "/";
  }
  const cut = rest.search(/[?#]/);
  if (cut >= 0) rest = rest.slice(0, cut);
  return rest || "/";
}

/**
 * base + path + "?" + query. Keys keep the order given; null/undefined/"" values are left
 * out (the API treats an empty param as a filter); arrays become iwinv's comma lists.
 * Values use encodeURIComponent (space → %20, UTF-8 bytes → %XX).
 */
export function buildIwinvUrl(base: string, path: string, query?: Record<string, IwinvQueryValue>): string {
  const root = base.replace(/\/+$/, "");
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(query ?? {})) {
    if (raw === undefined || raw === null) continue;
    const value = Array.isArray(raw) ? raw.map(String).join(",") : String(raw);
    if (value === "") continue;
    parts.push(`${encodeSegment(key)}=${encodeSegment(value)}`);
  }
  return `${root}${canonicalIwinvPath(path)}${parts.length ? `?${parts.join("&")}` : ""}`;
}
