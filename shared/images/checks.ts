import { ImageOpsError } from "../model/errors.js";
import type { ProviderAdapter } from "../providers/types.js";

/** One preflight check of a create or a delete, as the dry run shows it. */
export interface Check {
  name: string;
  ok: boolean;
  message: string;
  /** an ok check the user should still read (e.g. a description the cloud will not keep) */
  level?: "warning";
}

/** Checks in order; the first failed one that stands for an error is the request's failure. */
export class Checks {
  readonly checks: Check[] = [];
  failure?: ImageOpsError;
  add(name: string, ok: boolean, message: string, error?: () => ImageOpsError, level?: "warning"): void {
    this.checks.push(level ? { name, ok, message, level } : { name, ok, message });
    if (!ok && !this.failure && error) this.failure = error();
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
