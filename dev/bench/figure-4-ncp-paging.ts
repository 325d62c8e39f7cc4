/**
 * Figure 4: listing 10,000 NCP images at 50 ms a page, the product's ncpAdapter.listImages against
 * the same pages one after another through the same client, simulators in a process of their own.
 */
import { performance } from "node:perf_hooks";
import type { HttpClient } from "../../shared/http/client.js";
import type { Image, ProviderName } from "../../shared/model/image.js";
import { type Runtime, callContext } from "../../shared/runtime.js";
import { ncpSeedServerRows } from "../sim/ncp.js";
import { DEMO_KEYS } from "../sim/demo.js";
import type { BenchContext } from "./context.js";
import { atLeast, median, ms, startHostProcess } from "./lib.js";

interface PagingResult {
  product: number;
  sequential: number;
  productImages: number;
  sequentialImages: number;
  rounds: number;
}

/** The product's ncpAdapter.listImages vs one-page-at-a-time paging, against simulators in their own process. */
async function ncpPaging(root: string, total: number, cacheNcpPages: boolean, rounds: number, latencyMs = 50): Promise<PagingResult> {
  const { normalizeNcpMemberImage, normalizeNcpServerImage } = await import("../../shared/providers/ncp/normalize.js");
  const { ncpRequest } = await import("../../shared/providers/ncp/wire.js");
  const { ncpAdapter } = await import("../../shared/providers/ncp/client.js");
  const host = await startSimHost(root, { ncp: total - ncpSeedServerRows(), cacheNcpPages });
  try {
    const res = await fetch(`${host.urls.ncp}/__sim/faults`, { method: "POST", body: JSON.stringify({ latencyMs }) });
    if (!res.ok) throw new Error(`could not set NCP simulator latency: HTTP ${res.status}`);
    const account = { provider: "ncp" as const, name: "bench", ...DEMO_KEYS.ncp, regions: ["KR"], endpoint: host.urls.ncp };
    const rt = { now: Date.now } as unknown as Runtime;
    const ctx = callContext(rt, { account, region: "KR" });

    const adapter = ncpAdapter();
    const productList = () => adapter.listImages(ctx, {});
    // baseline: the same endpoints, same client, same parsing and normalisation — one page at a time
    const http: HttpClient = ctx.http;
    const where = { account: account.name, region: "KR" };
    const pageSize = 1000;
    const sequentialList = async (): Promise<Image[]> => {
      const seen = new Set<string>();
      const out: Image[] = [];
      const lists: Array<
        [
          "getServerImageList" | "getMemberServerImageInstanceList",
          string,
          Record<string, string[]>,
          (raw: unknown, w: typeof where) => Image,
        ]
      > = [
        ["getServerImageList", "serverImageList", { serverImageTypeCodeList: ["NCP", "SELF"] }, normalizeNcpServerImage],
        ["getMemberServerImageInstanceList", "memberServerImageInstanceList", {}, normalizeNcpMemberImage],
      ];
      for (const [action, key, params, normalize] of lists) {
        for (let page = 1; ; page++) {
          // the product's own wire form (form POST), so the baseline differs only in paging
          const r = await http.request(
            ncpRequest(account.endpoint, action, { regionCode: "KR", ...params, pageNo: page, pageSize }, account, true),
          );
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

export async function figure4(ctx: BenchContext): Promise<void> {
  const { root, quick, report } = ctx;
  const total = 10_000;
  const pageSize = 1000;
  const rounds = quick ? 3 : 5;
  const cached = await ncpPaging(root, total, true, rounds);
  const raw = await ncpPaging(root, total, false, quick ? 1 : 3);
  const slow = await ncpPaging(root, total, true, quick ? 1 : 2, 200);
  // no latency at all: what is left is the client's own work (transport, JSON.parse, normalisation)
  const cpu = await ncpPaging(root, total, true, 3, 0);
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

/** The simulators in a process of their own (./sim-host.ts). */
interface SimHost {
  urls: Record<ProviderName, string>;
  env: Record<string, string>;
  counts: Record<string, number>;
}

const startSimHost = (root: string, config: Record<string, number | boolean>) =>
  startHostProcess<SimHost>(root, "dev/bench/sim-host.ts", "SIM_HOST", config, 30_000);
