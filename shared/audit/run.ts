import { log } from "../log.js";
import { metric } from "../metrics.js";
import type { ProviderErrorEntry } from "../model/errors.js";
import { factsOf, setFacts } from "../model/facts.js";
import type { Image, ProviderName } from "../model/image.js";
import { adapterFor } from "../providers/index.js";
import type { CallContext, ImageSharer } from "../providers/types.js";
import { fanOut, type Runtime, selectTargets } from "../runtime.js";
import type { AuditConfig } from "./config.js";
import type { Severity } from "./finding.js";
import { RULES } from "./rules.js";
import { type AuditChanges, type AuditedFinding, identify } from "./history.js";

export interface AuditResult {
  /** every finding, each with its id and fingerprint; those an acknowledgement hides say so (`acknowledged`) */
  findings: AuditedFinding[];
  /** `acknowledged`: how many of `findings` an acknowledgement hides (with the audit's memory) */
  summary: { images: number; findings: number; bySeverity: Record<Severity, number>; acknowledged?: number };
  errors: ProviderErrorEntry[];
  /** what changed since the last run (shared/audit/history.ts), when the audit has its memory */
  changes?: AuditChanges;
}

const ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/**
 * For each custom image whose list names whom it is shared with (NCP), those no share operation or
 * policy of imageops recorded: shared by hand, named by the over-shared finding. A ledger that
 * cannot be read leaves the image unmarked (the finding then says only how many).
 */
async function markSharedByHand(images: Image[], recorded: NonNullable<AuditDeps["recordedShares"]>): Promise<void> {
  for (const image of images) {
    const facts = factsOf(image);
    if (image.kind !== "custom" || !facts.sharedWithIds?.length) continue;
    try {
      const known = (await recorded(image)) ?? new Set<string>();
      setFacts(image, { ...facts, sharedByHand: facts.sharedWithIds.filter((id) => !known.has(id.toLowerCase())) });
    } catch (err) {
      log("warn", "could not read whom imageops shared an image with", { imageId: image.id, error: (err as Error).message });
    }
  }
}

/**
 * The members of each shared custom image whose list entry does not name them (SCP's image list
 * has no members: List image members, one GET per such image), as the sharer reads them. One that
 * cannot be read stays unnamed (the finding then says only the visibility).
 */
async function readMembers(ctx: CallContext, sharer: ImageSharer, images: Image[]): Promise<void> {
  for (const image of images) {
    const facts = factsOf(image);
    if (image.kind !== "custom" || image.visibility !== "shared" || facts.sharedWithIds) continue;
    try {
      const ids = (await sharer.describeForShare(ctx, image.id)).members.map((m) => m.id);
      // the ids only: the count is part of the image's fingerprint (audit memory), which a read that fails once must not change
      setFacts(image, { ...facts, sharedWithIds: ids });
    } catch (err) {
      log("warn", "could not read whom an image is shared with", { imageId: image.id, error: (err as Error).message });
    }
  }
}

/**
 * A read-only audit of every selected account: list everything, run each rule, report. A cloud
 * that fails is an `errors` entry and the rest of the audit still runs. Each finding is also
 * logged as one JSON line (for CloudWatch Logs Insights).
 */
export interface AuditDeps {
  /** whom imageops recorded sharing an image with (shared/images/share-ledger.ts), lower case; undefined: nobody */
  recordedShares?(image: Image): Promise<Set<string> | undefined>;
}

export async function runAudit(
  rt: Runtime,
  input: { provider?: ProviderName; account?: string },
  config: AuditConfig,
  deps: AuditDeps = {},
): Promise<AuditResult> {
  const creds = await rt.credentials.get();
  // an unconfigured provider or an unknown account is NOT_FOUND: a typo must not audit as all clear
  const targets = selectTargets(creds.accounts, { provider: input.provider ? [input.provider] : undefined, account: input.account });
  const accounts = [...new Set(targets.map((t) => t.account))];
  const { results, errors } = await fanOut(rt, targets, async (ctx, adapter) => {
    const listed = await adapter.listImages(ctx);
    // whom a shared image is shared with, where the list does not say (SCP): only to tell who was given it by hand
    if (deps.recordedShares && adapter.sharer) await readMembers(ctx, adapter.sharer, listed);
    return listed;
  });
  const images = results.flatMap((r) => r.value);
  if (deps.recordedShares) await markSharedByHand(images, deps.recordedShares);

  const findings = Object.values(RULES).flatMap((rule) => rule(images, config));
  // Account-level warnings (a deprecated API version in use): once per account per run.
  for (const account of accounts) {
    const warning = adapterFor(account.provider).accountWarning?.(account, config.now);
    if (warning) {
      findings.push({
        rule: "deprecated-api-version",
        severity: "warning",
        provider: account.provider,
        account: account.name,
        region: account.regions[0]!,
        imageId: "-",
        imageName: "-",
        message: warning,
      });
    }
  }
  findings.sort(
    (a, b) =>
      ORDER[a.severity] - ORDER[b.severity] ||
      a.provider.localeCompare(b.provider) ||
      a.rule.localeCompare(b.rule) ||
      a.imageName.localeCompare(b.imageName) ||
      a.imageId.localeCompare(b.imageId),
  );
  // each finding's stable id and the fingerprint of the image it was raised on (the audit's memory)
  const imageOf = new Map(images.map((i) => [`${i.provider}\u0000${i.account}\u0000${i.region}\u0000${i.id}`, i]));
  const audited = findings.map((f) => identify(f, imageOf.get(`${f.provider}\u0000${f.account}\u0000${f.region}\u0000${f.imageId}`)));

  const bySeverity: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of audited) {
    bySeverity[f.severity]++;
    log("info", "audit finding", { type: "audit-finding", ...f });
  }
  for (const [severity, n] of Object.entries(bySeverity)) if (n > 0) metric("AuditFindings", { severity }, n);
  for (const e of errors) log("warn", "audit could not read a cloud", { type: "audit-error", ...e });
  return { findings: audited, summary: { images: images.length, findings: audited.length, bySeverity }, errors };
}
