import type * as z from "zod";
import { ImageOpsError, invalidArgument } from "./errors.js";
import { didYouMean } from "./nearest.js";

/**
 * Schema issues as INVALID_ARGUMENT errors that name the field and say what was expected and
 * what came ("limit: expected a number (1–1000, default 100), got "abc""). Fields missing
 * altogether are listed together, so an empty request says everything it lacks at once.
 *
 * zod 4 leaves `input` out of an issue unless the parse is asked for it
 * (`ParseContext.reportInput`, node_modules/zod/v4/core/schemas.d.ts): validate() passes
 * `{ reportInput: true }`, and whether a field is missing is read from the raw value itself.
 */
type Issue = z.core.$ZodIssue & { input?: unknown };

/** What came, short and unambiguous: strings quoted (and cut), numbers and booleans as they are. */
export function preview(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value === "") return "an empty string";
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length ? `a list of ${value.length}` : "an empty list";
  if (typeof value === "object") return "an object";
  return typeof value;
}

const ARTICLE: Record<string, string> = {
  number: "a number",
  string: "a string",
  boolean: "true or false",
  object: "an object",
  array: "a list",
  int: "a whole number",
};
const unit = (origin: string, n: number | bigint) =>
  origin === "string" ? `${n} character${n === 1 ? "" : "s"}` : origin === "array" ? `${n} item${n === 1 ? "" : "s"}` : String(n);

/** What one issue asked for, in words: "expected a number", "must not contain control characters". */
function expectation(issue: Issue): string {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${ARTICLE[issue.expected] ?? issue.expected}`;
    case "invalid_value":
      return `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map(String).join(" | ")}`}`;
    case "too_small":
      return `expected ${issue.inclusive === false ? "more than" : "at least"} ${unit(issue.origin, issue.minimum as number)}`;
    case "too_big":
      return `expected ${issue.inclusive === false ? "less than" : "at most"} ${unit(issue.origin, issue.maximum as number)}`;
    case "invalid_format":
      if (issue.format === "datetime") return "expected an ISO 8601 date-time";
      // our regexes carry their own rule: "must be a Slack channel id (C…, D…, G…)"
      if (issue.format === "regex") return issue.message.startsWith("must be ") ? `expected ${issue.message.slice(8)}` : issue.message;
      return `expected a valid ${issue.format}`;
    default:
      return issue.message;
  }
}

/** What came: the value as sent (before any conversion), or a string's length for length limits. */
function got(issue: Issue, sent: unknown): string {
  const input = issue.input;
  if ((issue.code === "too_small" || issue.code === "too_big") && typeof input === "string" && input.length > 0)
    return unit("string", input.length);
  return preview(sent === undefined ? input : sent);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** A top-level field's help text ("1–1000, default 100"), when the schema describes it. */
function described(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  if (path.length !== 1) return undefined;
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape;
  return shape?.[String(path[0])]?.description;
}

/** A field as its caller named it: an element of a list is the list's field ("provider", never "provider.0"). */
const fieldOf = (path: readonly PropertyKey[]) =>
  path
    .filter((k) => typeof k !== "number")
    .map(String)
    .join(".") || "input";
/** Which element of a list was wrong, when the list has several ("item 2 of 3"). */
function elementOf(raw: unknown, path: readonly PropertyKey[]): string {
  const index = path.at(-1);
  if (typeof index !== "number") return "";
  const list = valueAt(raw, path.slice(0, -1));
  const length = Array.isArray(list) ? list.length : typeof list === "string" ? list.split(",").length : 0;
  return length > 1 ? ` (item ${index + 1} of ${length})` : "";
}

function and(names: string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/** The request's first problem as INVALID_ARGUMENT; every missing required field named at once. */
export function issueError(schema: z.ZodType, raw: unknown, issues: readonly Issue[]): ImageOpsError {
  // with reportInput, an issue without input is a field that was not sent
  const missing = issues.filter((i) => i.code !== "unrecognized_keys" && i.path.length > 0 && i.input === undefined);
  const first = issues[0]!;
  if (missing.length > 1 && missing.includes(first)) {
    const names = missing.map((i) => fieldOf(i.path));
    return new ImageOpsError("INVALID_ARGUMENT", `${and(names)} are required`, { field: names[0]! });
  }
  if (first.code === "unrecognized_keys") {
    const key = first.keys[0]!.slice(0, 64);
    const field = first.path.length ? `${fieldOf(first.path)}.${key}` : key;
    const known = first.path.length === 0 ? Object.keys((schema as unknown as { shape?: object }).shape ?? {}) : [];
    return invalidArgument(
      field,
      `unknown field${didYouMean(key, known, (k) => k)}${known.length ? `; expected one of ${known.join(", ")}` : ""}`,
    );
  }
  const field = fieldOf(first.path);
  const help = described(schema, first.path);
  if (first.path.length > 0 && missing.includes(first)) return invalidArgument(field, `is required${help ? ` — ${help}` : ""}`);
  // an enum's help repeats its choices; a value near one of them is named
  const more = help && first.code !== "invalid_value" ? ` — ${help}` : "";
  const sent = valueAt(raw, first.path) ?? first.input;
  const near =
    first.code === "invalid_value" && typeof sent === "string"
      ? didYouMean(
          sent,
          first.values.map((v) => String(v)),
          (v) => JSON.stringify(v),
        )
      : "";
  return invalidArgument(
    field,
    `${expectation(first)}, got ${got(first, valueAt(raw, first.path))}${elementOf(raw, first.path)}${near}${more}`,
  );
}
