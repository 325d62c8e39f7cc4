import { invalidArgument } from "../model/errors.js";

export interface AuditConfig {
  now: number;
  staleDays: number;
  stuckMinutes: number;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw invalidArgument(name, `must be a positive number, got "${raw.slice(0, 20)}"`);
  return n;
}

/**
 * Thresholds from the environment (CONTRACT.md section 4), validated with a message naming the
 * variable. AUDIT_AS_OF evaluates the audit as of another instant (a reproducible report).
 */
export function auditConfig(env: NodeJS.ProcessEnv = process.env, now = Date.now()): AuditConfig {
  const asOf = env.AUDIT_AS_OF ? Date.parse(env.AUDIT_AS_OF) : now;
  if (Number.isNaN(asOf)) throw invalidArgument("AUDIT_AS_OF", "must be an ISO 8601 date-time");
  return {
    now: asOf,
    staleDays: positive("AUDIT_STALE_DAYS", env.AUDIT_STALE_DAYS, 180),
    stuckMinutes: positive("AUDIT_STUCK_MINUTES", env.AUDIT_STUCK_MINUTES, 60),
  };
}

/**
 * The time zone of the audit schedule (AUDIT_TIMEZONE, set from the deploy parameter
 * auditTimezone; default Asia/Seoul). The weekly digest's week starts Monday 00:00 there.
 */
export function auditTimeZone(env: NodeJS.ProcessEnv = process.env): string {
  const zone = env.AUDIT_TIMEZONE || "Asia/Seoul";
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
  } catch {
    throw invalidArgument("AUDIT_TIMEZONE", `must be an IANA time zone such as Asia/Seoul, got "${zone.slice(0, 40)}"`);
  }
  return zone;
}
