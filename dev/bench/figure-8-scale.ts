/**
 * Figure 8: scale, measured. An audit and a policy-like pass over 200 account-regions (the estate
 * of ./scale-host.ts: one simulator per account, each with its own key, 200 ms a page), each the
 * product's run against one sequential pass over the same account-regions, in fresh processes:
 *
 *   8a  audit-images (the built bundle, on-demand: with its memory in dynalite, no Slack) vs
 *       ./scale-passes.ts audit-sequential: wall time of the call; target ≥ 10× faster
 *   8b  the audit's peak RSS (VmHWM); target ≤ 256 MiB, half of the function's 512 MB
 *   8c  limits at the simulators during every pass: 429/417 answers (iwinv answers 429 past its
 *       documented 60 a minute per key), iwinv requests in any 60 s per key (≤ 60), and the most
 *       requests in flight per key against each adapter's declared concurrency (NCP 12, SCP 8,
 *       iwinv 4: NCP and SCP document no limit); target: none exceeded
 *   8d  the policy-like pass (list custom images, then create one image where the cloud can) vs
 *       policy-sequential; run-policy is the lifecycle work, not on this branch; target ≥ 10× faster
 *
 * Counters and iwinv's windows are reset before each pass (the runs are as if a minute apart).
 * The sequential passes are measured once (they take most of a minute each); `--quick` skips them
 * and says so.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { BUNDLE_OPTIONS } from "../../scripts/build.js";
import type { BenchContext } from "./context.js";
import { atLeast, below, childEnv, childResult, median, mib, ms, none, runNode } from "./lib.js";

interface Host {
  admin: string;
  env: Record<string, string>;
  accounts: Array<{ provider: string; regions: string[] }>;
  images: Record<"ncp" | "scp" | "iwinv", number>;
  stop(): Promise<void>;
}
interface Counters {
  requests: number;
  limitAnswers: number;
  maxInFlightPerKey: number;
  maxPerMinutePerKey: number;
}
type Stats = Record<"ncp" | "scp" | "iwinv", Counters> & { maxConnections: number };
interface Run {
  ok: boolean;
  error?: string;
  callMs: number;
  peakRssKiB: number;
  answer?: Record<string, unknown> & { errors?: string[] };
}

/** Declared per key (shared/providers/*\/client.ts limits) — NCP and SCP document none of their own. */
const CONCURRENCY = { ncp: 12, scp: 8, iwinv: 4 } as const;
const IWINV_PER_MINUTE = 60;

async function startHost(root: string): Promise<Host> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "dev", "bench", "scale-host.ts"), "200"], {
    cwd: root,
    env: childEnv({}),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scale host did not start: ${err.slice(-300)}`)), 60_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const l = out.split("\n").find((x) => x.startsWith("SCALE_HOST "));
      if (l) clearTimeout(timer), resolve(l);
    });
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`scale host exited (${code}): ${err.slice(-300)}`))));
  });
  const info = JSON.parse(line.slice("SCALE_HOST ".length)) as Omit<Host, "stop">;
  return {
    ...info,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}

const admin = async (host: Host, path: string, body?: unknown) => {
  const res = await fetch(`${host.admin}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return res.json() as Promise<unknown>;
};

/** What went over a limit in one pass (empty: nothing). */
function overLimits(s: Stats): string[] {
  const over: string[] = [];
  for (const p of ["ncp", "scp", "iwinv"] as const) {
    if (s[p].limitAnswers) over.push(`${p}: ${s[p].limitAnswers} 429/417 answers`);
    if (s[p].maxInFlightPerKey > CONCURRENCY[p])
      over.push(`${p}: ${s[p].maxInFlightPerKey} requests in flight on one key (declared ${CONCURRENCY[p]})`);
  }
  if (s.iwinv.maxPerMinutePerKey > IWINV_PER_MINUTE)
    over.push(`iwinv: ${s.iwinv.maxPerMinutePerKey} requests in 60 s on one key (documented ${IWINV_PER_MINUTE})`);
  return over;
}
const seen = (s: Stats) =>
  `requests ncp ${s.ncp.requests} / scp ${s.scp.requests} / iwinv ${s.iwinv.requests}; most in flight per key ${s.ncp.maxInFlightPerKey}/${s.scp.maxInFlightPerKey}/${s.iwinv.maxInFlightPerKey} (declared ${CONCURRENCY.ncp}/${CONCURRENCY.scp}/${CONCURRENCY.iwinv}); iwinv most in 60 s per key ${s.iwinv.maxPerMinutePerKey}; 429/417 ${s.ncp.limitAnswers + s.scp.limitAnswers + s.iwinv.limitAnswers}; connections open at once ${s.maxConnections}`;

export async function figure8(o: BenchContext): Promise<void> {
  const { dist } = o;
  const CHILD = join(o.root, "dev", "bench", "cold-start-child.mjs");
  const PASSES = dist("bench", "scale-passes", "index.mjs");
  await build({ entryPoints: [join(o.root, "dev", "bench", "scale-passes.ts")], outfile: PASSES, ...BUNDLE_OPTIONS, logLevel: "error" });
  const host = await startHost(o.root);
  try {
    const regions = host.accounts.reduce((n, a) => n + a.regions.length, 0);
    const estate = `${regions} account-regions (ncp ${host.accounts.filter((a) => a.provider === "ncp").length}, scp ${host.accounts.filter((a) => a.provider === "scp").length}, iwinv ${host.accounts.filter((a) => a.provider === "iwinv").length} accounts × 4 zones), ${host.images.ncp + host.images.scp + host.images.iwinv} images`;
    const env = childEnv(host.env);
    const pass = async (module: string, event: unknown, timeoutMs: number): Promise<{ run: Run; stats: Stats; wallMs: number }> => {
      await admin(host, "/reset", {});
      const r = await runNode([CHILD, JSON.stringify({ module, event, timeoutMs })], env, timeoutMs + 60_000);
      const run = childResult<Run>(r);
      if (!run.ok) throw new Error(`${module.replace(o.root, "")} ${JSON.stringify(event)}: ${run.error}`);
      return { run, stats: (await admin(host, "/stats")) as Stats, wallMs: r.wallMs };
    };

    // ---- the audit: the product (median of fresh processes), then one sequential pass
    const runs = o.quick ? 2 : 3;
    const product: Array<{ run: Run; stats: Stats }> = [];
    for (let i = 0; i < runs; i++) product.push(await pass(dist("audit-images", "index.mjs"), {}, 300_000));
    const sequential = o.quick ? undefined : await pass(PASSES, { pass: "audit-sequential" }, 900_000);
    const p = median(product.map((r) => r.run.callMs));
    const violations = [...product, ...(sequential ? [sequential] : [])].flatMap((r) => overLimits(r.stats));
    const a0 = product[0]!.run.answer ?? {};
    const errs = product.flatMap((r) => r.run.answer?.errors ?? []);
    o.report({
      id: "8a",
      name: "audit, 200 account-regions, 200 ms a page",
      product: ms(p),
      baseline: sequential ? ms(sequential.run.callMs) : "—",
      ...atLeast(p, sequential?.run.callMs, 10),
      detail:
        `${estate}; audit-images bundle, on demand, memory in dynalite (median of ${runs} fresh processes: ${product.map((r) => ms(r.run.callMs)).join(", ")}) vs every account-region one after another through the same adapters (scale-passes.ts audit-sequential)` +
        `\naudited ${a0.auditedImages ?? "?"} images, ${a0.findings ?? "?"} findings; errors ${JSON.stringify(errs)}` +
        (sequential
          ? `; sequential: ${sequential.run.answer?.images ?? "?"} images, ${sequential.run.answer?.findings ?? "?"} findings, errors ${JSON.stringify(sequential.run.answer?.errors ?? [])}`
          : "; sequential pass skipped (--quick)") +
        `\nat the clouds, product: ${seen(product[0]!.stats)}`,
    });
    const peak = Math.max(...product.map((r) => r.run.peakRssKiB));
    o.report({
      id: "8b",
      name: "audit peak RSS, 200 account-regions",
      product: mib(peak),
      baseline: "512 MB fn",
      ratio: peak / ((512 * 1000 * 1000) / 1024),
      ...below(peak / 1024, 256, "MiB"),
      detail: `highest VmHWM of the ${runs} audit processes (node, the bundle, every image of the estate, the findings and the memory)${sequential ? `; the sequential pass: ${mib(sequential.run.peakRssKiB)}` : ""}`,
    });

    // ---- a policy-like pass (run-policy is not on this branch)
    const hasRunPolicy = existsSync(dist("run-policy", "index.mjs"));
    const policy: Array<{ run: Run; stats: Stats }> = [];
    for (let i = 0; i < runs; i++) policy.push(await pass(PASSES, { pass: "policy", run: i + 1 }, 300_000));
    const policySeq = o.quick ? undefined : await pass(PASSES, { pass: "policy-sequential", run: 99 }, 900_000);
    const pp = median(policy.map((r) => r.run.callMs));
    violations.push(...[...policy, ...(policySeq ? [policySeq] : [])].flatMap((r) => overLimits(r.stats)));
    const pa = policy[0]!.run.answer ?? {};
    o.report({
      id: "8d",
      name: "policy-like pass, 200 account-regions",
      product: ms(pp),
      baseline: policySeq ? ms(policySeq.run.callMs) : "—",
      ...atLeast(pp, policySeq?.run.callMs, 10),
      detail:
        `${hasRunPolicy ? "dist/run-policy exists, but this figure still measures the policy-like pass: " : "run-policy is not on this branch: "}per account-region, list its custom images, then create one image from its server (ncp, scp; iwinv cannot create), through the product's fanOut vs one after another (scale-passes.ts)` +
        `\n${pa.listed ?? "?"} custom images listed, ${pa.created ?? "?"} images created per pass; errors ${JSON.stringify(policy.flatMap((r) => r.run.answer?.errors ?? []))}${policySeq ? `, sequential ${JSON.stringify(policySeq.run.answer?.errors ?? [])}` : " (sequential skipped: --quick)"}` +
        `; median of ${runs}: ${policy.map((r) => ms(r.run.callMs)).join(", ")}; peak RSS ${mib(Math.max(...policy.map((r) => r.run.peakRssKiB)))}` +
        `\nat the clouds, product: ${seen(policy[0]!.stats)}`,
    });
    o.report({
      id: "8c",
      name: "provider limits exceeded, every pass of 8",
      product: String(violations.length),
      baseline: "0",
      ratio: NaN,
      ...none(violations.length),
      detail: violations.length
        ? violations.join("\n")
        : `${product.length + policy.length + (sequential ? 1 : 0) + (policySeq ? 1 : 0)} passes: no 429/417 answer, no key over its concurrency, no iwinv key over 60 requests in any 60 s`,
    });
  } finally {
    await host.stop();
  }
}
