import type { ProviderName } from "../model/image.js";
import { count } from "../model/words.js";
import type { Check } from "./create.js";

/** The overall answer of a dry run: whether the create would go ahead, and in one sentence why. */
export interface Verdict {
  ok: boolean;
  message: string;
}

/**
 * One sentence over the checks. A provider that cannot create images at all is said plainly
 * (nothing the caller changes would help); otherwise the failed checks, or what Confirm will do.
 */
export function dryRunVerdict(provider: ProviderName, checks: readonly Check[]): Verdict {
  const failed = checks.filter((c) => !c.ok);
  const unsupported = failed.find((c) => c.name === "provider");
  if (unsupported) return { ok: false, message: `${provider} cannot create images (${unsupported.message})` };
  if (failed.length)
    return {
      ok: false,
      message: `Not ready: ${count(failed.length, "check")} failed — ${failed.map((c) => `${c.name}: ${c.message}`).join("; ")}`,
    };
  const operation = checks.find((c) => c.name === "operation")?.message ?? "every check passed";
  // an ok check the user should still read (e.g. a description the cloud will not keep)
  const warnings = checks.filter((c) => c.level === "warning");
  const noted = warnings.length
    ? `, with ${count(warnings.length, "warning")} (${warnings.map((c) => `${c.name}: ${c.message}`).join("; ")})`
    : "";
  return { ok: true, message: `Ready${noted}: ${operation}` };
}
