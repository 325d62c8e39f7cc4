import { invalidArgument } from "../model/errors.js";

/**
 * What a cloud's ids look like, as its docs and official SDKs give them. Each adapter declares its
 * own (`ProviderAdapter.ids`) and sends only ids of that shape: an id of another shape is one the
 * official SDK would send mangled or differently (an NCP list element unescaped, an SCP path
 * segment through Go's url.PathEscape; ../shared/providers/oracle/compare-*.md), so it is refused
 * before anything is sent, with a 400 naming the field.
 */
export interface IdShape {
  readonly pattern: RegExp;
  /** what was expected, for the 400: "an NCP server instance number (decimal digits)" */
  readonly expected: string;
}

export interface IdShapes {
  /** image ids: describe, delete */
  readonly image: IdShape;
  /** server ids: create's source server */
  readonly server: IdShape;
}

export const fitsShape = (shape: IdShape, value: unknown): value is string => typeof value === "string" && shape.pattern.test(value);

/** The value as it came, short, escaped, for a message. */
export const shown = (value: unknown): string => {
  const s = JSON.stringify(typeof value === "string" ? value : String(value));
  return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
};

/** `value`, when it has the shape; otherwise the 400 naming `field`. */
export function checkId(shape: IdShape, field: string, value: unknown): string {
  if (fitsShape(shape, value)) return value;
  throw invalidArgument(field, `${shown(value)} is not ${shape.expected}`);
}
