/**
 * Figure 8d's deliveries, in a fresh `node` process (spawned by figure-8-scale.ts): import the
 * run-policy bundle, then call its handler with each input EventBridge Scheduler would deliver —
 * every one at once (schedules that share a cron minute) or one after another — each call with
 * its own Lambda-like context counting down from run-policy's deployed timeout. Plain .mjs so
 * nothing but the bundle is loaded (as cold-start-child.mjs). The result is the last stdout line,
 * prefixed with BENCH_RESULT (the product logs JSON lines to stdout too).
 *
 *   node policy-deliveries.mjs '{"module":"/abs/dist/bench/run-policy/index.mjs","inputs":[…],"timeoutMs":900000,"atOnce":true}'
 *
 * Reports: wallMs (the first call's start → the last answer), importMs, peak RSS (VmHWM) in KiB,
 * each run's status, and the totals of the runs' summaries (made, kept, deleted, failed, deferred).
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { peakRssKiB } from "./peak-rss.mjs";

const spec = JSON.parse(process.argv[2] ?? "{}");

const result = { ok: true, runs: spec.inputs?.length ?? 0 };
try {
  const t0 = performance.now();
  const { handler } = await import(pathToFileURL(spec.module).href);
  if (typeof handler !== "function") throw new Error(`${spec.module} exports no handler`);
  result.importMs = performance.now() - t0;

  /** One invocation: its own context, its answer or its error, and how long it took. */
  const deliver = async (input, i) => {
    const started = Date.now();
    const context = {
      functionName: "imageops-bench-run-policy",
      awsRequestId: `bench-delivery-${i}`,
      getRemainingTimeInMillis: () => Math.max(0, spec.timeoutMs - (Date.now() - started)),
    };
    const t = performance.now();
    try {
      return { answer: await handler(input, context), ms: performance.now() - t };
    } catch (err) {
      return { error: `${input.policy}: ${err?.name ?? "Error"}: ${err?.message ?? String(err)}`.slice(0, 300), ms: performance.now() - t };
    }
  };
  const t1 = performance.now();
  const outcomes = [];
  if (spec.atOnce) outcomes.push(...(await Promise.all(spec.inputs.map(deliver))));
  else for (const [i, input] of spec.inputs.entries()) outcomes.push(await deliver(input, i));
  result.wallMs = performance.now() - t1;

  const statuses = {};
  const totals = { made: 0, kept: 0, deleted: 0, failed: 0, deferred: 0 };
  const problems = [];
  for (const o of outcomes) {
    const status = o.error ? "error" : o.answer?.duplicate ? "duplicate" : (o.answer?.status ?? "?");
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (o.error) problems.push(o.error);
    const s = o.answer?.run?.summary;
    // kept is a count (a summary lists only the newest kept images); the others are lists
    for (const k of Object.keys(totals)) totals[k] += k === "kept" ? (s?.keptCount ?? 0) : (s?.[k]?.length ?? 0);
    for (const f of s?.failed ?? []) problems.push(`${o.answer.policy}: ${f.what}: ${f.reason}`.slice(0, 300));
  }
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  Object.assign(result, {
    statuses,
    ...totals,
    runMs: { min: ms[0], median: ms[Math.floor(ms.length / 2)], max: ms.at(-1) },
    problems: problems.slice(0, 10),
    problemCount: problems.length,
  });
} catch (err) {
  result.ok = false;
  result.error = `${err?.name ?? "Error"}: ${err?.message ?? String(err)}`.slice(0, 500);
}
result.peakRssKiB = peakRssKiB();
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
