/**
 * Structured JSON logging with redaction: every secret value the product loads is registered
 * here and replaced before a line is written; access keys are masked to their last 4 characters.
 */
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

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (level === "debug" && !process.env.IMAGEOPS_DEBUG) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }, errorReplacer);
  process.stdout.write(redact(line) + "\n");
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, code: (value as { code?: unknown }).code };
  return value;
}
