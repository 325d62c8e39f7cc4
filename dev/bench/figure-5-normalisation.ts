/** Figure 5: each provider's normalizer over 10,000 parsed records against JSON.parse of the same payload. */
import type { Image } from "../../shared/model/image.js";
import type { BenchContext } from "./context.js";
import { atMost, kib, median, ms, timeLoop } from "./lib.js";

export async function figure5(ctx: BenchContext): Promise<void> {
  const { quick, report } = ctx;
  const { NcpSim } = await import("../sim/ncp.js");
  const { ScpSim } = await import("../sim/scp.js");
  const { IwinvSim } = await import("../sim/iwinv.js");
  const { normalizeNcpServerImage } = await import("../../shared/providers/ncp/normalize.js");
  const { normalizeScpImage } = await import("../../shared/providers/scp/normalize.js");
  const { normalizeIwinvImage } = await import("../../shared/providers/iwinv/normalize.js");
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
            serverImageList: [...new NcpSim({ generatedImages: n }).images.values()]
              .filter((i) => i.kind === "server")
              .slice(-n)
              .map((i) => i.raw),
            requestId: "bench",
            returnCode: "0",
            returnMessage: "success",
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
      make: () =>
        JSON.stringify({
          code: "0x00",
          error_code: "SUCCESS",
          message: "",
          result: new IwinvSim({ generatedImages: n }).images.slice(-n),
          count: n,
          page_no: 1,
          page_size: n,
        }),
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
