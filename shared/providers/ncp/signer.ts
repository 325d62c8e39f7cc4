import { createHmac } from "node:crypto";

/**
 * NCP API Gateway signature v2 (ncp.md §1):
 *   base64(HMAC-SHA256(secretKey, METHOD + " " + URI + "\n" + timestamp + "\n" + accessKey))
 * URI is the path, plus `?query` only when the request has one. The product sends every call as
 * a form POST with no query (wire.ts), so what it signs is `POST /vserver/v2/<action>`.
 */
export function ncpSignature(method: string, uri: string, timestamp: string, accessKey: string, secretKey: string): string {
  return createHmac("sha256", secretKey).update(`${method} ${uri}\n${timestamp}\n${accessKey}`).digest("base64");
}

/** The three documented headers; `-v2` is the documented signature header (ncp.md §1.4). */
export function ncpHeaders(method: string, uri: string, timestampMs: number, accessKey: string, secretKey: string): Record<string, string> {
  const timestamp = String(timestampMs);
  return {
    "x-ncp-apigw-timestamp": timestamp,
    "x-ncp-iam-access-key": accessKey,
    "x-ncp-apigw-signature-v2": ncpSignature(method, uri, timestamp, accessKey, secretKey),
  };
}
