/**
 * Golden wire tests: every kind of request the NCP adapter sends, captured at the transport, to
 * the character — method, URL, headers, body — with the signature of each taken from a vector
 * computed by the official SDKs' own code (ncp.md §2, test/support/ncp-vectors.ts), never from
 * the product's signer. The expected bodies are the Go SDK's form (ncp.md §1.2): the exact bodies
 * of ncp.md's Go vectors where the product sends the same request, otherwise written out by hand
 * from the request model's field order (ncloud-sdk-go-v2 services/vserver/*_request.go, listed in
 * wire.ts) and url.QueryEscape.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { ncpAdapter } from "../../shared/providers/ncp/client.js";
import { goQueryEscape } from "../../shared/providers/escape.js";
import { ncpForm } from "../../shared/providers/ncp/wire.js";
import type { CallContext } from "../../shared/providers/types.js";
import { failure } from "../support/failure.js";
import { NCP_MD_VECTORS, PYTHON_SDK_POST_SIGNATURES, ncpVector } from "../support/ncp-vectors.js";
import { PRODUCT_USER_AGENT } from "../support/oracle.js";
import { answer, recordingTransport, type Sent } from "../support/wire.js";

const ncp = ncpAdapter();

const { accessKey, secretKey, timestamp } = NCP_MD_VECTORS;
const BASE = "https://ncloud.apigw.ntruss.com";

/** The signature of `POST /vserver/v2/<action>` at ncp.md's timestamp and keys, by the SDK that computed it. */
const SIGNATURE: Record<string, string> = {
  getServerImageList: ncpVector("post-image-list-go-sdk").signature,
  createServerImage: ncpVector("post-create-image-go-sdk").signature,
  getServerInstanceDetail: ncpVector("post-server-instance-detail-go-sdk").signature,
  createMemberServerImageInstance: ncpVector("post-create-member-image-js-sdk").signature,
  getMemberServerImageInstanceList: ncpVector("post-member-image-list-js-sdk").signature,
  ...PYTHON_SDK_POST_SIGNATURES,
};

/** What the adapter must have sent for `action` with this form body. */
function golden(action: string, body: string): Sent {
  return {
    url: `${BASE}/vserver/v2/${action}`,
    method: "POST",
    // the Go SDK's header names and its -v1 signature header, the documented -v2 beside it (signer.ts)
    headers: {
      "User-Agent": expect.stringMatching(PRODUCT_USER_AGENT) as never,
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": String(Buffer.byteLength(body)),
      "X-Ncp-Apigw-Timestamp": timestamp,
      "X-Ncp-Iam-Access-Key": accessKey,
      "X-Ncp-Apigw-Signature-V1": SIGNATURE[action]!,
      "X-Ncp-Apigw-Signature-V2": SIGNATURE[action]!,
    },
    body,
  };
}

let reply: (action: string, form: URLSearchParams) => { status: number; body: unknown };

const { sent, transport, reset } = recordingTransport((url, init) => {
  const { status, body } = reply(url.pathname.split("/").pop()!, new URLSearchParams(init.body));
  return answer(status, body);
});

const ctx = (): CallContext => ({
  account: { provider: "ncp", name: "golden", accessKey, secretKey, regions: ["KR"] },
  region: "KR",
  http: new HttpClient({ provider: "ncp", transport, maxAttempts: 1, now: () => 0 }),
});

const ok = (action: string, body: Record<string, unknown>) => ({
  status: 200,
  body: { [`${action}Response`]: { returnCode: "0", returnMessage: "success", ...body } },
});
const refused = { status: 400, body: { responseError: { returnCode: "1100000", returnMessage: "Parameter is invalid." } } };
const code = (c: string) => ({ code: c, codeName: c });
const server = (over: Record<string, unknown> = {}) => ({
  serverInstanceNo: "12345678",
  serverName: "web-01",
  serverInstanceStatus: code("RUN"),
  serverInstanceOperation: code("NULL"),
  hypervisorType: code("KVM"),
  ...over,
});
const serverImage = {
  serverImageNo: "23214590",
  serverImageName: "my-image-01",
  serverImageType: code("SELF"),
  serverImageStatus: code("INIT"),
};
const memberImage = {
  memberServerImageInstanceNo: "23214590",
  memberServerImageName: "my-image-01",
  memberServerImageInstanceStatus: code("INIT"),
};

beforeEach(() => {
  reset();
  vi.spyOn(Date, "now").mockReturnValue(Number(timestamp));
});
afterEach(() => vi.restoreAllMocks());

describe("NCP form body: the Go SDK's encoding (ncp.md §1.2–1.3)", () => {
  it("escapes values as Go's url.QueryEscape", () => {
    // ncp.md §1.3, row "Go url.QueryEscape (Go SDK body)"
    expect(goQueryEscape("my image 이미지+1*~")).toBe("my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~");
  });

  it("writes the bodies of ncp.md's Go vectors byte for byte, fields in the model's order", () => {
    expect(
      ncpForm("createServerImage", {
        regionCode: "KR",
        serverInstanceNo: "12345678",
        serverImageName: "my-image-01",
        serverImageDescription: "nightly backup 백업",
        blockStorageList: [{ order: 0 }],
      }),
    ).toBe(ncpVector("post-create-image-go-sdk").body);
    expect(
      ncpForm("getServerImageList", {
        pageSize: 10,
        pageNo: 1,
        serverImageNoList: ["23214590", "23214591"],
        serverImageName: "my image 이미지+1*~",
        regionCode: "KR",
      }),
    ).toBe(ncpVector("post-image-list-go-sdk").body);
    expect(ncpForm("getServerInstanceDetail", { regionCode: "KR", serverInstanceNo: "12345678" })).toBe(
      ncpVector("post-server-instance-detail-go-sdk").body,
    );
  });

  it("leaves out fields without a value, writes an empty string as the SDK does, and refuses a field the model does not have", () => {
    expect(ncpForm("getServerImageList", { regionCode: "KR", osTypeCodeList: undefined, serverImageNoList: [], sortedBy: null })).toBe(
      "responseFormatType=json&regionCode=KR",
    );
    // a pointer to "" is written as the field with no value (api_client.go convertToString; the oracle's find-images-by-empty-name)
    expect(ncpForm("getServerImageList", { regionCode: "KR", serverImageName: "" })).toBe(
      "responseFormatType=json&regionCode=KR&serverImageName=",
    );
    expect(() => ncpForm("getServerImageDetail", { serverImageNoo: "1" } as never)).toThrow(/no field serverImageNoo/);
  });
});

describe("NCP requests on the wire, to the character", () => {
  it("lists with every filter and pages: scope, OS, then every page at once", async () => {
    reply = (action, form) =>
      action === "getServerImageList"
        ? ok(action, { totalRows: 1001, serverImageList: form.get("pageNo") === "1" ? [serverImage] : [] })
        : ok(action, { totalRows: 0, memberServerImageInstanceList: [] });
    await ncp.listImages(ctx(), { scope: "custom", os: "ubuntu" });
    expect(sent).toEqual([
      golden(
        "getServerImageList",
        "responseFormatType=json&regionCode=KR&serverImageTypeCodeList.1=SELF&osTypeCodeList.1=UBUNTU&pageNo=1&pageSize=1000",
      ),
      golden("getMemberServerImageInstanceList", "responseFormatType=json&regionCode=KR&pageNo=1&pageSize=1000"),
      golden(
        "getServerImageList",
        "responseFormatType=json&regionCode=KR&serverImageTypeCodeList.1=SELF&osTypeCodeList.1=UBUNTU&pageNo=2&pageSize=1000",
      ),
    ]);

    reset();
    await ncp.listImages(ctx(), { scope: "public" });
    expect(sent).toEqual([
      golden("getServerImageList", "responseFormatType=json&regionCode=KR&serverImageTypeCodeList.1=NCP&pageNo=1&pageSize=1000"),
      golden("getServerImageList", "responseFormatType=json&regionCode=KR&serverImageTypeCodeList.1=NCP&pageNo=2&pageSize=1000"),
    ]);

    reset();
    await ncp.listImages(ctx(), {});
    expect(sent[0]).toEqual(
      golden(
        "getServerImageList",
        "responseFormatType=json&regionCode=KR&serverImageTypeCodeList.1=NCP&serverImageTypeCodeList.2=SELF&pageNo=1&pageSize=1000",
      ),
    );
  });

  it("looks a name up with free text only in the (unsigned) body", async () => {
    reply = (action) => ok(action, { totalRows: 0, serverImageList: [], memberServerImageInstanceList: [] });
    await ncp.findImagesByName(ctx(), "my image 이미지+1*~");
    const name = "my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~"; // the encoded value of ncp.md's Go body
    expect(sent).toEqual([
      golden(
        "getServerImageList",
        `responseFormatType=json&regionCode=KR&serverImageName=${name}&serverImageTypeCodeList.1=SELF&pageNo=1&pageSize=1000`,
      ),
      golden(
        "getMemberServerImageInstanceList",
        `responseFormatType=json&regionCode=KR&memberServerImageName=${name}&pageNo=1&pageSize=1000`,
      ),
    ]);
    for (const s of sent) expect(s.url).not.toContain("?");
  });

  it("describes from the server-image API, and from the member-image API when it has none", async () => {
    reply = (action) => ok(action, { totalRows: 1, serverImageList: [serverImage] });
    expect(await ncp.describeImage(ctx(), "23214590")).toMatchObject({ id: "23214590", status: "creating" });
    expect(sent).toEqual([golden("getServerImageDetail", "responseFormatType=json&regionCode=KR&serverImageNo=23214590")]);

    reset();
    reply = (action) =>
      action === "getServerImageDetail"
        ? ok(action, { totalRows: 0, serverImageList: [] })
        : ok(action, { totalRows: 1, memberServerImageInstanceList: [memberImage] });
    expect(await ncp.describeImage(ctx(), "23214590")).toMatchObject({ id: "23214590", name: "my-image-01" });
    expect(sent).toEqual([
      golden("getServerImageDetail", "responseFormatType=json&regionCode=KR&serverImageNo=23214590"),
      golden("getMemberServerImageInstanceDetail", "responseFormatType=json&regionCode=KR&memberServerImageInstanceNo=23214590"),
    ]);
  });

  it("confirms a refused detail with the list filtered by that number before saying NOT_FOUND", async () => {
    reply = (action) =>
      action.endsWith("Detail") ? refused : ok(action, { totalRows: 0, serverImageList: [], memberServerImageInstanceList: [] });
    expect(await failure(ncp.describeImage(ctx(), "23214590"))).toMatchObject({ code: "NOT_FOUND", field: "id" });
    expect(sent).toEqual([
      golden("getServerImageDetail", "responseFormatType=json&regionCode=KR&serverImageNo=23214590"),
      golden("getServerImageList", "responseFormatType=json&regionCode=KR&serverImageNoList.1=23214590"),
      golden("getMemberServerImageInstanceDetail", "responseFormatType=json&regionCode=KR&memberServerImageInstanceNo=23214590"),
      golden("getMemberServerImageInstanceList", "responseFormatType=json&regionCode=KR&memberServerImageInstanceNoList.1=23214590"),
    ]);
  });

  it("looks the server up by its number, confirming a refusal with the filtered list", async () => {
    reply = (action) => ok(action, { totalRows: 1, serverInstanceList: [server()] });
    expect(await ncp.getServer(ctx(), "12345678")).toEqual({
      id: "12345678",
      name: "web-01",
      providerStatus: "RUN",
      imageable: true,
      hypervisor: "KVM",
    });
    expect(sent).toEqual([golden("getServerInstanceDetail", ncpVector("post-server-instance-detail-go-sdk").body)]);

    reset();
    reply = (action) => (action === "getServerInstanceDetail" ? refused : ok(action, { totalRows: 0, serverInstanceList: [] }));
    expect(await failure(ncp.getServer(ctx(), "12345678"))).toMatchObject({ code: "NOT_FOUND", field: "serverId" });
    expect(sent).toEqual([
      golden("getServerInstanceDetail", "responseFormatType=json&regionCode=KR&serverInstanceNo=12345678"),
      golden("getServerInstanceList", "responseFormatType=json&regionCode=KR&serverInstanceNoList.1=12345678"),
    ]);
  });

  it("creates from a KVM server with createServerImage and the default storage, the body of ncp.md's Go vector", async () => {
    reply = (action) =>
      action === "getServerInstanceDetail"
        ? ok(action, { totalRows: 1, serverInstanceList: [server()] })
        : ok(action, { totalRows: 1, serverImageList: [serverImage] });
    await ncp.creator.createImage(ctx(), { serverId: "12345678", name: "my-image-01", description: "nightly backup 백업" });
    expect(sent).toEqual([
      golden("getServerInstanceDetail", "responseFormatType=json&regionCode=KR&serverInstanceNo=12345678"),
      golden("createServerImage", ncpVector("post-create-image-go-sdk").body),
    ]);
    expect(sent[1]!.body).toBe(
      "responseFormatType=json&regionCode=KR&serverInstanceNo=12345678&serverImageName=my-image-01&serverImageDescription=nightly+backup+%EB%B0%B1%EC%97%85&blockStorageList.1.order=0",
    );
  });

  it("creates from a XEN server with createMemberServerImageInstance, fields in the Go model's order", async () => {
    reply = (action) =>
      action === "getServerInstanceDetail"
        ? ok(action, { totalRows: 1, serverInstanceList: [server({ hypervisorType: code("XEN"), serverInstanceStatus: code("NSTOP") })] })
        : ok(action, { totalRows: 1, memberServerImageInstanceList: [memberImage] });
    await ncp.creator.createImage(ctx(), { serverId: "12345678", name: "my-image-01", description: "nightly backup 백업" });
    // create_member_server_image_instance_request.go: regionCode, memberServerImageName, memberServerImageDescription, serverInstanceNo
    expect(sent[1]).toEqual(
      golden(
        "createMemberServerImageInstance",
        "responseFormatType=json&regionCode=KR&memberServerImageName=my-image-01&memberServerImageDescription=nightly+backup+%EB%B0%B1%EC%97%85&serverInstanceNo=12345678",
      ),
    );
  });

  // no SDK vector signs these two paths; the signature is of the path alone, a function the vectors above pin
  const deleted = (action: string, body: string): Sent => {
    const signature = expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) as never;
    const { headers } = golden(action, body);
    return {
      ...golden(action, body),
      headers: { ...headers, "X-Ncp-Apigw-Signature-V1": signature, "X-Ncp-Apigw-Signature-V2": signature },
    };
  };

  it("deletes what the server-image API knows with deleteServerImage (serverImageNoList.N), never a second time", async () => {
    const terminating = { ...serverImage, serverImageStatus: code("CREAT"), serverImageOperation: code("TERMT") };
    reply = (action) =>
      ok(action, { totalRows: 1, serverImageList: [action === "deleteServerImage" ? terminating : serverImage], sharedLoginIdList: [] });
    const target = await ncp.deleter.describeForDelete(ctx(), "23214590");
    expect(target).toMatchObject({ via: "deleteServerImage", sharedWith: [] });
    await ncp.deleter.deleteImage(ctx(), target);
    // delete_server_image_request.go: regionCode, serverImageNoList
    expect(sent).toEqual([
      golden("getServerImageDetail", "responseFormatType=json&regionCode=KR&serverImageNo=23214590"),
      deleted("deleteServerImage", "responseFormatType=json&regionCode=KR&serverImageNoList.1=23214590"),
    ]);

    reset();
    reply = () => ({ status: 503, body: { error: { errorCode: "500", message: "Endpoint Error", details: "" } } });
    const http = new HttpClient({ provider: "ncp", transport, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, now: () => 0 });
    expect(await failure(ncp.deleter.deleteImage({ ...ctx(), http }, target))).toMatchObject({ code: "PROVIDER_UNAVAILABLE" });
    expect(sent).toHaveLength(1);
  });

  it("deletes a legacy image only the member-image API knows with deleteMemberServerImageInstances, and names whom it is shared with", async () => {
    reply = (action) =>
      action === "getServerImageDetail"
        ? ok(action, { totalRows: 0, serverImageList: [] })
        : ok(action, { totalRows: 1, memberServerImageInstanceList: [{ ...memberImage, sharedLoginIdList: ["partner@example.com"] }] });
    const target = await ncp.deleter.describeForDelete(ctx(), "23214590");
    expect(target).toMatchObject({ via: "deleteMemberServerImageInstances", sharedWith: ["partner@example.com"] });
    reset();
    await ncp.deleter.deleteImage(ctx(), target);
    // delete_member_server_image_instances_request.go: regionCode, memberServerImageInstanceNoList
    expect(sent).toEqual([
      deleted("deleteMemberServerImageInstances", "responseFormatType=json&regionCode=KR&memberServerImageInstanceNoList.1=23214590"),
    ]);
  });

  it("signs afresh for every attempt, with the attempt's timestamp", async () => {
    let n = 0;
    reply = (action) =>
      n++ === 0
        ? { status: 503, body: { error: { errorCode: "500", message: "Endpoint Error", details: "" } } }
        : ok(action, { totalRows: 1, serverImageList: [serverImage] });
    // the client's own clock apart, so that Date.now is read by the signer only
    const http = new HttpClient({ provider: "ncp", transport, maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, now: () => 0 });
    vi.mocked(Date.now)
      .mockReturnValueOnce(Number(timestamp) - 1)
      .mockReturnValue(Number(timestamp));
    await ncp.describeImage({ ...ctx(), http }, "23214590");
    expect(sent.map((s) => s.headers["X-Ncp-Apigw-Timestamp"])).toEqual([String(Number(timestamp) - 1), timestamp]);
    expect(sent[1]).toEqual(golden("getServerImageDetail", "responseFormatType=json&regionCode=KR&serverImageNo=23214590"));
  });
});
