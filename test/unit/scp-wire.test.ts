/**
 * Golden wire test for SCP: every kind of request the product sends, exactly as it leaves the HTTP
 * client (method, URL, headers, body), at the vectors' clock and keys. Signatures are compared with
 * the ones the official Go SDK's request pipeline produced (scp.md §2, test/fixtures/provider-vectors.ts),
 * never with a value this product's signer recomputes. A request shape the SDK vectors do not cover
 * (a list page with other filters) has its exact URL asserted: the signature is a function of the URL
 * alone, and that function is pinned by the vectors above.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import type { TransportResponse } from "../../shared/http/transport.js";
import { scpAdapter } from "../../shared/providers/scp/client.js";
import type { CallContext } from "../../shared/providers/types.js";
import type { Account } from "../../shared/secrets.js";
import { SCP_VECTORS, scpVector } from "../fixtures/provider-vectors.js";
import { PRODUCT_USER_AGENT } from "../support/oracle.js";
import { answer, recordingTransport } from "../support/wire.js";

const V = SCP_VECTORS;
const E = V.endpoint;
const SERVER = "2a9be312-5d4b-4bc8-b2ae-35100fa9241f";
const IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b";

let listPages: unknown[][] = [];
let deleteAnswers: TransportResponse[] = [];
const exampleImage = V.fixtures.listImages200_v1_3.body.images[0];

/** The cloud, as far as this test needs one: canned answers by route. */
const { sent, transport, reset } = recordingTransport((url, init) => {
  const path = url.pathname;
  if (path === "/") return answer(200, V.fixtures.versionDiscovery200.body);
  if (path === "/v1/images") return answer(200, { images: listPages.shift() ?? [] });
  if (path === `/v1/images/${IMAGE}` && init.method === "DELETE") return deleteAnswers.shift() ?? answer(204, "");
  if (path === `/v1/images/${IMAGE}`) return answer(200, exampleImage);
  if (path === `/v1/servers/${SERVER}`)
    return answer(200, { id: SERVER, name: "web-01", state: "ACTIVE", account_id: "a8f10467abfc4b87b64614ab36eb9ae4", volumes: [] });
  if (path === `/v1/servers/${SERVER}/images` && init.method === "POST") return answer(202, V.fixtures.createImageFromServer202.body);
  return answer(404, { errors: [{ code: "NotFound", status: 404 }] });
});

// an account id is configured, to show it is neither signed nor sent (the header goes empty)
const account: Account = {
  provider: "scp",
  name: "golden",
  accessKey: V.accessKey,
  secretKey: V.secretKey,
  regions: ["kr-west1"],
  accountId: "a8f10467abfc4b87b64614ab36eb9ae4",
};
const ctx = (): CallContext => ({ account, region: "kr-west1", http: new HttpClient({ provider: "scp", transport }) });
const adapter = () => scpAdapter({ now: () => Number(V.timestamp) });

/**
 * The headers the SDK sends, named as it names them (scp.md §1.5; client/configuration.go SetupRequestHeader and the
 * oracle's headerNames, test/fixtures/oracle/vectors-scp.json: Scp-AccountId empty), with this request's signature.
 */
function expectedHeaders(
  method: "GET" | "POST" | "DELETE",
  signature: string | ReturnType<typeof expect.any>,
  body?: string,
): Record<string, unknown> {
  const h: Record<string, unknown> = {
    "User-Agent": expect.stringMatching(PRODUCT_USER_AGENT),
    Accept: "application/json",
    "Accept-Language": "en-US",
    "Scp-API-Version": "virtualserver 1.3",
    "Scp-AccessKey": V.accessKey,
    "Scp-AccountId": "",
    "Scp-ClientType": "Openapi",
    "Scp-Signature": signature,
    "Scp-Timestamp": V.timestamp,
  };
  // its DeleteImage sends no Accept (scp.md §1.5, the delete-image vector's sdkHeaders)
  if (method === "DELETE") delete h.Accept;
  if (method === "POST") {
    h["Content-Type"] = "application/json";
    // the SDK's prepareRequest sets Content-Length (library/virtualserver/*/client.go)
    h["Content-Length"] = String(Buffer.byteLength(body ?? ""));
  }
  return h;
}

const signed = () => sent.filter((s) => new URL(s.url).pathname !== "/");

beforeEach(() => {
  reset();
  listPages = [];
  deleteAnswers = [];
});

describe("SCP requests on the wire", () => {
  it("describe: GET /v1/images/{id}, signed as the SDK signs it", async () => {
    await adapter().describeImage(ctx(), IMAGE);
    const v = scpVector("show-image");
    expect(signed()).toEqual([{ method: "GET", url: v.wireUrl, headers: expectedHeaders("GET", v.signature), body: undefined }]);
  });

  it("the server lookup: GET /v1/servers/{id}", async () => {
    await adapter().getServer(ctx(), SERVER);
    const v = scpVector("show-server");
    expect(signed()).toEqual([{ method: "GET", url: v.wireUrl, headers: expectedHeaders("GET", v.signature), body: undefined }]);
  });

  it("create: POST /v1/servers/{id}/images with the SDK's body bytes, then a read of the new image", async () => {
    const image = await adapter().creator.createImage(ctx(), { serverId: SERVER, name: "imageops-web-01", description: "not sent" });
    const v = scpVector("create-image-from-server");
    const read = scpVector("show-image");
    expect(signed()).toEqual([
      { method: "POST", url: v.wireUrl, headers: expectedHeaders("POST", v.signature, v.sdkBody), body: v.sdkBody },
      { method: "GET", url: read.wireUrl, headers: expectedHeaders("GET", read.signature), body: undefined },
    ]);
    expect(v.sdkBody).toBe('{"image_name":"imageops-web-01"}\n');
    expect(signed()[0]!.headers["Content-Length"]).toBe("33");
    expect(image.id).toBe(V.fixtures.createImageFromServer202.body.image_id);
  });

  it("list with paging: the marker page is byte for byte the SDK's (limit, marker, sort, status)", async () => {
    listPages = [
      Array.from({ length: 99 }, (_, i) => ({ ...exampleImage, id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` })).concat([
        { ...exampleImage, id: SERVER },
      ]),
      [],
    ];
    await adapter().listImages(ctx(), { status: "available" });
    const v = scpVector("list-images-marker-sort-status");
    expect(signed().map((s) => s.url)).toEqual([`${E}/v1/images?limit=100&sort=created_at%3Adesc&status=active`, v.wireUrl]);
    expect(signed()[1]).toEqual({ method: "GET", url: v.wireUrl, headers: expectedHeaders("GET", v.signature), body: undefined });
  });

  it.each([
    [
      "every filter (custom scope, os, status)",
      { scope: "custom", os: "ubuntu", status: "available" },
      `${E}/v1/images?limit=100&os_distro=ubuntu&scp_image_type=custom&sort=created_at%3Adesc&status=active`,
    ],
    [
      "public scope and an os",
      { scope: "public", os: "windows" },
      `${E}/v1/images?limit=100&os_distro=windows&sort=created_at%3Adesc&visibility=public`,
    ],
    ["no filter", {}, `${E}/v1/images?limit=100&sort=created_at%3Adesc`],
  ] as const)("list with %s: the exact query, keys sorted, values escaped as Go does", async (_what, filter, url) => {
    await adapter().listImages(ctx(), filter);
    expect(signed()).toEqual([{ method: "GET", url, headers: expectedHeaders("GET", expect.any(String)), body: undefined }]);
  });

  it("the name lookup: the name escaped exactly as the SDK escaped it (space +, Hangul %XX)", async () => {
    await adapter().findImagesByName(ctx(), "my image 한글");
    const sdkName = new URL(scpVector("list-images-name-space-korean").wireUrl).search.slice(1); // "name=my+image+%ED%95%9C%EA%B8%80"
    expect(signed()).toEqual([
      {
        method: "GET",
        url: `${E}/v1/images?limit=100&${sdkName}&scp_image_type=custom&sort=created_at%3Adesc`,
        headers: expectedHeaders("GET", expect.any(String)),
        body: undefined,
      },
    ]);
  });

  it("the version catalogue: an unsigned GET of the endpoint's root, with no header but the product's User-Agent (the SDK's CheckVersion)", async () => {
    const a = adapter();
    await a.describeImage(ctx(), IMAGE);
    await a.getServer(ctx(), SERVER);
    const catalogue = sent.filter((s) => new URL(s.url).pathname === "/");
    expect(catalogue).toEqual([
      { method: "GET", url: `${E}/`, headers: { "User-Agent": expect.stringMatching(PRODUCT_USER_AGENT) }, body: undefined },
    ]);
  });

  it("delete: DELETE /v1/images/{id} with the SDK's headers (no Accept, no body), signed as the SDK signed it; 409 tried again", async () => {
    const a = scpAdapter({ now: () => Number(V.timestamp), deleteConflictWaitsMs: [1, 1, 1] });
    const target = await a.deleter.describeForDelete(ctx(), IMAGE);
    reset();
    await a.deleter.deleteImage(ctx(), target);
    const v = scpVector("delete-image");
    expect(signed()).toEqual([{ method: "DELETE", url: v.wireUrl, headers: expectedHeaders("DELETE", v.signature), body: undefined }]);

    // 409 is documented for the call; the live harness retries deletes on it (scp.md §4.4)
    const conflict = answer(409, { errors: [{ code: "Conflict", detail: "in use", status: 409 }] });
    reset();
    deleteAnswers = [conflict, conflict];
    await a.deleter.deleteImage(ctx(), target);
    expect(signed().map((s) => s.method)).toEqual(["DELETE", "DELETE", "DELETE"]);
    reset();
    deleteAnswers = [conflict, conflict, conflict, conflict];
    await expect(a.deleter.deleteImage(ctx(), target)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/409 to 4 delete request\(s\) in a row/),
    });
    expect(signed()).toHaveLength(4);
  });

  it("never the account's accountId, in any request: Scp-AccountId goes empty, as the official provider sends it", async () => {
    const a = adapter();
    await a.describeImage(ctx(), IMAGE);
    await a.getServer(ctx(), SERVER);
    await a.creator.createImage(ctx(), { serverId: SERVER, name: "imageops-web-01" });
    for (const s of signed()) expect(s.headers["Scp-AccountId"]).toBe("");
    expect(sent.some((s) => JSON.stringify(s).includes(account.accountId!))).toBe(false);
  });
});
