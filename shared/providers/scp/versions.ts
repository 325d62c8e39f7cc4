import { log } from "../../log.js";
import { ImageOpsError } from "../../model/errors.js";
import type { Account } from "../../secrets.js";
import type { CallContext } from "../types.js";
import { pinnedApiVersion } from "./account.js";

/**
 * Virtual Server API versions (`Scp-Api-Version: virtualserver <n>`): the one this adapter is written
 * against, the documented ones with their Not-Before dates, and the live version catalogue.
 */

/** The version this adapter is written against; the official provider v4.2.0 pins it too (scp.md §3.2). */
export const SCP_DEFAULT_API_VERSION = "1.3";

/**
 * The documented versions and their Not-Before dates (docs: List Images 1.0–1.3, seed 003). From that
 * date on a version "is no longer supported" (docs, API common). Later versions (third parties report
 * 1.4 and 1.5, scp.md §3.4) have no date we know: they are sent, and SCP answers 406 if it does not serve them.
 */
export const SCP_API_VERSIONS = [
  { version: "1.0", status: "DEPRECATED", notBefore: "2025-12-31" },
  { version: "1.1", status: "DEPRECATED", notBefore: "2026-05-31" },
  { version: "1.2", status: "SUPPORTED", notBefore: "2026-08-31" },
  { version: "1.3", status: "CURRENT", notBefore: null },
] as const satisfies ReadonlyArray<{ version: string; status: string; notBefore: string | null }>;

export interface ScpApiVersionCheck {
  version: string;
  /** one of the documented versions */
  known: boolean;
  notBefore: string | null;
  /** its Not-Before date has arrived or passed: SCP no longer serves it */
  unsupported: boolean;
}

export function checkScpApiVersion(version: string | undefined, at: Date = new Date()): ScpApiVersionCheck {
  const v = version ?? SCP_DEFAULT_API_VERSION;
  const entry = SCP_API_VERSIONS.find((e) => e.version === v);
  const notBefore = entry?.notBefore ?? null;
  const unsupported = notBefore !== null && at.getTime() >= Date.parse(`${notBefore}T00:00:00Z`);
  return { version: v, known: entry !== undefined, notBefore, unsupported };
}

/** A pin past its Not-Before date, refused before any call: it is the secret that needs changing. */
export function pinnedVersionRefusal(account: Account, now: number): ImageOpsError | undefined {
  const check = checkScpApiVersion(pinnedApiVersion(account), new Date(now));
  if (!check.unsupported) return undefined;
  return new ImageOpsError(
    "INTERNAL",
    `scp: account "${account.name}" pins Virtual Server API ${check.version} ("apiVersion" in the credentials secret), which SCP no longer serves since its Not-Before date ${check.notBefore}; ` +
      `remove "apiVersion" to use ${SCP_DEFAULT_API_VERSION}, or pin a version SCP lists as CURRENT or SUPPORTED`,
    { provider: "scp" },
  );
}

/** For the audit: a pin past its date, or one the docs do not list. */
export function pinnedVersionWarning(account: Account, now: number): string | undefined {
  const check = checkScpApiVersion(pinnedApiVersion(account), new Date(now));
  if (check.unsupported) {
    return `account pins Virtual Server API ${check.version}, past its Not-Before date ${check.notBefore}: SCP no longer serves it; unpin it or use ${SCP_DEFAULT_API_VERSION}`;
  }
  if (!check.known)
    return `account pins Virtual Server API ${check.version}, which the SCP docs this adapter follows do not list; SCP answers 406 if it does not serve it`;
  return undefined;
}

/** One entry of the catalogue: {"versions":[{"id":"v1.3","links":[…],"not_before":"YYYY-MM-DD","status":"CURRENT"}]}. */
export interface CatalogueVersion {
  id: string;
  status: string;
  notBefore: string | null;
}

export function parseCatalogue(text: string): CatalogueVersion[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const versions = (body as { versions?: unknown })?.versions;
  if (!Array.isArray(versions)) return undefined;
  return versions.flatMap((v) => {
    const o = (v && typeof v === "object" ? v : {}) as Record<string, unknown>;
    if (typeof o.id !== "string") return [];
    return [
      {
        id: o.id,
        status: typeof o.status === "string" ? o.status : "",
        notBefore: typeof o.not_before === "string" && o.not_before ? o.not_before : null,
      },
    ];
  });
}

/** Why the pinned version deserves a warning in this catalogue, if it does. */
export function catalogueWarning(versions: CatalogueVersion[], pinned: string, now: number): string | undefined {
  // ids carry a "v" the header value does not (the SDK's CheckVersion compares "v1.3")
  const entry = versions.find((v) => v.id.replace(/^v/i, "") === pinned);
  if (!entry)
    return `SCP's version catalogue does not list Virtual Server API ${pinned} (it lists ${versions.map((v) => v.id).join(", ") || "none"})`;
  const past = entry.notBefore !== null && now >= Date.parse(`${entry.notBefore}T00:00:00Z`);
  if (entry.status.toUpperCase() === "DEPRECATED" || past) {
    return `SCP's version catalogue marks Virtual Server API ${pinned} ${entry.status || "ended"}${entry.notBefore ? `, not supported from ${entry.notBefore}` : ""}`;
  }
  return undefined;
}

const DAY_MS = 86_400_000;

/**
 * Reads the unsigned version catalogue (GET on the endpoint's root, no headers: the SDK's
 * client/catalog.go CheckVersion; scp.md §3.3) at most once a day per endpoint in this container,
 * beside a call and never awaited by it, and logs a warning when the pinned version is deprecated or
 * absent there. A failed read is not retried that day: the catalogue only informs, it never decides.
 */
export function catalogueWatch(now: () => number): (ctx: CallContext, root: string, pinned: string) => void {
  const reads = new Map<string, { day: number; versions: Promise<CatalogueVersion[] | undefined> }>();
  const warned = new Set<string>();
  return (ctx, root, pinned) => {
    const day = Math.floor(now() / DAY_MS);
    let read = reads.get(root);
    if (read?.day !== day) {
      read = { day, versions: fetchCatalogue(ctx, root) };
      reads.set(root, read);
    }
    const key = `${day} ${root} ${pinned}`;
    void read.versions.then((versions) => {
      if (!versions || warned.has(key)) return;
      warned.add(key);
      const warning = catalogueWarning(versions, pinned, now());
      if (warning) {
        log("warn", "SCP Virtual Server API version deprecated", {
          provider: "scp",
          endpoint: root,
          apiVersion: pinned,
          warning: `${warning}; pin another version ("apiVersion" in the credentials secret) before SCP stops serving it`,
        });
      }
    });
  };
}

/** `root` is the endpoint's root URL, exactly as sent ("https://virtualserver.kr-west1.e.samsungsdscloud.com/"). */
async function fetchCatalogue(ctx: CallContext, root: string): Promise<CatalogueVersion[] | undefined> {
  try {
    const res = await ctx.http.request({ method: "GET", url: root, idempotent: true });
    return res.status === 200 ? parseCatalogue(res.text) : undefined;
  } catch (err) {
    log("debug", "SCP version catalogue not read", { provider: "scp", endpoint: root, error: (err as Error)?.message });
    return undefined;
  }
}
