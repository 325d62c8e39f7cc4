/** Figure 1: cold start of list-images (import + first call) against the SDK floor, baseline-secrets. */
import { startClouds } from "../sim/clouds.js";
import { type BenchContext, type ColdResult, size, topPackages } from "./context.js";
import { atMost, childEnv, kib, median, ms } from "./lib.js";

export async function figure1(ctx: BenchContext): Promise<void> {
  const { dist, quick, coldRun } = ctx;
  const baseline = ctx.baselines.secrets;
  const clouds = await startClouds({});
  try {
    const env = childEnv(clouds.env);
    const product = dist("list-images", "index.mjs");
    const event = { limit: 100 };
    // one of each to warm the page cache (not counted)
    await coldRun(product, env, event);
    await coldRun(baseline, env, {});
    const runs = quick ? 5 : 9;
    const p: Array<ColdResult & { wallMs: number }> = [];
    const b: Array<ColdResult & { wallMs: number }> = [];
    for (let i = 0; i < runs; i++) {
      // interleaved, so drift in machine load hits both alike
      p.push(await coldRun(product, env, event));
      b.push(await coldRun(baseline, env, {}));
    }
    ctx.baselineRuns.push(...b);
    const bad = p.find((r) => !r.answer?.images || (r.answer.errors?.length ?? 0) > 0);
    const pm = median(p.map((r) => r.coldMs));
    const bm = median(b.map((r) => r.coldMs));
    ctx.report({
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
        `\nbundles: dist/list-images/index.mjs ${kib(size(product))}, baseline dist/bench/baseline-secrets/index.mjs ${kib(size(baseline))}` +
        `\nlargest in dist/list-images: ${topPackages(dist("list-images", "meta.json"), 5)}` +
        (bad ? `\nWARNING: a product run answered ${JSON.stringify(bad.answer)}` : ""),
    });
  } finally {
    await clouds.stop();
  }
}
