/**
 * Exactly once against the faults real platforms produce, through the built bundles (issue #21's
 * reproductions): an SCP image not readable at once after its create; an interrupted create and
 * another server's create of the same name; a tracking run that dies at every state of the
 * deployed state machine, or fails at the Lambda level with its RecordStop; a 404 answered to a
 * DELETE while the image is still there. Each failed before the one operation engine
 * (shared/operations/engine.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local-stack.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { scpImage } from "../../dev/sim/scp.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { stackHttp } from "../support/stack-http.js";

let stack: LocalStack;
const leaks = watchLocalStack(
  { createDelayMs: 1_000, waitScale: 0.02, env: { PROVIDER_TIMEOUT_MS: "2000", VISIBILITY_GRACE_SECONDS: "1" } },
  (s) => (stack = s),
);
const { call, post } = stackHttp(() => stack, leaks);
const create = (body: Record<string, unknown>) => post("/create-image", body);
const operation = async (id: string) => (await call(`/describe-operation?operation=${id}`)).body.operation;
const settled = (execution: string) => stack.stepFunctions.settled(execution);
const scpCreates = () => stack.scp.requests.filter((r) => r.method === "POST" && r.url.pathname.endsWith("/images")).length;
const ncpCalls = (action: string) => stack.ncp.requests.filter((r) => r.url.pathname.endsWith(`/${action}`)).length;

/** Runs `f` with the environment variable set for the functions (they run in this process), then restores it. */
async function withEnv<T>(name: string, value: string, f: () => Promise<T>): Promise<T> {
  const before = process.env[name];
  process.env[name] = value;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

describe("an image the cloud cannot read yet is not gone", () => {
  it("SCP: a repeated create while GET answers 404 and the list does not show it answers the same operation, and makes no second image", async () => {
    // SCP's create answers 202 and an id only (scp.md D3); whether the image can be read at once is not documented
    stack.scp.readLagMs = 3_000;
    try {
      await withEnv("VISIBILITY_GRACE_SECONDS", "60", async () => {
        const req = { provider: "scp", serverId: DEMO_SERVERS.scp.active, name: "lagging-golden" };
        const before = scpCreates();
        const first = await create(req);
        expect(first.status).toBe(202);
        expect(first.body.image).toMatchObject({ id: expect.any(String), status: "unknown" });
        const again = await create(req);
        expect(again.status).toBe(202);
        expect(again.body.operation.id).toBe(first.body.operation.id);
        expect(again.body.image.id).toBe(first.body.image.id);
        expect(scpCreates() - before).toBe(1);
        // tracking waits out the 404s too, and follows the image to available
        expect((await settled(first.body.operation.id))?.status).toBe("SUCCEEDED");
        expect(await operation(first.body.operation.id)).toMatchObject({ state: "available", imageId: first.body.image.id });
      });
    } finally {
      stack.scp.readLagMs = 0;
    }
  });
});

describe("an interrupted create holds its name", () => {
  it("another server's create of that name is refused naming the operation; the interrupted one then makes its own image", async () => {
    const name = "held-golden";
    // A's create never reaches the cloud (the gateway answers 503): A is left `sent`, its answer unknown to it
    stack.ncp.setFaults({ status: 503, pathIncludes: "createServerImage", count: 1 });
    const a = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name });
    stack.ncp.setFaults({});
    expect(a.status).toBe(503);
    expect(a.body.error.message).toMatch(/repeat the same request/);

    const membersBefore = ncpCalls("createMemberServerImageInstance");
    const b = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.xen, name });
    expect(b.status).toBe(409);
    expect(b.body.error).toMatchObject({ code: "CONFLICT", field: "name" });
    expect(b.body.error.message).toMatch(
      new RegExp(`name "${name}" is being used by operation img-ncp-\\w+ \\(server ${DEMO_SERVERS.ncp.kvm}, sent`),
    );
    expect(ncpCalls("createMemberServerImageInstance")).toBe(membersBefore);
    // its dry run says so too, as a failed check
    const dry = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.xen, name, dryRun: true });
    expect(dry.body.checks.find((c: { name: string }) => c.name === "name-claim")).toMatchObject({ ok: false });

    // A's repeat proves nothing was made (the grace passes), then creates A's own image
    const retry = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name });
    expect(retry.status).toBe(202);
    expect(retry.body.image).toMatchObject({ name, sourceServerId: DEMO_SERVERS.ncp.kvm });
    expect(await operation(retry.body.operation.id)).toMatchObject({ attempts: 2, serverId: DEMO_SERVERS.ncp.kvm });
    expect((await settled(retry.body.operation.id))?.status).toBe("SUCCEEDED");
    // B now meets A's image itself
    const late = await create({ provider: "ncp", serverId: DEMO_SERVERS.ncp.xen, name });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(new RegExp(`name "${name}" is taken by image ${retry.body.image.id}`));
  });
});

describe("a tracking run that dies is never lost", () => {
  // slow enough images that no run has seen one available when it is killed
  beforeEach(() => {
    stack.scp.createDelayMs = 4_000;
  });
  afterEach(() => {
    stack.scp.createDelayMs = 1_000;
  });
  // every state of infra/state-machine.asl.json a run can be in when it is stopped (ABORTED) or times out
  it.each([
    ["Init", "ABORTED"],
    ["Wait", "ABORTED"],
    ["TrackImage", "ABORTED"],
    ["IsDone", "ABORTED"],
    ["Wait", "TIMED_OUT"],
  ] as const)("killed at %s (%s): the record is resumable, and the same request tracks the image to available", async (state, as) => {
    const name = `dies-${state.toLowerCase()}-${as === "ABORTED" ? "a" : "t"}`;
    const req = { provider: "scp", serverId: DEMO_SERVERS.scp.active, name };
    stack.stepFunctions.killAt(state, as);
    const first = await create(req);
    expect(first.status).toBe(202);
    const id = first.body.operation.id;
    expect((await settled(id))?.status).toBe(as);
    expect(await operation(id)).toMatchObject({ state: "created", tracking: { execution: id, runs: 1 } });

    const dry = await create({ ...req, dryRun: true });
    expect(dry.body.checks.at(-1).message).toMatch(
      new RegExp(`tracks image .* again: tracking run ${id} ended without recording an outcome`),
    );
    const before = scpCreates();
    const again = await create(req);
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toBe(id);
    expect(scpCreates()).toBe(before);
    expect((await settled(`${id}-t2`))?.status).toBe("SUCCEEDED");
    expect(await operation(id)).toMatchObject({ state: "available", tracking: { execution: `${id}-t2`, runs: 2 } });
  });

  it("track-image failing at the Lambda level, and RecordStop with it: TrackingFailed leaves the record resumable", async () => {
    const req = { provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "lambda-down-golden" };
    stack.stepFunctions.failInvocations = "Lambda.ServiceException";
    let id: string;
    try {
      const first = await create(req);
      id = first.body.operation.id;
      expect(await settled(id)).toMatchObject({ status: "FAILED", error: "TrackingFailed" });
    } finally {
      stack.stepFunctions.failInvocations = undefined;
    }
    expect((await operation(id)).state).toBe("created");
    const again = await create(req);
    expect(again.body.operation.id).toBe(id);
    expect((await settled(`${id}-t2`))?.status).toBe("SUCCEEDED");
    expect((await operation(id)).state).toBe("available");
  });
});

describe("a delete answered 404 while the image is there", () => {
  it("is not taken for gone: refused, recorded failed, and the next request sends it again", async () => {
    const imageId = "9e000000-0000-4000-8000-000000000001";
    stack.scp.addImage(scpImage({ id: imageId, name: "stubborn-1", created_at: "2026-11-01T00:00:00Z", os_distro: "ubuntu" }));
    const deletes = () => stack.scp.requests.filter((r) => r.method === "DELETE" && r.url.pathname.endsWith(imageId)).length;
    stack.scp.deleteNotFound = 1;
    const first = await post("/delete-image", { provider: "scp", id: imageId });
    expect(first.status).toBe(502);
    expect(first.body.error).toMatchObject({ code: "PROVIDER_ERROR", provider: "scp" });
    expect(first.body.error.message).toMatch(/still shows image .*nothing was deleted; repeat the delete/);
    expect(stack.scp.images.has(imageId)).toBe(true);
    expect(deletes()).toBe(1);

    const again = await post("/delete-image", { provider: "scp", id: imageId });
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toMatch(/-2$/);
    expect(deletes()).toBe(2);
    expect((await settled(again.body.operation.id))?.status).toBe("SUCCEEDED");
    expect(await operation(again.body.operation.id)).toMatchObject({ state: "deleted" });
    expect(stack.scp.images.has(imageId)).toBe(false);
  });
});
