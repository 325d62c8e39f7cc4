/**
 * infra/state-machine.asl.json, the deployed definition, run by the local interpreter with a
 * scripted track-image: the loop, the wait clamp, notify carried between steps, retries, the
 * failure branches and the overall timeout.
 */
import { describe, expect, it } from "vitest";
import validator from "asl-validator";
import { matches, retryDelaySeconds, runStateMachine } from "../../dev/sim/asl.js";
import { TRACK_DEFINITION } from "../../dev/sim/step-functions.js";

const INPUT = {
  operation: "img-ncp-abc",
  provider: "ncp",
  account: "prod",
  region: "KR",
  imageId: "42",
  startedAt: "2026-11-23T00:00:00.000Z",
};
const SCALE = 0.001; // one state-machine second = 1 ms

/** Runs the definition with track-image answering from a script (an Error is thrown instead). */
async function run(
  script: (payload: Record<string, unknown>, call: number) => unknown,
  input: object = INPUT,
  definition = TRACK_DEFINITION,
) {
  const calls: Record<string, unknown>[] = [];
  const functions = new Set<string>();
  const waits: number[] = [];
  let last = Date.now();
  const outcome = await runStateMachine(definition, input, {
    waitScale: SCALE,
    substitutions: { TrackImageFunctionArn: "track-fn" },
    invoke: async (fn, payload) => {
      functions.add(fn);
      waits.push(Date.now() - last);
      const p = payload as Record<string, unknown>;
      calls.push(p);
      const answer = script(p, calls.length);
      last = Date.now();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  });
  // asserted here, not inside invoke: the interpreter would take a failed expect for a task error
  if (calls.length) expect([...functions]).toEqual(["track-fn"]);
  return { outcome, calls, waits };
}
const failure = (name: string) => Object.assign(new Error(`${name} happened`), { name });
const creating = (waitSeconds: number, extra: object = {}) => ({ done: false, waitSeconds, image: { status: "creating" }, ...extra });

describe("the tracking state machine", () => {
  it("is a valid Amazon States Language definition (asl-validator)", () => {
    const result = validator(TRACK_DEFINITION as never);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it("always waits a whole number of seconds, as Wait requires", async () => {
    const { outcome, waits } = await run((_, n) =>
      n === 1 ? creating(12.4) : { done: true, outcome: "available", image: { status: "available" } },
    );
    expect(outcome.status).toBe("SUCCEEDED");
    expect(waits[1]).toBeGreaterThanOrEqual(11);
  });

  it("loops until track-image says done, handing it only the tracking fields", async () => {
    const { outcome, calls } = await run((_, n) => (n < 3 ? creating(10) : { done: true, waitSeconds: 0, image: { status: "available" } }));
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { done: true, image: { status: "available" }, imageId: "42" } });
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c).toEqual({ ...INPUT, failures: 0 });
  });

  it("carries the transient-failure count track-image returns into the next step", async () => {
    const { calls, outcome } = await run((_, n) =>
      n === 1
        ? { done: false, waitSeconds: 40, failures: 1 }
        : n === 2
          ? { done: false, waitSeconds: 80, failures: 2 }
          : { done: true, outcome: "available", image: { status: "available" } },
    );
    expect(calls.map((c) => c.failures)).toEqual([0, 1, 2]);
    // a failed step has no image: the state keeps no stale one and the loop goes on
    expect(outcome.status).toBe("SUCCEEDED");
  });

  it("waits what track-image asks, clamped to 5..900 s", async () => {
    const { waits } = await run((_, n) =>
      n === 1 ? creating(1) : n === 2 ? creating(100_000) : { done: true, image: { status: "available" } },
    );
    // first wait 15 s by default, then 5 s (1 raised to the floor), then 900 s (capped)
    expect(waits[0]).toBeGreaterThanOrEqual(14);
    expect(waits[1]).toBeGreaterThanOrEqual(4);
    expect(waits[1]).toBeLessThan(14);
    expect(waits[2]).toBeGreaterThanOrEqual(890);
    expect(waits[2]).toBeLessThan(2000);
  });

  it("carries the Slack message that track-image returns into the next step", async () => {
    const notify = { channel: "C1", messageTs: "171.1", lastStatus: "creating" };
    const { calls } = await run((_, n) => (n === 1 ? creating(5, { notify }) : { done: true, image: { status: "available" } }), {
      ...INPUT,
      notify: { channel: "C1" },
    });
    expect(calls[0]!.notify).toEqual({ channel: "C1" });
    expect(calls[1]!.notify).toEqual(notify);
  });

  it("ends in the failure branch when the image failed", async () => {
    const { outcome } = await run(() => ({ done: true, waitSeconds: 0, outcome: "failed", image: { status: "failed" } }));
    expect(outcome).toMatchObject({ status: "FAILED", error: "ImageFailed", output: { image: { status: "failed" } } });
    expect(outcome).toMatchObject({
      cause: "create-image operation img-ncp-abc: image 42 on ncp/prod/KR: the cloud reports the image as failed",
    });
  });

  it("ends in TrackingStopped, with track-image's reason, when tracking stopped", async () => {
    const { outcome } = await run(() => ({ done: true, waitSeconds: 0, outcome: "stopped", reason: "image 42 no longer exists" }));
    expect(outcome).toMatchObject({
      status: "FAILED",
      error: "TrackingStopped",
      cause: "create-image operation img-ncp-abc: image 42 on ncp/prod/KR: image 42 no longer exists",
    });
  });

  it("follows a delete (kind delete-image) to Done when track-image says the image is gone, the kind in every step and the stop", async () => {
    const del = { ...INPUT, operation: "del-ncp-abc", kind: "delete-image" };
    const { outcome, calls } = await run(
      (_, n) =>
        n === 1 ? { done: false, waitSeconds: 10, image: { status: "deleting" } } : { done: true, waitSeconds: 0, outcome: "deleted" },
      del,
    );
    expect(outcome).toMatchObject({ status: "SUCCEEDED", output: { outcome: "deleted", kind: "delete-image" } });
    for (const c of calls) expect(c).toEqual({ ...del, failures: 0 });
    const stopped = await run((p) => (p.stop ? { done: true, outcome: "stopped" } : failure("PROVIDER_UNAVAILABLE")), del);
    expect(stopped.calls.at(-1)).toEqual({ ...del, stop: "track-image kept failing: PROVIDER_UNAVAILABLE" });
  });

  it("retries Lambda's own throttling, then carries on", async () => {
    const { outcome, calls } = await run((_, n) =>
      n <= 2 ? failure("Lambda.TooManyRequestsException") : { done: true, image: { status: "available" } },
    );
    expect(outcome.status).toBe("SUCCEEDED");
    expect(calls).toHaveLength(3);
  });

  it("on a step that keeps failing, asks track-image once to record the stop, then ends in TrackingFailed", async () => {
    const { outcome, calls } = await run((p) => (p.stop ? { done: true, outcome: "stopped" } : failure("PROVIDER_UNAVAILABLE")));
    expect(outcome).toMatchObject({ status: "FAILED", error: "TrackingFailed" });
    expect((outcome as { cause: string }).cause).toBe(
      "create-image operation img-ncp-abc: image 42 on ncp/prod/KR: track-image kept failing: PROVIDER_UNAVAILABLE",
    );
    expect(calls).toHaveLength(5); // the first try, three retries, and the stop
    expect(calls[4]).toEqual({ ...INPUT, stop: "track-image kept failing: PROVIDER_UNAVAILABLE" });
  });

  it("ends in TrackingFailed even when recording the stop fails too", async () => {
    const { outcome, calls } = await run(() => failure("Lambda.Unknown"));
    expect(outcome).toMatchObject({ status: "FAILED", error: "TrackingFailed" });
    expect((outcome as { cause: string }).cause).toBe(
      "create-image operation img-ncp-abc: image 42 on ncp/prod/KR: track-image kept failing: Lambda.Unknown (could not be recorded on the operation)",
    );
    expect(calls.filter((c) => c.stop)).toHaveLength(3); // the stop and its two retries
  });

  // issue #23 item 4: the Cause was the whole state ($string($states.input)), notify included, and an
  // execution's end event and the alarm (infra/operator.cjs) carry the Cause
  it("never puts the progress state in a Cause: only the operation, its image and cloud, and why", async () => {
    const notify = { channel: "C0SECRET01", requester: "U0SECRET01", target: "a".repeat(32), messageTs: "171.1", lastStatus: "creating" };
    const runs = [
      await run((p) => (p.stop ? { done: true, outcome: "stopped" } : failure("PROVIDER_UNAVAILABLE")), { ...INPUT, notify }),
      await run(() => failure("Lambda.Unknown"), { ...INPUT, notify }),
      await run(() => ({ done: true, outcome: "stopped", reason: "image 42 no longer exists", notify }), { ...INPUT, notify }),
      await run(() => ({ done: true, outcome: "failed", image: { status: "failed" }, notify }), { ...INPUT, notify }),
    ];
    for (const { outcome } of runs) {
      const cause = (outcome as { cause: string }).cause;
      expect(cause).toMatch(/^create-image operation img-ncp-abc: image 42 on ncp\/prod\/KR: /);
      for (const v of Object.values(notify)) expect(cause).not.toContain(v);
    }
  });

  it("times out as a whole", async () => {
    const short = { ...TRACK_DEFINITION, TimeoutSeconds: 60 };
    const { outcome, calls } = await run(() => creating(20), INPUT, short);
    expect(outcome.status).toBe("TIMED_OUT");
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(4);
  });
});

/** The local runner keeps to AWS's documented semantics where the product depends on them. */
describe("the local runner", () => {
  const machine = (states: Record<string, unknown>) => ({ QueryLanguage: "JSONata", StartAt: "A", States: states }) as never;

  it("States.ALL catches everything but States.Runtime; States.TaskFailed everything but States.Timeout", () => {
    expect(matches(["States.ALL"], "PROVIDER_UNAVAILABLE")).toBe(true);
    expect(matches(["States.ALL"], "States.Timeout")).toBe(true);
    expect(matches(["States.ALL"], "States.Runtime")).toBe(false);
    expect(matches(["States.TaskFailed"], "States.Timeout")).toBe(false);
    expect(matches(["States.TaskFailed"], "States.Permissions")).toBe(true);
    expect(matches(["States.TaskFailed"], "Lambda.Unknown")).toBe(true);
  });

  it("a failing JSONata expression is States.QueryEvaluationError, which a Catch can handle", async () => {
    const out = await runStateMachine(
      machine({
        A: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Arguments: { FunctionName: "f", Payload: "{% $undefinedFunction() %}" },
          Catch: [{ ErrorEquals: ["States.QueryEvaluationError"], Next: "B" }],
          End: true,
        },
        B: { Type: "Fail", Error: "Caught", Cause: "{% $states.input.Error %}" },
      }),
      {},
      { invoke: async () => ({}) },
    );
    expect(out).toMatchObject({ status: "FAILED", error: "Caught", cause: "States.QueryEvaluationError" });
  });

  it("a Wait whose Seconds is not an integer fails the state", async () => {
    const out = await runStateMachine(machine({ A: { Type: "Wait", Seconds: "{% 1.5 %}", End: true } }), {}, { invoke: async () => ({}) });
    expect(out).toMatchObject({ status: "FAILED", error: "States.QueryEvaluationError" });
  });

  it("JitterStrategy FULL draws the retry delay between 0 and the backoff, capped by MaxDelaySeconds", () => {
    const r = { ErrorEquals: ["X"], IntervalSeconds: 2, BackoffRate: 2, MaxDelaySeconds: 10 };
    expect(retryDelaySeconds(r, 0)).toBe(2);
    expect(retryDelaySeconds(r, 5)).toBe(10);
    expect(retryDelaySeconds({ ...r, JitterStrategy: "FULL" }, 2, () => 0.5)).toBe(4);
    expect(retryDelaySeconds({ ...r, JitterStrategy: "FULL" }, 2, () => 0)).toBe(0);
  });
});
