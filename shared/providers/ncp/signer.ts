import { createHmac } from "node:crypto";

/**
 * NCP API Gateway signature v2:
 *   base64(HMAC-SHA256(secretKey, METHOD + " " + URI-with-query + "\n" + timestamp + "\n" + accessKey))
 * The URI signed is byte-for-byte the path and query sent on the wire, so the query is built
 * once (ncpQuery) and used both to sign and to send.
 */
export function ncpSignature(method: string, uri: string, timestamp: string, accessKey: string, secretKey: string): string {
  return createHmac("sha256", secretKey).update(`${method} ${uri}\n${timestamp}\n${accessKey}`).digest("base64");
}

export function ncpHeaders(method: string, uri: string, timestampMs: number, accessKey: string, secretKey: string): Record<string, string> {
  const timestamp = String(timestampMs);
  return {
    "x-ncp-apigw-timestamp": timestamp,
    "x-ncp-iam-access-key": accessKey,
    "x-ncp-apigw-signature-v2": ncpSignature(method, uri, timestamp, accessKey, secretKey),
  };
}

export type NcpParam = string | number | boolean | undefined | null | ReadonlyArray<string | number>;

/** RFC 3986 unreserved characters stay; everything else is percent-encoded as UTF-8 (space → %20). */
export function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The query string of an NCP call, in the given key order: list parameters become name.1,
 * name.2, …; empty values are left out; responseFormatType=json is always last (XML is the default).
 */
export function ncpQuery(params: Record<string, NcpParam>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v, i) => parts.push(`${encodeRfc3986(`${key}.${i + 1}`)}=${encodeRfc3986(String(v))}`));
    else parts.push(`${encodeRfc3986(key)}=${encodeRfc3986(String(value))}`);
  }
  parts.push("responseFormatType=json");
  return parts.join("&");
}

/** "/vserver/v2/getServerImageList?regionCode=KR&…": what is sent and what is signed. */
export function ncpUri(action: string, params: Record<string, NcpParam>): string {
  return `/vserver/v2/${action}?${ncpQuery(params)}`;
}
