import { createHmac } from "node:crypto";
import { SCP_DEFAULT_API_VERSION } from "./versions.js";

/**
 * SCP Open API signing, as the official Terraform provider signs and as the docs' sample signs:
 *   signature = base64(HMAC-SHA256(secretKey, method + requestUrl + timestamp + accessKey + "Openapi"))
 * where requestUrl is the full URL as sent: base + path, then "?" + the query as Go's url.Values.Encode() writes it.
 * Sources: the Go SDK's client/signature_generator.go (MakeHmacSignature) and client/configuration.go (SetupRequestHeader),
 * called by terraform-provider-samsungcloudplatformv2 samsungcloudplatform/client/client.go with AccountId: "" — so the
 * SDK's account-id slot is always empty; the docs' Java sample (makeHmacSignature) has no such slot at all.
 * No account id is signed or sent (../shared/providers/scp.md §1.1, §1.2, §1.5).
 */

export const SCP_CLIENT_TYPE = "Openapi";

/** Header names as the docs write them (API common; List Images example request); HTTP header names are case-insensitive. */
export const SCP_HEADERS = {
  accessKey: "Scp-Accesskey",
  signature: "Scp-Signature",
  timestamp: "Scp-Timestamp",
  clientType: "Scp-ClientType",
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
  return out.replace(GO_EXTRA, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+");
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
 * default port dropped, no trailing slash) so that what goes on the wire is byte-for-byte this string.
 */
export function buildScpUrl(base: string, path: string, query?: Record<string, QueryValue>): string {
  const u = new URL(base);
  const prefix = u.origin + u.pathname.replace(/\/+$/, "");
  const qs = encodeScpQuery(query);
  return prefix + (path.startsWith("/") ? path : `/${path}`) + (qs ? `?${qs}` : "");
}

/** The signature alone. */
export function scpSignature(method: string, fullUrl: string, timestamp: number | string, accessKey: string, secretKey: string): string {
  const message = method + fullUrl + String(timestamp) + accessKey + SCP_CLIENT_TYPE;
  return createHmac("sha256", secretKey).update(message, "utf8").digest("base64");
}

/** Every auth header of a signed Virtual Server call. `apiVersion` is the bare number ("1.3"); it is sent, not signed. */
export function scpHeaders(
  method: string,
  fullUrl: string,
  timestamp: number | string,
  accessKey: string,
  secretKey: string,
  apiVersion: string = SCP_DEFAULT_API_VERSION,
): Record<string, string> {
  return {
    [SCP_HEADERS.accessKey]: accessKey,
    [SCP_HEADERS.signature]: scpSignature(method, fullUrl, timestamp, accessKey, secretKey),
    [SCP_HEADERS.timestamp]: String(timestamp),
    [SCP_HEADERS.clientType]: SCP_CLIENT_TYPE,
    [SCP_HEADERS.language]: "en-US",
    [SCP_HEADERS.apiVersion]: `virtualserver ${apiVersion}`,
  };
}
