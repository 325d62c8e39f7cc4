/**
 * What every figure is given: where the repository and its bundles are, `--quick`, the report, and
 * the measurements several figures share (a bundle's cold start in a fresh process, the baseline
 * bundles). Nothing here runs at import; dev/bench.ts builds one context and passes it on.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type ChildRun, type Figure, childResult, kib, runNode } from "./lib.js";

export interface ColdResult {
  ok: boolean;
  error?: string;
  bootMs: number;
  importMs: number;
  callMs?: number;
  coldMs: number;
  peakRssKiB: number;
  answer?: { statusCode?: number; images?: number; errors?: string[]; text?: string };
}

export interface BenchContext {
  root: string;
  /** a path under dist/ */
  dist(...p: string[]): string;
  quick: boolean;
  report(f: Figure): void;
  /** the bundles built by dev/bench.ts to measure against */
  baselines: { secrets: string; naiveSlack: string };
  /** the baseline-secrets cold runs of figure 1, reused by figure 6 (which takes its own when empty) */
  baselineRuns: ColdResult[];
  /** one fresh `node` process that imports `module` and, given an event, calls its handler once */
  coldRun(module: string, env: Record<string, string>, event?: unknown): Promise<ColdResult & { wallMs: number }>;
}

export function benchContext(root: string, quick: boolean, report: (f: Figure) => void): BenchContext {
  const dist = (...p: string[]) => join(root, "dist", ...p);
  const child = join(root, "dev", "bench", "cold-start-child.mjs");
  return {
    root,
    dist,
    quick,
    report,
    baselines: { secrets: dist("bench", "baseline-secrets", "index.mjs"), naiveSlack: dist("bench", "naive-slack", "index.cjs") },
    baselineRuns: [],
    async coldRun(module, env, event) {
      const run: ChildRun = await runNode([child, JSON.stringify({ module, event })], env, 60_000);
      const r = childResult<ColdResult>(run);
      if (!r.ok) throw new Error(`${module.replace(root, "")}: ${r.error}`);
      return { ...r, wallMs: run.wallMs };
    },
  };
}

/** A file's size in bytes, 0 when it is not there (a bundle not built). */
export const size = (file: string): number => (existsSync(file) ? statSync(file).size : 0);

/** The biggest packages in a bundle, from its esbuild metafile: "zod 444 KiB, @smithy/core 196 KiB, …". */
export function topPackages(metaFile: string, count: number): string {
  if (!existsSync(metaFile)) return "(no metafile)";
  const meta = JSON.parse(readFileSync(metaFile, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bytes = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [path, info] of Object.entries(output.inputs)) {
      const after = path.split("node_modules/").pop()!.split("/");
      const name = path.includes("node_modules/")
        ? after[0]!.startsWith("@")
          ? `${after[0]}/${after[1]}`
          : after[0]!
        : after.slice(0, 2).join("/");
      bytes.set(name, (bytes.get(name) ?? 0) + info.bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([n, b]) => `${n} ${kib(b)}`)
    .join(", ");
}
