import { configFault, positive, text } from "../config.js";

export interface AuditConfig {
  now: number;
  staleDays: number;
  stuckMinutes: number;
}

/**
 * Thresholds from the environment (CONTRACT.md section 4), validated with a message naming the
 * variable. AUDIT_AS_OF evaluates the audit as of another instant (a reproducible report).
 */
export function auditConfig(env: Record<string, string | undefined> = process.env, now = Date.now()): AuditConfig {
  const at = text("AUDIT_AS_OF", env);
  const asOf = at ? Date.parse(at) : now;
  if (Number.isNaN(asOf)) throw configFault("AUDIT_AS_OF", "must be an ISO 8601 date-time");
  return {
    now: asOf,
    staleDays: positive("AUDIT_STALE_DAYS", 180, env),
    stuckMinutes: positive("AUDIT_STUCK_MINUTES", 60, env),
  };
}

/**
 * The time zone of the audit schedule (AUDIT_TIMEZONE, set from the deploy parameter
 * auditTimezone; default Asia/Seoul). The weekly digest's week starts Monday 00:00 there.
 */
export function auditTimeZone(env: Record<string, string | undefined> = process.env): string {
  const zone = text("AUDIT_TIMEZONE", env) ?? "Asia/Seoul";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw configFault("AUDIT_TIMEZONE", `must be an IANA time zone such as Asia/Seoul, not "${zone.slice(0, 40)}"`);
  }
  return zone;
}
