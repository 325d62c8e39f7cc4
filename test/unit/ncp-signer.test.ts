import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ncpHeaders, ncpQuery, ncpSignature, ncpUri } from "../../shared/providers/ncp/signer.js";
import { DEMO_KEYS } from "../sim/demo.js";

const { accessKey, secretKey } = DEMO_KEYS.ncp;
const TS = 1_700_000_000_000;

/*
 * Expected values computed outside the signer, with openssl, from the documented algorithm:
 *   printf '%s' "GET <uri>"$'\n'"1700000000000"$'\n'"NCPDEMOACCESSKEY0001" \
 *     | openssl dgst -sha256 -hmac "ncp-demo-secret-4f0e9a7b1c2d" -binary | base64
 */
const VECTORS: Array<[string, string, Record<string, unknown>, string, string]> = [
  ["no query but the format", "getServerImageList", {}, "/vserver/v2/getServerImageList?responseFormatType=json", "31NVLNGqf4IrNi5iIjCNzB9r7kfE11LIIt8KaWY7j34="],
  ["list parameters", "getServerImageList", { regionCode: "KR", serverImageTypeCodeList: ["NCP", "SELF"] },
    "/vserver/v2/getServerImageList?regionCode=KR&serverImageTypeCodeList.1=NCP&serverImageTypeCodeList.2=SELF&responseFormatType=json", "viulnKqQcN/rlPunLUJBmPUvZ3OedMHTq04yl9qPkBI="],
  ["a value with a space", "createServerImage", { serverInstanceNo: "1234567", serverImageName: "web-golden", serverImageDescription: "golden image v1" },
    "/vserver/v2/createServerImage?serverInstanceNo=1234567&serverImageName=web-golden&serverImageDescription=golden%20image%20v1&responseFormatType=json", "sKgIh/8aXHy7NpK/r8UfPdx2yrDn30X18zkTlTEa5sk="],
  ["Korean text", "createServerImage", { serverInstanceNo: "1234567", serverImageName: "web", serverImageDescription: "한글 설명" },
    "/vserver/v2/createServerImage?serverInstanceNo=1234567&serverImageName=web&serverImageDescription=%ED%95%9C%EA%B8%80%20%EC%84%A4%EB%AA%85&responseFormatType=json", "74zdKgW8gR++YtBSDP9yglt7k0ez2AahOXkBXCj7jWQ="],
  ["+ * ~ and /", "createServerImage", { serverInstanceNo: "1", serverImageDescription: "a+b*c~d/e" },
    "/vserver/v2/createServerImage?serverInstanceNo=1&serverImageDescription=a%2Bb%2Ac~d%2Fe&responseFormatType=json", "fT0hPcZ6ozh07yx1oRUPhRsUTZNLf1Fn4Otmz/3o2W8="],
];

describe("NCP signature v2", () => {
  it.each(VECTORS)("%s", (_label, action, params, uri, signature) => {
    expect(ncpUri(action, params as never)).toBe(uri);
    expect(ncpSignature("GET", uri, String(TS), accessKey, secretKey)).toBe(signature);
    expect(ncpHeaders("GET", uri, TS, accessKey, secretKey)).toEqual({
      "x-ncp-apigw-timestamp": "1700000000000",
      "x-ncp-iam-access-key": accessKey,
      "x-ncp-apigw-signature-v2": signature,
    });
  });

  it("signs the method, so a POST differs from a GET", () => {
    const uri = VECTORS[0]![3];
    expect(ncpSignature("POST", uri, String(TS), accessKey, secretKey)).not.toBe(VECTORS[0]![4]);
    expect(ncpSignature("POST", uri, String(TS), accessKey, secretKey)).toBe(
      createHmac("sha256", secretKey).update(`POST ${uri}\n${TS}\n${accessKey}`).digest("base64"),
    );
  });

  it("leaves out empty values and always asks for JSON last", () => {
    expect(ncpQuery({ a: undefined, b: "", c: null, d: 0, e: [] })).toBe("d=0&responseFormatType=json");
  });
});
