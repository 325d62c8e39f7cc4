/**
 * Ids in URL paths, for every provider: an id becomes exactly one path segment.
 */

/** One path segment or query value, percent-encoded (a lone surrogate becomes U+FFFD instead of throwing). */
export function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
  }
}

/**
 * "." and ".." cannot be sent as ids at all: URL parsing resolves them even percent-encoded, so
 * the path would name something else. Callers refuse them (and the empty id).
 */
export const isSendableSegment = (value: string): boolean => typeof value === "string" && value !== "" && value !== "." && value !== "..";
