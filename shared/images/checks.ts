import { type ErrorCode, ImageOpsError } from "../model/errors.js";
import type { ProviderAdapter } from "../providers/types.js";

/** One preflight check of a create or a delete, as the dry run shows it. */
export interface Check {
  name: string;
  ok: boolean;
  message: string;
  /** an ok check the user should still read (e.g. a description the cloud will not keep) */
  level?: "warning";
  /** a failed check nothing in the request can fix (the cloud has no such call, a public image): asking again is refused again */
  final?: true;
}

/**
 * Refusals that no change to the request lifts: the cloud has no such call (UNSUPPORTED), or
 * imageops never does it (FORBIDDEN: a cloud's public image). Every other failed check names
 * something the requester can change or wait for.
 */
const FINAL: ReadonlySet<ErrorCode> = new Set(["UNSUPPORTED", "FORBIDDEN"]);

/** Checks in order; the first failed one that stands for an error is the request's failure. */
export class Checks {
  readonly checks: Check[] = [];
  failure?: ImageOpsError;
  add(name: string, ok: boolean, message: string, error?: () => ImageOpsError, level?: "warning"): void {
    const check: Check = level ? { name, ok, message, level } : { name, ok, message };
    if (!ok && error) {
      const e = error();
      if (FINAL.has(e.code)) check.final = true;
      this.failure ??= e;
    }
    this.checks.push(check);
  }
}

/**
 * The failed "provider" check of a cloud whose adapter has no such part: its reason as the
 * adapter words it (`unsupported`), and the 501 saying what to do instead.
 */
export function addUnsupported(c: Checks, adapter: ProviderAdapter, part: "create" | "delete" | "share"): void {
  const said = adapter.unsupported?.[part];
  const reason = said?.reason ?? `${adapter.name} cannot ${part} images`;
  const message = said ? `${said.reason}: ${said.instead}` : reason;
  c.add("provider", false, reason, () => new ImageOpsError("UNSUPPORTED", message, { provider: adapter.name }));
}
