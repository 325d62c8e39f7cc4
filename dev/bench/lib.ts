/** Small helpers of the benchmark: statistics, child processes, and the report lines. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/** Nearest-rank percentile (p in 0–100). */
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};

export const ms = (v: number): string => (v >= 100 ? `${v.toFixed(0)} ms` : v >= 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(2)} ms`);
export const kib = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(0)} KiB`;
export const mib = (kiB: number): string => `${(kiB / 1024).toFixed(1)} MiB`;
export const opsPerSec = (v: number): string => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M ops/s` : `${(v / 1e3).toFixed(0)} k ops/s`);

/** Environment for a child `node`: only what it needs (no NODE_OPTIONS, no loader of the parent). */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "TZ"];
  const env: Record<string, string> = {};
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...extra };
}

export interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** spawn → exit, as the parent saw it */
  wallMs: number;
}

export function runNode(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - t0 });
    });
  });
}

/** The BENCH_RESULT line a child printed last. */
export function childResult<T>(run: ChildRun): T {
  const marker = "BENCH_RESULT ";
  const line = run.stdout
    .split("\n")
    .reverse()
    .find((l) => l.startsWith(marker));
  if (!line) throw new Error(`child printed no result (exit ${run.code}): ${(run.stderr || run.stdout).trim().slice(-400)}`);
  return JSON.parse(line.slice(marker.length)) as T;
}

/** Time `fn` over `iterations` calls; returns ms per call. */
export function timeLoop(iterations: number, fn: (i: number) => unknown): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = fn(i);
    if (r === undefined) sink++;
  }
  const dt = performance.now() - t0;
  if (sink === -1) console.log(""); // keep the results alive
  return dt / iterations;
}

// ---- verdicts: every figure's target text and PASS/MISS come from one of these, so the text
// shown and the comparison made cannot drift apart.

/** ratio, target text and verdict of a figure whose target is "product ÷ baseline ≤ max" */
export function atMost(product: number, baseline: number, max: number, unit = ""): Pick<Figure, "ratio" | "target" | "pass"> {
  const ratio = product / baseline;
  return { ratio, target: `≤ ${max.toFixed(2)}×${unit}`, pass: ratio <= max };
}

/**
 * ratio, target text and verdict of a figure whose target is "baseline ÷ product ≥ min" (times
 * faster); without a baseline (not measured this run) the ratio is NaN and there is no verdict.
 */
export function atLeast(product: number, baseline: number | undefined, min: number): Pick<Figure, "ratio" | "target" | "pass"> {
  const ratio = baseline === undefined ? NaN : baseline / product;
  return { ratio, target: `≥ ${min.toFixed(2)}× faster`, pass: baseline === undefined ? null : ratio >= min };
}

/** target text and verdict of an absolute budget, "value ≤ max unit" (label: e.g. "p99 "); the ratio stays the figure's own */
export function below(value: number, max: number, unit: string, label = ""): Pick<Figure, "target" | "pass"> {
  return { target: `${label}≤ ${max} ${unit}`, pass: value <= max };
}

/** ratio, target text and verdict of a cost added to a baseline, "product − baseline ≤ +max unit"; a ratio would say nothing here */
export function addsAtMost(product: number, baseline: number, max: number, unit: string): Pick<Figure, "ratio" | "target" | "pass"> {
  return { ratio: NaN, target: `≤ +${max} ${unit}`, pass: product - baseline <= max };
}

/** target text and verdict of a count that must be zero */
export function none(count: number): Pick<Figure, "target" | "pass"> {
  return { target: "none", pass: count === 0 };
}

export interface Figure {
  id: string;
  name: string;
  /** product value, shown */
  product: string;
  baseline: string;
  /** product ÷ baseline (or the figure's own ratio), shown as ×; NaN when not meaningful */
  ratio: number;
  target: string;
  pass: boolean | null;
  /** an extra line under the figure */
  detail?: string;
  /** set when the figure could not be measured; product/baseline/ratio are then ignored */
  notMeasured?: string;
}

export function formatFigure(f: Figure): string {
  const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
  if (f.notMeasured !== undefined) {
    return `${pad(f.id, 4)} ${pad(f.name, 44)} not measured: ${f.notMeasured}`;
  }
  const ratio = Number.isFinite(f.ratio) ? `${f.ratio.toFixed(2)}×` : "—";
  const verdict = f.pass === null ? "—" : f.pass ? "PASS" : "MISS";
  return `${pad(f.id, 4)} ${pad(f.name, 44)} product ${pad(f.product, 25)} baseline ${pad(f.baseline, 16)} ratio ${pad(ratio, 8)} target ${pad(f.target, 18)} ${verdict}`;
}

/**
 * A helper process of the bench (the simulators or the estate in a process of their own, since a
 * real cloud does its work elsewhere): `node --import tsx <script> <config>`, ready when it prints
 * one line `<MARKER> {json}`, whose JSON is answered with `stop()` (stdin closed, then SIGKILL).
 * What it prints after that line (the product's logs) is read and dropped.
 */
export async function startHostProcess<T>(
  root: string,
  script: string,
  marker: string,
  config: unknown,
  startMs = 60_000,
): Promise<T & { stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, script), JSON.stringify(config)], {
    cwd: root,
    env: childEnv({}),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  let started = false;
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err = (err + d).slice(-2_000)));
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start: ${err.slice(-300)}`)), startMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      if (started) return;
      out += d;
      const l = out.split("\n").find((x) => x.startsWith(`${marker} `));
      if (l) (started = true), clearTimeout(timer), resolve(l);
    });
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`${script} exited (${code}): ${err.slice(-300)}`))));
  });
  return {
    ...(JSON.parse(line.slice(marker.length + 1)) as T),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.stdin.end();
        setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
      }),
  };
}
