/**
 * One cold start, in a fresh `node` process (spawned by dev/bench.ts): import a bundle, and
 * optionally call its handler once, like Lambda's init + first invoke. Plain .mjs so nothing but
 * the bundle itself is loaded. The result is the last stdout line, prefixed with BENCH_RESULT
 * (the product logs JSON lines to stdout too).
 *
 *   node cold-start-child.mjs '{"module":"/abs/dist/list-images/index.mjs","event":{"limit":100}}'
 *   (optional "timeoutMs": the Lambda timeout the context counts down from, default 30000)
 *
 * Reports: bootMs (node start → this script running), importMs, callMs, coldMs (import + call),
 * peak RSS (VmHWM) in KiB, and a short summary of the answer.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { peakRssKiB } from "./peak-rss.mjs";

const bootMs = performance.now();
const spec = JSON.parse(process.argv[2] ?? "{}");

function summarize(out) {
  if (out === undefined || out === null) return { type: String(out) };
  if (typeof out !== "object") return { type: typeof out };
  if (typeof out.statusCode === "number") {
    let body;
    try {
      body = JSON.parse(out.body ?? "");
    } catch {
      body = undefined;
    }
    return { statusCode: out.statusCode, ...summarize(body), text: body === undefined ? String(out.body ?? "").slice(0, 200) : undefined };
  }
  // numbers as they are (figure 8's sequential audit: targets, images, findings), lists by their length
  const counts = Object.fromEntries(Object.entries(out).filter(([, v]) => typeof v === "number"));
  return {
    ...counts,
    images: Array.isArray(out.images) ? out.images.length : counts.images,
    findings: Array.isArray(out.findings) ? out.findings.length : counts.findings,
    auditedImages: typeof out.summary?.images === "number" ? out.summary.images : undefined,
    errors: Array.isArray(out.errors) ? out.errors.map((e) => `${e.provider}:${e.code}`) : undefined,
    keys: Object.keys(out).slice(0, 8),
  };
}

const result = { ok: true, bootMs };
try {
  const t0 = performance.now();
  const mod = await import(pathToFileURL(spec.module).href);
  const t1 = performance.now();
  result.importMs = t1 - t0;
  if (spec.event !== undefined) {
    const handler = mod.handler;
    if (typeof handler !== "function") throw new Error(`${spec.module} exports no handler`);
    const started = Date.now();
    const context = {
      functionName: "imageops-bench",
      awsRequestId: "bench-cold-start",
      // the function's timeout: 30 s unless the spec gives one (figure 8: audit-images' 300 s)
      getRemainingTimeInMillis: () => Math.max(0, (spec.timeoutMs ?? 30_000) - (Date.now() - started)),
    };
    const out = await handler(spec.event, context);
    const t2 = performance.now();
    result.callMs = t2 - t1;
    result.answer = summarize(out);
  }
  result.coldMs = performance.now() - t0;
} catch (err) {
  result.ok = false;
  result.error = `${err?.name ?? "Error"}: ${err?.message ?? String(err)}`.slice(0, 500);
}
result.peakRssKiB = peakRssKiB();
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`, () => process.exit(0));
