import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { failure } from "../support/failure.js";
import { HttpClient } from "../../shared/http/client.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { SCP_DEFAULT_ENDPOINT, scpAdapter, scpBaseUrl } from "../../shared/providers/scp/client.js";
import { scpFailure } from "../../shared/providers/scp/errors.js";
import { SCP_VECTORS } from "../fixtures/provider-vectors.js";
import type { CallContext } from "../../shared/providers/types.js";
import type { Account } from "../../shared/secrets.js";
import { DEMO_KEYS, DEMO_SERVERS } from "../../dev/sim/demo.js";
import { ScpSim } from "../../dev/sim/scp.js";
import { catalogueWarning, checkScpApiVersion, parseCatalogue } from "../../shared/providers/scp/versions.js";
import { tapOutput } from "../support/tap-output.js";

let offset = 0; // the simulator's clock runs ahead of real time by this much (creates progress without waiting)
const sim = new ScpSim({ generatedImages: 150, createDelayMs: 2000, now: () => Date.now() + offset });
const SEEDED = 13 + 150;

const adapter = scpAdapter({ pageSize: 50 });
// as shared/runtime.ts builds it: with the adapter's declared throttle signals
const http = new HttpClient({
  provider: "scp",
  baseDelayMs: 5,
  maxDelayMs: 20,
  timeoutMs: 2000,
  throttleSignals: adapter.limits.throttleSignals,
});
function ctx(over: Partial<Account> = {}): CallContext {
  const account: Account = { provider: "scp", name: "prod", regions: ["kr-west1"], ...DEMO_KEYS.scp, endpoint: sim.url, ...over };
  return { account, region: "kr-west1", http };
}
/** the API calls the simulator saw, without the daily unsigned version-catalogue read */
const calls = () => sim.requests.filter((r) => r.url.pathname !== "/");

beforeAll(() => sim.start());
afterAll(() => sim.close());
beforeEach(() => {
  sim.setFaults({});
  sim.requests.length = 0;
  sim.keys = [{ ...DEMO_KEYS.scp }];
  sim.createOutcome = "active";
  offset = 0;
});

describe("SCP adapter against the simulator", () => {
  it("lists every image by following markers, newest first", async () => {
    const images = await adapter.listImages(ctx());
    expect(images).toHaveLength(SEEDED);
    expect(new Set(images.map((i) => i.id)).size).toBe(SEEDED);
    const pages = sim.requests.filter((r) => r.url.pathname === "/v1/images");
    expect(pages).toHaveLength(Math.ceil((SEEDED + 1) / 50));
    expect(pages[0]!.url.searchParams.get("marker")).toBeNull();
    expect(pages[1]!.url.searchParams.get("marker")).toBe(images[49]!.id);
    const times = images.map((i) => Date.parse(i.createdAt!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    // every request carried the version header, and the account id empty (as the official provider sends it)
    expect(pages.every((r) => r.headers["scp-api-version"] === "virtualserver 1.3" && r.headers["scp-accountid"] === "")).toBe(true);
  });

  it("uses the default page size of 100 and the API's limit bound", async () => {
    const images = await scpAdapter().listImages(ctx());
    expect(images).toHaveLength(SEEDED);
    expect(calls().map((r) => r.url.searchParams.get("limit"))).toEqual(["100", "100"]);
  });

  it("passes scope and os filters to the API", async () => {
    const custom = await adapter.listImages(ctx(), { scope: "custom", os: "Rocky" });
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.every((i) => i.kind === "custom" && i.os.distro === "rocky")).toBe(true);
    expect(calls()[0]!.url.searchParams.get("scp_image_type")).toBe("custom");
    expect(calls()[0]!.url.searchParams.get("os_distro")).toBe("rocky");

    sim.requests.length = 0;
    const pub = await adapter.listImages(ctx(), { scope: "public", os: "windows" });
    expect(pub.map((i) => i.name)).toEqual(["Windows Server 2022"]);
    expect(pub[0]).toMatchObject({ kind: "public", visibility: "public", os: { family: "windows" } });
    expect(calls()[0]!.url.searchParams.get("visibility")).toBe("public");

    // "available" is Glance's "active"; the order the markers walk is sent on every page
    sim.requests.length = 0;
    const available = await adapter.listImages(ctx(), { status: "available" });
    expect(available.length).toBeGreaterThan(50);
    expect(available.every((i) => i.providerStatus === "active")).toBe(true);
    expect(
      calls().every((r) => r.url.searchParams.get("status") === "active" && r.url.searchParams.get("sort") === "created_at:desc"),
    ).toBe(true);
    sim.requests.length = 0;
    await adapter.listImages(ctx(), { status: "creating" });
    expect(calls()[0]!.url.searchParams.has("status")).toBe(false);
  });

  it("finds custom images by exact name (the name filter is sent, signed, with a space)", async () => {
    const found = await adapter.findImagesByName(ctx(), "web-base");
    expect(found.map((i) => i.id)).toEqual(["4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c11"]);
    expect(calls()[0]!.rawUrl).toContain("name=web-base&scp_image_type=custom");
    expect(await adapter.findImagesByName(ctx(), "no such image")).toEqual([]);
    expect(calls().at(-1)!.rawUrl).toContain("name=no+such+image");
  });

  it("describes an image (documented example; zone-less created_at read as UTC)", async () => {
    const img = await adapter.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b");
    expect(img).toMatchObject({
      provider: "scp",
      account: "prod",
      region: "kr-west1",
      name: "imagename",
      status: "available",
      kind: "custom",
      sizeBytes: 2429747200,
    });
    const ubuntu = await adapter.describeImage(ctx(), "1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a01");
    expect(ubuntu.createdAt).toBe("2025-03-10T02:15:00.000Z");
    const killed = await adapter.describeImage(ctx(), "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c14");
    expect(killed).toMatchObject({ status: "failed", providerStatus: "killed" });
  });

  it("NOT_FOUND for a missing image or server; an id that is not a UUID is refused before any request", async () => {
    const err = await failure(adapter.describeImage(ctx(), "0a0a0a0a-0000-4000-8000-00000000dead"));
    expect(err.code).toBe("NOT_FOUND");
    expect(err.providerCode).toBe("ImageNotFound");
    expect(err.requestId).toMatch(/^req-/);
    expect(calls()[0]!.rawUrl).toBe("/v1/images/0a0a0a0a-0000-4000-8000-00000000dead");
    expect((await failure(adapter.getServer(ctx(), "0a0a0a0a-0000-4000-8000-00000000beef"))).code).toBe("NOT_FOUND");
    sim.requests.length = 0;
    for (const id of ["no/such image", "..", "img+1:2@3=4&5$6", ""]) {
      expect(await failure(adapter.describeImage(ctx(), id))).toMatchObject({ code: "INVALID_ARGUMENT", field: "id" });
      expect(await failure(adapter.getServer(ctx(), id))).toMatchObject({ code: "INVALID_ARGUMENT", field: "serverId" });
    }
    expect(calls()).toEqual([]);
  });

  it("gets servers and says whether they can be imaged", async () => {
    expect(await adapter.getServer(ctx(), DEMO_SERVERS.scp.active)).toEqual({
      id: DEMO_SERVERS.scp.active,
      name: "web-01",
      providerStatus: "ACTIVE",
      imageable: true,
    });
    expect(await adapter.getServer(ctx(), DEMO_SERVERS.scp.busy)).toMatchObject({ providerStatus: "BUILD", imageable: false });
  });

  it("creates an image and follows it to available", async () => {
    const name = `nightly ${Date.now()}`;
    const created = await adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name, description: "ignored by SCP" });
    expect(created).toMatchObject({
      name,
      status: "creating",
      providerStatus: "queued",
      kind: "custom",
      sourceServerId: DEMO_SERVERS.scp.active,
    });
    const post = calls().find((r) => r.method === "POST")!;
    expect(post.rawUrl).toBe(`/v1/servers/${DEMO_SERVERS.scp.active}/images`);
    // the SDK's bytes (json.NewEncoder's trailing newline), with their length, not chunked
    expect(post.body).toBe(`{"image_name":"${name}"}\n`);
    expect(post.headers["content-length"]).toBe(String(Buffer.byteLength(post.body)));
    expect(post.headers).not.toHaveProperty("transfer-encoding");
    expect(post.headers["content-type"]).toBe("application/json");
    offset = 500;
    expect((await adapter.describeImage(ctx(), created.id)).providerStatus).toBe("saving");
    offset = 2001;
    const done = await adapter.describeImage(ctx(), created.id);
    expect(done).toMatchObject({ status: "available", providerStatus: "active" });
    expect(done.sizeBytes).toBeGreaterThan(0);
    expect((await adapter.findImagesByName(ctx(), name)).map((i) => i.id)).toEqual([created.id]);
  });

  // whether SCP refuses a second image of a name is unknown (Glance, its image service, does not): both ways
  it.each(["refuse", "accept"] as const)("a second create of a taken name, when SCP would %s it", async (mode) => {
    sim.duplicateNames = mode;
    try {
      const name = `twice ${mode} ${Date.now()}`;
      const first = await adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name });
      if (mode === "refuse") {
        const dup = await failure(adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name }));
        expect(dup).toMatchObject({ code: "CONFLICT", providerCode: "ImageNameDuplicated" });
        expect((await adapter.findImagesByName(ctx(), name)).map((i) => i.id)).toEqual([first.id]);
      } else {
        const second = await adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name });
        expect(second.id).not.toBe(first.id);
        expect((await adapter.findImagesByName(ctx(), name)).map((i) => i.id).sort()).toEqual([first.id, second.id].sort());
      }
    } finally {
      sim.duplicateNames = "accept";
    }
  });

  it.each(["exact", "contains"] as const)("finds images by exact name whether SCP's name filter is %s", async (mode) => {
    sim.nameFilter = mode;
    try {
      expect((await adapter.findImagesByName(ctx(), "web-base")).map((i) => i.id)).toEqual(["4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c11"]);
      expect(await adapter.findImagesByName(ctx(), "web")).toEqual([]);
    } finally {
      sim.nameFilter = "exact";
    }
  });

  it("creates an image that ends killed (failed)", async () => {
    sim.createOutcome = "killed";
    const created = await adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name: `doomed-${Date.now()}` });
    offset = 2001;
    expect(await adapter.describeImage(ctx(), created.id)).toMatchObject({ status: "failed", providerStatus: "killed" });
  });

  it("refuses to image a busy server (CONFLICT) and a bad name before sending", async () => {
    expect((await failure(adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.busy, name: "x1" }))).code).toBe("CONFLICT");
    sim.requests.length = 0;
    expect((await failure(adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name: "bad/name" }))).code).toBe(
      "INVALID_ARGUMENT",
    );
    expect(calls()).toHaveLength(0);
  });

  it("never repeats a create", async () => {
    sim.setFaults({ status: 503, pathIncludes: "/images", count: 5 });
    const err = await failure(adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name: "once-only" }));
    expect(err.code).toBe("PROVIDER_UNAVAILABLE");
    expect(calls().filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("bad key → PROVIDER_AUTH_FAILED from the gateway's 401 envelope", async () => {
    const wrongSecret = await failure(adapter.listImages(ctx({ secretKey: "not-the-secret" })));
    expect(wrongSecret).toMatchObject({ code: "PROVIDER_AUTH_FAILED", providerCode: "UNAUTHORIZED" });
    expect(wrongSecret.message).toBe("scp: Request was rejected by gateway: The request signature does not match.");
    const unknownKey = await failure(adapter.listImages(ctx({ accessKey: "UNKNOWNKEY" })));
    expect(unknownKey).toMatchObject({ code: "PROVIDER_AUTH_FAILED", providerCode: "UNAUTHORIZED" });
    expect(unknownKey.message).toMatch(/access key is invalid/);
    sim.keys = []; // the key was revoked
    expect((await failure(adapter.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b"))).code).toBe("PROVIDER_AUTH_FAILED");
  });

  it("the account id is optional and never signed or sent: with any or none the calls succeed, Scp-AccountId empty", async () => {
    for (const accountId of ["someone-else", undefined]) {
      sim.requests.length = 0;
      const img = await adapter.describeImage(ctx({ accountId }), "70a599e0-31e7-49b7-b260-868f441e862b");
      expect(img.name).toBe("imagename");
      expect(calls()[0]!.headers["scp-accountid"]).toBe("");
    }
  });

  it("a pin past its Not-Before date is refused before any call, naming the version and its date", async () => {
    const today = scpAdapter({ now: () => Date.parse("2026-12-02T09:00:00Z") });
    for (const [version, date] of [
      ["1.0", "2025-12-31"],
      ["1.1", "2026-05-31"],
      ["1.2", "2026-08-31"],
    ]) {
      const err = await failure(today.describeImage(ctx({ apiVersion: version }), "70a599e0-31e7-49b7-b260-868f441e862b"));
      expect(err.code).toBe("INTERNAL");
      expect(err.message).toContain(`pins Virtual Server API ${version} ("apiVersion" in the credentials secret)`);
      expect(err.message).toContain(`Not-Before date ${date}`);
    }
    expect(sim.requests).toHaveLength(0); // not even the catalogue
    // the day before its date 1.2 was still sent
    const before = scpAdapter({ now: () => Date.parse("2026-08-30T23:59:59Z") });
    expect((await failure(before.describeImage(ctx({ apiVersion: "1.2" }), "x"))).code).not.toBe("INTERNAL");
  });

  it("a version SCP does not serve (HTTP 406) names the pinned Scp-Api-Version and how to change it", async () => {
    const err = await failure(adapter.listImages(ctx({ apiVersion: "1.9" })));
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toContain('Scp-Api-Version "virtualserver 1.9"');
    expect(err.message).toMatch(/HTTP 406/);
    expect(err.message).toMatch(/set "apiVersion" on this account in the credentials secret/);
    const call = sim.requests.find((r) => r.url.pathname === "/v1/images")!;
    expect(call.headers["scp-api-version"]).toBe("virtualserver 1.9");
    expect(sim.requests.filter((r) => r.url.pathname === "/v1/images")).toHaveLength(1); // a configuration error, not retried
    // a version past 1.3 that SCP does serve is simply used
    sim.versions.push({ id: "v1.5", status: "CURRENT", not_before: "" });
    try {
      expect((await adapter.listImages(ctx({ apiVersion: "1.5" }))).length).toBeGreaterThan(0);
    } finally {
      sim.versions.pop();
    }
  });

  it("reads the unsigned version catalogue once a day, off the request's path, and warns when the pin is deprecated there", async () => {
    const lines: string[] = [];
    const untap = tapOutput((c) => lines.push(String(c)));
    const saved = sim.versions;
    sim.versions = saved.map((v) => (v.id === "v1.3" ? { ...v, status: "DEPRECATED" as const, not_before: "2099-01-31" } : v));
    sim.catalogueDelayMs = 1_500;
    const fresh = scpAdapter({ now: () => Date.now() + offset });
    const warnings = () => lines.filter((l) => l.includes("SCP Virtual Server API version deprecated"));
    try {
      const started = Date.now();
      await fresh.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b");
      expect(Date.now() - started).toBeLessThan(1_000); // the slow catalogue did not hold the call
      await fresh.listImages(ctx());
      const catalogue = () => sim.requests.filter((r) => r.url.pathname === "/");
      expect(catalogue()).toHaveLength(1);
      // unsigned and bare, as the SDK's CheckVersion sends it
      expect(Object.keys(catalogue()[0]!.headers).filter((h) => h.startsWith("scp-"))).toEqual([]);
      expect(catalogue()[0]!.rawUrl).toBe("/");
      for (let i = 0; i < 40 && warnings().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(warnings()).toHaveLength(1);
      const line = JSON.parse(warnings()[0]!) as { level: string; apiVersion: string; warning: string };
      expect(line).toMatchObject({ level: "WARN", apiVersion: "1.3" }); // Powertools Logger levels
      expect(line.warning).toMatch(/marks Virtual Server API 1\.3 DEPRECATED, not supported from 2099-01-31/);
      // the same day: no second read, no second warning
      await fresh.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b");
      expect(catalogue()).toHaveLength(1);
      // the next day: read again
      offset = 86_400_000;
      await fresh.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b");
      expect(catalogue()).toHaveLength(2);
    } finally {
      untap();
      sim.versions = saved;
      sim.catalogueDelayMs = 0;
    }
  });

  it("the gateway's HTML 417 block is retried with backoff like a throttle, then answered PROVIDER_UNAVAILABLE", async () => {
    sim.blockRequests = 2;
    const img = await adapter.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b");
    expect(img.name).toBe("imagename");
    expect(calls()).toHaveLength(3);

    sim.requests.length = 0;
    sim.blockRequests = 100;
    try {
      const err = await failure(adapter.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b"));
      expect(err.code).toBe("PROVIDER_UNAVAILABLE");
      expect(err.message).toMatch(/SCP's gateway blocked the request \(HTTP 417/);
      expect(err.requestId).toMatch(/^\d{14}$/); // the page's Support ID
      expect(calls()).toHaveLength(4); // bounded, like any throttle

      // a create is never repeated, and a block is not an ambiguous outcome: it never reached the API
      sim.requests.length = 0;
      const create = await failure(adapter.creator.createImage(ctx(), { serverId: DEMO_SERVERS.scp.active, name: "blocked-once" }));
      expect(create).toMatchObject({ code: "PROVIDER_UNAVAILABLE", ambiguous: false });
      expect(calls()).toHaveLength(1);
    } finally {
      sim.blockRequests = 0;
    }
  });

  it("a request without the Scp-* headers gets the gateway's Spring 404, which never reads as an unknown image", async () => {
    const res = await fetch(`${sim.url}/v1/images/70a599e0-31e7-49b7-b260-868f441e862b`);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ path: "/v1/images/70a599e0-31e7-49b7-b260-868f441e862b", status: 404, error: "Not Found" });
    const err = scpFailure({ status: 404, text }, { apiVersion: "1.3" });
    expect(err.code).toBe("PROVIDER_ERROR");
    expect(err.message).toMatch(/without the Scp-\* auth headers/);
  });

  it("malformed or truncated body → PROVIDER_ERROR", async () => {
    sim.setFaults({ malformed: true, count: 1 });
    expect((await failure(adapter.listImages(ctx()))).code).toBe("PROVIDER_ERROR");
    sim.setFaults({ truncated: true, count: 1 });
    expect((await failure(adapter.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b"))).code).toBe("PROVIDER_ERROR");
  });

  it("429 with Retry-After, then success", async () => {
    sim.setFaults({ status: 429, retryAfter: 1, count: 1 });
    const started = Date.now();
    const img = await adapter.describeImage(ctx(), "70a599e0-31e7-49b7-b260-868f441e862b");
    expect(img.name).toBe("imagename");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(calls()).toHaveLength(2);
    expect(calls()[0]!.headers["scp-signature"]).not.toBe(undefined);
  });

  it("the simulator refuses a stale timestamp and a bad limit; without a version header it serves the current one", async () => {
    offset = 16 * 60_000;
    expect((await failure(adapter.listImages(ctx()))).message).toMatch(/Scp-Timestamp is outside the allowed window/);
    offset = 0;
    const url = `${sim.url}/v1/images?limit=0`;
    const { scpHeaders } = await import("../../shared/providers/scp/signer.js");
    const k = DEMO_KEYS.scp;
    const bad = await fetch(url, { headers: scpHeaders("GET", url, Date.now(), k.accessKey, k.secretKey) });
    expect(bad.status).toBe(400);
    const headers = scpHeaders("GET", `${sim.url}/v1/images`, Date.now(), k.accessKey, k.secretKey) as Record<string, string>;
    delete headers["Scp-Api-Version"];
    // docs (API common): "If the header is not set, the latest current version supported by the product will be called"
    const noVersion = await fetch(`${sim.url}/v1/images`, { headers });
    expect(noVersion.status).toBe(200);
    expect(((await noVersion.json()) as { images: unknown[] }).images).toHaveLength(20); // the documented default limit
  });

  it("reports its state counts", async () => {
    const res = await fetch(`${sim.url}/__sim/state`);
    const body = (await res.json()) as { state: { images: number; servers: number } };
    expect(body.state.servers).toBe(2);
    expect(body.state.images).toBeGreaterThanOrEqual(SEEDED);
  });
});

describe("SCP adapter pieces", () => {
  it("derives the regional host unless the account overrides it", () => {
    expect(SCP_DEFAULT_ENDPOINT).toBe("https://virtualserver.{region}.e.samsungsdscloud.com");
    const base = { account: { provider: "scp", name: "p", regions: ["kr-east1"], ...DEMO_KEYS.scp } as Account, http };
    expect(scpBaseUrl({ ...base, region: "kr-east1" })).toBe("https://virtualserver.kr-east1.e.samsungsdscloud.com");
    expect(() => scpBaseUrl({ ...base, region: "evil.com/x" })).toThrow(ImageOpsError);
  });

  it("knows the versions' Not-Before dates", () => {
    const today = new Date("2026-11-23T00:00:00Z");
    expect(checkScpApiVersion(undefined, today)).toEqual({ version: "1.3", known: true, notBefore: null, unsupported: false });
    expect(checkScpApiVersion("1.2", today)).toMatchObject({ notBefore: "2026-08-31", unsupported: true });
    expect(checkScpApiVersion("1.2", new Date("2026-08-30T23:59:59Z")).unsupported).toBe(false);
    expect(checkScpApiVersion("1.0", today).unsupported).toBe(true);
    // a version newer than the docs' list has no date we know: it is sent, and SCP decides (406 if not served)
    expect(checkScpApiVersion("1.5", today)).toMatchObject({ known: false, unsupported: false });
  });

  it("warns from the catalogue when the pin is deprecated, past its date or absent; not when it is current", () => {
    const now = Date.parse("2026-12-02T00:00:00Z");
    const cat = parseCatalogue(
      JSON.stringify({
        versions: [
          { id: "v1.2", status: "SUPPORTED", not_before: "2026-08-31", links: [] },
          { id: "v1.3", status: "DEPRECATED", not_before: "2027-01-31" },
          { id: "v1.5", status: "CURRENT", not_before: null },
        ],
      }),
    )!;
    expect(catalogueWarning(cat, "1.3", now)).toMatch(/DEPRECATED, not supported from 2027-01-31/);
    expect(catalogueWarning(cat, "1.2", now)).toMatch(/SUPPORTED, not supported from 2026-08-31/);
    expect(catalogueWarning(cat, "1.4", now)).toMatch(/does not list Virtual Server API 1\.4 \(it lists v1\.2, v1\.3, v1\.5\)/);
    expect(catalogueWarning(cat, "1.5", now)).toBeUndefined();
    expect(parseCatalogue("<html>")).toBeUndefined();
    expect(parseCatalogue('{"versions":[{"status":"CURRENT"},null,{"id":"v1.3"}]}')).toEqual([{ id: "v1.3", status: "", notBefore: null }]);
  });

  it("validates names by SCP's image name rule", () => {
    expect(adapter.creator.validateImageName("web-base_2025 v1")).toBeNull();
    expect(adapter.creator.validateImageName("")).not.toBeNull();
    expect(adapter.creator.validateImageName("a".repeat(256))).not.toBeNull();
    expect(adapter.creator.validateImageName("웹")).not.toBeNull();
    expect(adapter.creator.validateImageName("a.b")).not.toBeNull();
  });

  it("maps SCP's envelopes (captured live, scp.md §6.1) without crashing", () => {
    const f = (status: number, body: unknown) =>
      scpFailure({ status, text: typeof body === "string" ? body : JSON.stringify(body) }, { apiVersion: "1.3" });
    const { validationError400_live: v, gatewayRejected401_live: g, unauthenticated404_live: n } = SCP_VECTORS.fixtures;
    // (a) errors[]: the code, the detail, and the global request id SCP support asks for
    expect(f(v.status, v.body)).toMatchObject({
      code: "PROVIDER_ERROR",
      providerCode: "ValidationError",
      requestId: "req-99ff8cf9-950c-4028-9376-e522aee19666",
    });
    expect(f(v.status, v.body).message).toMatch(/^scp: Field "name" is invalid/);
    expect(f(400, { errors: [{ code: "X", request_id: "req-only" }] }).requestId).toBe("req-only");
    // (c) the gateway's 401
    expect(f(g.status, g.body)).toMatchObject({ code: "PROVIDER_AUTH_FAILED", providerCode: "UNAUTHORIZED" });
    expect(f(g.status, g.body).message).toBe(`scp: Request was rejected by gateway: ${g.body.message}`);
    // (b) the Spring 404 is not "no such image"
    expect(f(n.status, n.body)).toMatchObject({ code: "PROVIDER_ERROR", requestId: "e2dcbc11-53724", providerCode: "Not Found" });
    // (e) HTML 417, (f) 406
    expect(f(417, "<html><title>Request Rejected</title>Your support ID is: 1234567890123</html>")).toMatchObject({
      code: "PROVIDER_UNAVAILABLE",
      requestId: "1234567890123",
    });
    expect(f(406, "").message).toContain('Scp-Api-Version "virtualserver 1.3"');
    // the 1.0 spec's validation list, HTML, empty, truncated, null
    expect(f(400, [{ loc: ["body", "image_name"], msg: "too long", type_: "value_error" }])).toMatchObject({
      providerCode: "value_error",
      message: "scp: body.image_name: too long",
    });
    expect(f(403, "<html>nope</html>").code).toBe("PROVIDER_AUTH_FAILED");
    expect(f(502, "").code).toBe("PROVIDER_UNAVAILABLE");
    expect(f(200, '{"images": [').code).toBe("PROVIDER_ERROR");
    expect(f(400, "null").code).toBe("PROVIDER_ERROR");
    expect(f(500, { errors: "nope" }).code).toBe("PROVIDER_UNAVAILABLE");
  });
});
