/**
 * NCP's wire form (shared/providers/ncp/wire.ts) against the Go SDK's own bodies in ncp.md §2.
 */
import { describe, expect, it } from "vitest";
import { goQueryEscape, ncpForm } from "../../shared/providers/ncp/wire.js";
import { ncpVector } from "../support/ncp-vectors.js";

describe("NCP form body: the Go SDK's encoding (ncp.md §1.2–1.3)", () => {
  it("escapes values as Go's url.QueryEscape", () => {
    // ncp.md §1.3, row "Go url.QueryEscape (Go SDK body)"
    expect(goQueryEscape("my image 이미지+1*~")).toBe("my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~");
  });

  it("writes the bodies of ncp.md's Go vectors byte for byte, fields in the model's order", () => {
    expect(ncpForm("createServerImage", { regionCode: "KR", serverInstanceNo: "12345678", serverImageName: "my-image-01", serverImageDescription: "nightly backup 백업", blockStorageList: [{ order: 0 }] }))
      .toBe(ncpVector("post-create-image-go-sdk").body);
    expect(ncpForm("getServerImageList", { pageSize: 10, pageNo: 1, serverImageNoList: ["23214590", "23214591"], serverImageName: "my image 이미지+1*~", regionCode: "KR" }))
      .toBe(ncpVector("post-image-list-go-sdk").body);
    expect(ncpForm("getServerInstanceDetail", { regionCode: "KR", serverInstanceNo: "12345678" })).toBe(ncpVector("post-server-instance-detail-go-sdk").body);
  });

  it("leaves out fields without a value and refuses a field the model does not have", () => {
    expect(ncpForm("getServerImageList", { regionCode: "KR", serverImageName: "", osTypeCodeList: undefined, serverImageNoList: [] })).toBe("responseFormatType=json&regionCode=KR");
    expect(() => ncpForm("getServerImageDetail", { serverImageNoo: "1" } as never)).toThrow(/no field serverImageNoo/);
  });
});
