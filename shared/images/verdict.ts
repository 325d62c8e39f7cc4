import type { ProviderName } from "../model/image.js";
import { count } from "../model/words.js";
import { REQUEST } from "../operations/record.js";
import type { Check } from "./checks.js";

/** The overall answer of a dry run: whether the request would go ahead, and in one sentence why. */
export interface Verdict {
  ok: boolean;
  message: string;
  /** nothing in the request can make it go ahead (the cloud has no such call, a public image) */
  final?: true;
}

export type DryRunKind = "create-image" | "delete-image";

/**
 * A dry run's checks as answered, and their verdict (create-image and delete-image alike). While
 * another check fails, the `operation` check no longer says what the request would do (it would
 * be refused): it says so, and whether asking again can help.
 */
export function dryRunAnswer(kind: DryRunKind, provider: ProviderName, checks: readonly Check[]): { checks: Check[]; verdict: Verdict } {
  const blocking = checks.filter((c) => !c.ok && c.name !== "operation");
  const out = checks.map((c) =>
    c.name !== "operation" || !blocking.length
      ? c
      : {
          name: c.name,
          ok: false,
          message: blocking.some((b) => b.final)
            ? `${REQUEST} is refused whatever it says: ${blocking.find((b) => b.final)!.message}`
            : `${REQUEST} is refused while ${blocking.length === 1 ? `the ${blocking[0]!.name} check fails` : `${count(blocking.length, "check")} fail`}`,
        },
  );
  return { checks: out, verdict: dryRunVerdict(kind, provider, out) };
}

/**
 * One sentence over the checks. A refusal nothing can lift (the provider cannot create or delete
 * images at all, a public image) is said plainly; otherwise the failed checks, or what the
 * request does when sent without dryRun.
 */
export function dryRunVerdict(kind: DryRunKind, provider: ProviderName, checks: readonly Check[]): Verdict {
  const failed = checks.filter((c) => !c.ok && !(c.name === "operation" && checks.some((o) => !o.ok && o.name !== "operation")));
  const final = failed.filter((c) => c.final);
  if (final.length) {
    const verb = kind === "create-image" ? "create" : "delete";
    const unsupported = final.find((c) => c.name === "provider");
    return {
      ok: false,
      final: true,
      message: unsupported
        ? `${provider} cannot ${verb} images (${unsupported.message})`
        : `Not possible: ${final.map((c) => `${c.name}: ${c.message}`).join("; ")} — asking again changes nothing`,
    };
  }
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
  return { ok: true, message: `Ready${noted}: sent without dryRun, ${operation}` };
}

/** The `operation` check's words as Slack's card says them: the request's Confirm is what sends it. */
export const confirmWords = (message: string): string =>
  message.startsWith(`${REQUEST} `) ? `Confirm ${message.slice(REQUEST.length + 1)}` : message;
