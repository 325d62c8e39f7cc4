/**
 * Policies through the built bundles (run-policy built with test/fixtures/policies.yaml), their
 * schedules delivered as EventBridge Scheduler delivers them (infra/policies.cjs's resources, the
 * scheduled time put into the input): a delivery repeated creates nothing twice, even with the run's
 * record gone; retention deletes only what this policy made, known from the operation records,
 * whatever else looks like its images, and only once the new image is available; a run slower than
 * its invocation is finished by its continuation; one summary per run, posted and recorded.
 */
import { describe, expect, it, vi } from "vitest";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type LocalStack, type LocalStackOptions, lambdaContext } from "../../dev/local-stack.js";
import { keyOfOperation, type OperationRecord } from "../../shared/operations/record.js";
import { LEDGER_PREFIX, type LedgerEntry, type PolicyRun, policyKey, runSort } from "../../shared/policies/record.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { withPolicies } from "../support/policy-bundle.js";

let stack: LocalStack;
const options: LocalStackOptions = withPolicies({
  createDelayMs: 1_500,
  waitScale: 0.02,
  env: { PROVIDER_TIMEOUT_MS: "2000", POLICY_POLL_SECONDS: "0.2" },
});
const leaks = watchLocalStack(options, (s) => (stack = s));

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(stack.url + path, init);
  const text = await res.text();
  leaks.record(text);
  return { status: res.status, body: JSON.parse(text) };
}
const post = (path: string, body: unknown) =>
  call(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const day = 86_400_000;
const KVM = DEMO_SERVERS.ncp.kvm;
const ncpCalls = (action: string) => stack.ncp.requests.filter((r) => r.url.pathname.endsWith(`/${action}`)).length;
const ncpCreates = () => ncpCalls("createServerImage");
const ncpDeleted = (id: string) =>
  stack.ncp.requests.some((r) => r.url.pathname.endsWith("deleteServerImage") && r.body.includes(`serverImageNoList.1=${id}`));
const summaries = (channel: string) => stack.slackApi.messages.filter((m) => m.channel === channel);
const run = async (policy: string, scheduledAt: string) =>
  (await stack.dynamo.store().get<PolicyRun>(policyKey(policy), runSort(scheduledAt)))!;
/** the policy's ledger: one item per image it made */
const ledger = (policy: string) => stack.dynamo.store().query<LedgerEntry>(policyKey(policy), LEDGER_PREFIX);
const deliver = async (policy: string, at: string) => {
  const d = await stack.scheduler.deliver(policy, at);
  leaks.record(d.result ?? d.error);
  return d;
};

describe("a schedule delivered twice", () => {
  const T1 = "2026-11-01T18:00:00Z";

  it("carries the scheduled time in its input, as Scheduler's context attribute", () => {
    const schedule = stack.scheduler.find("e2e-keep-two")!;
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({
      action: "run",
      policy: "e2e-keep-two",
      scheduledAt: "<aws.scheduler.scheduled-time>",
      trigger: "schedule",
    });
    expect(stack.scheduler.input(schedule, T1)).toMatchObject({ scheduledAt: T1 });
  });

  it("at once and again later: one image, one run, one summary", async () => {
    const before = ncpCreates();
    const lookups = () => [ncpCalls("getServerInstanceList"), ncpCalls("getServerInstanceDetail")];
    const lookedUp = lookups();
    const [a, b] = await Promise.all([deliver("e2e-keep-two", T1), deliver("e2e-keep-two", T1)]);
    const statuses = [a, b].map((d) => (d.result as { status: string }).status).sort();
    expect(statuses).toEqual(["busy", "done"]);
    const later = await deliver("e2e-keep-two", T1);
    expect(later.result).toMatchObject({ status: "done", duplicate: true });
    expect(ncpCreates() - before).toBe(1);
    // the server is looked up by name once and read once: the create takes the server the run read
    expect(lookups().map((n, i) => n - lookedUp[i]!)).toEqual([1, 1]);
    const r = await run("e2e-keep-two", T1);
    expect(r).toMatchObject({
      state: "done",
      trigger: "schedule",
      items: [{ server: KVM, name: "web-01-20261102-0300", state: "available" }],
    });
    expect(summaries("C0POLICY01")).toHaveLength(1);
    expect(summaries("C0POLICY01")[0]!.text).toBe("Policy e2e-keep-two: 1 made, 1 kept, 0 deleted, 0 failed");
  });

  it("even with the run's record lost, creates nothing twice: the scheduled time is in the operation key", async () => {
    const store = stack.dynamo.store();
    // the run's item lost: replaced by a fresh item as if the run had never been claimed
    const lost = await run("e2e-keep-two", T1);
    const reset: PolicyRun = { ...lost, version: lost.version + 1, state: "running", items: [], leaseUntil: 0, summary: undefined };
    await store.put(reset, lost.version);
    const before = ncpCreates();
    const again = await deliver("e2e-keep-two", T1);
    expect(again.result).toMatchObject({ status: "done", duplicate: false });
    expect(ncpCreates()).toBe(before);
    // the same operation answered it
    const op = (await run("e2e-keep-two", T1)).items[0]!.operation!;
    expect((await store.get<OperationRecord>(keyOfOperation(op)))!.request).toMatchObject({
      origin: { policy: "e2e-keep-two", scheduledAt: T1 },
    });
  });
});

describe("retention", () => {
  const T = (n: number) => new Date(Date.parse("2026-11-01T18:00:00Z") + n * day).toISOString().replace(/\.000Z$/, "Z");

  it("deletes beyond `keep` only images this policy made, once the new one is available; nothing that merely looks like them", async () => {
    // look-alikes: a SELF image named as the policy names its images, another policy's image of the same
    // server, an image made by hand with such a name, and a forged ledger entry pointing at that one
    stack.ncp.addImage("server", {
      ...stack.ncp.images.get("31000001")!.raw,
      serverImageNo: "39000001",
      serverImageName: "web-01-20261101-0300",
    });
    const other = await deliver("e2e-other", T(0));
    const otherImage = (other.result as any).run.items[0].imageId as string;
    const manual = await post("/create-image", { provider: "ncp", serverId: KVM, name: "web-01-20261030-0300" });
    expect(manual.status).toBe(202);
    await stack.stepFunctions.settled(manual.body.operation.id);
    const store = stack.dynamo.store();
    const first = (await ledger("e2e-keep-two"))[0]!;
    const forged: LedgerEntry = {
      ...first,
      sort: `${LEDGER_PREFIX}${manual.body.operation.id}`,
      version: 1,
      operation: manual.body.operation.id,
      imageId: manual.body.image.id,
      name: "web-01-20261030-0300",
      scheduledAt: "2026-10-29T18:00:00Z",
    };
    await store.put(forged, undefined);

    await deliver("e2e-keep-two", T(1));
    expect(ncpDeleted(first.imageId)).toBe(false); // two kept
    const third = await deliver("e2e-keep-two", T(2));
    expect(third.result).toMatchObject({ status: "done", run: { summary: { deleted: [{ imageId: first.imageId, name: first.name }] } } });
    expect(ncpDeleted(first.imageId)).toBe(true);
    for (const id of ["39000001", otherImage, manual.body.image.id]) {
      expect(ncpDeleted(id), id).toBe(false);
      expect(stack.ncp.images.has(id), id).toBe(true);
    }
    expect((third.result as any).run.summary.kept.map((k: any) => k.name)).toEqual(["web-01-20261104-0300", "web-01-20261103-0300"]);
    // the deleted image's delete is tracked to the end; the next run drops it from the ledger
    await stack.stepFunctions.settled((third.result as any).run.summary.deleted[0].operation);
    await deliver("e2e-keep-two", T(3));
    expect((await ledger("e2e-keep-two")).filter((e) => !e.deleted).map((e) => e.name)).toEqual(expect.not.arrayContaining([first.name]));
    // the other policy's own retention deletes its own image only
    const deletesBefore = stack.ncp.requests.filter((r) => r.url.pathname.endsWith("deleteServerImage")).length;
    await deliver("e2e-other", T(1));
    const theirs = stack.ncp.requests.filter((r) => r.url.pathname.endsWith("deleteServerImage")).slice(deletesBefore);
    expect(theirs.map((r) => new URLSearchParams(r.body).get("serverImageNoList.1"))).toEqual([otherImage]);
    expect(summaries("C0POLICY01").at(-1)!.text).toMatch(/^Policy e2e-keep-two: 1 made, 2 kept, 1 deleted, 0 failed$/);
  });

  it("waits while the new image is not available: a failed image deletes nothing, and the summary says so", async () => {
    stack.ncp.createOutcome = "failed";
    try {
      const before = stack.ncp.requests.filter((r) => r.url.pathname.endsWith("deleteServerImage")).length;
      const d = await deliver("e2e-keep-two", T(10));
      expect(d.result).toMatchObject({
        status: "done",
        run: {
          items: [{ state: "failed" }],
          summary: { deleted: [], deferred: [{ server: KVM, reason: "no new image was made this run" }] },
        },
      });
      expect(stack.ncp.requests.filter((r) => r.url.pathname.endsWith("deleteServerImage")).length).toBe(before);
      expect(JSON.stringify(summaries("C0POLICY01").at(-1)!.blocks)).toMatch(/retention of 1234567 waits/);
    } finally {
      stack.ncp.createOutcome = "available";
    }
  });

  it("keeps those younger than `days` (SCP): older ones go, the newest stays", async () => {
    const now = Date.now();
    const at = (n: number) => new Date(Math.floor((now - n * day) / 60_000) * 60_000).toISOString().replace(/\.000Z$/, "Z");
    await deliver("e2e-scp-days", at(3));
    await deliver("e2e-scp-days", at(2));
    const last = await deliver("e2e-scp-days", at(0));
    // the second run already deleted the first (3 days old), the third the second (2 days old)
    const s = (last.result as any).run.summary;
    expect(s.deleted).toHaveLength(1);
    expect(s.kept).toHaveLength(1);
    expect(stack.scp.requests.filter((r) => r.method === "DELETE")).toHaveLength(2);
  });

  it("a run of two servers: the busy one fails and is said, the other is made and kept", async () => {
    const d = await deliver("e2e-two-servers", "2026-11-05T00:00:00Z");
    const s = (d.result as any).run.summary;
    expect(s.made).toEqual([expect.objectContaining({ server: KVM, state: "available" })]);
    expect(s.failed).toEqual([
      expect.objectContaining({ what: expect.stringContaining(DEMO_SERVERS.ncp.busy), reason: expect.stringMatching(/CONFLICT/) }),
    ]);
  });
});

describe("a run slower than its invocation", () => {
  it("pauses, and its continuation finishes it: one image, one summary", async () => {
    process.env.POLICY_WAIT_SECONDS = "0.3";
    stack.ncp.createDelayMs = 2_500;
    try {
      const at = "2026-11-20T18:00:00Z";
      const before = ncpCreates();
      const first = await deliver("e2e-keep-two", at);
      expect(first.result).toMatchObject({ status: "waiting", run: { state: "waiting" } });
      await vi.waitFor(async () => expect((await run("e2e-keep-two", at)).state).toBe("done"), { timeout: 20_000, interval: 200 });
      await stack.lambda.idle();
      expect(ncpCreates() - before).toBe(1);
      expect(stack.lambda.invocations.filter((i) => i.name === "run-policy" && i.type === "Event").length).toBeGreaterThan(0);
      expect(summaries("C0POLICY01").filter((m) => JSON.stringify(m.blocks).includes("web-01-20261121-0300"))).toHaveLength(1);
    } finally {
      delete process.env.POLICY_WAIT_SECONDS;
      stack.ncp.createDelayMs = 1_500;
    }
  });
});

describe("on demand and the list", () => {
  it("runs one through its function URL, refuses an unknown one, and lists each with its next run and last result", async () => {
    const r = await post("/run-policy", { policy: "e2e-other" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ policy: "e2e-other", status: "done", run: { trigger: "manual", state: "done" } });
    expect((await post("/run-policy", { policy: "nope" })).body.error).toMatchObject({ code: "NOT_FOUND", field: "policy" });
    expect((await post("/run-policy", {})).body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "policy" });
    const list = await call("/run-policy?action=list");
    const byName = Object.fromEntries(list.body.policies.map((p: any) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(["e2e-keep-two", "e2e-other", "e2e-scp-days", "e2e-two-servers"]);
    expect(Date.parse(byName["e2e-keep-two"].nextRun)).toBeGreaterThan(Date.now());
    expect(new Date(byName["e2e-keep-two"].nextRun).getUTCHours()).toBe(18); // 03:00 in Seoul
    expect(byName["e2e-other"].lastRun).toMatchObject({ trigger: "manual", state: "done", made: 1 });
    // a disabled policy has no next run (its schedule is DISABLED)
    expect(byName["e2e-two-servers"]).toMatchObject({ enabled: false });
    expect(byName["e2e-two-servers"].nextRun).toBeUndefined();
  });

  it("an example policy (POLICIES_DISABLED: a real stage's package names it) is listed disabled and refused a run", async () => {
    const bundle = options.bundles!["run-policy"]!;
    // a fresh container of the run-policy bundle with the variable the package sets outside the local stack
    process.env.POLICIES_DISABLED = "e2e-other";
    try {
      const { handler } = await import(`${pathToFileURL(join(bundle, "index.mjs")).href}?examples`);
      const ran = await handler({ policy: "e2e-other" }, lambdaContext("run-policy")).catch((e: Error) => e);
      expect(ran).toMatchObject({ name: "FORBIDDEN", message: expect.stringMatching(/is an example of policies.yaml/) });
      const listed = (await handler({ action: "list" }, lambdaContext("run-policy"))) as {
        policies: Array<{ name: string; enabled: boolean }>;
      };
      expect(listed.policies.find((p) => p.name === "e2e-other")).toMatchObject({ enabled: false });
      expect(listed.policies.find((p) => p.name === "e2e-keep-two")).toMatchObject({ enabled: true });
    } finally {
      delete process.env.POLICIES_DISABLED;
    }
  });

  it("a rate-limited channel is waited out: the summary is posted after Slack's Retry-After, and the run ends done", async () => {
    // policies sharing a minute and a channel meet chat.postMessage's per-channel limit; Slack answers
    // 429 with Retry-After (https://docs.slack.dev/apis/web-api/rate-limits)
    stack.slackApi.setSlackFaults({ methods: { "chat.postMessage": { ratelimited: 1, count: 2 } } });
    const before = stack.slackApi.calls.length;
    try {
      const r = await post("/run-policy", { policy: "e2e-other", scheduledAt: "2026-11-30T20:00:00Z" });
      expect(r.status).toBe(200);
      const posts = stack.slackApi.calls.slice(before).filter((c) => c.method === "chat.postMessage");
      expect(posts.map((c) => c.status)).toEqual([429, 429, 200]);
      expect(posts[2]!.at - posts[0]!.at).toBeGreaterThanOrEqual(1_900);
      expect(await run("e2e-other", "2026-11-30T20:00:00Z")).toMatchObject({
        state: "done",
        posted: { channel: "C0POLICY02", ts: expect.any(String) },
      });
    } finally {
      stack.slackApi.setSlackFaults({});
    }
  });

  it("a summary that cannot be posted fails the run, after recording it, naming the channel and the fix", async () => {
    stack.slackApi.setSlackFaults({ channels: { C0POLICY02: "not_in_channel" } });
    try {
      const r = await post("/run-policy", { policy: "e2e-other", scheduledAt: "2026-11-30T19:00:00Z" });
      expect(r.status).toBe(500);
      expect(r.body.error.message).toMatch(
        /is done and recorded, but its summary could not be posted in channel C0POLICY02 \(Slack: not_in_channel.*\/invite @imageops/,
      );
      expect(await run("e2e-other", "2026-11-30T19:00:00Z")).toMatchObject({
        state: "done",
        posted: { channel: "C0POLICY02", error: expect.stringMatching(/not_in_channel/) },
      });
    } finally {
      stack.slackApi.setSlackFaults({});
    }
  });
});
