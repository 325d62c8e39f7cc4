import { createHmac } from "node:crypto";

/**
 * SCP Open API signing, byte-exact with the official Go SDK
 * (SamsungSDSCloud/terraform-sdk-samsungcloudplatformv2 client/signature_generator.go, client/configuration.go):
 *   signature = base64(HMAC-SHA256(secretKey, method + requestUrl + timestamp + accessKey + accountId + "Openapi"))
 * where requestUrl is the full URL as sent: base + path, then "?" + the query as Go's url.Values.Encode() writes it.
 */

export const SCP_CLIENT_TYPE = "Openapi";
/** The Virtual Server API version this adapter is written against (docs: CURRENT). */
export const SCP_DEFAULT_API_VERSION = "1.3";

/** Header names as the SDK spells them (client/common.go); the version header as the API docs spell it. */
export const SCP_HEADERS = {
  accessKey: "Scp-AccessKey",
  signature: "Scp-Signature",
  timestamp: "Scp-Timestamp",
  clientType: "Scp-ClientType",
  accountId: "Scp-AccountId",
  language: "Accept-Language",
  apiVersion: "Scp-Api-Version",
} as const;

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

const GO_EXTRA = /[!'()*]/g;

/**
 * Go's url.QueryEscape: keeps A-Z a-z 0-9 - _ . ~, space becomes "+", every other UTF-8 byte is %XX (upper case).
 * encodeURIComponent differs only in leaving ! ' ( ) * alone and writing space as %20.
 */
export function goQueryEscape(value: string): string {
  let out: string;
  try {
    out = encodeURIComponent(value);
  } catch {
    // a lone surrogate: Go would send the replacement character's bytes
    out = encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
  }
  return out.replace(GO_EXTRA, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%20/g, "+");
}

/** Go's url.Values.Encode(): keys sorted (byte order), values of one key in the order given; undefined/null dropped. */
export function encodeScpQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const keys = Object.keys(query)
    .filter((k) => query[k] !== undefined && query[k] !== null)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  for (const k of keys) {
    const v = query[k] as Exclude<QueryValue, null | undefined>;
    const key = goQueryEscape(k).replace(/%5B/g, "[").replace(/%5D/g, "]"); // the SDK un-escapes brackets in keys
    const values = Array.isArray(v) ? v : [v as string | number | boolean];
    for (const item of values) parts.push(`${key}=${goQueryEscape(String(item))}`);
  }
  return parts.join("&");
}

/**
 * The exact URL the client sends and signs. The base is put in WHATWG-normal form (lower-case host,
 * default port dropped, no trailing slash) so that what fetch puts on the wire is byte-for-byte this string.
 */
export function buildScpUrl(base: string, path: string, query?: Record<string, QueryValue>): string {
  const u = new URL(base);
  const prefix = u.origin + u.pathname.replace(/\/+$/, "");
  const qs = encodeScpQuery(query);
  return prefix + (path.startsWith("/") ? path : "/" + path) + (qs ? "?" + qs : "");
}

/** The signature alone (exported for the simulator, which verifies with the same formula). */
export function scpSignature(
  method: string,
  fullUrl: string,
  timestamp: number | string,
  accessKey: string,
  secretKey: string,
  accountId: string,
): string {
  const message = method + fullUrl + String(timestamp) + accessKey + accountId + SCP_CLIENT_TYPE;
  return createHmac("sha256", secretKey).update(message, "utf8").digest("base64");
}

/** Every header of a signed Virtual Server call. `apiVersion` is the bare number ("1.3"). */
export function scpHeaders(
  method: string,
  fullUrl: string,
  timestamp: number | string,
  accessKey: string,
  secretKey: string,
  accountId: string,
  apiVersion: string = SCP_DEFAULT_API_VERSION,
): Record<string, string> {
  return {
    [SCP_HEADERS.accessKey]: accessKey,
    [SCP_HEADERS.signature]: scpSignature(method, fullUrl, timestamp, accessKey, secretKey, accountId),
    [SCP_HEADERS.timestamp]: String(timestamp),
    [SCP_HEADERS.clientType]: SCP_CLIENT_TYPE,
    [SCP_HEADERS.accountId]: accountId,
    [SCP_HEADERS.language]: "en-US",
    [SCP_HEADERS.apiVersion]: `virtualserver ${apiVersion}`,
  };
}
