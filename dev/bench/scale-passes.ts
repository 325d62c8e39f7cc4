/**
 * Figure 8's sequential audit, bundled with the product's own build options
 * (dist/bench/scale-passes/) and run like the product in a fresh process (cold-start-child.mjs), so
 * that wall time and peak RSS are measured alike:
 *
 * - `audit-sequential`: the baseline of the audit — every account-region listed one after another
 *   by the same adapters and client (each region's own requests as the adapter makes them), then
 *   the same rules; no memory, no Slack.
 *
 * The policies' baseline needs no pass of its own: it is run-policy's deliveries one after another
 * (policy-deliveries.mjs).
 */
import { auditConfig } from "../../shared/audit/config.js";
import { identify } from "../../shared/audit/history.js";
import { RULES } from "../../shared/audit/rules.js";
import type { Image } from "../../shared/model/image.js";
import { lambdaRuntime, type Target, withTarget } from "../../shared/runtime.js";

export async function handler(event: { pass: "audit-sequential" }, context?: { getRemainingTimeInMillis?: () => number }) {
  if (event.pass !== "audit-sequential") throw new Error(`unknown pass ${String(event.pass)}`);
  const rt = lambdaRuntime(context);
  const creds = await rt.credentials.get();
  const targets: Target[] = creds.accounts.flatMap((account) => account.regions.map((region) => ({ account, region })));
  const where = (t: Target) => ({ provider: t.account.provider, account: t.account.name, region: t.region });
  const errors: Array<{ provider: string; code: string }> = [];
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
