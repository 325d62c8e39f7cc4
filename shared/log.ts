/**
 * Structured JSON logs through Powertools for AWS Lambda's Logger: request id, cold start,
 * function name and a correlation id on every line (set per invocation by shared/events.ts).
 * Redaction is the logger's JSON replacer: every secret value the product loads is registered
 * here and replaced before a line is written; access keys are masked to their last 4 characters.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { text } from "./config.js";

const redactions = new Map<string, string>();

export function registerSecret(secret: string, accessKey?: string): void {
  if (secret.length >= 4) redactions.set(secret, "[REDACTED]");
  if (accessKey && accessKey.length >= 4) redactions.set(accessKey, maskKey(accessKey));
}

export function maskKey(key: string): string {
  return key.length <= 4 ? "****" : `****${key.slice(-4)}`;
}

export function redact(text: string): string {
  let out = text;
  for (const [secret, replacement] of redactions) {
    if (out.includes(secret)) out = out.split(secret).join(replacement);
  }
  return out;
}

export type Level = "debug" | "info" | "warn" | "error";

export const logger = new Logger({
  serviceName: "imageops",
  logLevel: (text("LOG_LEVEL") as "INFO" | undefined) ?? "INFO",
  // applied to every value as the line is serialized, error messages and stacks included
  jsonReplacerFn: (_key: string, value: unknown) => (typeof value === "string" ? redact(value) : value),
});

/** The correlation id of the invocation in progress (set by shared/events.ts), for what it starts: tracking, Slack jobs. */
export function correlationId(): string | undefined {
  const id = logger.getCorrelationId();
  return typeof id === "string" ? id : undefined;
}

/** Keys the logger owns: a field of the same name is renamed, never allowed to overwrite them. */
const OWN_KEYS = new Set([
  "level",
  "message",
  "timestamp",
  "time",
  "service",
  "sampling_rate",
  "cold_start",
  "function_name",
  "function_request_id",
  "correlation_id",
]);

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    extra[OWN_KEYS.has(k) ? `field_${k}` : k] = v instanceof Error ? describeError(v) : v;
  }
  logger[level](message, extra);
}

/**
 * An error with its name, code, message, stack and cause chain. Done here rather than by the
 * logger because our errors serialize through toJSON (their public shape), which drops both.
 */
export function describeError(err: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (err.stack) out.stack = err.stack;
  if (err.cause !== undefined && depth < 5) out.cause = err.cause instanceof Error ? describeError(err.cause, depth + 1) : err.cause;
  return out;
}
