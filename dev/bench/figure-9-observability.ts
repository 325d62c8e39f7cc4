/**
 * Figure 9: what observability adds to each function's cold start, measured in this run.
 * 9a: Powertools Logger + Metrics as the product bundles them, imported alone, against an empty
 *     module (the logging/metrics libraries' own share of every function's import).
 * 9b: each function's bundle imported with --enable-source-maps (as Lambda runs it, serverless.yml)
 *     against the same bundle without (the source maps' share).
 */
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import config from "../../scripts/esbuild.config.cjs";
import type { BenchContext } from "./context.js";
import { addsAtMost, childEnv, median, ms, runNode } from "./lib.js";

const FUNCTIONS = ["list-images", "describe-image", "create-image", "describe-operation", "track-image", "audit-images", "slack"];

/** Median import time of a module in fresh `node` processes, with the given flags. */
async function importMs(module: string, flags: string[], rounds: number): Promise<number> {
  const code = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(module).href)}); process.stdout.write("IMPORT_MS " + (performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const run = await runNode([...flags, "--input-type=module", "-e", code], childEnv({ AWS_REGION: "ap-northeast-2" }));
    const m = /IMPORT_MS ([\d.]+)/.exec(run.stdout);
    if (!m) throw new Error(`import of ${module} failed: ${run.stderr.slice(0, 300)}`);
    times.push(Number(m[1]));
  }
  return median(times);
}

export async function figure9(ctx: BenchContext): Promise<void> {
  const { root, report, quick } = ctx;
  const rounds = quick ? 3 : 7;
  const dir = join(root, "dist", "bench", "observability");
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, "powertools-entry.ts");
  writeFileSync(
    entry,
    'import { Logger } from "@aws-lambda-powertools/logger";\nimport { Metrics } from "@aws-lambda-powertools/metrics";\nexport const logger = new Logger({ serviceName: "bench" });\nexport const metrics = new Metrics({ namespace: "bench" });\n',
  );
  writeFileSync(join(dir, "empty.mjs"), "export {};\n");
  await build({
    ...config.bundleOptions,
    entryPoints: [entry],
    outfile: join(dir, "powertools.mjs"),
    absWorkingDir: root,
    nodePaths: [join(root, "node_modules")],
    logLevel: "warning",
  });
  const empty = await importMs(join(dir, "empty.mjs"), [], rounds);
  const powertools = await importMs(join(dir, "powertools.mjs"), [], rounds);
  report({
    id: "9a",
    name: "Powertools Logger + Metrics, import",
    product: ms(powertools),
    baseline: `${ms(empty)} (empty module)`,
    ...addsAtMost(powertools, empty, 10, "ms"),
    detail: `adds ${ms(powertools - empty)} to every function's cold start; median of ${rounds} fresh processes each`,
  });
  const rows: string[] = [];
  let worst = { fn: "", ratio: 0, maps: 0, plain: 0 };
  for (const fn of FUNCTIONS) {
    const bundle = join(root, "dist", fn, "index.mjs");
    const plain = await importMs(bundle, [], rounds);
    const maps = await importMs(bundle, ["--enable-source-maps"], rounds);
    rows.push(`${fn} ${ms(plain)} → ${ms(maps)}`);
    if (maps / plain > worst.ratio) worst = { fn, ratio: maps / plain, maps, plain };
  }
  // no target: this is the price of stack traces that name our files and lines, reported so it is a choice
  report({
    id: "9b",
    name: `--enable-source-maps on import (worst: ${worst.fn})`,
    product: ms(worst.maps),
    baseline: ms(worst.plain),
    ratio: worst.ratio,
    target: "reported",
    pass: null,
    detail: `import without → with source maps: ${rows.join("; ")}`,
  });
}
