/** Figure 2: the slack bundle's size (2a) and import time (2b) against a naive Bolt bundle. */
import { type BenchContext, size, topPackages } from "./context.js";
import { atMost, childEnv, kib, median, ms } from "./lib.js";

export async function figure2(ctx: BenchContext): Promise<void> {
  const { dist, quick, coldRun } = ctx;
  const product = dist("slack", "index.mjs");
  const naive = ctx.baselines.naiveSlack;
  const naiveSize = size(naive);
  const productSize = size(product);
  ctx.report({
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
  await coldRun(naive, env);
  const runs = quick ? 5 : 9;
  const p: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    p.push((await coldRun(product, env)).importMs);
    b.push((await coldRun(naive, env)).importMs);
  }
  const pm = median(p);
  const bm = median(b);
  ctx.report({
    id: "2b",
    name: "slack bundle load time (import)",
    product: ms(pm),
    baseline: ms(bm),
    ...atMost(pm, bm, 0.5),
    detail: `median of ${runs} fresh processes each (time to import the module)`,
  });
}
