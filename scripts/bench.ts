/**
 * `npm run bench` (after `npm run build`): the seven performance figures of issue 6 and figure 8
 * (an audit and a policy-like pass over 200 account-regions, ./bench/scale.ts), each
 * measured against a baseline taken in the same run, as medians over repeated runs; one line per
 * figure with product, baseline, ratio, target and PASS/MISS, then the bundle sizes. It is a
 * report: it exits 0 whatever the figures say. Everything runs on 127.0.0.1.
 *
 * Baseline bundles are built here into dist/bench/. What the product prints meanwhile (its JSON
 * log lines, SDK and Bolt warnings) is kept out of the report, in dist/bench/product.log.
 *
 *   npm run bench                      build, then all figures (about 4–5 minutes, 8 takes 2–3)
 *   npx tsx scripts/bench.ts --only=1,5   some figures, against the current dist/
 *   npx tsx scripts/bench.ts --quick      fewer repetitions
 */
import { createHmac } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { HttpClient } from "../shared/http/client.js";
import type { Image } from "../shared/model/image.js";
import { type Runtime, callContext } from "../shared/runtime.js";
import { DEMO_KEYS } from "../test/sim/demo.js";
import { signedHeaders, slashCommandBody } from "../test/support/slack-sign.js";
import { CREDENTIALS_SECRET_ID, ncpSeedServerRows, startClouds } from "../test/sim/clouds.js";
import { BUNDLE_OPTIONS } from "./build.js";
import { atLeast, atMost, below, type ChildRun, type Figure, childEnv, childResult, formatFigure, kib, median, mib, ms, opsPerSec, percentile, runNode, timeLoop } from "./bench/lib.js";
import { figure8 } from "./bench/scale.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = (...p: string[]) => join(root, "dist", ...p);
const benchDir = dist("bench");
const CHILD = join(root, "scripts", "bench", "cold-start-child.mjs");
const started = performance.now();
const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");

mkdirSync(benchDir, { recursive: true });

// ---------------------------------------------------------------- output hygiene
// The bundles (and the in-process local stack) log JSON lines to stdout and warnings to stderr
// (the AWS SDK's Node version notice, Bolt's logger): keep them out of the report, in a file.
const productLog = join(benchDir, "product.log");
writeFileSync(productLog, "");
let suppressed = 0;
function divert(stream: NodeJS.WriteStream, keep: (text: string) => boolean): void {
  const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (keep(text)) return write(chunk, ...rest);
    suppressed++;
    appendFileSync(productLog, text.endsWith("\n") ? text : text + "\n");
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof stream.write;
}
// log lines and EMF metric lines ({"_aws": …}) are the product's, not the report's
divert(process.stdout, (text) => !text.startsWith('{"level":') && !text.startsWith('{"_aws":'));
divert(process.stderr, () => false);

const say = (line = "") => console.log(line);
const figures: Figure[] = [];
function report(f: Figure): void {
  figures.push(f);
  say(formatFigure(f));
  if (f.detail) for (const l of f.detail.split("\n")) say(`       ${l}`);
}

// Whatever happens, the report ends and the process exits 0 well inside 10 minutes (figure 8's
// two sequential passes over 200 account-regions take most of a minute each).
const watchdog = setTimeout(() => {
  say(`\nbench: stopped by its 540 s watchdog; figures not reached are missing above.`);
  process.exit(0);
}, 540_000);
watchdog.unref();

// ---------------------------------------------------------------- baselines
const BASELINE_SECRETS = dist("bench", "baseline-secrets", "index.mjs");
const NAIVE_SLACK = dist("bench", "naive-slack", "index.cjs");

async function buildBaselines(): Promise<void> {
  await Promise.all([
    // the product's own settings (scripts/build.ts), so the bundles compare like for like
    build({
      entryPoints: [join(root, "scripts", "bench", "baseline-secrets.ts")],
      outfile: BASELINE_SECRETS,
      ...BUNDLE_OPTIONS,
      logLevel: "error",
    }),
    // esbuild's defaults: bundle, platform node (→ CommonJS), no minify, no aliasing
    build({
      entryPoints: [join(root, "scripts", "bench", "naive-slack.ts")],
      outfile: NAIVE_SLACK,
      bundle: true,
      platform: "node",
      logLevel: "error",
    }),
  ]);
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/** The biggest packages in a bundle, from its esbuild metafile: "zod 444 KiB, @smithy/core 196 KiB, …". */
function topPackages(metaFile: string, count: number): string {
  if (!existsSync(metaFile)) return "(no metafile)";
  const meta = JSON.parse(readFileSync(metaFile, "utf8")) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, info] of Object.entries(output.inputs)) {
      const after = path.split("node_modules/").pop()!.split("/");
      const name = path.includes("node_modules/") ? (after[0]!.startsWith("@") ? `${after[0]}/${after[1]}` : after[0]!) : after.slice(0, 2).join("/");
      bytes.set(name, (bytes.get(name) ?? 0) + info.bytesInOutput);
    }
  }
  return [...bytes].sort((a, b) => b[1] - a[1]).slice(0, count).map(([n, b]) => `${n} ${kib(b)}`).join(", ");
}

interface ColdResult {
  ok: boolean;
  error?: string;
  bootMs: number;
  importMs: number;
  callMs?: number;
  coldMs: number;
  peakRssKiB: number;
  answer?: { statusCode?: number; images?: number; errors?: string[]; text?: string };
}

async function coldRun(module: string, env: Record<string, string>, event?: unknown): Promise<ColdResult & { wallMs: number }> {
  const run: ChildRun = await runNode([CHILD, JSON.stringify({ module, event })], env, 60_000);
  const r = childResult<ColdResult>(run);
  if (!r.ok) throw new Error(`${module.replace(root, "")}: ${r.error}`);
  return { ...r, wallMs: run.wallMs };
}

const want = (id: string) => !only || only.includes(id);

// ---------------------------------------------------------------- figure 1: cold start
async function figure1(): Promise<ColdResult[]> {
  const clouds = await startClouds({});
  const baselineRuns: ColdResult[] = [];
  try {
    const env = childEnv(clouds.env);
    const product = dist("list-images", "index.mjs");
    const event = { limit: 100 };
    // one of each to warm the page cache (not counted)
    await coldRun(product, env, event);
    await coldRun(BASELINE_SECRETS, env, {});
    const runs = quick ? 5 : 9;
    const p: Array<ColdResult & { wallMs: number }> = [];
    const b: Array<ColdResult & { wallMs: number }> = [];
    for (let i = 0; i < runs; i++) {
      // interleaved, so drift in machine load hits both alike
      p.push(await coldRun(product, env, event));
      b.push(await coldRun(BASELINE_SECRETS, env, {}));
    }
    baselineRuns.push(...b);
    const bad = p.find((r) => !r.answer?.images || (r.answer.errors?.length ?? 0) > 0);
    const pm = median(p.map((r) => r.coldMs));
    const bm = median(b.map((r) => r.coldMs));
    report({
      id: "1",
      name: "cold start list-images (import + 1st call)",
      product: ms(pm),
      baseline: ms(bm),
      ...atMost(pm, bm, 1.3),
      detail:
        `median of ${runs} fresh processes each; import ${ms(median(p.map((r) => r.importMs)))} + call ${ms(median(p.map((r) => r.callMs ?? 0)))}` +
        ` vs import ${ms(median(b.map((r) => r.importMs)))} + GetSecretValue ${ms(median(b.map((r) => r.callMs ?? 0)))}; node boot ${ms(median(p.map((r) => r.bootMs)))}` +
        `\nspawn→exit wall: ${ms(median(p.map((r) => r.wallMs)))} vs ${ms(median(b.map((r) => r.wallMs)))} (${(median(p.map((r) => r.wallMs)) / median(b.map((r) => r.wallMs))).toFixed(2)}×)` +
        `; answer: ${p[0]?.answer?.images ?? 0} images, errors ${JSON.stringify(p[0]?.answer?.errors ?? [])}` +
        `\nbundles: dist/list-images/index.mjs ${kib(size(product))}, baseline dist/bench/baseline-secrets/index.mjs ${kib(size(BASELINE_SECRETS))}` +
        `\nlargest in dist/list-images: ${topPackages(dist("list-images", "meta.json"), 5)}` +
        (bad ? `\nWARNING: a product run answered ${JSON.stringify(bad.answer)}` : ""),
    });
  } finally {
    await clouds.stop();
  }
  return baselineRuns;
}

// ---------------------------------------------------------------- figure 2: slack bundle
async function figure2(): Promise<void> {
  const product = dist("slack", "index.mjs");
  const naiveSize = size(NAIVE_SLACK);
  const productSize = size(product);
  report({
    id: "2a",
    name: "slack bundle size",
    product: kib(productSize),
    baseline: kib(naiveSize),
    ...atMost(productSize, naiveSize, 0.5),
    detail:
      `dist/slack/index.mjs vs dist/bench/naive-slack/index.cjs (Bolt App + AwsLambdaReceiver, esbuild defaults)` +
      `\nlargest in dist/slack: ${topPackages(dist("slack", "meta.json"), 8)}`,
  });
  // only imported: neither bundle reads a secret or calls anything at load
  const env = childEnv({});
  await coldRun(product, env);
  await coldRun(NAIVE_SLACK, env);
  const runs = quick ? 5 : 9;
  const p: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    p.push((await coldRun(product, env)).importMs);
    b.push((await coldRun(NAIVE_SLACK, env)).importMs);
  }
  const pm = median(p);
  const bm = median(b);
  report({
    id: "2b",
    name: "slack bundle load time (import)",
    product: ms(pm),
    baseline: ms(bm),
    ...atMost(pm, bm, 0.5),
    detail: `median of ${runs} fresh processes each (time to import the module)`,
  });
}

// ---------------------------------------------------------------- figure 3: slack ack latency
async function figure3(): Promise<void> {
  const { startLocalStack } = await import("./local-stack.js");
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
      report({ id: "3", name: "slack ack, clouds at 10 s, auth.test at 4 s (p99)", product: "", baseline: "", ratio: NaN, target: "", pass: null, notMeasured: `the slack function answered HTTP ${first.status}: ${first.body.slice(0, 160)}` });
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
    const jobsInstance = ((await import(`${pathToFileURL(dist("slack", "index.mjs")).href}?container=jobs`)) as { handler: typeof ackInstance }).handler;
    stack.handlers.slack = (event, context) => ((event as { imageopsJob?: unknown })?.imageopsJob ? jobsInstance(event, context) : ackInstance(event, context));
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

// ---------------------------------------------------------------- figure 4: 10,000 NCP images
interface PagingResult {
  product: number;
  sequential: number;
  productImages: number;
  sequentialImages: number;
  rounds: number;
}

/** The product's ncpAdapter.listImages vs one-page-at-a-time paging, against simulators in their own process. */
async function ncpPaging(total: number, cacheNcpPages: boolean, rounds: number, latencyMs = 50): Promise<PagingResult> {
  const { normalizeNcpMemberImage, normalizeNcpServerImage } = await import("../shared/providers/ncp/normalize.js");
  const { ncpRequest } = await import("../shared/providers/ncp/wire.js");
  const { ncpAdapter } = await import("../shared/providers/ncp/client.js");
  const host = await startSimHost({ ncp: total - ncpSeedServerRows(), cacheNcpPages });
  try {
    if (cacheNcpPages && !host.cached) throw new Error("the simulator host could not cache NCP pages (NcpSim internals changed)");
    const res = await fetch(`${host.urls.ncp}/__sim/faults`, { method: "POST", body: JSON.stringify({ latencyMs }) });
    if (!res.ok) throw new Error(`could not set NCP simulator latency: HTTP ${res.status}`);
    const account = { provider: "ncp" as const, name: "bench", ...DEMO_KEYS.ncp, regions: ["KR"], endpoint: host.urls.ncp };
    const rt = { now: Date.now } as unknown as Runtime;
    const ctx = callContext(rt, { account, region: "KR" });

    const productList = () => ncpAdapter.listImages(ctx, {});
    // baseline: the same endpoints, same client, same parsing and normalisation — one page at a time
    const http: HttpClient = ctx.http;
    const where = { account: account.name, region: "KR" };
    const pageSize = 1000;
    const sequentialList = async (): Promise<Image[]> => {
      const seen = new Set<string>();
      const out: Image[] = [];
      const lists: Array<["getServerImageList" | "getMemberServerImageInstanceList", string, Record<string, string[]>, (raw: unknown, w: typeof where) => Image]> = [
        ["getServerImageList", "serverImageList", { serverImageTypeCodeList: ["NCP", "SELF"] }, normalizeNcpServerImage],
        ["getMemberServerImageInstanceList", "memberServerImageInstanceList", {}, normalizeNcpMemberImage],
      ];
      for (const [action, key, params, normalize] of lists) {
        for (let page = 1; ; page++) {
          // the product's own wire form (form POST), so the baseline differs only in paging
          const r = await http.request(ncpRequest(account.endpoint, action, { regionCode: "KR", ...params, pageNo: page, pageSize }, account, true));
          if (r.status !== 200) throw new Error(`sequential paging: HTTP ${r.status} ${r.text.slice(0, 200)}`);
          const body = JSON.parse(r.text)[`${action}Response`] as { totalRows: number } & Record<string, unknown[]>;
          for (const raw of body[key] ?? []) {
            const image = normalize(raw, where);
            if (!seen.has(image.id)) out.push(image), seen.add(image.id);
          }
          if (page * pageSize >= body.totalRows) break;
        }
      }
      return out;
    };

    const time = async (fn: () => Promise<Image[]>) => {
      const t0 = performance.now();
      const images = await fn();
      return { ms: performance.now() - t0, count: images.length };
    };
    // one of each first: connections, JIT, and (cached) the simulator's pages
    await time(productList);
    await time(sequentialList);
    const p: Array<{ ms: number; count: number }> = [];
    const b: Array<{ ms: number; count: number }> = [];
    for (let i = 0; i < rounds; i++) {
      p.push(await time(productList));
      b.push(await time(sequentialList));
    }
    return {
      product: median(p.map((r) => r.ms)),
      sequential: median(b.map((r) => r.ms)),
      productImages: p[0]?.count ?? 0,
      sequentialImages: b[0]?.count ?? 0,
      rounds,
    };
  } finally {
    await host.stop();
  }
}

async function figure4(): Promise<void> {
  const total = 10_000;
  const pageSize = 1000;
  const rounds = quick ? 3 : 5;
  const cached = await ncpPaging(total, true, rounds);
  const raw = await ncpPaging(total, false, quick ? 1 : 3);
  const slow = await ncpPaging(total, true, quick ? 1 : 2, 200);
  // no latency at all: what is left is the client's own work (transport, JSON.parse, normalisation)
  const cpu = await ncpPaging(total, true, 3, 0);
  const requests = Math.ceil(total / pageSize) + 1;
  const bound = (requests * 50 + cpu.sequential) / (2 * 50 + cpu.sequential);
  report({
    id: "4",
    name: "list 10,000 NCP images (50 ms a page)",
    product: ms(cached.product),
    baseline: ms(cached.sequential),
    ...atLeast(cached.product, cached.sequential, 4),
    detail:
      `median of ${rounds}; ncpAdapter.listImages (all scopes: ${requests - 1} pages of 1,000 + 1 member page) vs the same ${requests} requests one after another through the same HttpClient` +
      ` (same parsing and normalisation); ${cached.productImages} vs ${cached.sequentialImages} images` +
      `\nsimulator in its own process, pages served from its per-URL cache (every request still signed, checked and delayed 50 ms)` +
      `\nwithout the cache (NcpSim builds each 1,000-row page on its single thread, ~10 ms, so concurrent pages queue there): ${ms(raw.product)} vs ${ms(raw.sequential)} = ${(raw.sequential / raw.product).toFixed(2)}×` +
      `\nat 200 ms a page (latency dominating the client's CPU): ${ms(slow.product)} vs ${ms(slow.sequential)} = ${(slow.sequential / slow.product).toFixed(2)}×` +
      `\nwith no latency (the client's own work for 10,000 records): ${ms(cpu.product)} vs ${ms(cpu.sequential)}; so even with every page after the first in flight at once,` +
      ` (${requests} × 50 + ${cpu.sequential.toFixed(0)}) ÷ (2 × 50 + ${cpu.sequential.toFixed(0)}) = ${bound.toFixed(2)}× is the most this client can reach at 50 ms a page`,
  });
}

interface SimHost {
  urls: { ncp: string; scp: string; iwinv: string; secrets: string };
  cached: boolean;
  env: Record<string, string>;
  counts: Record<string, number>;
  stop(): Promise<void>;
}

async function startSimHost(config: Record<string, number | boolean>): Promise<SimHost> {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "scripts", "bench", "sim-host.ts"), JSON.stringify(config)], {
    cwd: root,
    env: childEnv({}),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sim host did not start: ${err.slice(-300)}`)), 30_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const l = out.split("\n").find((x) => x.startsWith("SIM_HOST "));
      if (l) {
        clearTimeout(timer);
        resolve(l);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`sim host exited (${code}): ${err.slice(-300)}`));
    });
  });
  const info = JSON.parse(line.slice("SIM_HOST ".length)) as { ncp: string; scp: string; iwinv: string; secrets: string; env: Record<string, string>; counts: Record<string, number>; cached: boolean };
  return {
    urls: info,
    cached: info.cached,
    env: info.env,
    counts: info.counts,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
      }),
  };
}

// ---------------------------------------------------------------- figure 5: normalisation
async function figure5(): Promise<void> {
  const { NcpSim } = await import("../test/sim/ncp.js");
  const { ScpSim } = await import("../test/sim/scp.js");
  const { IwinvSim } = await import("../test/sim/iwinv.js");
  const { normalizeNcpServerImage } = await import("../shared/providers/ncp/normalize.js");
  const { normalizeScpImage } = await import("../shared/providers/scp/normalize.js");
  const { normalizeIwinvImage } = await import("../shared/providers/iwinv/normalize.js");
  const n = 10_000;
  const where = { account: "demo", region: "KR" };
  // built one provider at a time, so only one 4–10 MiB payload is alive while timing
  const cases: Array<{ provider: string; make: () => string; rows: (parsed: any) => unknown[]; normalize: (raw: unknown) => Image }> = [
    {
      provider: "ncp",
      make: () =>
        JSON.stringify({
          getServerImageListResponse: {
            totalRows: n,
            serverImageList: [...new NcpSim({ generatedImages: n }).images.values()].filter((i) => i.kind === "server").slice(-n).map((i) => i.raw),
            requestId: "bench", returnCode: "0", returnMessage: "success",
          },
        }),
      rows: (p) => p.getServerImageListResponse.serverImageList,
      normalize: (raw) => normalizeNcpServerImage(raw, where),
    },
    {
      provider: "scp",
      make: () => JSON.stringify({ images: [...new ScpSim({ generatedImages: n }).images.values()].slice(-n).map((i) => i.raw) }),
      rows: (p) => p.images,
      normalize: (raw) => normalizeScpImage(raw, { account: "demo", region: "kr-west1" }),
    },
    {
      provider: "iwinv",
      make: () => JSON.stringify({ code: "0x00", error_code: "SUCCESS", message: "", result: new IwinvSim({ generatedImages: n }).images.slice(-n), count: n, page_no: 1, page_size: n }),
      rows: (p) => p.result,
      normalize: (raw) => normalizeIwinvImage(raw, { account: "demo", region: "kr2-z01" }),
    },
  ];
  for (const c of cases) {
    const payload = c.make();
    const rows = c.rows(JSON.parse(payload));
    if (rows.length !== n) throw new Error(`${c.provider}: ${rows.length} raw records, expected ${n}`);
    const parse = () => JSON.parse(payload) as unknown;
    const normalize = () => rows.map(c.normalize);
    for (let i = 0; i < 3; i++) parse(), normalize(); // warm up (JIT)
    const reps = quick ? 9 : 25;
    const p: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < reps; i++) {
      b.push(timeLoop(1, parse));
      p.push(timeLoop(1, normalize));
    }
    const pm = median(p);
    const bm = median(b);
    report({
      id: `5${c.provider === "ncp" ? "a" : c.provider === "scp" ? "b" : "c"}`,
      name: `normalize 10,000 ${c.provider} records`,
      product: ms(pm),
      baseline: ms(bm),
      ...atMost(pm, bm, 1.5),
      detail: `median of ${reps}, alternating; normalize = ${c.provider}'s normalizer over the ${n.toLocaleString("en")} parsed records; baseline = JSON.parse of the same ${kib(payload.length)} payload`,
    });
  }
}

// ---------------------------------------------------------------- figure 6: peak RSS
async function figure6(baselineRuns: ColdResult[]): Promise<void> {
  // ~10,000 images in total; iwinv kept to a few pages (its API allows 60 requests a minute)
  const clouds = await startClouds({ ncp: 8_000, scp: 1_500, iwinv: 480 });
  try {
    const total = clouds.counts.ncp + clouds.counts.scp + clouds.counts.iwinv;
    const env = childEnv(clouds.env);
    const runs = quick ? 3 : 5;
    const r: ColdResult[] = [];
    for (let i = 0; i < runs; i++) r.push(await coldRun(dist("list-images", "index.mjs"), env, { limit: 1000 }));
    const bad = r.find((x) => x.answer?.images !== 1000 || (x.answer.errors?.length ?? 0) > 0);
    if (!baselineRuns.length) for (let i = 0; i < 3; i++) baselineRuns.push(await coldRun(BASELINE_SECRETS, env, {}));
    const peak = Math.max(...r.map((x) => x.peakRssKiB));
    const base = median(baselineRuns.map((x) => x.peakRssKiB));
    report({
      id: "6",
      name: "peak RSS, list 10,000 images (3 clouds)",
      product: mib(peak),
      baseline: mib(base),
      ratio: peak / base,
      ...below(peak / 1024, 128, "MiB"),
      detail:
        `highest VmHWM of ${runs} fresh processes (median ${mib(median(r.map((x) => x.peakRssKiB)))}) listing ${total} images (ncp ${clouds.counts.ncp}, scp ${clouds.counts.scp}, iwinv ${clouds.counts.iwinv}) with limit 1000, in ${ms(median(r.map((x) => x.callMs ?? 0)))}` +
        `; baseline: the baseline-secrets process (node + SDK floor)` +
        (bad ? `\nWARNING: a run answered ${JSON.stringify(bad.answer)}` : ""),
    });
  } finally {
    await clouds.stop();
  }
}

// ---------------------------------------------------------------- figure 7: signing
async function figure7(): Promise<void> {
  const { ncpHeaders } = await import("../shared/providers/ncp/signer.js");
  const { buildScpUrl, scpHeaders, SCP_CLIENT_TYPE } = await import("../shared/providers/scp/signer.js");
  const { iwinvHeaders } = await import("../shared/providers/iwinv/signer.js");
  const tsMs = Date.now();
  const tsS = Math.floor(tsMs / 1000);
  const ncpKey = DEMO_KEYS.ncp;
  const scpKey = DEMO_KEYS.scp;
  const iwKey = DEMO_KEYS.iwinv;
  // every NCP call is a form POST that signs the path only (shared/providers/ncp/wire.ts)
  const ncpPath = "/vserver/v2/getServerImageList";
  const scpUrl = buildScpUrl("https://virtualserver.kr-west1.e.samsungsdscloud.com", "/v1/images", { limit: 100, marker: "00000000-0000-4000-8000-000000000064", visibility: "private" });
  const iwPath = "/v1/images";
  const cases: Array<{ provider: string; request: string; product: () => unknown; bare: () => unknown }> = [
    {
      provider: "ncp",
      request: `POST ${ncpPath}`,
      product: () => ncpHeaders("POST", ncpPath, tsMs, ncpKey.accessKey, ncpKey.secretKey),
      bare: ((s: string) => () => createHmac("sha256", ncpKey.secretKey).update(s).digest("base64"))(`POST ${ncpPath}\n${tsMs}\n${ncpKey.accessKey}`),
    },
    {
      provider: "scp",
      request: `GET ${scpUrl}`,
      product: () => scpHeaders("GET", scpUrl, tsMs, scpKey.accessKey, scpKey.secretKey),
      bare: ((s: string) => () => createHmac("sha256", scpKey.secretKey).update(s, "utf8").digest("base64"))(`GET${scpUrl}${tsMs}${scpKey.accessKey}${SCP_CLIENT_TYPE}`),
    },
    {
      provider: "iwinv",
      request: `GET ${iwPath}?zone_id=kr2-z01&page_no=2&page_size=100`,
      product: () => iwinvHeaders(iwPath, tsS, iwKey.accessKey, iwKey.secretKey),
      bare: ((s: string) => () => createHmac("sha256", iwKey.secretKey).update(s, "utf8").digest("hex"))(`${tsS}${iwPath}`),
    },
  ];
  for (const c of cases) {
    const batch = 20_000;
    timeLoop(batch, c.product);
    timeLoop(batch, c.bare);
    const rounds = quick ? 5 : 9;
    const p: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      b.push(timeLoop(batch, c.bare));
      p.push(timeLoop(batch, c.product));
    }
    const pm = median(p);
    const bm = median(b);
    report({
      id: `7${c.provider === "ncp" ? "a" : c.provider === "scp" ? "b" : "c"}`,
      name: `signing ${c.provider} (time per signature)`,
      product: opsPerSec(1000 / pm),
      baseline: opsPerSec(1000 / bm),
      ...atMost(pm, bm, 1.5, " time"),
      detail: `median of ${rounds} × ${batch.toLocaleString("en")}; ${c.provider}Headers() vs bare createHmac().update(same string).digest(); request ${c.request.slice(0, 110)}`,
    });
  }
}

// ---------------------------------------------------------------- run
say(`imageops bench — ${new Date().toISOString()} — node ${process.version}, ${(await import("node:os")).cpus().length} cores${quick ? " — quick" : ""}`);
say(`ratios are product ÷ baseline (figure 4: baseline ÷ product), medians over repeated runs in this same process run`);
say();
await buildBaselines();

const steps: Array<[string, string, () => Promise<unknown>]> = [];
let baselineRuns: ColdResult[] = [];
steps.push(["1", "cold start", async () => (baselineRuns = await figure1())]);
steps.push(["2", "slack bundle", figure2]);
steps.push(["3", "slack ack", figure3]);
steps.push(["4", "NCP paging", figure4]);
steps.push(["5", "normalisation", figure5]);
steps.push(["6", "peak RSS", () => figure6(baselineRuns)]);
steps.push(["7", "signing", figure7]);
steps.push(["8", "scale: 200 account-regions", () => figure8({ root, quick, report })]);
steps.push(["9", "observability", async () => (await import("./bench/observability.js")).figure9(root, report, quick)]);

for (const [id, name, fn] of steps) {
  if (!want(id)) continue;
  try {
    await fn();
  } catch (err) {
    report({ id, name, product: "", baseline: "", ratio: NaN, target: "", pass: null, notMeasured: `failed: ${(err as Error)?.stack?.split("\n").slice(0, 3).join(" | ") ?? String(err)}` });
  }
}

say();
say("bundle sizes:");
for (const name of ["list-images", "describe-image", "create-image", "describe-operation", "track-image", "audit-images", "slack"]) {
  say(`  dist/${name}/index.mjs${" ".repeat(Math.max(1, 20 - name.length))}${kib(size(dist(name, "index.mjs")))}`);
}
say(`  dist/bench/baseline-secrets/index.mjs ${kib(size(BASELINE_SECRETS))}   (baseline: SDK client-secrets-manager only, product build settings)`);
say(`  dist/bench/naive-slack/index.cjs      ${kib(size(NAIVE_SLACK))}   (baseline: Bolt AwsLambdaReceiver app, esbuild defaults)`);
say();
const measured = figures.filter((f) => f.notMeasured === undefined && f.pass !== null);
say(
  `${measured.filter((f) => f.pass).length} of ${measured.length} measured figures hold their target; ` +
    `MISS: ${measured.filter((f) => !f.pass).map((f) => f.id).join(", ") || "none"}; ` +
    `not measured: ${figures.filter((f) => f.notMeasured !== undefined).map((f) => f.id).join(", ") || "none"}. ` +
    `${((performance.now() - started) / 1000).toFixed(0)} s; ${suppressed} product log/warning lines → dist/bench/product.log`,
);
process.exit(0);
