import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { failure } from "../support/failure.js";
import { HttpClient } from "../../shared/http/client.js";
import { type CreateDeps, type CreateInput, createImage as createFlow } from "../../shared/images/create.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { ncpAdapter } from "../../shared/providers/ncp/client.js";
import { ncpHeaders } from "../../shared/providers/ncp/signer.js";
import { ncpRequest } from "../../shared/providers/ncp/wire.js";
import type { CallContext } from "../../shared/providers/types.js";
import type { Runtime } from "../../shared/runtime.js";
import type { Tracker } from "../../shared/tracking/types.js";
import { DEMO_KEYS, DEMO_SERVERS } from "../../dev/sim/demo.js";
import { DynamoSim } from "../../dev/sim/dynamodb.js";
import { NcpSim, ncpParams } from "../../dev/sim/ncp.js";

const ncp = ncpAdapter();

const sim = new NcpSim({ generatedImages: 2_500, createDelayMs: 200 });
let ctx: CallContext;
const context = (over: Partial<CallContext["account"]> = {}): CallContext => ({
  account: { provider: "ncp", name: "demo", ...DEMO_KEYS.ncp, regions: ["KR"], endpoint: sim.url, ...over },
  region: "KR",
  http: new HttpClient({ provider: "ncp", baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 }),
});
const actions = () => sim.requests.map((r) => r.url.pathname.split("/").pop());

// servers for the imaging rules (ncp.md §3.3–3.4)
const SHUTTING_DOWN = "4567890";
const NO_HYPERVISOR = "5678901";

beforeAll(async () => {
  await sim.start();
  ctx = context();
  sim.addServer({
    serverInstanceNo: SHUTTING_DOWN,
    serverName: "stopping-01",
    status: "RUN",
    operation: "SHTDN",
    hypervisor: "KVM",
    productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
  });
  sim.addServer({
    serverInstanceNo: NO_HYPERVISOR,
    serverName: "unknown-01",
    status: "RUN",
    operation: "NULL",
    productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setFaults({});
  sim.requests.length = 0;
  sim.createOutcome = "available";
  sim.absentDetail = "empty";
  sim.uniqueNames = true;
  sim.createServerImageStates = "running-or-stopped";
});

describe("NCP adapter against the simulator", () => {
  it("lists every page, the rest concurrently, and merges the legacy list without duplicates", async () => {
    const images = await ncp.listImages(ctx);
    const ids = images.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("41000002"); // listed by both APIs, kept once
    expect(images.length).toBe(sim.counts().images);
    const pages = sim.requests.filter((r) => r.url.pathname.endsWith("getServerImageList")).map(ncpParams);
    expect(pages.map((p) => p.get("pageNo")).sort()).toEqual(["1", "2", "3"]);
    expect(pages.every((p) => p.get("pageSize") === "1000" && p.get("responseFormatType") === "json")).toBe(true);
    // every call a form POST with nothing in the query (ncp.md §0)
    expect(sim.requests.every((r) => r.method === "POST" && r.rawUrl === r.url.pathname)).toBe(true);
  });

  it("passes scope and OS to the API", async () => {
    const custom = await ncp.listImages(ctx, { scope: "custom" });
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.every((i) => i.kind === "custom")).toBe(true);
    const ubuntu = await ncp.listImages(ctx, { scope: "public", os: "ubuntu" });
    expect(ubuntu.length).toBeGreaterThan(0);
    expect(ubuntu.every((i) => i.os.distro === "ubuntu" && i.kind === "public")).toBe(true);
    expect(sim.requests.some((r) => ncpParams(r).get("osTypeCodeList.1") === "UBUNTU")).toBe(true);
  });

  // how NCP answers a detail of a number it does not know is undocumented: the product must work either way
  for (const absentDetail of ["empty", "refused"] as const) {
    it(`describes server and legacy images, and answers NOT_FOUND for neither (absent detail: ${absentDetail})`, async () => {
      sim.absentDetail = absentDetail;
      expect((await ncp.describeImage(ctx, "23214590")).name).toBe("ubuntu-24.04-base");
      expect((await ncp.describeImage(ctx, "41000001")).name).toBe("legacy-web"); // from the member-image API
      await expect(ncp.describeImage(ctx, "99999999")).rejects.toMatchObject({ code: "NOT_FOUND", field: "id" });
      await expect(ncp.getServer(ctx, "1")).rejects.toMatchObject({ code: "NOT_FOUND", field: "serverId" });
      // a refusal is only taken for absence once the filtered list shows none
      if (absentDetail === "refused") expect(actions()).toContain("getServerImageList");
    });
  }

  it("never takes the API Gateway's 404 (no such API) for a missing image", async () => {
    const err = await failure(ncp.describeImage(context({ endpoint: `${sim.url}/wrong-prefix` }), "23214590"));
    expect(err).toMatchObject({ code: "PROVIDER_ERROR", providerCode: "300" });
    expect(actions()).toEqual(["getServerImageDetail"]);
  });

  it("reads servers with their hypervisor, and whether and why they can be imaged", async () => {
    expect(await ncp.getServer(ctx, DEMO_SERVERS.ncp.kvm)).toEqual({
      id: DEMO_SERVERS.ncp.kvm,
      name: "web-01",
      providerStatus: "RUN",
      imageable: true,
      hypervisor: "KVM",
    });
    expect(await ncp.getServer(ctx, DEMO_SERVERS.ncp.xen)).toMatchObject({
      hypervisor: "XEN",
      imageable: true,
      providerStatus: "NSTOP",
    });
    expect(await ncp.getServer(ctx, DEMO_SERVERS.ncp.busy)).toMatchObject({
      imageable: false,
      reason: expect.stringMatching(/INIT/),
    });
    // RUN is not enough: an operation under way (here a shutdown) must be over (serverInstanceOperation NULL)
    expect(await ncp.getServer(ctx, SHUTTING_DOWN)).toMatchObject({
      providerStatus: "RUN",
      imageable: false,
      reason: expect.stringMatching(/operation SHTDN/),
    });
    // no hypervisorType in the detail: never assumed, refused
    const unknown = await ncp.getServer(ctx, NO_HYPERVISOR);
    expect(unknown).toMatchObject({ imageable: false, reason: expect.stringMatching(/no hypervisorType/) });
    expect(unknown.hypervisor).toBeUndefined();
  });

  it("creates with createServerImage on KVM and the legacy call on XEN, once each, then follows the clock", async () => {
    const kvm = await ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.kvm, name: "int-kvm", description: "한글 설명 + more" });
    expect(kvm).toMatchObject({
      name: "int-kvm",
      status: "creating",
      kind: "custom",
      sourceServerId: DEMO_SERVERS.ncp.kvm,
      description: "한글 설명 + more",
    });
    const xen = await ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.xen, name: "int-xen" });
    expect(xen).toMatchObject({ name: "int-xen", status: "creating" });
    expect(actions().filter((c) => c === "createServerImage")).toHaveLength(1);
    expect(actions().filter((c) => c === "createMemberServerImageInstance")).toHaveLength(1);
    const sent = ncpParams(sim.requests.find((r) => r.url.pathname.endsWith("createServerImage"))!);
    expect(sent.get("blockStorageList.1.order")).toBe("0");
    await new Promise((r) => setTimeout(r, 250));
    expect((await ncp.describeImage(ctx, kvm.id)).status).toBe("available");
    sim.createOutcome = "failed";
    const doomed = await ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.kvm, name: "int-doomed" });
    await new Promise((r) => setTimeout(r, 250));
    expect(await ncp.describeImage(ctx, doomed.id)).toMatchObject({ status: "failed", providerStatus: "CREFL" });
    expect((await ncp.findImagesByName(ctx, "int-kvm")).map((i) => i.id)).toEqual([kvm.id]);
  });

  it("uses the name rule of the call the server is imaged with: '_' on KVM, not on XEN", async () => {
    expect(await ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.kvm, name: "golden_img1" })).toMatchObject({
      name: "golden_img1",
    });
    sim.requests.length = 0;
    const err = await failure(ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.xen, name: "golden_img2" }));
    expect(err).toMatchObject({
      code: "INVALID_ARGUMENT",
      field: "name",
      message: expect.stringMatching(/createMemberServerImageInstance/),
    });
    expect(actions()).not.toContain("createMemberServerImageInstance");
  });

  it("refuses to create from a server that cannot be imaged, without sending a create, whatever the cloud would accept", async () => {
    for (const states of ["running-or-stopped", "any"] as const) {
      sim.createServerImageStates = states;
      for (const serverId of [DEMO_SERVERS.ncp.busy, SHUTTING_DOWN, NO_HYPERVISOR]) {
        const err = await failure(ncp.creator.createImage(ctx, { serverId, name: "never-made" }));
        expect(err).toMatchObject({ code: "CONFLICT", field: "serverId" });
      }
    }
    expect(actions().filter((a) => a?.startsWith("create"))).toEqual([]);
  });

  it("answers a taken name as the cloud does: refused with its code, or made when names need not be unique", async () => {
    const err = await failure(ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.kvm, name: "web-base" }));
    expect(err).toMatchObject({ code: "PROVIDER_ERROR", providerCode: "SIM-NAME-TAKEN" });
    sim.uniqueNames = false;
    expect(await ncp.creator.createImage(ctx, { serverId: DEMO_SERVERS.ncp.kvm, name: "web-base" })).toMatchObject({
      name: "web-base",
      status: "creating",
    });
  });

  it("validates names by the documented rules of createServerImage (default) and createMemberServerImageInstance", async () => {
    const xen = await ncp.getServer(ctx, DEMO_SERVERS.ncp.xen);
    const kvm = await ncp.getServer(ctx, DEMO_SERVERS.ncp.kvm);
    for (const ok of ["web", "web-golden-2", "a1b"]) {
      expect(ncp.creator.validateImageName(ok)).toBeNull();
      expect(ncp.creator.validateImageName(ok, xen)).toBeNull();
    }
    for (const ok of ["golden_img1", "web_Golden-2", "a_b"]) {
      expect(ncp.creator.validateImageName(ok)).toBeNull();
      expect(ncp.creator.validateImageName(ok, kvm)).toBeNull();
      expect(ncp.creator.validateImageName(ok, xen)).not.toBeNull();
    }
    for (const bad of ["ab", "Web", "1web", "web-", "web_", "_web", "a".repeat(31), "웹이미지", "web golden", "webX"]) {
      expect(ncp.creator.validateImageName(bad)).not.toBeNull();
      expect(ncp.creator.validateImageName(bad, xen)).not.toBeNull();
    }
  });

  it("maps a wrong key to PROVIDER_AUTH_FAILED with the gateway's code, not retried", async () => {
    const err = await failure(ncp.listImages(context({ secretKey: "wrong-secret" })));
    expect(err).toBeInstanceOf(ImageOpsError);
    expect(err).toMatchObject({ code: "PROVIDER_AUTH_FAILED", providerCode: "200" });
    expect(sim.requests.length).toBe(2); // the two list calls, once each
  });

  it("turns malformed and truncated bodies into PROVIDER_ERROR", async () => {
    for (const fault of [{ malformed: true }, { truncated: true }]) {
      sim.setFaults(fault);
      await expect(ncp.describeImage(ctx, "23214590")).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
    }
  });

  it("retries a 503 with Retry-After, then succeeds", async () => {
    sim.setFaults({ status: 503, retryAfter: 0, count: 1 });
    expect((await ncp.describeImage(ctx, "23214590")).id).toBe("23214590");
    expect(sim.requests.length).toBe(2);
  });
});

describe("create-image preflight against NCP (shared/images/create.ts)", () => {
  const creds = { accounts: [{ provider: "ncp" as const, name: "demo", ...DEMO_KEYS.ncp, regions: ["KR"], endpoint: "" }] };
  const rt = (): Runtime => {
    creds.accounts[0]!.endpoint = sim.url;
    return { credentials: { get: async () => creds, refresh: async () => creds } as unknown as Runtime["credentials"], now: Date.now };
  };
  const tracker: Tracker = { start: async () => "started", status: async () => "running" };
  const dynamo = new DynamoSim();
  let deps: CreateDeps;
  beforeAll(async () => {
    await dynamo.start();
    deps = { tracker, store: dynamo.store() };
  });
  afterAll(() => dynamo.close());
  const checks = async (input: Omit<CreateInput, "provider" | "dryRun">) => {
    const out = await createFlow(rt(), deps, { provider: "ncp", dryRun: true, ...input });
    if (!out.dryRun) throw new Error("expected a dry run");
    return Object.fromEntries(out.checks.map((c) => [c.name, c]));
  };

  it("checks the name by the rule of the server's create call", async () => {
    expect((await checks({ serverId: DEMO_SERVERS.ncp.kvm, name: "golden_img1" })).name).toMatchObject({ ok: true });
    expect((await checks({ serverId: DEMO_SERVERS.ncp.xen, name: "golden_img1" })).name).toMatchObject({
      ok: false,
      message: expect.stringMatching(/createMemberServerImageInstance/),
    });
    // no such server: the widest of NCP's rules
    expect((await checks({ serverId: "999999999", name: "golden_img1" })).name).toMatchObject({ ok: true });
  });

  it("says why a server cannot be imaged", async () => {
    expect((await checks({ serverId: SHUTTING_DOWN, name: "web-golden" }))["server-state"]).toMatchObject({
      ok: false,
      message: expect.stringMatching(/operation SHTDN/),
    });
    expect((await checks({ serverId: NO_HYPERVISOR, name: "web-golden" }))["server-state"]).toMatchObject({
      ok: false,
      message: expect.stringMatching(/no hypervisorType/),
    });
    const err = await failure(createFlow(rt(), deps, { provider: "ncp", serverId: NO_HYPERVISOR, name: "web-golden" }));
    expect(err).toMatchObject({ code: "CONFLICT", field: "serverId", message: expect.stringMatching(/no hypervisorType/) });
  });

  // whether NCP refuses a second image of the same name is undocumented: the product refuses it either way
  for (const uniqueNames of [true, false]) {
    it(`refuses a taken name before sending anything (names unique at the cloud: ${uniqueNames})`, async () => {
      sim.uniqueNames = uniqueNames;
      expect((await checks({ serverId: DEMO_SERVERS.ncp.kvm, name: "api-release-42" }))["name-free"]).toMatchObject({ ok: false });
      const err = await failure(createFlow(rt(), deps, { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "api-release-42" }));
      expect(err).toMatchObject({ code: "CONFLICT", field: "name" });
      expect(actions().filter((a) => a?.startsWith("create"))).toEqual([]);
    });
  }
});

describe("NCP simulator checks", () => {
  const { accessKey, secretKey } = DEMO_KEYS.ncp;
  const send = (action: Parameters<typeof ncpRequest>[1], params: Record<string, unknown>) => {
    const req = ncpRequest(sim.url, action, { regionCode: "KR", ...params } as never, DEMO_KEYS.ncp, false);
    return fetch(req.url, { method: req.method, headers: { ...req.headers, ...req.sign!(req.method, req.url) }, body: req.body });
  };

  it("refuses a stale timestamp and an unsigned call with the gateway's envelope, and answers XML without responseFormatType", async () => {
    const stale = new NcpSim({ now: () => Date.now() + 6 * 60_000 });
    await stale.start();
    try {
      const err = await failure(ncp.describeImage({ ...ctx, account: { ...ctx.account, endpoint: stale.url } }, "23214590"));
      expect(err).toMatchObject({ code: "PROVIDER_AUTH_FAILED", providerCode: "200" });
    } finally {
      await stale.close();
    }
    const path = "/vserver/v2/getServerImageList?regionCode=KR";
    const unsigned = await fetch(`${sim.url}${path}`);
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toEqual({
      error: { errorCode: "200", message: "Authentication Failed", details: "Authentication information are missing." },
    });
    // signed, but without responseFormatType: NCP's default, XML (docs allow GET as well as POST)
    const xml = await fetch(`${sim.url}${path}`, { headers: ncpHeaders("GET", path, Date.now(), accessKey, secretKey) });
    expect(xml.status).toBe(200);
    expect(xml.headers.get("content-type")).toContain("application/xml");
  });

  it("with cachePages (the bench's), serves a page again byte for byte, still refusing what is not signed", async () => {
    const cached = new NcpSim({ generatedImages: 5 });
    cached.cachePages = true;
    await cached.start();
    try {
      const list = () => ncp.listImages({ ...ctx, account: { ...ctx.account, endpoint: cached.url } });
      const first = await list();
      expect(first.length).toBeGreaterThan(5);
      cached.images.clear(); // a cached page does not see it
      expect(await list()).toEqual(first);
      const unsigned = await fetch(`${cached.url}/vserver/v2/getServerImageList?regionCode=KR&responseFormatType=json`);
      expect(unsigned.status).toBe(401);
    } finally {
      await cached.close();
    }
  });

  it("refuses a createServerImage without the default storage (blockStorageList.N.order 0), or with a volume type on it", async () => {
    const base = { serverInstanceNo: DEMO_SERVERS.ncp.kvm, serverImageName: "sim-check" };
    for (const blockStorageList of [undefined, [{ order: 1 }], [{ order: 0, blockStorageVolumeTypeCode: "CB1" }]]) {
      const res = await send("createServerImage", { ...base, blockStorageList });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        responseError: { returnCode: "1100000", returnMessage: expect.stringMatching(/^Parameter is invalid\./) },
      });
    }
    expect((await send("createServerImage", { ...base, blockStorageList: [{ order: 0 }] })).status).toBe(200);
  });

  it("reads parameters only from a form body, and answers an unknown API with the gateway's 404", async () => {
    const path = "/vserver/v2/getServerImageDetail";
    const headers = ncpHeaders("POST", path, Date.now(), accessKey, secretKey);
    const asJson = await fetch(`${sim.url}${path}`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: "responseFormatType=json&serverImageNo=23214590",
    });
    expect(asJson.headers.get("content-type")).toContain("application/xml"); // the body was not read: no responseFormatType
    const unknown = "/vserver/v2/getNothing";
    const res = await fetch(`${sim.url}${unknown}`, {
      method: "POST",
      headers: ncpHeaders("POST", unknown, Date.now(), accessKey, secretKey),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { errorCode: "300", message: "Not Found Exception", details: "" } });
  });
});
