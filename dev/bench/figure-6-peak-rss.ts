/** Figure 6: peak RSS of list-images listing about 10,000 images of three clouds, against a 128 MiB budget. */
import { startClouds } from "../sim/clouds.js";
import type { BenchContext, ColdResult } from "./context.js";
import { below, childEnv, median, mib, ms } from "./lib.js";

export async function figure6(ctx: BenchContext): Promise<void> {
  const { dist, quick, report, coldRun, baselineRuns } = ctx;
  // ~10,000 images in total; iwinv kept to a few pages (its API allows 60 requests a minute)
  const clouds = await startClouds({ ncp: 8_000, scp: 1_500, iwinv: 480 });
  try {
    const total = Object.values(clouds.counts).reduce((a, b) => a + b, 0);
    const env = childEnv(clouds.env);
    const runs = quick ? 3 : 5;
    const r: ColdResult[] = [];
    for (let i = 0; i < runs; i++) r.push(await coldRun(dist("list-images", "index.mjs"), env, { limit: 1000 }));
    const bad = r.find((x) => x.answer?.images !== 1000 || (x.answer.errors?.length ?? 0) > 0);
    if (!baselineRuns.length) for (let i = 0; i < 3; i++) baselineRuns.push(await coldRun(ctx.baselines.secrets, env, {}));
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
        `highest VmHWM of ${runs} fresh processes (median ${mib(median(r.map((x) => x.peakRssKiB)))}) listing ${total} images (${Object.entries(
          clouds.counts,
        )
          .map(([p, n]) => `${p} ${n}`)
          .join(", ")}) with limit 1000, in ${ms(median(r.map((x) => x.callMs ?? 0)))}` +
        `; baseline: the baseline-secrets process (node + SDK floor)` +
        (bad ? `\nWARNING: a run answered ${JSON.stringify(bad.answer)}` : ""),
    });
  } finally {
    await clouds.stop();
  }
}
