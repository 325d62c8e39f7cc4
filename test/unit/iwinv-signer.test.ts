import { describe, expect, it } from "vitest";
import { buildIwinvUrl, canonicalIwinvPath, iwinvHeaders, iwinvPathOf, iwinvSignature } from "../../shared/providers/iwinv/signer.js";
import { encodeSegment } from "../../shared/providers/escape.js";
import { IWINV_VECTORS } from "../fixtures/provider-vectors.js";

/*
 * Expected signatures were computed outside this code base, in the shell:
 *   printf %s "$timestamp$path" | openssl dgst -sha256 -hmac "$secret"
 * with secret "test-secret-key" unless noted.
 */
const SECRET = "test-secret-key";
const TS = 1710000000;
const SIG_IMAGES = "2af4f5b861fba6ca84d55a182f5046e4939aada971e9ea9c62373eda9ae5e371"; // "1710000000/v1/images"

describe("iwinv signature", () => {
  it("signs timestamp + path (no query)", () => {
    expect(iwinvSignature(SECRET, TS, "/v1/images")).toBe(SIG_IMAGES);
    expect(iwinvSignature(SECRET, "1710000000", "/v1/images/PIMAGE-1Pos3S8VaJXq3wgC8c4BMi")).toBe(
      "d26156f36d757180b0bac4090e274d12d8fc6b48205623b09cc696038c352478",
    );
    expect(iwinvSignature(SECRET, 1710000123, "/v1/instances/IWVM-demo-0001")).toBe(
      "5bdde9509cf3a005459369d6b064755c2f6b677e4c9e9fe2e7594c170f6cb201",
    );
  });

  it("with the demo key", () => {
    // printf %s "1700000000/v1/images" | openssl dgst -sha256 -hmac iwinv-demo-secret-7d6c5b4a3f2e
    expect(iwinvSignature("iwinv-demo-secret-7d6c5b4a3f2e", 1700000000, "/v1/images")).toBe(
      "1ecf11c788ee20ef989a9fe943cbf51c939d2d60cde58316210095dd08171986",
    );
  });

  it("does not sign the query: a list request with params has the plain path's signature", () => {
    const url = buildIwinvUrl("https://api-kr.iwinv.kr", "/v1/images", {
      zone_id: "kr2-z01",
      name: "web 서버",
      os: ["ubuntu", "rocky"],
      page_no: 2,
      page_size: 100,
    });
    expect(iwinvPathOf(url)).toBe("/v1/images");
    expect(iwinvHeaders(iwinvPathOf(url), TS, "AK", SECRET)["X-iwinv-Signature"]).toBe(SIG_IMAGES);
  });

  it("never signs a trailing slash (the docs forbid it)", () => {
    expect(canonicalIwinvPath("/v1/images/")).toBe("/v1/images");
    expect(canonicalIwinvPath("/")).toBe("/");
    expect(iwinvSignature(SECRET, TS, "/v1/images/")).toBe(SIG_IMAGES);
  });

  it("signs the path as it goes on the wire: +, *, ~ and / in an id", () => {
    const seg = encodeSegment("a+b*c~d/e");
    expect(seg).toBe("a%2Bb*c~d%2Fe");
    const url = buildIwinvUrl("https://api-kr.iwinv.kr", `/v1/images/${seg}`);
    expect(iwinvPathOf(url)).toBe("/v1/images/a%2Bb*c~d%2Fe");
    // printf %s "1710000000/v1/images/a%2Bb*c~d%2Fe" | openssl dgst -sha256 -hmac test-secret-key
    expect(iwinvSignature(SECRET, TS, iwinvPathOf(url))).toBe("7b9fa0fb0e6144fb28dc5bdc898aac7dfb83473de254e32efa0824c0695e413a");
  });

  it("signs Korean text in the path percent-encoded (UTF-8)", () => {
    const path = `/v1/images/${encodeSegment("이미지")}`;
    expect(path).toBe("/v1/images/%EC%9D%B4%EB%AF%B8%EC%A7%80");
    expect(iwinvSignature(SECRET, TS, path)).toBe("fa2655bc8b5a84db9edc5529949bb7c6c0e304bf3ee89643952836d4532ba0ab");
  });

  it("headers: whole seconds, credential, signature", () => {
    expect(iwinvHeaders("/v1/images", 1710000000.9, "IWINVDEMOACCESS0001", SECRET)).toEqual({
      "X-iwinv-Timestamp": "1710000000",
      "X-iwinv-Credential": "IWINVDEMOACCESS0001",
      "X-iwinv-Signature": SIG_IMAGES,
    });
  });
});

describe("iwinv signature against iwinv.md's vectors (computed with third-party clients' own signing code)", () => {
  const { secretKey, timestamp, accessKey } = IWINV_VECTORS;

  it.each(IWINV_VECTORS.vectors)("$signed", ({ path, signature }) => {
    expect(iwinvSignature(secretKey, timestamp, path)).toBe(signature);
    expect(iwinvHeaders(path, Number(timestamp), accessKey, secretKey)).toEqual({
      "X-iwinv-Timestamp": timestamp,
      "X-iwinv-Credential": accessKey,
      "X-iwinv-Signature": signature,
    });
  });

  it("the query is not signed: a list URL with params signs as /v1/images", () => {
    const url = buildIwinvUrl("https://api-kr.iwinv.kr", "/v1/images", { page_no: 1, page_size: 10 });
    expect(iwinvSignature(secretKey, timestamp, iwinvPathOf(url))).toBe(IWINV_VECTORS.vectors[0].signature);
  });

  it("produces none of the known wrong forms", () => {
    const mine = iwinvSignature(secretKey, timestamp, "/v1/images/");
    for (const neg of IWINV_VECTORS.negativeVectors) expect(mine, neg.mistake).not.toBe(neg.signature);
  });
});

describe("iwinv URL builder", () => {
  it("writes the exact URL: order kept, empties dropped, arrays as comma lists", () => {
    expect(
      buildIwinvUrl("https://api-kr.iwinv.kr/", "/v1/images", {
        zone_id: "kr2-z01",
        name: undefined,
        os: ["windows", "ubuntu"],
        visibility: "",
        type: null,
        page_no: 1,
        page_size: 100,
      }),
    ).toBe("https://api-kr.iwinv.kr/v1/images?zone_id=kr2-z01&os=windows%2Cubuntu&page_no=1&page_size=100");
  });

  it("encodes a space as %20, Korean as UTF-8 bytes, and + * ~ / in values", () => {
    expect(buildIwinvUrl("http://127.0.0.1:9", "/v1/images", { name: "web 서버" })).toBe(
      "http://127.0.0.1:9/v1/images?name=web%20%EC%84%9C%EB%B2%84",
    );
    expect(buildIwinvUrl("http://127.0.0.1:9", "/v1/images", { name: "a+b*c~d/e" })).toBe(
      "http://127.0.0.1:9/v1/images?name=a%2Bb*c~d%2Fe",
    );
  });

  it("no query → no '?'", () => {
    expect(buildIwinvUrl("https://api-kr.iwinv.kr", "/v1/images/PIMAGE-1")).toBe("https://api-kr.iwinv.kr/v1/images/PIMAGE-1");
    expect(buildIwinvUrl("https://api-kr.iwinv.kr", "/v1/images", {})).toBe("https://api-kr.iwinv.kr/v1/images");
  });

  it("path extraction keeps encoding and drops query and fragment", () => {
    expect(iwinvPathOf("https://api-kr.iwinv.kr/v1/images/a%2Fb?x=1#f")).toBe("/v1/images/a%2Fb");
    expect(iwinvPathOf("http://127.0.0.1:8080")).toBe("/");
    expect(iwinvPathOf("/v1/images?page_no=1")).toBe("/v1/images");
  });
});
