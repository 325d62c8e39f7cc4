/**
 * Reading a cloud's JSON, whose fields may be missing, null or of another type than documented:
 * the one set of readers every normalizer and error parser uses.
 */
export type Rec = Record<string, unknown>;

/** An object, or an empty one for anything else (arrays included). */
export const record = (v: unknown): Rec => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Rec) : {});

/**
 * A string, or a finite number as text; null for anything else. An empty (or, with `trim`,
 * blank) string is null unless `keepEmpty`.
 */
export function text(v: unknown, o: { trim?: boolean; keepEmpty?: boolean } = {}): string | null {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v !== "string") return null;
  const s = o.trim ? v.trim() : v;
  return s === "" && !o.keepEmpty ? null : s;
}

/** A whole number of at least 0, from a number or a string of digits; null for anything else (a count, a page size). */
export function wholeNumber(v: unknown): number | null {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}
