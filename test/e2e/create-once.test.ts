import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local-stack.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { stackHttp } from "../support/stack-http.js";
import { bundleChild } from "../support/bundle-child.js";

let stack: LocalStack;
// a cloud's grace to show a new image, short here: these tests delete images and expect that seen at once
const leaks = watchLocalStack(
  {
    createDelayMs: 1_500,
    waitScale: 0.02,
    env: { PROVIDER_TIMEOUT_MS: "2000", VISIBILITY_GRACE_SECONDS: "1", NOTIFY_CHANNELS: "C0VANISH01,C0LIMIT001" },
  },
  (s) => (stack = s),
);

const { call, post } = stackHttp(() => stack, leaks);
const create = (body: Record<string, unknown>) => post("/create-image", body);
const operation = async (id: string) => (await call(`/describe-operation?operation=${id}`)).body.operation;
/** create calls a simulator received: NCP names the action in the path; SCP's is POST /v1/servers/{id}/images */
const creates = (sim: { requests: { url: URL; method: string }[] }, action: string) =>
  sim.requests.filter((r) =>
    action === "/images" ? r.method === "POST" && r.url.pathname.endsWith(action) : r.url.pathname.includes(action),
  ).length;
const settled = (execution: string) => stack.stepFunctions.settled(execution);

/** The create-image bundle in a process of its own (another Lambda container). */
const child = (input: Record<string, unknown>, remainingMs = 30_000) => bundleChild("create-image", input, leaks, remainingMs);

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a lost answer, then a retry", () => {
  it("a 5xx after the cloud accepted: the image is found, not refused as a conflict, and tracked", async () => {
    const req = { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "lost-golden" };
    const before = creates(stack.ncp, "createServerImage");
    // the create is carried out but answered 500, and every call after it fails too: the answer is lost
    stack.ncp.setFaults([
      { afterStatus: 500, pathIncludes: "createServerImage", count: 1 },
      { status: 503, afterPath: "createServerImage" },
    ]);
    const first = await create(req);
    stack.ncp.setFaults({});
    expect(first.status).toBe(503);
    expect(first.body.error.message).toMatch(/repeat the same request/);

    const retry = await create(req);
    expect(retry.status).toBe(202);
    expect(retry.body.image).toMatchObject({ name: "lost-golden", status: "creating" });
    expect(creates(stack.ncp, "createServerImage") - before).toBe(1);
    expect((await settled(retry.body.operation.id))?.status).toBe("SUCCEEDED");
    const op = await operation(retry.body.operation.id);
    expect(op).toMatchObject({ state: "available", imageId: retry.body.image.id, attempts: 2 });
    expect(op.reason).toMatch(/found image .*, left by an interrupted attempt/);
  });

  it("a 5xx after accepting, with the lookup working: the first attempt itself answers the image", async () => {
    const before = creates(stack.ncp, "createServerImage");
    stack.ncp.setFaults({ afterStatus: 502, pathIncludes: "createServerImage", count: 1 });
    const first = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "bumpy-golden" });
    expect(first.status).toBe(202);
    const again = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "bumpy-golden" });
    expect(again.body.operation.id).toBe(first.body.operation.id);
    expect(again.body.image.id).toBe(first.body.image.id);
    expect(creates(stack.ncp, "createServerImage") - before).toBe(1);
  });

  it("tracking fails to start after the cloud accepted: the retry starts tracking that image", async () => {
    const req = { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "untracked-golden" };
    const before = creates(stack.scp, "/images");
    // every attempt of the SDK's StartExecution fails (maxAttempts 3)
    stack.stepFunctions.setFaults({ status: 500, count: 3 });
    const first = await create(req);
    stack.stepFunctions.setFaults({});
    expect(first.status).toBe(500);
    expect(first.body.error.message).toMatch(/was created \(operation img-scp-\w+\) but tracking could not start: repeat the same request/);
    const id = /operation (img-scp-\w+)/.exec(first.body.error.message)![1]!;
    expect(stack.stepFunctions.executions.has(id)).toBe(false);

    const retry = await create(req);
    expect(retry.status).toBe(202);
    expect(retry.body.operation.id).toBe(id);
    expect(creates(stack.scp, "/images") - before).toBe(1);
    expect((await settled(id))?.status).toBe("SUCCEEDED");
    expect(await operation(id)).toMatchObject({ state: "available", tracking: { execution: id, runs: 1 } });
  });
});

// Whether a cloud refuses a second image of a name is not documented (SCP's image service is
// OpenStack Glance, which accepts it): the record must decide, with the cloud either way.
describe("twins in two processes", () => {
  it.each([
    ["NCP refusing duplicate names", "ncp", true],
    ["NCP accepting duplicate names", "ncp", false],
    ["SCP refusing duplicate names", "scp", true],
    ["SCP accepting duplicate names (as Glance does)", "scp", false],
  ] as const)("%s: one image, and both answers name it", async (label, provider, refuse) => {
    const [sim, serverId, action] =
      provider === "ncp" ? [stack.ncp, DEMO_SERVERS.ncp.kvm, "createServerImage"] : [stack.scp, DEMO_SERVERS.scp.active, "/images"];
    if (provider === "ncp") stack.ncp.uniqueNames = refuse;
    else stack.scp.duplicateNames = refuse ? "refuse" : "accept";
    try {
      const req = { provider, serverId, name: `twin-${provider}-${refuse ? "r" : "a"}-golden` };
      const before = creates(sim, action);
      const [a, b] = await Promise.all([child(req).result, child(req).result]);
      expect(a?.ok && b?.ok, `${label}: ${JSON.stringify([a?.error, b?.error])}`).toBe(true);
      expect(a.value.operation.id).toBe(b.value.operation.id);
      expect(a.value.image.id).toBe(b.value.image.id);
      expect(creates(sim, action) - before).toBe(1);
    } finally {
      stack.ncp.uniqueNames = true;
      stack.scp.duplicateNames = "accept";
    }
  });
});

describe("a request after its image is gone", () => {
  it("deleted: a new operation and a new image", async () => {
    const req = { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "again-golden" };
    const first = await create(req);
    expect((await settled(first.body.operation.id))?.status).toBe("SUCCEEDED");
    stack.ncp.images.delete(first.body.image.id);

    const dry = await create({ ...req, dryRun: true });
    expect(dry.body.checks.at(-1)).toMatchObject({ name: "operation", ok: true });
    expect(dry.body.checks.at(-1).message).toMatch(/^the request creates a new image: image .* no longer exists/);

    const second = await create(req);
    expect(second.status).toBe(202);
    expect(second.body.operation.id).toBe(`${first.body.operation.id}-2`);
    expect(second.body.image.id).not.toBe(first.body.image.id);
    expect((await settled(second.body.operation.id))?.status).toBe("SUCCEEDED");
    // the earlier operation can still be looked up, and says what replaced it
    expect(await operation(first.body.operation.id)).toMatchObject({ id: first.body.operation.id, supersededBy: second.body.operation.id });
  });

  it("failed: a new operation and a new image", async () => {
    const req = { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "retry-golden" };
    stack.scp.createOutcome = "killed";
    let first;
    try {
      first = await create(req);
      expect(await settled(first.body.operation.id)).toMatchObject({ status: "FAILED", error: "ImageFailed" });
    } finally {
      stack.scp.createOutcome = "active";
    }
    expect(await operation(first.body.operation.id)).toMatchObject({ state: "failed", reason: expect.stringMatching(/killed/) });
    const second = await create(req);
    expect(second.status).toBe(202);
    expect(second.body.operation.id).toBe(`${first.body.operation.id}-2`);
    expect(second.body.image.id).not.toBe(first.body.image.id);
    expect((await settled(second.body.operation.id))?.status).toBe("SUCCEEDED");
  });
});

describe("same key, other parameters", () => {
  it("refuses a different description while the first operation is live, naming it", async () => {
    const req = { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "desc-golden", description: "first" };
    const first = await create(req);
    expect(first.status).toBe(202);
    const other = await create({ ...req, description: "second" });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: "CONFLICT", field: "name" });
    expect(other.body.error.message).toContain(`operation ${first.body.operation.id} with other parameters`);
    const dry = await create({ ...req, description: "second", dryRun: true });
    expect(dry.body.checks.at(-1)).toMatchObject({
      name: "operation",
      ok: false,
      message: expect.stringMatching(/^the request is refused/),
    });
    const same = await create({ ...req, dryRun: true });
    expect(same.body.checks.at(-1).message).toMatch(
      new RegExp(`^the request answers operation ${first.body.operation.id} .*nothing new is created`),
    );
  });
});

describe("an attempt killed mid-create", () => {
  it("the next attempt neither duplicates nor waits forever: it finds the image made after the claim", async () => {
    const req = { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "killed-golden" };
    const before = creates(stack.ncp, "createServerImage");
    // the cloud makes the image at once and holds its answer: the process dies waiting for it
    stack.ncp.setFaults({ delayAnswerMs: 10_000, pathIncludes: "createServerImage", count: 1 });
    const doomed = child(req, 4_000);
    await until(() => creates(stack.ncp, "createServerImage") > before);
    doomed.proc.kill("SIGKILL");
    await doomed.result;
    stack.ncp.setFaults({});

    const started = Date.now();
    const next = await create(req);
    expect(next.status).toBe(202);
    expect(Date.now() - started).toBeLessThan(20_000); // the claim's lease: the dead attempt's deadline + 5 s
    expect(next.body.image.name).toBe("killed-golden");
    expect(creates(stack.ncp, "createServerImage") - before).toBe(1);
    expect(await operation(next.body.operation.id)).toMatchObject({
      attempts: 2,
      imageId: next.body.image.id,
      reason: expect.stringMatching(/interrupted attempt/),
    });
  });
});

describe("tracking", () => {
  it("rides out a provider outage: failed steps wait longer, then tracking carries on to available", async () => {
    const res = await create({ provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "outage-golden" });
    expect(res.status).toBe(202);
    stack.scp.setFaults({ status: 503 });
    const steps = () => stack.stepFunctions.executions.get(res.body.operation.id)!.steps;
    const before = steps();
    await until(() => steps() >= before + 2);
    stack.scp.setFaults({});
    expect(await settled(res.body.operation.id)).toMatchObject({ status: "SUCCEEDED", output: { image: { status: "available" } } });
    expect((await operation(res.body.operation.id)).state).toBe("available");
  });

  it("stops on a permanent answer (image gone), records why and says so on the card", async () => {
    const res = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "vanish-golden", notify: { channel: "C0VANISH01" } });
    stack.ncp.images.delete(res.body.image.id);
    expect(await settled(res.body.operation.id)).toMatchObject({ status: "FAILED", error: "TrackingStopped" });
    expect(await operation(res.body.operation.id)).toMatchObject({
      state: "stopped",
      reason: `image ${res.body.image.id} no longer exists`,
    });
    const card = stack.slackApi.messages.find((m) => m.channel === "C0VANISH01")!;
    expect(card.history.at(-1)!.text).toMatch(/Tracking of image .* stopped .* — image .* no longer exists/);
  });

  it("stops at its time limit; the same request then tracks the image again", async () => {
    const req = { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "slow-tracked" };
    process.env.TRACK_LIMIT_SECONDS = "0.1";
    let first;
    try {
      first = await create({ ...req, notify: { channel: "C0LIMIT001" } });
      expect(await settled(first.body.operation.id)).toMatchObject({ status: "FAILED", error: "TrackingStopped" });
    } finally {
      delete process.env.TRACK_LIMIT_SECONDS;
    }
    const id = first.body.operation.id;
    expect(await operation(id)).toMatchObject({ state: "stopped", reason: expect.stringMatching(/tracking gave up after/) });
    // the card is never left at "Creating…"
    const card = stack.slackApi.messages.find((m) => m.channel === "C0LIMIT001")!;
    expect(card.history.at(-1)!.text).toMatch(/is still creating after .*: tracking timed out/);

    const dry = await create({ ...req, dryRun: true });
    expect(dry.body.checks.at(-1).message).toMatch(/^the request tracks image .* again: tracking had stopped/);
    const again = await create(req);
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toBe(id);
    expect(await settled(`${id}-t2`)).toMatchObject({ status: "SUCCEEDED" });
    expect(await operation(id)).toMatchObject({ state: "available", tracking: { execution: `${id}-t2`, runs: 2 } });
  });
});

describe("observability", () => {
  it("carries the caller's correlation id from create through the state machine to every tracking step's log", async () => {
    const from = leaks.output.length;
    const res = await call("/create-image", {
      method: "POST",
      headers: { "content-type": "application/json", "x-correlation-id": "corr-e2e-0001" },
      body: JSON.stringify({ provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "correlated-golden" }),
    });
    expect((await settled(res.body.operation.id))?.status).toBe("SUCCEEDED");
    const lines = leaks.output
      .slice(from)
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
    const created = lines.find((l) => l.message === "image creation started" && l.operation === res.body.operation.id);
    const ended = lines.find((l) => l.message === "operation ended" && l.operation === res.body.operation.id);
    expect(created).toMatchObject({ correlation_id: "corr-e2e-0001", function_name: "imageops-local-create-image" });
    expect(ended).toMatchObject({ correlation_id: "corr-e2e-0001", function_name: "imageops-local-track-image", outcome: "available" });
    // and the business metrics, in CloudWatch's embedded metric format
    const emf = lines.filter((l) => l._aws && l.provider === "scp");
    expect(emf.some((m) => m.ImagesCreated === 1)).toBe(true);
    expect(emf.find((m) => "TimeToAvailable" in m)?._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: "TimeToAvailable", Unit: "Seconds" },
    ]);
  });
});

describe("describe-operation", () => {
  it("answers state, image, timings; 404 for an unknown id; 400 for a malformed one", async () => {
    const res = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.xen, name: "described-golden" });
    await settled(res.body.operation.id);
    const op = await operation(res.body.operation.id);
    expect(op).toMatchObject({
      id: res.body.operation.id,
      state: "available",
      provider: "ncp",
      account: "demo",
      region: "KR",
      serverId: DEMO_SERVERS.ncp.xen,
      name: "described-golden",
      imageId: res.body.image.id,
      attempts: 1,
    });
    for (const t of ["claimedAt", "sentAt", "createdAt", "endedAt"]) expect(Date.parse(op[t])).toBeGreaterThan(0);
    expect(Date.parse(op.claimedAt)).toBeLessThanOrEqual(Date.parse(op.sentAt));
    const unknown = await call(`/describe-operation?operation=img-ncp-${"0".repeat(40)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "NOT_FOUND", field: "operation" });
    const bad = await call("/describe-operation?operation=nope");
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("operation");
  });
});
