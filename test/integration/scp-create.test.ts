/**
 * Creating an SCP image through the product's create (preflight, create-at-most-once) and runtime,
 * against the simulator: what the user is told, and what is sent.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type CreateDeps, createImage, type CreateInput } from "../../shared/images/create.js";
import type { Runtime } from "../../shared/runtime.js";
import { credentialsSecret } from "../../shared/secrets.js";
import type { TrackInput, Tracker } from "../../shared/tracking/types.js";
import { DEMO_KEYS, DEMO_SERVERS } from "../../dev/sim/demo.js";
import { DynamoSim } from "../../dev/sim/dynamodb.js";
import { ScpSim } from "../../dev/sim/scp.js";

const sim = new ScpSim({ createDelayMs: 60_000 });
const started: TrackInput[] = [];
const tracker: Tracker = {
  start: async (t) => (started.some((s) => s.operation === t.operation) ? "exists" : (started.push(t), "started")),
  status: async (execution) => (started.some((s) => s.operation === execution) ? "running" : "missing"),
};
let rt: Runtime;
// two deployments' operation tables: the second knows nothing of what the first created
const dynamo = new DynamoSim();
const elsewhere = new DynamoSim();
let deps: CreateDeps;

beforeAll(async () => {
  await Promise.all([sim.start(), dynamo.start(), elsewhere.start()]);
  deps = { tracker, store: dynamo.store() };
  const accounts = [{ provider: "scp", name: "demo", ...DEMO_KEYS.scp, regions: ["kr-west1"], endpoint: sim.url }];
  process.env.CREDENTIALS_SECRET_ID = "creds";
  rt = { credentials: credentialsSecret({ get: async () => JSON.stringify({ accounts }) }), now: Date.now };
});
afterAll(() => Promise.all([sim.close(), dynamo.close(), elsewhere.close()]));
beforeEach(() => {
  sim.setFaults({});
  sim.requests.length = 0;
});

const create = (over: Partial<CreateInput>, with_: CreateDeps = deps) =>
  createImage(rt, with_, { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "preflight-golden", ...over });

describe("SCP create preflight", () => {
  it("says SCP does not store descriptions, as a warning check, instead of showing it as accepted", async () => {
    const out = await create({ dryRun: true, description: "골든 이미지" });
    if (!out.dryRun) throw new Error("expected a dry run");
    const description = out.checks.find((c) => c.name === "description")!;
    expect(description).toEqual({
      name: "description",
      ok: true,
      level: "warning",
      message: expect.stringMatching(/^SCP does not store descriptions/),
    });
    expect(out.checks.every((c) => c.ok)).toBe(true); // a warning does not block
    expect(out.checks.filter((c) => c.level)).toEqual([description]);
  });

  it("no warning without a description; an over-long one is still refused", async () => {
    const plain = await create({ dryRun: true });
    if (!plain.dryRun) throw new Error("expected a dry run");
    expect(plain.checks.find((c) => c.name === "description")).toEqual({ name: "description", ok: true, message: "0 bytes" });
    const long = await create({ dryRun: true, description: "설".repeat(400) });
    if (!long.dryRun) throw new Error("expected a dry run");
    expect(long.checks.find((c) => c.name === "description")).toMatchObject({ ok: false, message: "1200 bytes; at most 1000" });
  });

  it("the create itself sends only image_name", async () => {
    const out = await create({ name: "described-golden", description: "not stored" });
    expect(out.dryRun).toBe(false);
    const post = sim.requests.find((r) => r.method === "POST")!;
    expect(post.body).toBe('{"image_name":"described-golden"}\n');
  });
});

describe("SCP status after create", () => {
  it("is the status SCP reports when the image can be read", async () => {
    const out = await create({ name: "read-golden" });
    if (out.dryRun) throw new Error("expected a create");
    expect(out.image).toMatchObject({ name: "read-golden", status: "creating", providerStatus: "queued" });
    expect(sim.requests.filter((r) => r.method === "GET" && r.url.pathname === `/v1/images/${out.image.id}`)).toHaveLength(1);
  });

  it("is unknown, with no invented provider status, until the image can be read", async () => {
    // the read right after 202 {image_id} fails (the new image not visible yet)
    sim.setFaults({ status: 404, pathIncludes: "/v1/images/", count: 1 });
    const out = await create({ name: "unread-golden" });
    if (out.dryRun) throw new Error("expected a create");
    expect(out.image).toMatchObject({
      name: "unread-golden",
      status: "unknown",
      providerStatus: "",
      createdAt: null,
      sourceServerId: DEMO_SERVERS.scp.active,
    });
    expect(sim.images.has(out.image.id)).toBe(true);
    expect(sim.requests.filter((r) => r.method === "POST")).toHaveLength(1); // and it was not created again
  });
});

// whether SCP refuses a second image of a name is unknown (Glance, its image service, does not): both ways
describe.each(["refuse", "accept"] as const)("SCP create of a taken name, when SCP would %s it", (mode) => {
  it("is refused by the preflight (409 on name) and never sent", async () => {
    sim.duplicateNames = mode;
    try {
      started.length = 0;
      const name = `taken-${mode}`;
      const first = await create({ name });
      expect(first.dryRun).toBe(false);
      // the same name asked of a deployment whose records know nothing of that image: not a retry
      const posts = () => sim.requests.filter((r) => r.method === "POST").length;
      const before = posts();
      const err = await create({ name }, { tracker, store: elsewhere.store() }).catch((e) => e);
      expect(err).toMatchObject({ code: "CONFLICT", field: "name" });
      expect(posts()).toBe(before);
    } finally {
      sim.duplicateNames = "accept";
    }
  });
});
