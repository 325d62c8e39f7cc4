/** Figure 7: time per signature of each provider's signer against a bare createHmac over the same string. */
import { createHmac } from "node:crypto";
import { DEMO_KEYS } from "../sim/demo.js";
import type { BenchContext } from "./context.js";
import { atMost, median, opsPerSec, timeLoop } from "./lib.js";

export async function figure7(ctx: BenchContext): Promise<void> {
  const { quick, report } = ctx;
  const { ncpHeaders } = await import("../../shared/providers/ncp/signer.js");
  const { buildScpUrl, scpHeaders, SCP_CLIENT_TYPE } = await import("../../shared/providers/scp/signer.js");
  const { iwinvHeaders } = await import("../../shared/providers/iwinv/signer.js");
  const tsMs = Date.now();
  const tsS = Math.floor(tsMs / 1000);
  const ncpKey = DEMO_KEYS.ncp;
  const scpKey = DEMO_KEYS.scp;
  const iwKey = DEMO_KEYS.iwinv;
  // every NCP call is a form POST that signs the path only (shared/providers/ncp/wire.ts)
  const ncpPath = "/vserver/v2/getServerImageList";
  const scpUrl = buildScpUrl("https://virtualserver.kr-west1.e.samsungsdscloud.com", "/v1/images", {
    limit: 100,
    marker: "00000000-0000-4000-8000-000000000064",
    visibility: "private",
  });
  const iwPath = "/v1/images";
  const cases: Array<{ provider: string; request: string; product: () => unknown; bare: () => unknown }> = [
    {
      provider: "ncp",
      request: `POST ${ncpPath}`,
      product: () => ncpHeaders("POST", ncpPath, tsMs, ncpKey.accessKey, ncpKey.secretKey),
      bare: (
        (s: string) => () =>
          createHmac("sha256", ncpKey.secretKey).update(s).digest("base64")
      )(`POST ${ncpPath}\n${tsMs}\n${ncpKey.accessKey}`),
    },
    {
      provider: "scp",
      request: `GET ${scpUrl}`,
      product: () => scpHeaders("GET", scpUrl, tsMs, scpKey.accessKey, scpKey.secretKey),
      bare: (
        (s: string) => () =>
          createHmac("sha256", scpKey.secretKey).update(s, "utf8").digest("base64")
      )(`GET${scpUrl}${tsMs}${scpKey.accessKey}${SCP_CLIENT_TYPE}`),
    },
    {
      provider: "iwinv",
      request: `GET ${iwPath}?zone_id=kr2-z01&page_no=2&page_size=100`,
      product: () => iwinvHeaders(iwPath, tsS, iwKey.accessKey, iwKey.secretKey),
      bare: (
        (s: string) => () =>
          createHmac("sha256", iwKey.secretKey).update(s, "utf8").digest("hex")
      )(`${tsS}${iwPath}`),
    },
  ];
  for (const c of cases) {
    const batch = 20_000;
    timeLoop(batch, c.product);
    timeLoop(batch, c.bare);
    const rounds = quick ? 5 : 9;
    const p: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < rounds; i++) {
      b.push(timeLoop(batch, c.bare));
      p.push(timeLoop(batch, c.product));
    }
    const pm = median(p);
    const bm = median(b);
    report({
      id: `7${c.provider === "ncp" ? "a" : c.provider === "scp" ? "b" : "c"}`,
      name: `signing ${c.provider} (time per signature)`,
      product: opsPerSec(1000 / pm),
      baseline: opsPerSec(1000 / bm),
      ...atMost(pm, bm, 1.5, " time"),
      detail: `median of ${rounds} × ${batch.toLocaleString("en")}; ${c.provider}Headers() vs bare createHmac().update(same string).digest(); request ${c.request.slice(0, 110)}`,
    });
  }
}
