/**
 * Virtual Server API versions (`Scp-Api-Version: virtualserver <n>`): the one this adapter is written
 * against, and the documented ones with their Not-Before dates.
 */

/** The version this adapter is written against; the official provider v4.2.0 pins it too (scp.md §3.2). */
export const SCP_DEFAULT_API_VERSION = "1.3";

/** Versions and their Not-Before dates (docs: List Images 1.0–1.3, seed 003). After that date a version is no longer supported. */
export const SCP_API_VERSIONS = [
  { version: "1.0", status: "DEPRECATED", notBefore: "2025-12-31" },
  { version: "1.1", status: "DEPRECATED", notBefore: "2026-05-31" },
  { version: "1.2", status: "SUPPORTED", notBefore: "2026-08-31" },
  { version: "1.3", status: "CURRENT", notBefore: null },
] as const satisfies ReadonlyArray<{ version: string; status: string; notBefore: string | null }>;

export interface ScpApiVersionCheck {
  version: string;
  known: boolean;
  notBefore: string | null;
  /** the Not-Before date has arrived or passed ("no longer supported"), or the version is not one SCP documents */
  unsupported: boolean;
}

/** Whether a pinned version is still callable on `at` (the audit reports pins past their Not-Before date). */
export function checkScpApiVersion(version: string | undefined, at: Date = new Date()): ScpApiVersionCheck {
  const v = version ?? SCP_DEFAULT_API_VERSION;
  const entry = SCP_API_VERSIONS.find((e) => e.version === v);
  if (!entry) return { version: v, known: false, notBefore: null, unsupported: true };
  const notBefore = entry.notBefore;
  const unsupported = notBefore !== null && at.getTime() >= Date.parse(`${notBefore}T00:00:00Z`);
  return { version: v, known: true, notBefore, unsupported };
}
