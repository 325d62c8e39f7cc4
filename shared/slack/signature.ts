import { createHmac, timingSafeEqual } from "node:crypto";

/** Slack refuses requests older than this; we refuse future-dated ones too (Bolt does not). */
export const SLACK_MAX_SKEW_S = 5 * 60;

/** Slack's v0 request signature: "v0=" + hex HMAC-SHA256(signingSecret, "v0:{timestamp}:{body}"). */
export function slackSignature(signingSecret: string, timestamp: string | number, body: string): string {
  return `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export function verifySlackRequest(
  signingSecret: string,
  headers: { timestamp?: string; signature?: string },
  body: string,
  nowS = Date.now() / 1000,
): { ok: true } | { ok: false; reason: string } {
  const ts = Number(headers.timestamp);
  if (!headers.timestamp || !Number.isFinite(ts)) return { ok: false, reason: "missing timestamp" };
  if (Math.abs(nowS - ts) > SLACK_MAX_SKEW_S) return { ok: false, reason: "timestamp outside the 5-minute window" };
  const expected = Buffer.from(slackSignature(signingSecret, headers.timestamp, body));
  const given = Buffer.from(headers.signature ?? "");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "bad signature" };
  return { ok: true };
}
