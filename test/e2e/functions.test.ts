/**
 * The built bundles (dist/<name>/index.mjs) end to end against the simulators, in both event
 * forms: what a caller of the function URLs and Step Functions would see.
 */
import { describe, expect, it } from "vitest";
import { LOCAL_SLACK, type LocalStack } from "../../dev/local-stack.js";
import { keyOfOperation } from "../../shared/operations/record.js";
import { DynamoOperationStore } from "../../shared/operations/store.js";
import { slackWebClient, webPoster } from "../../shared/slack/web.js";
import { DynamoTargetStore } from "../../shared/slack/targets.js";
import type { Image } from "../../shared/model/image.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { stackHttp } from "../support/stack-http.js";

let stack: LocalStack;
// every log line, answer and Slack message of this suite: no secret, key or signature in any
const leaks = watchLocalStack(
  { createDelayMs: 1_500, waitScale: 0.02, env: { PROVIDER_TIMEOUT_MS: "2000", NOTIFY_CHANNELS: "C0PROGRESS1,C0AUDIT0001" } },
  (s) => (stack = s),
);

const { call, post } = stackHttp(() => stack, leaks);

describe("list-images", () => {
  it("lists normalized images from all three clouds", async () => {
    const { status, body } = await call("/list-images?limit=1000");
    expect(status).toBe(200);
    expect(body.errors).toEqual([]);
    const providers = new Set(body.images.map((i: Image) => i.provider));
    expect([...providers].sort()).toEqual(["iwinv", "ncp", "scp"]);
    for (const image of body.images as Image[]) {
      expect(image.account).toBe("demo");
      expect(["creating", "available", "failed", "deleting", "unknown"]).toContain(image.status);
      if (image.createdAt) expect(image.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it("filters by os, scope, name and provider", async () => {
    const ubuntu = await call("/list-images?os=Ubuntu&limit=1000");
    expect(ubuntu.body.images.length).toBeGreaterThan(0);
    expect(ubuntu.body.images.every((i: Image) => i.os.distro === "ubuntu")).toBe(true);
    expect(new Set(ubuntu.body.images.map((i: Image) => i.provider)).size).toBeGreaterThan(1);

    const custom = await call("/list-images?scope=custom&provider=ncp,scp&limit=1000");
    expect(custom.body.images.length).toBeGreaterThan(0);
    expect(custom.body.images.every((i: Image) => i.kind === "custom" && i.provider !== "iwinv")).toBe(true);

    const all = await call("/list-images?limit=1000");
    const someName = (all.body.images as Image[]).find((i) => i.provider === "scp")!.name;
    const needle = someName.slice(1, 5).toUpperCase();
    const named = await call(`/list-images?name=${encodeURIComponent(needle)}&limit=1000`);
    expect(named.body.images.length).toBeGreaterThan(0);
    expect(named.body.images.every((i: Image) => i.name.toLowerCase().includes(needle.toLowerCase()))).toBe(true);
  });

  it("pages with an opaque cursor that resumes exactly", async () => {
    const all = (await call("/list-images?limit=1000")).body.images as Image[];
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body } = await call(`/list-images?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(status).toBe(200);
      expect(body.images.length).toBeLessThanOrEqual(7);
      seen.push(...body.images.map((i: Image) => `${i.provider}/${i.id}`));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual(all.map((i) => `${i.provider}/${i.id}`));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("refuses a cursor used with other filters", async () => {
    const first = await call("/list-images?limit=2");
    const res = await call(`/list-images?limit=2&os=rocky&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "cursor" });
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["limit=ten", "limit"],
    ["provider=aws", "provider"],
    ["scope=mine", "scope"],
    ["colour=blue", "colour"],
    ["cursor=%25%25%25", "cursor"],
  ])("answers 400 naming the field for %s", async (query, field) => {
    const res = await call(`/list-images?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("INVALID_ARGUMENT");
    expect(res.body.error.field).toBe(field);
  });

  it("says what was expected and what came, not that a sent value is required", async () => {
    const res = await call("/list-images?limit=abc");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: "INVALID_ARGUMENT",
      field: "limit",
      message: 'limit: expected a number, got "abc" — 1–1000, default 100',
    });
  });

  it.each([
    ["account=prod", "account", 'no account named "prod" (there are ncp/demo, scp/demo, iwinv/demo)'],
    ["provider=ncp&account=prod", "account", 'no ncp account named "prod" (there are ncp/demo)'],
    ["provider=scp&region=kr-east1", "region", "no selected account has region kr-east1 (scp/demo has kr-west1)"],
  ])("answers 404 NOT_FOUND naming the field for %s, never an empty list", async (query, field, message) => {
    const res = await call(`/list-images?${query}`);
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: "NOT_FOUND", field, message });
  });

  it("lists the servers an image can be made from with resource=servers, refusing image filters by name", async () => {
    const { status, body } = await call("/list-images?resource=servers&provider=ncp");
    expect(status).toBe(200);
    expect(body.errors).toEqual([]);
    expect(body.servers).toContainEqual({
      provider: "ncp",
      account: "demo",
      region: "KR",
      id: DEMO_SERVERS.ncp.kvm,
      name: "web-01",
      providerStatus: "RUN",
    });
    // sorted by provider, account, region, name
    const names = (body.servers as Array<{ name: string }>).map((s) => s.name);
    expect(names).toEqual([...names].sort());
    const part = await call("/list-images?resource=servers&name=WEB");
    expect((part.body.servers as Array<{ name: string }>).every((s) => s.name.toLowerCase().includes("web"))).toBe(true);
    expect(new Set((part.body.servers as Array<{ provider: string }>).map((s) => s.provider)).size).toBeGreaterThan(1);
    const wrong = await call("/list-images?resource=servers&os=ubuntu");
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toEqual({
      code: "INVALID_ARGUMENT",
      field: "os",
      message: "os: applies to images; servers take provider, account, region and name",
    });
  });

  it("a wrong account on create names the accounts there are, as list does", async () => {
    const res = await post("/create-image", {
      provider: "ncp",
      account: "prod",
      serverId: DEMO_SERVERS.ncp.kvm,
      name: "acct-golden",
      dryRun: true,
    });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: "NOT_FOUND", field: "account", message: 'no ncp account named "prod" (there are ncp/demo)' });
  });

  it("the local stack's 404 never suggests a function without a URL", async () => {
    const track = await call("/track-image");
    expect(track.status).toBe(404);
    expect(track.body.error.message).toBe("track-image has no function URL: only the tracking state machine calls it (serverless.yml)");
    const typo = await call("/list-image");
    expect(typo.status).toBe(404);
    expect(typo.body.error.message).toMatch(/^no function at \/list-image — did you mean \/list-images\?; the functions are /);
    expect(typo.body.error.message).not.toContain("/track-image");
  });

  it("returns the other clouds plus one error entry when a cloud is down", async () => {
    stack.scp.setFaults({ down: true });
    const { status, body } = await call("/list-images?limit=1000");
    expect(status).toBe(200);
    expect(new Set(body.images.map((i: Image) => i.provider))).toEqual(new Set(["ncp", "iwinv"]));
    expect(body.errors).toEqual([
      expect.objectContaining({ provider: "scp", account: "demo", region: "kr-west1", code: "PROVIDER_UNAVAILABLE" }),
    ]);
  });

  it("answers in the direct-invocation form with the plain body", async () => {
    const out = (await stack.invoke("list-images", { provider: "iwinv", limit: 3 })) as { images: Image[]; nextCursor: string | null };
    expect(out.images).toHaveLength(3);
    expect(out.images.every((i) => i.provider === "iwinv")).toBe(true);
    await expect(stack.invoke("list-images", { limit: "lots" })).rejects.toMatchObject({ name: "INVALID_ARGUMENT", field: "limit" });
  });
});

describe("help", () => {
  it("answers GET <function>/help with the fields of the schema that validates them", async () => {
    const { status, body } = await call("/list-images/help");
    expect(status).toBe(200);
    expect(body.function).toBe("list-images");
    expect(body.fields).toContain("limit — 1–1000, default 100");
    expect(body.fields.length).toBe(10);
    expect(body.fields).toContain(
      "resource — images | servers: the servers an image can be made from (with provider, account, region and name only)",
    );
    const create = await call("/create-image/help");
    expect(create.body.fields).toContain("provider (required) — ncp | scp | iwinv");
  });
});

describe("describe-image", () => {
  it("describes an image of each cloud", async () => {
    const all = (await call("/list-images?limit=1000")).body.images as Image[];
    for (const p of ["ncp", "scp", "iwinv"]) {
      const sample = all.find((i) => i.provider === p)!;
      const { status, body } = await call(`/describe-image?provider=${p}&id=${encodeURIComponent(sample.id)}`);
      expect(status).toBe(200);
      expect(body.image).toEqual(sample);
    }
  });

  it("answers 404 NOT_FOUND in one wording for an unknown id or name (a value not of the cloud's id shape is a name), and 400 without one", async () => {
    // an id of each cloud's documented shape that names nothing: NCP numbers, SCP UUIDs, iwinv's ASCII ids;
    // then values of no id shape, looked up as custom images' names (never sent as an id)
    const unknown = {
      ncp: ["99999999", "does-not-exist-42"],
      scp: ["0a0a0a0a-0000-4000-8000-00000000dead", "does-not-exist-42"],
      iwinv: ["PIMAGE-does-not-exist-42", "a/b"],
    };
    for (const [p, ids] of Object.entries(unknown)) {
      for (const id of ids) {
        const res = await call(`/describe-image?provider=${p}&id=${encodeURIComponent(id)}`);
        expect(res.status, `${p} ${id}`).toBe(404);
        expect(res.body.error).toMatchObject({ code: "NOT_FOUND", field: "id", provider: p });
        expect(res.body.error.message).toMatch(
          new RegExp(`^no ${p} image "${id}" in \\S+ \\(neither an image id nor a custom image's name\\)`),
        );
      }
    }
    const byName = await call("/describe-image?provider=ncp&id=api-release-42");
    expect(byName.body.image).toMatchObject({ id: "31000002", name: "api-release-42" });
    const missing = await call("/describe-image?provider=ncp");
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "id" });
  });
});

describe("delete-image dry run", () => {
  it("gives a verdict: final for a cloud's public image and for a cloud that cannot delete, naming the image by its name too", async () => {
    const pub = await post("/delete-image", { provider: "ncp", id: "23214597", dryRun: true });
    expect(pub.status).toBe(200);
    expect(pub.body.verdict).toMatchObject({
      ok: false,
      final: true,
      message: expect.stringMatching(/^Not possible: own: .*asking again changes nothing$/),
    });
    expect(pub.body.checks.find((c: { name: string }) => c.name === "own")).toMatchObject({ ok: false, final: true });
    // while a check fails, the operation check says the request is refused, not that it deletes
    expect(pub.body.checks.at(-1)).toMatchObject({
      name: "operation",
      ok: false,
      message: expect.stringMatching(/^the request is refused whatever it says: /),
    });
    const iwinv = await post("/delete-image", { provider: "iwinv", id: "PIMAGE-1tQFoTuKeENlSZ7xFXyVix", dryRun: true });
    expect(iwinv.body.verdict).toMatchObject({ ok: false, final: true, message: expect.stringMatching(/^iwinv cannot delete images/) });
    const byName = await post("/delete-image", { provider: "ncp", id: "web-base", dryRun: true });
    expect(byName.body.image).toMatchObject({ id: "31000001", name: "web-base" });
    expect(byName.body.verdict).toMatchObject({ ok: true, message: "Ready: sent without dryRun, the request deletes the image" });
  });
});

describe("create-image", () => {
  /** the execution's last answer from track-image, whether the state machine succeeded or failed */
  const settle = async (operation: string) => {
    const outcome = await stack.stepFunctions.settled(operation);
    return !outcome || !("output" in outcome) ? undefined : (outcome.output as { done?: boolean; image?: { status: string } } | undefined);
  };
  /** requests a simulator took whose path contains `path` */
  const calls = (sim: { requests: { url: URL; method: string }[] }, path: string) =>
    sim.requests.filter((r) => r.url.pathname.includes(path)).length;

  it("dry run returns the checks without creating", async () => {
    const before = stack.ncp.requests.length;
    const { status, body } = await post("/create-image", {
      provider: "ncp",
      serverId: DEMO_SERVERS.ncp.kvm,
      name: "dry-golden",
      dryRun: true,
    });
    expect(status).toBe(200);
    expect(body.checks.map((c: { name: string }) => c.name)).toEqual([
      "account",
      "provider",
      "name",
      "description",
      "server",
      "server-state",
      "name-free",
      "operation",
    ]);
    expect(body.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
    // the API has no Confirm: the verdict says what sending it without dryRun does (issue #26 item 12)
    expect(body.verdict).toEqual({ ok: true, message: "Ready: sent without dryRun, the request creates the image" });
    for (const c of body.checks as Array<{ message: string }>) expect(c.message).not.toMatch(/Confirm/);
    expect(stack.ncp.requests.slice(before).some((r) => /create/i.test(r.url.pathname))).toBe(false);
  });

  it("dry run on SCP warns that the description will not be stored", async () => {
    const { status, body } = await post("/create-image", {
      provider: "scp",
      serverId: DEMO_SERVERS.scp.active,
      name: "dry-scp-golden",
      description: "골든",
      dryRun: true,
    });
    expect(status).toBe(200);
    expect(body.checks.find((c: { name: string }) => c.name === "description")).toMatchObject({
      ok: true,
      level: "warning",
      message: expect.stringMatching(/^SCP does not store descriptions/),
    });
    expect(body.verdict).toEqual({
      ok: true,
      message: expect.stringMatching(
        /^Ready, with 1 warning \(description: SCP does not store descriptions.*\): sent without dryRun, the request creates the image$/,
      ),
    });
  });

  it("dry run gives one overall verdict: what blocks the create, and plainly when the cloud cannot create at all", async () => {
    const busy = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.busy, name: "dry-busy", dryRun: true });
    expect(busy.status).toBe(200);
    expect(busy.body.verdict).toEqual({
      ok: false,
      message: expect.stringMatching(/^Not ready: 1 check failed — server-state: server 3456789 is INIT/),
    });
    const iwinv = await post("/create-image", { provider: "iwinv", serverId: DEMO_SERVERS.iwinv.active, name: "dry-iwinv", dryRun: true });
    // final: nothing in the request can change it, and no check says the request would create anything
    expect(iwinv.body.verdict).toEqual({
      ok: false,
      final: true,
      message: "iwinv cannot create images (iwinv's API has no image-creation call)",
    });
    expect(iwinv.body.checks.find((c: { name: string }) => c.name === "provider")).toMatchObject({ ok: false, final: true });
    for (const c of iwinv.body.checks as Array<{ ok: boolean; message: string }>)
      expect(c.ok && /creates the image/.test(c.message)).toBe(false);
  });

  it("creates on NCP from a KVM server and tracks it to available", async () => {
    const reads = calls(stack.ncp, "getServerInstanceDetail");
    const { status, body } = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "web-golden" });
    expect(status).toBe(202);
    expect(body.image).toMatchObject({ provider: "ncp", name: "web-golden", status: "creating", kind: "custom" });
    expect(body.operation.id).toMatch(/^img-ncp-/);
    expect(calls(stack.ncp, "createServerImage")).toBe(1);
    // the server is read once: its hypervisor, read for the checks, chooses the call too
    expect(calls(stack.ncp, "getServerInstanceDetail") - reads).toBe(1);
    const result = await settle(body.operation.id);
    expect(result?.done).toBe(true);
    expect(result?.image?.status).toBe("available");
  });

  it("takes a server's name wherever it takes its id, and refuses a name two servers have", async () => {
    const dry = await post("/create-image", { provider: "ncp", serverId: "web-01", name: "named-golden", dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.checks.find((c: { name: string }) => c.name === "server")).toEqual({
      name: "server",
      ok: true,
      message: `server web-01 (${DEMO_SERVERS.ncp.kvm})`,
    });
    const byName = await post("/create-image", { provider: "scp", serverId: "web-01", name: "named-golden" });
    expect(byName.status).toBe(202);
    expect(byName.body.image.sourceServerId).toBe(DEMO_SERVERS.scp.active);
    // the same request as by id: the same operation
    const byId = await post("/create-image", { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "named-golden" });
    expect(byId.body.operation.id).toBe(byName.body.operation.id);

    stack.ncp.addServer({
      serverInstanceNo: "4444444",
      serverName: "web-01",
      status: "NSTOP",
      operation: "NULL",
      hypervisor: "KVM",
      productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
    });
    try {
      const twin = await post("/create-image", { provider: "ncp", serverId: "web-01", name: "twin-golden" });
      expect(twin.status).toBe(400);
      expect(twin.body.error).toEqual({
        code: "INVALID_ARGUMENT",
        field: "serverId",
        message: `serverId: "web-01" names 2 ncp servers in KR: ${DEMO_SERVERS.ncp.kvm} (RUN), 4444444 (NSTOP); give the id of the one to image`,
      });
    } finally {
      stack.ncp.servers.delete("4444444");
    }
  });

  it("creates on NCP from a XEN server with the legacy call", async () => {
    const { status, body } = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.xen, name: "legacy-golden" });
    expect(status).toBe(202);
    expect(calls(stack.ncp, "createMemberServerImageInstance")).toBe(1);
    expect((await settle(body.operation.id))?.image?.status).toBe("available");
  });

  it("creates on SCP and follows it to available, and to failed", async () => {
    const ok = await post("/create-image", { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "scp-golden" });
    expect(ok.status).toBe(202);
    expect((await settle(ok.body.operation.id))?.image?.status).toBe("available");

    stack.scp.createOutcome = "killed";
    try {
      const bad = await post("/create-image", { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "scp-doomed" });
      expect(bad.status).toBe(202);
      expect((await settle(bad.body.operation.id))?.image?.status).toBe("failed");
      // the state machine's failure branch, so a failed creation shows as a failed execution
      expect(await stack.stepFunctions.settled(bad.body.operation.id)).toMatchObject({ status: "FAILED", error: "ImageFailed" });
    } finally {
      stack.scp.createOutcome = "active";
    }
  });

  it("answers 501 UNSUPPORTED for iwinv without calling it", async () => {
    const before = stack.iwinv.requests.length;
    const res = await post("/create-image", { provider: "iwinv", serverId: DEMO_SERVERS.iwinv.active, name: "nope-image" });
    expect(res.status).toBe(501);
    expect(res.body.error).toMatchObject({ code: "UNSUPPORTED", provider: "iwinv" });
    expect(res.body.error.message).toMatch(/no .*image/i);
    expect(stack.iwinv.requests.length).toBe(before);
  });

  it("answers a repeated request (retry or double click) with one operation and one image", async () => {
    const req = { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "twice-golden" };
    const before = calls(stack.ncp, "createServerImage");
    const [a, b] = await Promise.all([post("/create-image", req), post("/create-image", req)]);
    const again = await post("/create-image", req);
    // two concurrent twins may both reach the cloud (it refuses the second name); the third never does
    expect(calls(stack.ncp, "createServerImage") - before).toBeLessThanOrEqual(2);
    for (const r of [a, b, again]) expect(r.status).toBe(202);
    expect(new Set([a, b, again].map((r) => r.body.operation.id)).size).toBe(1);
    expect(new Set([a, b, again].map((r) => r.body.image.id)).size).toBe(1);
  });

  it("settles a timeout after sending by looking the image up, never by sending again", async () => {
    stack.ncp.setFaults({ delayAnswerMs: 3_000, pathIncludes: "createServerImage", count: 1 });
    const before = calls(stack.ncp, "createServerImage");
    const res = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "slow-golden" });
    expect(res.status).toBe(202);
    expect(res.body.image.name).toBe("slow-golden");
    expect(calls(stack.ncp, "createServerImage") - before).toBe(1);
  });

  it("refuses a server that cannot be imaged (409) and a taken name (409)", async () => {
    const busy = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.busy, name: "busy-golden" });
    expect(busy.status).toBe(409);
    expect(busy.body.error).toMatchObject({ code: "CONFLICT", field: "serverId" });
    await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "taken-golden" });
    const taken = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.xen, name: "taken-golden" });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: "CONFLICT", field: "name" });
  });

  it("validates input: bad names, unknown servers, unknown fields, broken JSON", async () => {
    const bad = await post("/create-image", { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "Bad_Name" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("name");
    const ghost = await post("/create-image", { provider: "ncp", serverId: "999999999", name: "ghost-golden" });
    expect(ghost.status).toBe(404);
    expect(ghost.body.error.field).toBe("serverId");
    const extra = await post("/create-image", { provider: "ncp", serverId: "1", name: "x", force: true });
    expect(extra.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "force" });
    const empty = await call("/create-image", { method: "POST" });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ field: "provider", message: "provider, serverId and name are required" });
    const wrongType = await post("/create-image", { provider: "ncp", serverId: 5, name: "x" });
    expect(wrongType.body.error).toMatchObject({
      field: "serverId",
      message: expect.stringMatching(/^serverId: expected a string, got 5/),
    });
    const broken = await call("/create-image", { method: "POST", body: "{not json" });
    expect(broken.status).toBe(400);
    expect(broken.body.error.field).toBe("body");
    const get = await call("/create-image?provider=ncp");
    expect(get.status).toBe(400);
    expect(get.body.error.field).toBe("method");
  });
});

describe("track-image with Slack progress", () => {
  it("posts one progress message and updates it in place until available", async () => {
    const { body } = await post("/create-image", {
      provider: "scp",
      serverId: DEMO_SERVERS.scp.active,
      name: "notified-golden",
      notify: { channel: "C0PROGRESS1" },
    });
    expect(await stack.stepFunctions.settled(body.operation.id)).toMatchObject({
      status: "SUCCEEDED",
      output: { image: { status: "available" } },
    });
    const messages = stack.slackApi.messages.filter((m) => m.channel === "C0PROGRESS1");
    expect(messages).toHaveLength(1);
    const history = messages[0]!.history.map((h) => h.text);
    expect(history[0]).toMatch(/Creating image \*notified-golden\* — creating/);
    expect(history.at(-1)).toMatch(/notified-golden\* is available — available .* elapsed/);
  });
});

// issue #23 item 1: `notify` used to take channel, messageTs, threadTs and requester from any caller,
// so tracking chat.update'd whatever bot message messageTs named (reproduced: the audit summary
// read "Image overwrite-1 is available"), posted in any channel and DMed any user
describe("who names where progress goes", () => {
  const AUDIT = "C0AUDIT0001";
  const creates = () => stack.ncp.requests.filter((r) => r.url.pathname.endsWith("createServerImage")).length;
  const targets = () => new DynamoTargetStore(stack.dynamo.tableName, stack.dynamo.clientConfig());

  it("a function-URL caller can never name a message, a thread or a user: refused, naming the field, and nothing is touched", async () => {
    const poster = webPoster(slackWebClient(LOCAL_SLACK.botToken, stack.slackApi.apiUrl));
    const { ts } = await poster.post({
      channel: AUDIT,
      text: "Image audit: 3 finding(s)",
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "Image audit: 3 finding(s)" } }],
    });
    const before = { creates: creates(), calls: stack.slackApi.calls.length };
    const forged = { messageTs: ts, threadTs: ts, requester: "U0VICTIM01", responseUrl: stack.slackApi.responseUrl("forged") };
    for (const [field, value] of Object.entries(forged)) {
      const res = await post("/create-image", {
        provider: "ncp",
        serverId: DEMO_SERVERS.ncp.kvm,
        name: "overwrite-1",
        notify: { channel: AUDIT, [field]: value },
      });
      expect(res.status, field).toBe(400);
      expect(res.body.error.field, field).toMatch(/^notify/);
      expect(res.body.error.message, field).toContain(field);
      const del = await post("/delete-image", { provider: "ncp", id: "31000002", notify: { channel: AUDIT, [field]: value } });
      expect(del.status, field).toBe(400);
    }
    expect(creates()).toBe(before.creates);
    expect(stack.slackApi.calls.length).toBe(before.calls);
    expect(stack.slackApi.messages.find((m) => m.ts === ts)!.history.map((h) => h.text)).toEqual(["Image audit: 3 finding(s)"]);
  });

  it("a channel the deployment does not list in NOTIFY_CHANNELS is refused with 403 naming notify.channel, before anything is created", async () => {
    const before = creates();
    const res = await post("/create-image", {
      provider: "ncp",
      serverId: DEMO_SERVERS.ncp.kvm,
      name: "elsewhere-1",
      notify: { channel: "C0GENERAL01" },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "FORBIDDEN", field: "notify.channel" });
    expect(res.body.error.message).toMatch(/NOTIFY_CHANNELS|notifyChannels/);
    expect(creates()).toBe(before);
  });

  it("a target the Slack bot did not store, or stored for another request, is refused with 403 naming notify.target", async () => {
    const before = creates();
    const unknown = await post("/create-image", {
      provider: "ncp",
      serverId: DEMO_SERVERS.ncp.kvm,
      name: "forged-1",
      notify: { target: "f".repeat(32) },
    });
    expect(unknown.status).toBe(403);
    expect(unknown.body.error).toMatchObject({ code: "FORBIDDEN", field: "notify.target" });
    const id = await targets().put({
      channel: "C0SLACKREQ1",
      requester: "U0REQUEST01",
      responseUrl: stack.slackApi.responseUrl("target-other"),
      responseUrlAt: Date.now(),
      responseUses: 2,
      for: { kind: "create-image", provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "the-confirmed-one" },
    });
    const other = await post("/create-image", {
      provider: "ncp",
      serverId: DEMO_SERVERS.ncp.kvm,
      name: "another-one",
      notify: { target: id },
    });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toMatch(/issued for another request/);
    expect(creates()).toBe(before);
  });

  it("the bot's target for this request: the card goes to its channel naming its requester; the record and the execution keep no response_url", async () => {
    const url = stack.slackApi.responseUrl("target-own");
    const request = { provider: "ncp" as const, serverId: DEMO_SERVERS.ncp.kvm, name: "targeted-golden" };
    const id = await targets().put({
      channel: "C0SLACKREQ2",
      requester: "U0REQUEST02",
      responseUrl: url,
      responseUrlAt: Date.now(),
      responseUses: 2,
      for: { kind: "create-image", ...request },
    });
    const res = await post("/create-image", { ...request, notify: { target: id } });
    expect(res.status).toBe(202);
    expect((await stack.stepFunctions.settled(res.body.operation.id))?.status).toBe("SUCCEEDED");
    const card = stack.slackApi.messages.filter((m) => m.channel === "C0SLACKREQ2");
    expect(card).toHaveLength(1);
    expect(JSON.stringify(card[0]!.blocks)).toContain("<@U0REQUEST02>");
    expect(card[0]!.history.at(-1)!.text).toMatch(/targeted-golden\* is available/);
    const execution = stack.stepFunctions.executions.get(res.body.operation.id)!;
    expect(execution.input.notify).toEqual({
      channel: "C0SLACKREQ2",
      requester: "U0REQUEST02",
      target: id,
      serverId: DEMO_SERVERS.ncp.kvm,
    });
    const record = await new DynamoOperationStore(stack.dynamo.tableName, stack.dynamo.clientConfig()).get(
      keyOfOperation(res.body.operation.id),
    );
    expect((record as { notify?: unknown }).notify).toEqual({ channel: "C0SLACKREQ2", requester: "U0REQUEST02" });
    expect(JSON.stringify(record)).not.toContain(url);
  });
});
