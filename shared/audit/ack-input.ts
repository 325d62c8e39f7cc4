/**
 * The words of an acknowledgement, shared by the Slack listener (which checks them before the ack)
 * and audit-images (which stores it): no imports, so the slack bundle stays small.
 */

/** A finding id as the summary shows it (shared/audit/history.ts findingId). */
export const FINDING_ID = /^f-[0-9a-f]{12}$/;

/** `--for`: hours, days or weeks, e.g. 12h, 30d, 8w. */
export const ACK_DURATION = /^([1-9]\d{0,3})([hdw])$/;
export const ACK_DEFAULT = "30d";
export const ACK_MAX_DAYS = 365;
export const ACK_REASON_MAX = 500;

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** Milliseconds of a `--for` value, or why it is not one. */
export function ackDuration(text: string): { ms: number } | { error: string } {
  const m = ACK_DURATION.exec(text.trim().toLowerCase());
  if (!m) return { error: `--for takes hours, days or weeks, e.g. 12h, 30d or 8w, not "${text.slice(0, 20)}"` };
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms > ACK_MAX_DAYS * UNIT_MS.d) return { error: `--for is at most ${ACK_MAX_DAYS} days` };
  return { ms };
}
