/**
 * Golden wire test for iwinv: every kind of request the product sends, exactly as it leaves the
 * HTTP client (method, URL, headers), at the vectors' clock and keys. Signatures are compared with
 * iwinv.md §1.4's vectors (computed with two third-party clients' own signing code and checked with
 * Python, Node and openssl), never with a value this product's signer recomputes. iwinv signs
 * timestamp + path only, so each path's vector holds whatever the query is.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { iwinvAdapter } from "../../shared/providers/iwinv/client.js";
import type { CallContext } from "../../shared/providers/types.js";
import type { Account } from "../../shared/secrets.js";
import { IWINV_VECTORS, iwinvVector } from "../fixtures/provider-vectors.js";
import { PRODUCT_USER_AGENT } from "../support/oracle.js";
import { answer, recordingTransport, type Sent } from "../support/wire.js";

const V = IWINV_VECTORS;
const E = "https://api-kr.iwinv.kr"; // the documented endpoint [R1]
const ZONE = "kr2-z01";

let listPages: unknown[][] = [];

const envelope = (result: unknown, extra: Record<string, unknown> = {}) =>
  answer(200, { code: "0x00", error_code: "SUCCESS", message: "", result, ...extra });
const row = (id: string) => ({
  image_id: id,
  visibility: "private",
  name: id,
  os: { name: "Ubuntu 24.04 LTS", os_type: "UBUNTU", status: "available" },
  image_type: "os_linux",
  zone: [ZONE],
});

const { sent, transport, reset } = recordingTransport((url) => {
  const path = url.pathname;
  if (path === "/v1/images") {
    const page = listPages.shift() ?? [];
    return envelope(page, { count: page.length, page_no: Number(url.searchParams.get("page_no")), page_size: 100 });
  }
  const image = /^\/v1\/images\/(.+)$/.exec(path);
  if (image) return envelope([row(image[1]!)], { count: 1 });
  if (path === "/v1/instances/EXAMPLE-INSTANCE-ID")
    return envelope([{ instance_id: "EXAMPLE-INSTANCE-ID", name: "web-01", status: "active" }], { count: 1 });
  return answer(404, { code: "0x1", error_code: "NOT_FOUND", message: "Check request.", result: "error" });
});

const account: Account = { provider: "iwinv", name: "golden", accessKey: V.accessKey, secretKey: V.secretKey, regions: [ZONE] };
const ctx = (): CallContext => ({ account, region: ZONE, http: new HttpClient({ provider: "iwinv", transport }) });
const adapter = iwinvAdapter({ now: () => Number(V.timestamp) * 1000 });

/** The documented headers [R1][R2] (the access key only in X-iwinv-Credential), Accept and the product's User-Agent. */
const headers = (path: string) => ({
  "User-Agent": expect.stringMatching(PRODUCT_USER_AGENT),
  Accept: "application/json",
  "X-iwinv-Timestamp": V.timestamp,
  "X-iwinv-Credential": V.accessKey,
  "X-iwinv-Signature": iwinvVector(path).signature,
});
const get = (url: string, path: string): Sent => ({ method: "GET", url, headers: headers(path), body: undefined });

beforeEach(() => {
  reset();
  listPages = [];
});

describe("iwinv requests on the wire", () => {
  it("list with every filter and paging: the query on the wire, not signed; a full page asks for the next", async () => {
    listPages = [Array.from({ length: 100 }, (_, i) => row(`IMAGE-${i}`)), []];
    await adapter.listImages(ctx(), { scope: "custom", os: "ubuntu" });
    expect(sent).toEqual([
      get(`${E}/v1/images?zone_id=${ZONE}&visibility=private&os=ubuntu&page_no=1&page_size=100`, "/v1/images"),
      get(`${E}/v1/images?zone_id=${ZONE}&visibility=private&os=ubuntu&page_no=2&page_size=100`, "/v1/images"),
    ]);
  });

  it("list of public images of a family: the os enum values as one comma list", async () => {
    await adapter.listImages(ctx(), { scope: "public", os: "windows" });
    expect(sent).toEqual([
      get(`${E}/v1/images?zone_id=${ZONE}&visibility=public&os=windows%2Cwindows_core%2Cwindows_sql&page_no=1&page_size=100`, "/v1/images"),
    ]);
  });

  it("the name lookup: private images containing the name", async () => {
    await adapter.findImagesByName(ctx(), "web golden");
    expect(sent).toEqual([
      get(`${E}/v1/images?zone_id=${ZONE}&visibility=private&name=web%20golden&page_no=1&page_size=100`, "/v1/images"),
    ]);
  });

  it.each(["PIMAGE-1Pos3S8VaJXq3wgC8c4BMi", "PIMAGE-EXAMPLE"])("describe %s: GET /v1/images/{id}", async (id) => {
    await adapter.describeImage(ctx(), id);
    expect(sent).toEqual([get(`${E}/v1/images/${id}`, `/v1/images/${id}`)]);
  });

  it("the server lookup: GET /v1/instances/{id} with the safe fields mask, the query unsigned", async () => {
    await adapter.getServer(ctx(), "EXAMPLE-INSTANCE-ID");
    expect(sent).toEqual([get(`${E}/v1/instances/EXAMPLE-INSTANCE-ID?fields=3599`, "/v1/instances/EXAMPLE-INSTANCE-ID")]);
  });

  it("has no create or delete part (iwinv documents neither call): there is nothing to send", () => {
    expect(adapter.creator).toBeUndefined();
    expect(adapter.deleter).toBeUndefined();
  });

  it("never one of the known wrong signatures (query signed, trailing slash, ms, method, base64)", async () => {
    listPages = [[]];
    await adapter.listImages(ctx(), { scope: "custom" });
    const signature = sent[0]!.headers["X-iwinv-Signature"];
    for (const neg of V.negativeVectors) expect(signature, neg.mistake).not.toBe(neg.signature);
    expect(signature).toBe(iwinvVector("/v1/images").signature);
  });
});
