/**
 * `npm run bench` (after `npm run build`): the seven performance figures of issue 6, figure 8
 * (an audit and the policies' scheduled runs over 200 account-regions), figure 9 (what
 * observability adds to cold starts) and figure 10 (how long a person waits for a slash command's
 * answer), each measured against a baseline taken in the same run, as
 * medians over repeated runs; one line per figure with product, baseline, ratio, target and
 * PASS/MISS, then the bundle sizes. It is a report: it exits 0 whatever the figures say.
 * Everything runs on 127.0.0.1.
 *
 * Each figure is its own module, dev/bench/figure-<n>-<name>.ts, given the context of
 * ./bench/context.ts; verdicts come from ./bench/lib.ts. Nothing runs at import: only when this
 * file is executed.
 *
 * Baseline bundles are built here into dist/bench/. What the product prints meanwhile (its JSON
 * log lines, SDK and Bolt warnings) is kept out of the report, in dist/bench/product.log.
 *
 *   npm run bench                      build, then all figures (about 4–5 minutes, 8 takes 2–3)
 *   npx tsx dev/bench.ts --only=1,5   some figures, against the current dist/
 *   npx tsx dev/bench.ts --quick      fewer repetitions
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { type BenchContext, benchContext, size } from "./bench/context.js";
import { figure1 } from "./bench/figure-1-cold-start.js";
import { figure2 } from "./bench/figure-2-slack-bundle.js";
import { figure3 } from "./bench/figure-3-slack-ack.js";
import { figure4 } from "./bench/figure-4-ncp-paging.js";
import { figure5 } from "./bench/figure-5-normalisation.js";
import { figure6 } from "./bench/figure-6-peak-rss.js";
import { figure7 } from "./bench/figure-7-signing.js";
import { figure8 } from "./bench/figure-8-scale.js";
import { figure9 } from "./bench/figure-9-observability.js";
import { figure10 } from "./bench/figure-10-slack-answer.js";
import { type Figure, formatFigure, kib } from "./bench/lib.js";
import { BUNDLE_OPTIONS } from "../scripts/build.js";

/** In the order they run; `--only=` picks by these ids. Figure 6 reuses figure 1's baseline runs when 1 ran. */
const FIGURES: Array<[id: string, name: string, run: (ctx: BenchContext) => Promise<void>]> = [
  ["1", "cold start", figure1],
  ["2", "slack bundle", figure2],
  ["3", "slack ack", figure3],
  ["4", "NCP paging", figure4],
  ["5", "normalisation", figure5],
  ["6", "peak RSS", figure6],
  ["7", "signing", figure7],
  ["8", "scale: 200 account-regions", figure8],
  ["9", "observability", figure9],
  ["10", "slash command to answer", figure10],
];

const FUNCTIONS = ["list-images", "describe-image", "create-image", "describe-operation", "track-image", "audit-images", "slack"];

/** Send what `keep` refuses to `log` instead of the terminal; returns how many writes went there so far. */
function divert(stream: NodeJS.WriteStream, keep: (text: string) => boolean, log: string): () => number {
  let diverted = 0;
  const write = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (keep(text)) return write(chunk, ...rest);
    diverted++;
    appendFileSync(log, text.endsWith("\n") ? text : `${text}\n`);
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof stream.write;
  return () => diverted;
}

async function buildBaselines({ root, baselines }: BenchContext): Promise<void> {
  await Promise.all([
    // the product's own settings (scripts/build.ts), so the bundles compare like for like
    build({
      entryPoints: [join(root, "dev", "bench", "baseline-secrets.ts")],
      outfile: baselines.secrets,
      ...BUNDLE_OPTIONS,
      logLevel: "error",
    }),
    // esbuild's defaults: bundle, platform node (→ CommonJS), no minify, no aliasing
    build({
      entryPoints: [join(root, "dev", "bench", "naive-slack.ts")],
      outfile: baselines.naiveSlack,
      bundle: true,
      platform: "node",
      logLevel: "error",
    }),
  ]);
}

async function main(argv: string[]): Promise<void> {
  const started = performance.now();
  const quick = argv.includes("--quick");
  const only = argv
    .find((a) => a.startsWith("--only="))
    ?.slice("--only=".length)
    .split(",");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const benchDir = join(root, "dist", "bench");
  mkdirSync(benchDir, { recursive: true });

  // The bundles (and the in-process local stack) log JSON lines to stdout and warnings to stderr
  // (the AWS SDK's Node version notice, Bolt's logger): keep them out of the report, in a file.
  const productLog = join(benchDir, "product.log");
  writeFileSync(productLog, "");
  // log lines and EMF metric lines ({"_aws": …}) are the product's, not the report's
  const fromStdout = divert(process.stdout, (text) => !text.startsWith('{"level":') && !text.startsWith('{"_aws":'), productLog);
  const fromStderr = divert(process.stderr, () => false, productLog);

  const say = (line = "") => console.log(line);
  const figures: Figure[] = [];
  const report = (f: Figure): void => {
    figures.push(f);
    say(formatFigure(f));
    if (f.detail) for (const l of f.detail.split("\n")) say(`       ${l}`);
  };

  // Whatever happens, the report ends and the process exits 0 well inside 10 minutes (figure 8's
  // two sequential passes over 200 account-regions take most of a minute each).
  const watchdog = setTimeout(() => {
    say(`\nbench: stopped by its 540 s watchdog; figures not reached are missing above.`);
    process.exit(0);
  }, 540_000);
  watchdog.unref();

  const ctx = benchContext(root, quick, report);
  say(`imageops bench — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores${quick ? " — quick" : ""}`);
  say(`ratios are product ÷ baseline (figure 4: baseline ÷ product), medians over repeated runs in this same process run`);
  say();
  await buildBaselines(ctx);

  for (const [id, name, run] of FIGURES) {
    if (only && !only.includes(id)) continue;
    try {
      await run(ctx);
    } catch (err) {
      report({
        id,
        name,
        product: "",
        baseline: "",
        ratio: NaN,
        target: "",
        pass: null,
        notMeasured: `failed: ${(err as Error)?.stack?.split("\n").slice(0, 3).join(" | ") ?? String(err)}`,
      });
    }
  }

  say();
  say("bundle sizes:");
  for (const name of FUNCTIONS)
    say(`  dist/${name}/index.mjs${" ".repeat(Math.max(1, 20 - name.length))}${kib(size(ctx.dist(name, "index.mjs")))}`);
  say(
    `  dist/bench/baseline-secrets/index.mjs ${kib(size(ctx.baselines.secrets))}   (baseline: SDK client-secrets-manager only, product build settings)`,
  );
  say(
    `  dist/bench/naive-slack/index.cjs      ${kib(size(ctx.baselines.naiveSlack))}   (baseline: Bolt AwsLambdaReceiver app, esbuild defaults)`,
  );
  say();
  const measured = figures.filter((f) => f.notMeasured === undefined && f.pass !== null);
  say(
    `${measured.filter((f) => f.pass).length} of ${measured.length} measured figures hold their target; ` +
      `MISS: ${
        measured
          .filter((f) => !f.pass)
          .map((f) => f.id)
          .join(", ") || "none"
      }; ` +
      `not measured: ${
        figures
          .filter((f) => f.notMeasured !== undefined)
          .map((f) => f.id)
          .join(", ") || "none"
      }. ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s; ${fromStdout() + fromStderr()} product log/warning lines → dist/bench/product.log`,
  );
  process.exit(0);
}

// only when executed (`tsx dev/bench.ts`), as scripts/build.ts does: importing this file does nothing
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
