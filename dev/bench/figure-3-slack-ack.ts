/**
 * Figure 3: the slack function's ack latency while every cloud answers in 10 s and Slack's
 * auth.test in 4 s, through the local stack's gateway, against the gateway's own round trip.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { signedHeaders, slashCommandBody } from "../slack-sign.js";
import type { BenchContext } from "./context.js";
import { below, ms, percentile } from "./lib.js";

export async function figure3(ctx: BenchContext): Promise<void> {
  const { dist, quick, report } = ctx;
  const { startLocalStack } = await import("../local-stack.js");
  const stack = await startLocalStack({ env: { PROVIDER_TIMEOUT_MS: "15000" } });
  try {
    let seq = 0;
    const slash = async (text: string): Promise<{ status: number; body: string; ms: number }> => {
      const id = `${process.pid}-${++seq}`;
      const body = slashCommandBody(text, { responseUrl: stack.slackApi.responseUrl(`bench-${id}`) });
      const headers = signedHeaders(body, "application/x-www-form-urlencoded");
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/slack/events`, { method: "POST", headers, body });
      const answer = await res.text();
      return { status: res.status, body: answer, ms: performance.now() - t0 };
    };
    const floor = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/no-such-function`);
      await res.text();
      return performance.now() - t0;
    };

    for (const sim of [stack.ncp, stack.scp, stack.iwinv]) sim.setFaults({ latencyMs: 10_000 });
    // and Slack's auth.test at 4 s: an ack that waited on it (Bolt does, given a token without
    // bot ids) would show here
    stack.slackApi.setSlackFaults({ methods: { "auth.test": { delayMs: 4_000 } } });
    const first = await slash("list");
    if (first.status !== 200) {
      report({
        id: "3",
        name: "slack ack, clouds at 10 s, auth.test at 4 s (p99)",
        product: "",
        baseline: "",
        ratio: NaN,
        target: "",
        pass: null,
        notMeasured: `the slack function answered HTTP ${first.status}: ${first.body.slice(0, 160)}`,
      });
      return;
    }
    const n = quick ? 50 : 100;
    const series = async () => {
      for (let i = 0; i < 10; i++) {
        await slash("list");
        await floor();
      }
      const acks: number[] = [];
      const floors: number[] = [];
      const statuses = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const r = await slash("list");
        acks.push(r.ms);
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        floors.push(await floor());
      }
      return { acks, floors, statuses: JSON.stringify(Object.fromEntries(statuses)), slow: acks.filter((a) => a > 150).length };
    };

    // (a) As Lambda runs it: the dispatched jobs (Event invocations of this same function) run in
    // other containers. Here: a second copy of the bundle, with its own module state and clients.
    const ackInstance = stack.handlers.slack;
    const jobsInstance = (
      (await import(`${pathToFileURL(dist("slack", "index.mjs")).href}?container=jobs`)) as { handler: typeof ackInstance }
    ).handler;
    stack.handlers.slack = (event, context) =>
      (event as { imageopsJob?: unknown })?.imageopsJob ? jobsInstance(event, context) : ackInstance(event, context);
    const isolated = await series();
    // (b) As `npm start` wires it (the brief's setup): jobs run in-process in the same instance
    // that answers the acks — what the figure is judged on.
    stack.handlers.slack = ackInstance;
    const shared = await series();

    const p50 = percentile(shared.acks, 50);
    const p99 = percentile(shared.acks, 99);
    const f99 = percentile(shared.floors, 99);
    report({
      id: "3",
      name: "slack ack `/images list`, clouds at 10 s, auth.test at 4 s",
      product: `p50 ${ms(p50)} p99 ${ms(p99)}`,
      baseline: `p99 ${ms(f99)}`,
      ratio: p99 / f99,
      ...below(p99, 150, "ms", "p99 "),
      detail:
        `${n} sequential signed slash commands to the local stack's /slack/events after 10 warm-up, jobs dispatched in-process (npm start); statuses ${shared.statuses}; ${shared.slow} over 150 ms; max ${ms(Math.max(...shared.acks))}` +
        `\njobs in a separate instance of the bundle (as separate Lambda containers run them): p50 ${ms(percentile(isolated.acks, 50))} p99 ${ms(percentile(isolated.acks, 99))}, ${isolated.slow} over 150 ms, max ${ms(Math.max(...isolated.acks))}, statuses ${isolated.statuses}` +
        `\nbaseline: the local gateway's own round trip (a 404 route, no function) p50 ${ms(percentile(shared.floors, 50))}; auth.test calls during the run: ${stack.slackApi.callsTo("auth.test").length}; answer: ${JSON.stringify(first.body.slice(0, 90))}`,
    });
  } finally {
    for (const sim of [stack.ncp, stack.scp, stack.iwinv]) sim.setFaults({});
    stack.slackApi.setSlackFaults({});
    await stack.stop();
  }
}
