/**
 * Golden tests against the SCP oracle: for every case of test/fixtures/oracle/vectors-scp.json (what
 * terraform-sdk-samsungcloudplatformv2 library/virtualserver/1.3 and its client package, configured as
 * terraform-provider-samsungcloudplatformv2 configures them, put on the wire; a byte-for-byte copy of
 * ../shared/providers/oracle/vectors-scp.json), the adapter is run on the case's inputs, signed at each
 * call's timestamp with the capture's keys, and every signed request it sends is held against the
 * SDK's: method, URL, every header the SDK sends (User-Agent by presence), body bytes. Where the SDK
 * would send an id other than encodeURIComponent would (Go's url.PathEscape keeps `+ : @ = & $`), the
 * adapter refuses it before anything is sent, and that refusal is what is asserted.
 */
import { existsSync, readFileSync } from "node:fs";
import { beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { unknownImage } from "../../shared/model/image.js";
import { scpAdapter } from "../../shared/providers/scp/client.js";
import { scpHeaders } from "../../shared/providers/scp/signer.js";
import type { CallContext, DeleteTarget, ListFilter } from "../../shared/providers/types.js";
import type { Account } from "../../shared/secrets.js";
import { SCP_VECTORS } from "../fixtures/provider-vectors.js";
import { failure } from "../support/failure.js";
import {
  expectSdkRequest,
  loadOracle,
  type OracleCase,
  oracleClock,
  oracleFile,
  PRODUCT_USER_AGENT,
  sharedOracleFile,
} from "../support/oracle.js";
import { answer, recordingTransport } from "../support/wire.js";

const ORACLE = loadOracle("scp");
const REGION = "kr-west1";
// the capture's keys: its access key is in every request; its secret is scp.md §2's test secret, the
// key pair the capture was made with (test/fixtures/oracle/README.md: "test keys made for the capture")
const accessKey = ORACLE.cases[0]!.calls[0]!.sdkRequest.headers["Scp-AccessKey"]![0]!;
const { secretKey } = SCP_VECTORS;
const exampleImage = SCP_VECTORS.fixtures.listImages200_v1_3.body.images[0];

/** What the simulated cloud answers (the SDK's capture records no answers). */
let imageVisibility = "private";
let createdImageId = "";
/** the first list page's length: a full page (100, the adapter's page size) makes the adapter ask for the next */
let firstPage = 3;
const page = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ ...exampleImage, id: `00000000-0000-4000-8000-${String(from + i).padStart(12, "0")}` }));

const { sent, transport, reset } = recordingTransport((url, init) => {
  const path = url.pathname;
  const id = path.split("/")[3] ?? "";
  if (path === "/") return answer(200, SCP_VECTORS.fixtures.versionDiscovery200.body);
  if (path === "/v1/images") return answer(200, { images: url.searchParams.has("marker") ? page(3, 100) : page(firstPage) });
  if (path === "/v1/servers") return answer(200, { servers: [] });
  if (/^\/v1\/images\/[^/]+\/members$/.test(path))
    return answer(200, { members: [{ member_id: "a8f10467abfc4b87b64614ab36eb9ae4", status: "accepted" }] });
  if (/^\/v1\/images\/[^/]+$/.test(path))
    return init.method === "DELETE" ? answer(204, "") : answer(200, { ...exampleImage, id, visibility: imageVisibility });
  if (/^\/v1\/servers\/[^/]+\/images$/.test(path)) return answer(202, { image_id: createdImageId });
  if (/^\/v1\/servers\/[^/]+$/.test(path)) return answer(200, { id, name: "web-01", state: "ACTIVE", volumes: [] });
  return answer(404, { errors: [{ code: "NotFound", status: 404 }] });
});

const signed = () => sent.filter((s) => new URL(s.url).pathname !== "/");

/** The account of a case: the SDK's endpoint, or none (the SDK then found the default one). */
const accountOf = (c: OracleCase, over: Partial<Account> = {}): Account => ({
  provider: "scp",
  name: "oracle",
  accessKey,
  secretKey,
  regions: [REGION],
  ...(c.sdkEndpoint ? { endpoint: c.sdkEndpoint } : {}),
  ...over,
});
const ctx = (c: OracleCase, over: Partial<Account> = {}): CallContext => ({
  account: accountOf(c, over),
  region: REGION,
  http: new HttpClient({ provider: "scp", transport, maxAttempts: 1 }),
});
const adapterFor = (c: OracleCase) => scpAdapter({ now: oracleClock(c.calls, () => signed().length) });

const input = (c: OracleCase, op: string) => c.calls.find((x) => x.action === op)!.input!;
const listFilter = (args: Record<string, unknown> = {}): ListFilter => ({
  scope: args.scp_image_type === "custom" ? "custom" : args.visibility === "public" ? "public" : undefined,
  os: typeof args.os_distro === "string" ? args.os_distro : undefined,
  status: args.status === "active" ? "available" : undefined,
});
const target = (id: string): DeleteTarget => ({
  image: unknownImage({ provider: "scp", account: "oracle", region: REGION, id, name: "x" }),
  own: { ok: true, says: "the oracle's image" },
  via: "DELETE /v1/images/{image_id}",
});

interface Scenario {
  run: (c: OracleCase) => Promise<unknown>;
  /** refused on purpose: the field the 400 names; each of `run` and `also` must be refused, and nothing sent */
  refused?: string;
  also?: (c: OracleCase) => Promise<unknown>;
  /** sent on purpose otherwise than the SDK sent it: what is asserted instead */
  instead?: (c: OracleCase) => void;
}

const describeIt = (c: OracleCase) => adapterFor(c).describeImage(ctx(c), input(c, "ShowImage").id!);
const SCENARIOS: Record<string, Scenario> = {
  "list-all-2-pages": { run: (c) => adapterFor(c).listImages(ctx(c), listFilter(input(c, "ListImages").args)) },
  "list-custom-ubuntu-available": { run: (c) => adapterFor(c).listImages(ctx(c), listFilter(input(c, "ListImages").args)) },
  "list-public": { run: (c) => adapterFor(c).listImages(ctx(c), listFilter(input(c, "ListImages").args)) },
  "find-images-by-hard-name": { run: (c) => adapterFor(c).findImagesByName(ctx(c), String(input(c, "ListImages").args!.name)) },
  "describe-image": { run: describeIt },
  "describe-image-odd-id": {
    run: describeIt,
    also: (c) => adapterFor(c).deleter.describeForDelete(ctx(c), input(c, "ShowImage").id!),
    refused: "id",
  },
  "get-server": { run: (c) => adapterFor(c).getServer(ctx(c), input(c, "ShowVirtualServer").id!) },
  "get-server-odd-id": { run: (c) => adapterFor(c).getServer(ctx(c), input(c, "ShowVirtualServer").id!), refused: "serverId" },
  "find-servers-by-hard-name": { run: (c) => adapterFor(c).findServersByName(ctx(c), String(input(c, "ListVirtualServers").args!.name)) },
  "create-image": {
    run: (c) => {
      const i = input(c, "CreateVirtualServerCustomImage");
      return adapterFor(c).creator.createImage(ctx(c), { serverId: i.id!, name: String(i.args!.image_name) });
    },
  },
  "create-image-odd-server-id": {
    run: (c) => {
      const i = input(c, "CreateVirtualServerCustomImage");
      return adapterFor(c).creator.createImage(ctx(c), { serverId: i.id!, name: String(i.args!.image_name) });
    },
    refused: "serverId",
  },
  // the account's id as its secret gives it (the docs' example image is its own): nothing read besides what the SDK read
  "describe-for-delete-shared": {
    run: (c) => adapterFor(c).deleter.describeForDelete(ctx(c, { accountId: exampleImage.owner }), input(c, "ShowImage").id!),
  },
  "delete-image": { run: (c) => adapterFor(c).deleter.deleteImage(ctx(c), target(input(c, "DeleteImage").id!)) },
  "delete-image-odd-id": {
    run: (c) => adapterFor(c).deleter.deleteImage(ctx(c), target(input(c, "DeleteImage").id!)),
    also: (c) => adapterFor(c).deleter.describeForDelete(ctx(c), input(c, "DeleteImage").id!),
    refused: "id",
  },
  // the SDK found its endpoint in IAM's catalogue; the adapter's default for the region is the same URL
  "sdk-default-endpoint-discovery": { run: describeIt },
  // The SDK configured with an account id signs it and sends it. The product is configured as the official
  // provider configures the SDK (AccountId ""), whatever the account's display accountId: that header goes
  // empty, and so the signature differs. The signer's account-id slot itself is the SDK's, byte for byte.
  "sdk-non-empty-account-id": {
    run: (c) => adapterFor(c).describeImage(ctx(c, { accountId: c.sdkAccountId }), input(c, "ShowImage").id!),
    instead: (c) => {
      const [call] = c.calls;
      const sdk = call!.sdkRequest;
      const product = signed()[0]!;
      expect(product.url).toBe(sdk.url);
      expect(product.headers["Scp-AccountId"]).toBe("");
      expect(product.headers["Scp-Signature"]).not.toBe(sdk.headers["Scp-Signature"]![0]);
      expect(JSON.stringify(product)).not.toContain(c.sdkAccountId!);
      const withSlot = scpHeaders(sdk.method, sdk.url, call!.timestamp, accessKey, secretKey, "1.3", c.sdkAccountId);
      for (const name of sdk.headerNames.filter((n) => n in withSlot)) expect(withSlot[name], name).toBe(sdk.headers[name]![0]);
    },
  },
};

beforeEach(() => {
  reset();
  imageVisibility = "private";
  createdImageId = "";
  firstPage = 3;
});

describe("SCP: every oracle case, as the official Go SDK sent it", () => {
  it("has a scenario for every case of the oracle, and the oracle for every scenario", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(ORACLE.cases.map((c) => c.id).sort());
  });

  it.skipIf(!existsSync(sharedOracleFile("scp")))("the project's copy is ../shared/providers/oracle/vectors-scp.json byte for byte", () => {
    expect(readFileSync(oracleFile("scp")).equals(readFileSync(sharedOracleFile("scp")))).toBe(true);
  });

  it.each(ORACLE.cases.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const scenario = SCENARIOS[c.id]!;
    if (c.id === "describe-for-delete-shared") imageVisibility = "shared";
    // two pages: the marker of the second is the first page's last id, …000000000099
    if (c.id === "list-all-2-pages") firstPage = 100;
    // the image the create answers is the one the SDK then read
    createdImageId = c.calls.find((x) => x.action === "ShowImage")?.input?.id ?? "";
    if (scenario.refused) {
      for (const run of [scenario.run, scenario.also].filter((r) => r !== undefined)) {
        const e = await failure(run(c));
        expect(e).toMatchObject({ code: "INVALID_ARGUMENT", field: scenario.refused });
        expect(e.statusCode).toBe(400);
        expect(e.message).toMatch(new RegExp(`^${scenario.refused}: `));
      }
      expect(sent, "nothing is sent").toEqual([]);
      return;
    }
    await scenario.run(c);
    expect(signed().map((s) => `${s.method} ${new URL(s.url).pathname}`)).toEqual(
      c.calls.map((x) => `${x.sdkRequest.method} ${new URL(x.sdkRequest.url).pathname}`),
    );
    if (scenario.instead) return scenario.instead(c);
    c.calls.forEach((call, i) => expectSdkRequest(signed()[i], call.sdkRequest, {}, `${c.id} #${i + 1} ${call.action}`));
  });

  it("reads the version catalogue as the SDK's CheckVersion does, unsigned, with the product's User-Agent only", async () => {
    const c = ORACLE.cases.find((x) => x.id === "describe-image")!;
    await describeIt(c);
    const probes = sent.filter((s) => new URL(s.url).pathname === "/");
    expect(probes).toEqual([
      { method: "GET", url: `${c.sdkEndpoint}/`, headers: { "User-Agent": expect.stringMatching(PRODUCT_USER_AGENT) }, body: undefined },
    ]);
  });
});
