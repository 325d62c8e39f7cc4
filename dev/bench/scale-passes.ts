/**
 * Figure 8's other passes, bundled with the product's own build options (dist/bench/scale-passes/)
 * and run like the product in a fresh process (cold-start-child.mjs), so that wall time and peak
 * RSS are measured alike:
 *
 * - `audit-sequential`: the baseline of the audit — every account-region listed one after another
 *   by the same adapters and client (each region's own requests as the adapter makes them), then
 *   the same rules; no memory, no Slack.
 * - `policy`: a policy-like pass while run-policy is not on this branch — for every account-region
 *   at once (the product's fanOut, as list-images and the audit do), list its custom images, then
 *   create one image from the region's server where the cloud can create (NCP, SCP; iwinv cannot).
 *   The create goes straight to the adapter, without create-image's operation record.
 * - `policy-sequential`: the same, one account-region after another.
 */
import { auditConfig } from "../../shared/audit/config.js";
import { identify } from "../../shared/audit/memory.js";
import { RULES } from "../../shared/audit/rules.js";
import type { Image } from "../../shared/model/image.js";
import { fanOut, lambdaRuntime, type Target, withTarget } from "../../shared/runtime.js";
import type { CallContext, ProviderAdapter } from "../../shared/providers/types.js";
import { DEMO_SERVERS } from "../sim/demo.js";

type Pass = "audit-sequential" | "policy" | "policy-sequential";
const SERVER: Record<string, string> = { ncp: DEMO_SERVERS.ncp.kvm, scp: DEMO_SERVERS.scp.active };

export async function handler(event: { pass: Pass; run?: number }, context?: { getRemainingTimeInMillis?: () => number }) {
  const rt = lambdaRuntime(context);
  const creds = await rt.credentials.get();
  const targets: Target[] = creds.accounts.flatMap((account) => account.regions.map((region) => ({ account, region })));
  const where = (t: Target) => ({ provider: t.account.provider, account: t.account.name, region: t.region });
  let seq = 0;
  const policyStep = async (ctx: CallContext, adapter: ProviderAdapter) => {
    const custom = await adapter.listImages(ctx, { scope: "custom" });
    if (!adapter.supportsCreate) return { listed: custom.length, created: 0 };
    const name = `bench-p${event.run ?? 0}-${String(++seq).padStart(4, "0")}`;
    await adapter.createImage(ctx, { serverId: SERVER[adapter.name]!, name });
    return { listed: custom.length, created: 1 };
  };

  if (event.pass === "policy") {
    const { results, errors } = await fanOut(rt, targets, policyStep);
    return {
      targets: targets.length,
      listed: results.reduce((n, r) => n + r.value.listed, 0),
      created: results.reduce((n, r) => n + r.value.created, 0),
      errors,
    };
  }
  const errors: Array<{ provider: string; code: string }> = [];
  if (event.pass === "policy-sequential") {
    let listed = 0;
    let created = 0;
    for (const t of targets) {
      try {
        const r = await withTarget(rt, where(t), policyStep);
        listed += r.listed;
        created += r.created;
      } catch (err) {
        errors.push({ provider: t.account.provider, code: (err as { code?: string }).code ?? "ERROR" });
      }
    }
    return { targets: targets.length, listed, created, errors };
  }
  // audit-sequential
  const images: Image[] = [];
  for (const t of targets) {
    try {
      images.push(...(await withTarget(rt, where(t), (ctx, adapter) => adapter.listImages(ctx))));
    } catch (err) {
      errors.push({ provider: t.account.provider, code: (err as { code?: string }).code ?? "ERROR" });
    }
  }
  const config = auditConfig();
  const imageOf = new Map(images.map((i) => [`${i.provider}\u0000${i.account}\u0000${i.region}\u0000${i.id}`, i]));
  const findings = Object.values(RULES)
    .flatMap((rule) => rule(images, config))
    .map((f) => identify(f, imageOf.get(`${f.provider}\u0000${f.account}\u0000${f.region}\u0000${f.imageId}`)));
  return { targets: targets.length, images: images.length, findings: findings.length, errors };
}
