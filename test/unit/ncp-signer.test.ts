import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ncpHeaders, ncpSignature } from "../../shared/providers/ncp/signer.js";
import { NCP_MD_VECTORS, PYTHON_SDK_POST_SIGNATURES } from "../support/ncp-vectors.js";

const { accessKey, secretKey, timestamp, anchor, vectors } = NCP_MD_VECTORS;
// the repository's copy of the research notes (docs/providers/), so the check runs on every clone
const NCP_MD = fileURLToPath(new URL("../../docs/providers/ncp.md", import.meta.url));

describe("NCP signature v2 against the official SDKs' vectors (ncp.md §2)", () => {
  it("reproduces the official anchor of ncp-iam-authenticator", () => {
    expect(ncpSignature(anchor.method, anchor.signedUri, anchor.timestamp, anchor.accessKey, anchor.secretKey)).toBe(anchor.signature);
  });

  it.each(vectors.map((v) => [v.id, v] as const))("%s", (_id, v) => {
    // the documented string to sign, as the vector spells it, and the SDK-computed signature
    expect(`${v.method} ${v.signedUri}\n${timestamp}\n${accessKey}`).toBe(v.stringToSign);
    expect(ncpSignature(v.method, v.signedUri, timestamp, accessKey, secretKey)).toBe(v.signature);
  });

  it.each(Object.entries(PYTHON_SDK_POST_SIGNATURES))("POST /vserver/v2/%s (ncloud-sdk-python make_signature)", (action, signature) => {
    expect(ncpSignature("POST", `/vserver/v2/${action}`, timestamp, accessKey, secretKey)).toBe(signature);
  });

  it("sends the Go SDK's headers (its -v1 signature header) and the documented -v2 beside it, the same value", () => {
    // ncloud-sdk-go-v2 services/vserver/api_client.go prepareRequest; ncp.md §1.1, §1.4
    const v = vectors.find((x) => x.id === "post-create-image-go-sdk")!;
    expect(ncpHeaders("POST", v.signedUri, Number(timestamp), accessKey, secretKey)).toEqual({
      "X-Ncp-Apigw-Timestamp": timestamp,
      "X-Ncp-Iam-Access-Key": accessKey,
      "X-Ncp-Apigw-Signature-V1": v.signature,
      "X-Ncp-Apigw-Signature-V2": v.signature,
    });
  });

  it.skipIf(!existsSync(NCP_MD))("uses the vectors exactly as ncp.md has them", () => {
    const block = /Full machine-readable set[\s\S]*?```json\n([\s\S]*?)\n```/.exec(readFileSync(NCP_MD, "utf8"))?.[1];
    expect(block).toBeDefined();
    expect(NCP_MD_VECTORS).toEqual(JSON.parse(block!));
  });
});
