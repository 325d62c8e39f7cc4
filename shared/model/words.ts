/** Numbers as a person reads them: "1 server", "2 servers"; "45 min", "3 hours", "519 days". */

/** `n` and the noun, singular for exactly one ("1 server", "0 servers", "2 checks"). */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * A length of time in the largest unit that stays readable, rounded down (it is never more than
 * what happened): minutes under two hours, hours under two days, then days.
 */
export function duration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return count(hours, "hour");
  return count(Math.floor(hours / 24), "day");
}
