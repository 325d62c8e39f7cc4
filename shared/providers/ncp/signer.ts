import { createHmac } from "node:crypto";

/**
 * NCP API Gateway signature (ncp.md §1):
 *   base64(HMAC-SHA256(secretKey, METHOD + " " + URI + "\n" + timestamp + "\n" + accessKey))
 * URI is the path, plus `?query` only when the request has one. The product sends every call as
 * a form POST with no query (wire.ts), so what it signs is `POST /vserver/v2/<action>`.
 */
export function ncpSignature(method: string, uri: string, timestamp: string, accessKey: string, secretKey: string): string {
  return createHmac("sha256", secretKey).update(`${method} ${uri}\n${timestamp}\n${accessKey}`).digest("base64");
}

/**
 * The auth headers, named as the official Go SDK writes them (Go's canonical form): the SDK sends
 * the signature as `X-Ncp-Apigw-Signature-V1` (ncloud-sdk-go-v2 services/vserver/api_client.go
 * prepareRequest; test/fixtures/oracle/vectors-ncp.json), which is what terraform-provider-ncloud
 * runs with; the docs name `-v2` (ncp.md §1.1, §1.4), sent beside it with the same value.
 */
export function ncpHeaders(method: string, uri: string, timestampMs: number, accessKey: string, secretKey: string): Record<string, string> {
  const timestamp = String(timestampMs);
  const signature = ncpSignature(method, uri, timestamp, accessKey, secretKey);
  return {
    "X-Ncp-Apigw-Timestamp": timestamp,
    "X-Ncp-Iam-Access-Key": accessKey,
    "X-Ncp-Apigw-Signature-V1": signature,
    "X-Ncp-Apigw-Signature-V2": signature,
  };
}
