/**
 * A server given by its name: each adapter's server list (the request it sends, the exact name
 * kept whatever the cloud's filter matched, paging), and the one resolver create-image uses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { resolveServerId } from "../../shared/images/servers.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import type { ProviderName } from "../../shared/model/image.js";
import { iwinvAdapter } from "../../shared/providers/iwinv/client.js";
import { ncpAdapter } from "../../shared/providers/ncp/client.js";
import { scpAdapter } from "../../shared/providers/scp/client.js";
import type { CallContext, ProviderAdapter } from "../../shared/providers/types.js";
import { DEMO_KEYS, DEMO_REGIONS, DEMO_SERVERS } from "../../dev/sim/demo.js";
import { IwinvSim } from "../../dev/sim/iwinv.js";
import { NcpSim, ncpParams } from "../../dev/sim/ncp.js";
import { ScpSim } from "../../dev/sim/scp.js";
import type { SimServer } from "../../dev/sim/server.js";

const ncp = new NcpSim();
const scp = new ScpSim();
const iwinv = new IwinvSim({ rateLimitPerMinute: 100_000 });
const sims: Record<ProviderName, SimServer> = { ncp, scp, iwinv };
const adapters: Record<ProviderName, ProviderAdapter> = { ncp: ncpAdapter(), scp: scpAdapter(), iwinv: iwinvAdapter() };

function ctx(provider: ProviderName): CallContext {
  const account = { provider, name: "demo", ...DEMO_KEYS[provider], regions: [...DEMO_REGIONS[provider]], endpoint: sims[provider].url };
  return {
    account,
    region: DEMO_REGIONS[provider][0],
    http: new HttpClient({ provider, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 }),
  };
}
/** the requests a call made, without SCP's unsigned version catalogue */
const sent = (provider: ProviderName) => sims[provider].requests.filter((r) => r.url.pathname !== "/");

beforeAll(async () => {
  await Promise.all([ncp.start(), scp.start(), iwinv.start()]);
  // names that one filter or another would also match: web-01 must find web-01 alone
  ncp.addServer({
    serverInstanceNo: "8000001",
    serverName: "web-01-old",
    status: "NSTOP",
    operation: "NULL",
    hypervisor: "KVM",
    productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
  });
  ncp.addServer({
    serverInstanceNo: "8000002",
    serverName: "twin",
    status: "RUN",
    operation: "NULL",
    hypervisor: "KVM",
    productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
  });
  ncp.addServer({
    serverInstanceNo: "8000003",
    serverName: "twin",
    status: "NSTOP",
    operation: "NULL",
    hypervisor: "KVM",
    productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
  });
  scp.servers.set("9b000000-0000-4000-8000-000000000001", {
    id: "9b000000-0000-4000-8000-000000000001",
    name: "web-01 copy",
    state: "SHUTOFF",
    image_id: "x",
  });
  const demo = iwinv.servers.get(DEMO_SERVERS.iwinv.active)!;
  iwinv.servers.set("IWVM-demo-0002", { ...demo, instance_id: "IWVM-demo-0002", name: "DEMO-WEB-01" });
});
afterAll(() => Promise.all([ncp.close(), scp.close(), iwinv.close()]));
beforeEach(() => {
  for (const sim of [ncp, scp, iwinv]) sim.requests.length = 0;
  ncp.serverNameMatch = "exact";
  scp.nameFilter = "exact";
  iwinv.nameMatch = "insensitive";
});

describe("findServersByName", () => {
  it("NCP: getServerInstanceList with serverName, paged, as a form POST", async () => {
    ncp.serverNameMatch = "contains";
    expect(await adapters.ncp.findServersByName(ctx("ncp"), "web-01")).toEqual([
      { id: DEMO_SERVERS.ncp.kvm, name: "web-01", providerStatus: "RUN" },
    ]);
    const [req] = sent("ncp");
    expect(req!.method).toBe("POST");
    expect(req!.url.pathname).toBe("/vserver/v2/getServerInstanceList");
    expect(req!.body).toBe("responseFormatType=json&regionCode=KR&pageNo=1&pageSize=1000&serverName=web-01");
    expect(ncpParams(req!).get("serverName")).toBe("web-01");
  });

  it("SCP: GET /v1/servers with name, limit, sort; only id, name and state read", async () => {
    scp.nameFilter = "contains";
    expect(await adapters.scp.findServersByName(ctx("scp"), "web-01")).toEqual([
      { id: DEMO_SERVERS.scp.active, name: "web-01", providerStatus: "ACTIVE" },
    ]);
    const [req] = sent("scp");
    expect(req!.method).toBe("GET");
    expect(req!.rawUrl).toBe("/v1/servers?limit=100&name=web-01&sort=created_at%3Adesc");
  });

  it("iwinv: GET /v1/instances with name, zone, paging and fields that never ask for the password", async () => {
    expect(await adapters.iwinv.findServersByName(ctx("iwinv"), "demo-web-01")).toEqual([
      { id: DEMO_SERVERS.iwinv.active, name: "demo-web-01", providerStatus: "active" },
    ]);
    const [req] = sent("iwinv");
    expect(req!.method).toBe("GET");
    expect(req!.url.pathname).toBe("/v1/instances");
    expect(Object.fromEntries(req!.url.searchParams)).toEqual({
      name: "demo-web-01",
      zone_id: "kr2-z01",
      page_no: "1",
      page_size: "100",
      fields: "11",
    });
    expect(Number(req!.url.searchParams.get("fields")) & (128 | 16384)).toBe(0);
  });

  it.each(["ncp", "scp", "iwinv"] as const)("%s: an unknown name is no server", async (provider) => {
    expect(await adapters[provider].findServersByName(ctx(provider), "no-such-server")).toEqual([]);
  });
});

describe("resolveServerId", () => {
  it.each([
    ["ncp", "web-01", DEMO_SERVERS.ncp.kvm],
    ["scp", "web-01", DEMO_SERVERS.scp.active],
    ["iwinv", "demo-web-01", DEMO_SERVERS.iwinv.active],
  ] as const)("%s: a name is the id of the one server of that name", async (provider, name, id) => {
    expect(await resolveServerId(ctx(provider), adapters[provider], name)).toBe(id);
  });

  it("leaves an id no server is named as given, when it has the shape of the cloud's server ids", async () => {
    expect(await resolveServerId(ctx("ncp"), adapters.ncp, DEMO_SERVERS.ncp.xen)).toBe(DEMO_SERVERS.ncp.xen);
    expect(await resolveServerId(ctx("ncp"), adapters.ncp, "99999999")).toBe("99999999");
    expect(await resolveServerId(ctx("scp"), adapters.scp, "2a9be312-5d4b-4bc8-b2ae-35100fa9241f")).toBe(
      "2a9be312-5d4b-4bc8-b2ae-35100fa9241f",
    );
    expect(await resolveServerId(ctx("iwinv"), adapters.iwinv, "IWVM-missing-0009")).toBe("IWVM-missing-0009");
  });

  it.each([
    ["ncp", "23214590&a=b+c %d/이", /is neither an NCP server instance number \(decimal digits.*nor the name of a ncp server in KR$/],
    ["ncp", "no-such-server", /is neither an NCP server instance number/],
    ["scp", "img+1:2@3=4&5$6;7,8 9/0?#%이", /is neither an SCP server id \(a UUID.*nor the name of a scp server in kr-west1$/],
    ["iwinv", "a/b", /is neither an iwinv instance id/],
  ] as const)("%s: refuses %j, neither a server id nor a server's name, after the name lookup alone", async (provider, given, message) => {
    const err = await resolveServerId(ctx(provider), adapters[provider], given).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageOpsError);
    expect(err).toMatchObject({ code: "INVALID_ARGUMENT", field: "serverId", message: expect.stringMatching(message) });
    // the one request is the server list with the value as a name; it never went anywhere as an id
    expect(sent(provider).map((r) => r.url.pathname)).toEqual([
      provider === "ncp" ? "/vserver/v2/getServerInstanceList" : provider === "scp" ? "/v1/servers" : "/v1/instances",
    ]);
  });

  it("refuses a name several servers have, with the candidates", async () => {
    const err = await resolveServerId(ctx("ncp"), adapters.ncp, "twin").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageOpsError);
    expect(err).toMatchObject({
      code: "INVALID_ARGUMENT",
      field: "serverId",
      message: 'serverId: "twin" names 2 ncp servers in KR: 8000002 (RUN), 8000003 (NSTOP); give the id of the one to image',
    });
  });
});
