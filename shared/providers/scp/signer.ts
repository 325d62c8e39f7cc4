import { createHmac } from "node:crypto";
import { goQueryEscape } from "../escape.js";
import { SCP_DEFAULT_API_VERSION } from "./versions.js";

/**
 * SCP Open API signing, as the official Go SDK signs (client/signature_generator.go MakeHmacSignature,
 * client/configuration.go SetupRequestHeader):
 *   signature = base64(HMAC-SHA256(secretKey, method + requestUrl + timestamp + accessKey + accountId + "Openapi"))
 * where requestUrl is the full URL as sent: base + path, then "?" + the query as Go's url.Values.Encode() writes it.
 * terraform-provider-samsungcloudplatformv2 configures the SDK with AccountId: "" (samsungcloudplatform/client/client.go),
 * so the account id is empty in what is signed and the SDK sends `Scp-AccountId:` with an empty value
 * (test/fixtures/oracle/vectors-scp.json, every case); with it empty the string is the docs' Java sample's
 * (method + url + timestamp + accessKey + clientType, scp.md §1.2). The adapter signs as the provider does.
 */

export const SCP_CLIENT_TYPE = "Openapi";

/** Header names exactly as the SDK writes them (client/common.go; the oracle's headerNames); HTTP header names are case-insensitive. */
export const SCP_HEADERS = {
  accessKey: "Scp-AccessKey",
  accountId: "Scp-AccountId",
  signature: "Scp-Signature",
  timestamp: "Scp-Timestamp",
  clientType: "Scp-ClientType",
  language: "Accept-Language",
  apiVersion: "Scp-API-Version",
} as const;

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

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

/** The signature alone; `accountId` is the SDK's slot, empty as the official provider leaves it. */
export function scpSignature(
  method: string,
  fullUrl: string,
  timestamp: number | string,
  accessKey: string,
  secretKey: string,
  accountId = "",
): string {
  const message = method + fullUrl + String(timestamp) + accessKey + accountId + SCP_CLIENT_TYPE;
  return createHmac("sha256", secretKey).update(message, "utf8").digest("base64");
}

/**
 * Every header SetupRequestHeader sets on a signed Virtual Server call, and Scp-API-Version. `apiVersion` is the bare
 * number ("1.3"); it is sent, not signed.
 */
export function scpHeaders(
  method: string,
  fullUrl: string,
  timestamp: number | string,
  accessKey: string,
  secretKey: string,
  apiVersion: string = SCP_DEFAULT_API_VERSION,
  accountId = "",
): Record<string, string> {
  return {
    [SCP_HEADERS.accessKey]: accessKey,
    [SCP_HEADERS.accountId]: accountId,
    [SCP_HEADERS.signature]: scpSignature(method, fullUrl, timestamp, accessKey, secretKey, accountId),
    [SCP_HEADERS.timestamp]: String(timestamp),
    [SCP_HEADERS.clientType]: SCP_CLIENT_TYPE,
    [SCP_HEADERS.language]: "en-US",
    [SCP_HEADERS.apiVersion]: `virtualserver ${apiVersion}`,
  };
}
