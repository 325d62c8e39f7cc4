import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { failure } from "../support/failure.js";
import { HttpClient } from "../../shared/http/client.js";
import type { Transport } from "../../shared/http/transport.js";
import { Limiter } from "../../shared/http/limiter.js";
import type { ImageOpsError } from "../../shared/model/errors.js";
import { iwinvAdapter, iwinvFailure } from "../../shared/providers/iwinv/client.js";
import { iwinvHeaders } from "../../shared/providers/iwinv/signer.js";
import type { CallContext } from "../../shared/providers/types.js";
import type { Account } from "../../shared/secrets.js";
import { type Runtime, withTarget } from "../../shared/runtime.js";
import { credentialsSecret } from "../../shared/secrets.js";
import { DEMO_KEYS, DEMO_SERVERS } from "../../dev/sim/demo.js";
import { IwinvSim, iwinvSeedImages } from "../../dev/sim/iwinv.js";

const ZONE = "kr2-z01";
const iwinv = iwinvAdapter();
// functional tests share one credential: the per-minute limit is exercised by its own simulators below
const sim = new IwinvSim({ generatedImages: 20, rateLimitPerMinute: 100_000 });

beforeAll(async () => {
  await sim.start();
});
afterAll(() => sim.close());
afterEach(() => sim.setFaults({}));

function account(over: Partial<Account> = {}): Account {
  return { provider: "iwinv", name: "prod", ...DEMO_KEYS.iwinv, regions: [ZONE], endpoint: sim.url, ...over };
}

/** A real HttpClient with the adapter's own limits, as the functions build it. */
function ctxFor(over: Partial<Account> = {}, clientOver: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): CallContext {
  const http = new HttpClient({
    provider: "iwinv",
    limiter: new Limiter(iwinv.limits),
    baseDelayMs: 5,
    maxDelayMs: 20,
    ...clientOver,
  });
  return { account: account(over), region: ZONE, http };
}

const since = (n: number) => sim.requests.slice(n);
// seeds in kr2-z01: 7 public + 4 private; generated: 10 public + 10 private
const IN_ZONE = iwinvSeedImages().filter((i) => i.zone.includes(ZONE)).length + 20;

describe("iwinv adapter against the simulator", () => {
  it("declares its limits and capabilities", () => {
    expect(iwinv.name).toBe("iwinv");
    expect(iwinv.defaultEndpoint).toBe("https://api-kr.iwinv.kr");
    expect(iwinv.limits).toEqual({ concurrency: 4, perMinute: 60 });
    // the Images API is Image List and Image Detail only (iwinv.md §2.3): no creator, no deleter, and why
    expect(iwinv.creator).toBeUndefined();
    expect(iwinv.deleter).toBeUndefined();
    expect(iwinv.unsupported?.create?.reason).toMatch(/no image-creation call/);
    expect(iwinv.unsupported?.delete?.reason).toMatch(/no image-deletion call/);
  });

  it("lists across pages until a short page, only the zone asked for", async () => {
    const n = sim.requests.length;
    const images = await iwinvAdapter({ pageSize: 5 }).listImages(ctxFor());
    expect(images).toHaveLength(IN_ZONE);
    expect(new Set(images.map((i) => i.id)).size).toBe(IN_ZONE);
    expect(images.some((i) => i.id === "PIMAGE-5Ubuntu2204KR1Z01001")).toBe(false); // kr1-z01 only
    expect(images.every((i) => i.region === ZONE && i.provider === "iwinv" && i.account === "prod")).toBe(true);
    const pages = since(n).map((r) => r.url.searchParams);
    expect(pages.map((q) => q.get("page_no"))).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    expect(pages.every((q) => q.get("zone_id") === ZONE && q.get("page_size") === "5")).toBe(true);
    // the query is not signed, yet every request carried the documented headers
    expect(
      since(n).every(
        (r) =>
          r.headers["x-iwinv-credential"] === DEMO_KEYS.iwinv.accessKey && /^[0-9a-f]{64}$/.test(String(r.headers["x-iwinv-signature"])),
      ),
    ).toBe(true);
  });

  it("asks for big pages by default: one request for a small catalogue", async () => {
    const n = sim.requests.length;
    const images = await iwinv.listImages(ctxFor());
    expect(images).toHaveLength(IN_ZONE);
    expect(since(n)).toHaveLength(1);
    expect(since(n)[0]!.url.searchParams.get("page_size")).toBe("100");
  });

  it("passes scope and os to the API, not name", async () => {
    const ctx = ctxFor();
    let n = sim.requests.length;
    const custom = await iwinv.listImages(ctx, { scope: "custom" });
    expect(since(n)[0]!.url.searchParams.get("visibility")).toBe("private");
    expect(custom).toHaveLength(14);
    expect(custom.every((i) => i.kind === "custom" && i.visibility === "private")).toBe(true);

    n = sim.requests.length;
    const rocky = await iwinv.listImages(ctx, { os: "rocky", scope: "public" });
    expect(since(n)[0]!.url.searchParams.get("os")).toBe("rocky");
    expect(rocky.length).toBeGreaterThan(0);
    expect(rocky.every((i) => i.os.distro === "rocky" && i.kind === "public")).toBe(true);

    n = sim.requests.length;
    const windows = await iwinv.listImages(ctx, { os: "windows" });
    expect(since(n)[0]!.url.searchParams.get("os")).toBe("windows,windows_core,windows_sql");
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.every((i) => i.os.family === "windows")).toBe(true);

    n = sim.requests.length;
    // the name filter is not sent (iwinv's case handling is undocumented): the caller filters
    const all = await iwinv.listImages(ctx, { name: "golden" });
    expect(since(n)[0]!.url.searchParams.has("name")).toBe(false);
    expect(all.map((i) => i.name)).toContain("web-golden");

    // an os the API has no value for is not sent (the caller filters afterwards)
    n = sim.requests.length;
    await iwinv.listImages(ctx, { os: "solaris" });
    expect(since(n)[0]!.url.searchParams.has("os")).toBe(false);
  });

  it("describes an image exactly as the list does", async () => {
    const n = sim.requests.length;
    const image = await iwinv.describeImage(ctxFor(), "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi");
    expect(since(n)[0]!.rawUrl).toBe("/v1/images/PIMAGE-1Pos3S8VaJXq3wgC8c4BMi");
    const listed = (await iwinv.listImages(ctxFor())).find((i) => i.id === "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi");
    expect(image).toEqual(listed);
    expect(image).toMatchObject({ kind: "public", status: "available", os: { distro: "rocky", version: "9.X" }, architecture: "x86_64" });

    const legacy = await iwinv.describeImage(ctxFor(), "IMAGE-9Lg4LegacyApp0000000003");
    expect(legacy).toMatchObject({ name: "legacy-app", kind: "custom", createdAt: "2023-03-02T01:15:00.000Z", os: { distro: "centos" } });
  });

  it("NOT_FOUND for an unknown image or instance (iwinv HTTP 400 ID_INVALID); an id not of iwinv's form is refused before any request", async () => {
    const ctx = ctxFor();
    const e = await failure(iwinv.describeImage(ctx, "PIMAGE-doesnotexist"));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.providerCode).toBe("ID_INVALID");
    expect(e.provider).toBe("iwinv");
    expect((await failure(iwinv.getServer(ctx, "IWVM-nope"))).code).toBe("NOT_FOUND");
    const before = sim.requests.length;
    // iwinv's ids are ASCII letters, digits and "-" (PIMAGE-1Pos3S8VaJXq3wgC8c4BMi, iwinv.md §1.2–1.3)
    for (const id of ["이미지", "a+b*c~d/e", "with space", "..", "-x"]) {
      expect(await failure(iwinv.describeImage(ctx, id))).toMatchObject({ code: "INVALID_ARGUMENT", field: "id" });
      expect(await failure(iwinv.getServer(ctx, id))).toMatchObject({ code: "INVALID_ARGUMENT", field: "serverId" });
    }
    expect(sim.requests.length).toBe(before);
  });

  it("gets a server, asking only for the fields it needs (never the default account's password)", async () => {
    const server = await iwinv.getServer(ctxFor(), DEMO_SERVERS.iwinv.active);
    expect(server).toEqual({ id: DEMO_SERVERS.iwinv.active, name: "demo-web-01", providerStatus: "active", imageable: false });
    expect(sim.requests.at(-1)!.rawUrl).toBe(`/v1/instances/${DEMO_SERVERS.iwinv.active}?fields=3599`);
    // what that mask brings back from the simulator: no password, no console link
    const h = iwinvHeaders(
      `/v1/instances/${DEMO_SERVERS.iwinv.active}`,
      Math.floor(Date.now() / 1000),
      DEMO_KEYS.iwinv.accessKey,
      DEMO_KEYS.iwinv.secretKey,
    );
    const body = (await (await fetch(`${sim.url}/v1/instances/${DEMO_SERVERS.iwinv.active}?fields=3599`, { headers: h })).json()) as {
      result: Array<Record<string, unknown>>;
    };
    expect(Object.keys(body.result[0]!).sort()).toEqual(["description", "flavor", "image", "instance_id", "name", "status", "zone"]);
  });

  it("follows page_size the API says it used when it caps it (iwinv documents no cap: a simulator option)", async () => {
    const capped = new IwinvSim({ maxPageSize: 4, rateLimitPerMinute: 100_000 });
    await capped.start();
    try {
      const images = await iwinv.listImages(ctxFor({ endpoint: capped.url }));
      expect(images).toHaveLength(iwinvSeedImages().filter((i) => i.zone.includes(ZONE)).length);
      expect(capped.requests.map((r) => r.url.searchParams.get("page_size"))).toEqual(capped.requests.map(() => "100"));
      expect(capped.requests.length).toBe(Math.ceil((images.length + 1) / 4));
    } finally {
      await capped.close();
    }
  });

  it.each(["insensitive", "sensitive"] as const)(
    "finds a custom image by exact name whether iwinv's name filter ignores case or not (%s)",
    async (nameMatch) => {
      const before = sim.nameMatch;
      sim.nameMatch = nameMatch;
      try {
        expect((await iwinv.findImagesByName(ctxFor(), "web-golden")).map((i) => i.id)).toEqual(["IMAGE-7Hq2WebGolden000000001"]);
        expect(await iwinv.findImagesByName(ctxFor(), "Web-Golden")).toEqual([]);
      } finally {
        sim.nameMatch = before;
      }
    },
  );

  it("findImagesByName: custom images with exactly that name", async () => {
    const ctx = ctxFor();
    expect((await iwinv.findImagesByName(ctx, "web-golden")).map((i) => i.id)).toEqual(["IMAGE-7Hq2WebGolden000000001"]);
    expect(await iwinv.findImagesByName(ctx, "web")).toEqual([]); // contains ≠ equals
    expect(await iwinv.findImagesByName(ctx, "Ubuntu 24.04 LTS")).toEqual([]); // public images never match
    expect(sim.requests.at(-1)!.url.searchParams.get("visibility")).toBe("private");
  });

  it("a wrong secret → PROVIDER_AUTH_FAILED (INVALID_SIGNATURE 0x8); unknown key → CHECK_CREDENTIAL 0x6; not retried", async () => {
    let n = sim.requests.length;
    const bad = await failure(iwinv.listImages(ctxFor({ secretKey: "wrong-secret" })));
    expect(bad.code).toBe("PROVIDER_AUTH_FAILED");
    expect(bad.providerCode).toBe("INVALID_SIGNATURE");
    expect(since(n)).toHaveLength(1);

    n = sim.requests.length;
    const unknown = await failure(iwinv.describeImage(ctxFor({ accessKey: "NOPE" }), "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi"));
    expect(unknown.code).toBe("PROVIDER_AUTH_FAILED");
    expect(unknown.providerCode).toBe("CHECK_CREDENTIAL");
  });

  it("403 CHECK_IP (the caller's IP is not on the key's allowlist) → PROVIDER_AUTH_FAILED saying to register the egress IP", async () => {
    sim.callerIpAllowed = false;
    try {
      const n = sim.requests.length;
      const e = await failure(iwinv.listImages(ctxFor()));
      expect(e).toMatchObject({ code: "PROVIDER_AUTH_FAILED", provider: "iwinv", providerCode: "CHECK_IP", credentialsRejected: false });
      expect(e.message).toMatch(/register the egress IP this function calls from .* on the API key in the iwinv console/);
      expect(since(n)).toHaveLength(1); // not retried
    } finally {
      sim.callerIpAllowed = true;
    }
  });

  it("CHECK_IP is not a key rotation: the secret is not re-read; a refused key still is, once", async () => {
    let reads = 0;
    process.env.CREDENTIALS_SECRET_ID = "creds";
    const credentials = credentialsSecret({ get: async () => (reads++, JSON.stringify({ accounts: [account()] })) });
    const rt: Runtime = { credentials, now: Date.now };
    const list = () => withTarget(rt, { provider: "iwinv" }, (ctx, a) => a.listImages(ctx));
    await list();
    expect(reads).toBe(1);
    sim.callerIpAllowed = false;
    try {
      expect((await failure(list())).providerCode).toBe("CHECK_IP");
      expect(reads).toBe(1);
    } finally {
      sim.callerIpAllowed = true;
    }
    const before = sim.keys;
    sim.keys = [{ accessKey: DEMO_KEYS.iwinv.accessKey, secretKey: "rotated-elsewhere" }];
    try {
      expect((await failure(list())).providerCode).toBe("INVALID_SIGNATURE");
      expect(reads).toBe(2);
    } finally {
      sim.keys = before;
    }
  });

  it("a rotated key is refused; the new one works", async () => {
    const before = sim.keys;
    try {
      sim.keys = [{ accessKey: "IWINVROTATED0002", secretKey: "rotated-secret" }];
      expect((await failure(iwinv.getServer(ctxFor(), DEMO_SERVERS.iwinv.active))).code).toBe("PROVIDER_AUTH_FAILED");
      const s = await iwinv.getServer(ctxFor({ accessKey: "IWINVROTATED0002", secretKey: "rotated-secret" }), DEMO_SERVERS.iwinv.active);
      expect(s.providerStatus).toBe("active");
    } finally {
      sim.keys = before;
    }
  });

  it("a clock more than 5 minutes off → PROVIDER_AUTH_FAILED", async () => {
    const skewed = iwinvAdapter({ now: () => Date.now() - 6 * 60_000 });
    const e = await failure(skewed.describeImage(ctxFor(), "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi"));
    expect(e.code).toBe("PROVIDER_AUTH_FAILED");
    const slightly = iwinvAdapter({ now: () => Date.now() - 4 * 60_000 });
    expect((await slightly.describeImage(ctxFor(), "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi")).id).toBe("PIMAGE-1Pos3S8VaJXq3wgC8c4BMi");
  });

  it("a non-JSON or truncated body → PROVIDER_ERROR, never a crash", async () => {
    sim.setFaults({ malformed: true, count: 1 });
    const m = await failure(iwinv.listImages(ctxFor()));
    expect(m.code).toBe("PROVIDER_ERROR");
    sim.setFaults({ truncated: true, count: 1 });
    const t = await failure(iwinv.describeImage(ctxFor(), "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi"));
    expect(t.code).toBe("PROVIDER_ERROR");
  });

  it("5xx is retried, then PROVIDER_UNAVAILABLE", async () => {
    sim.setFaults({ status: 503, count: 1 });
    expect((await iwinv.getServer(ctxFor(), DEMO_SERVERS.iwinv.active)).id).toBe(DEMO_SERVERS.iwinv.active);
    sim.setFaults({ status: 503 });
    expect((await failure(iwinv.getServer(ctxFor(), DEMO_SERVERS.iwinv.active))).code).toBe("PROVIDER_UNAVAILABLE");
  });
});

describe("iwinv rate limit", () => {
  it("the simulator throttles a credential past its per-minute limit (429, LIMIT_EXCEEDED)", async () => {
    const small = new IwinvSim({ rateLimitPerMinute: 3 });
    await small.start();
    try {
      const ctx = { ...ctxFor({ endpoint: small.url }, { maxAttempts: 1 }) };
      for (let i = 0; i < 3; i++) await iwinv.getServer(ctx, DEMO_SERVERS.iwinv.active);
      const e = await failure(iwinv.getServer(ctx, DEMO_SERVERS.iwinv.active));
      expect(e.code).toBe("PROVIDER_UNAVAILABLE");
      expect(e.providerCode).toBe("LIMIT_EXCEEDED");
      // another credential has its own window
      small.keys.push({ accessKey: "OTHER", secretKey: "other-secret" });
      expect(
        (await iwinv.getServer(ctxFor({ endpoint: small.url, accessKey: "OTHER", secretKey: "other-secret" }), DEMO_SERVERS.iwinv.active))
          .id,
      ).toBe(DEMO_SERVERS.iwinv.active);
    } finally {
      await small.close();
    }
  });

  it("a burst of 70 through one client: 60 reach iwinv, the rest stop before sending, no 429", async () => {
    const burst = new IwinvSim();
    await burst.start();
    try {
      const ctx = ctxFor({ endpoint: burst.url }, { deadline: Date.now() + 5_000 });
      const results = await Promise.allSettled(Array.from({ length: 70 }, () => iwinv.getServer(ctx, DEMO_SERVERS.iwinv.active)));
      const ok = results.filter((r) => r.status === "fulfilled").length;
      const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason as ImageOpsError);
      expect(ok).toBe(60);
      expect(refused).toHaveLength(10);
      expect(refused.every((e) => e.code === "PROVIDER_UNAVAILABLE" && /rate limit/.test(e.message))).toBe(true);
      expect(burst.requests).toHaveLength(60);
    } finally {
      await burst.close();
    }
  });
});

describe("iwinvFailure (envelope mapping)", () => {
  const env = (body: unknown, status = 200) => iwinvFailure({ status, text: JSON.stringify(body) });

  it("0x00 is success; any other code is an error even with HTTP 200", () => {
    expect(env({ code: "0x00", error_code: "SUCCESS", message: "", result: [] })).toBeNull();
    const e = env({ code: "0xe", error_code: "CHECK_PARAM", message: "bad", result: null });
    expect([e?.code, e?.providerCode]).toEqual(["PROVIDER_ERROR", "CHECK_PARAM"]);
    expect(env({ code: "0x00", result: [] })?.code).toBe("PROVIDER_ERROR"); // success needs error_code SUCCESS too
    expect(env({ code: "0x7" })?.providerCode).toBe("0x7"); // no name: the hex code
    expect(e?.message).toBe("iwinv: bad (CHECK_PARAM)");
    expect(env({ result: [] })?.code).toBe("PROVIDER_ERROR");
  });

  it("auth codes → PROVIDER_AUTH_FAILED whatever the status; NOT_FOUND → NOT_FOUND", () => {
    for (const code of ["0x5", "0x6", "0x7", "0x8", "0x9"])
      expect(env({ code, error_code: "X", message: "m" })?.code).toBe("PROVIDER_AUTH_FAILED");
    // the key is refused vs the caller's IP is: only the first is worth re-reading the secret for
    expect(env({ code: "0x8", error_code: "INVALID_SIGNATURE" }, 401)?.credentialsRejected).toBe(true);
    expect(env({ code: "0x9", error_code: "CHECK_IP" }, 403)).toMatchObject({
      code: "PROVIDER_AUTH_FAILED",
      providerCode: "CHECK_IP",
      credentialsRejected: false,
    });
    expect(env({ code: "0x99", error_code: "INVALID_SIGNATURE" }, 401)?.code).toBe("PROVIDER_AUTH_FAILED");
    expect(env({ code: "0x1", error_code: "NOT_FOUND", message: "없음" }, 404)?.code).toBe("NOT_FOUND");
    expect(env({ code: "0x14", error_code: "EMPTY_SET" })?.code).toBe("PROVIDER_ERROR");
    expect(iwinvFailure({ status: 200, text: JSON.stringify({ code: "0x14", error_code: "EMPTY_SET" }) }, "detail")?.code).toBe(
      "NOT_FOUND",
    );
  });

  it("non-JSON: 200 → PROVIDER_ERROR, 5xx → PROVIDER_UNAVAILABLE, 429 → PROVIDER_UNAVAILABLE", () => {
    expect(iwinvFailure({ status: 200, text: "<html>oops</html>" })?.code).toBe("PROVIDER_ERROR");
    expect(iwinvFailure({ status: 200, text: '{"code":"0x00","resu' })?.code).toBe("PROVIDER_ERROR");
    expect(iwinvFailure({ status: 502, text: "<html>Bad Gateway</html>" })?.code).toBe("PROVIDER_UNAVAILABLE");
    expect(env({ code: "0x17", error_code: "LIMIT_EXCEEDED" }, 429)?.code).toBe("PROVIDER_UNAVAILABLE");
  });
});

const stubResponse = (body: unknown) => ({ status: 200, headers: { get: () => null }, text: JSON.stringify(body) });

describe("paging guards (stubbed transport)", () => {
  it("stops with PROVIDER_ERROR when the API ignores page_no instead of looping", async () => {
    let calls = 0;
    const page = {
      code: "0x00",
      error_code: "SUCCESS",
      message: "",
      result: [
        { image_id: "PIMAGE-a", zone: [ZONE] },
        { image_id: "PIMAGE-b", zone: [ZONE] },
      ],
      count: 2,
      page_no: 1,
      page_size: 2,
    };
    const transport: Transport = async () => {
      calls++;
      return stubResponse(page);
    };
    const ctx: CallContext = {
      account: account({ endpoint: "http://127.0.0.1:9" }),
      region: ZONE,
      http: new HttpClient({ provider: "iwinv", transport }),
    };
    const e = await failure(iwinvAdapter({ pageSize: 2 }).listImages(ctx));
    expect(e.code).toBe("PROVIDER_ERROR");
    expect(calls).toBe(2);
  });

  it("an EMPTY_SET answer to a list is an empty list", async () => {
    const transport: Transport = async () => stubResponse({ code: "0x14", error_code: "EMPTY_SET", message: "", result: null });
    const ctx: CallContext = {
      account: account({ endpoint: "http://127.0.0.1:9" }),
      region: ZONE,
      http: new HttpClient({ provider: "iwinv", transport }),
    };
    expect(await iwinv.listImages(ctx, { name: "zzz" })).toEqual([]);
  });
});
