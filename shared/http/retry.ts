/** Retry timing as data and pure functions, so tests can check them without waiting. */

/** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function backoffDelay(attempt: number, o: { baseDelayMs: number; maxDelayMs: number; random: () => number }): number {
  const cap = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(o.random() * cap);
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. Capped at 60 s. */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(60_000, Math.max(0, Math.round(ms)));
}
