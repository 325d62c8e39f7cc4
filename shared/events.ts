import type { Context } from "aws-lambda";
import type * as z from "zod";
import { asImageOpsError, ImageOpsError, invalidArgument } from "./model/errors.js";
import { log, logger } from "./log.js";
import { issueError, preview } from "./model/issues.js";
import { describeFields } from "./model/inputs.js";

/**
 * The event forms every function but `slack` accepts (CONTRACT.md section 3):
 * a function URL event (payload 2.0), a direct invocation with a plain object, and for the audit
 * an EventBridge scheduled event.
 */
export type EventForm = "url" | "direct" | "scheduled";

interface UrlEvent {
  version: "2.0";
  rawPath?: string;
  requestContext: { http: { method: string } };
  queryStringParameters?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface UrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function isUrlEvent(event: unknown): event is UrlEvent {
  const e = event as UrlEvent;
  return e?.version === "2.0" && typeof e.requestContext?.http?.method === "string";
}

function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; "detail-type"?: unknown };
  return e?.source === "aws.events" && e["detail-type"] === "Scheduled Event";
}

/**
 * The correlation id of an invocation: the caller's (`correlationId` of a direct invocation,
 * which the Slack job and the state machine pass on; `x-correlation-id` of a URL request), or
 * else the function URL's request id or this invocation's. It is on every log line and travels
 * create → state machine → track.
 */
function correlationOf(event: unknown, context?: Context): string | undefined {
  const e = event as {
    correlationId?: unknown;
    headers?: Record<string, string | undefined>;
    requestContext?: { requestId?: unknown };
  } | null;
  const given = isUrlEvent(event) ? e?.headers?.["x-correlation-id"] : e?.correlationId;
  if (typeof given === "string" && /^[\w.:-]{1,128}$/.test(given)) return given;
  const request = isUrlEvent(event) ? e?.requestContext?.requestId : undefined;
  return typeof request === "string" ? request : context?.awsRequestId;
}

/** The raw input fields of an event, before validation (a direct invocation's `correlationId` is not one). */
export function readEvent(event: unknown, methods: readonly string[]): { form: EventForm; raw: unknown } {
  if (isScheduledEvent(event)) return { form: "scheduled", raw: { scheduled: true } };
  if (!isUrlEvent(event)) {
    if (event === null || typeof event !== "object" || Array.isArray(event))
      throw invalidArgument("event", `expected a JSON object, got ${preview(event)}`);
    const { correlationId: _carried, ...raw } = event as Record<string, unknown>;
    return { form: "direct", raw };
  }
  const method = event.requestContext.http.method.toUpperCase();
  if (!methods.includes(method)) {
    throw new ImageOpsError("INVALID_ARGUMENT", `method ${method} is not allowed here; use ${methods.join(" or ")}`, { field: "method" });
  }
  if (method === "GET") return { form: "url", raw: { ...event.queryStringParameters } };
  let text = event.body ?? "";
  if (event.isBase64Encoded) text = Buffer.from(text, "base64").toString("utf8");
  if (!text.trim()) return { form: "url", raw: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalidArgument("body", "expected a JSON object, got text that is not JSON");
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw invalidArgument("body", `expected a JSON object, got ${preview(raw)}`);
  return { form: "url", raw };
}

/**
 * The input, or INVALID_ARGUMENT naming the field and saying what was expected and what came
 * (./model/issues.ts). `reportInput` makes zod 4 keep each issue's input (it drops it by default).
 */
export function validate<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw issueError(schema, raw, parsed.error.issues);
}

export interface Answer<T> {
  statusCode?: number;
  body: T;
}

export interface HandlerSpec<S extends z.ZodType, T> {
  name: string;
  schema: S;
  methods: readonly ("GET" | "POST")[];
  run: (input: z.infer<S>, context: Context | undefined, form: EventForm) => Promise<Answer<T>>;
}

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * A Lambda handler from a schema and a function: validation, both event forms, and errors.
 * URL form: {statusCode, headers, body}; direct form: the body itself, or a thrown typed error.
 * Nothing unexpected leaves as a stack trace: it is logged and answered as INTERNAL.
 */
export function lambdaHandler<S extends z.ZodType, T>(spec: HandlerSpec<S, T>) {
  return async (event: unknown, context?: Context): Promise<UrlResult | T> => {
    let form: EventForm = isUrlEvent(event) ? "url" : "direct";
    if (context) logger.addContext(context);
    logger.setCorrelationId(correlationOf(event, context));
    // GET <function URL>/help: the fields, from the same schema that validates them
    if (isUrlEvent(event) && /\/help\/?$/.test(event.rawPath ?? "")) {
      const help = { function: spec.name, methods: spec.methods, fields: describeFields(spec.schema as unknown as z.ZodObject) };
      return { statusCode: 200, headers: JSON_HEADERS, body: JSON.stringify(help) };
    }
    try {
      const read = readEvent(event, spec.methods);
      form = read.form;
      const input = validate(spec.schema, read.raw);
      const answer = await spec.run(input, context, form);
      return form === "url"
        ? { statusCode: answer.statusCode ?? 200, headers: JSON_HEADERS, body: JSON.stringify(answer.body) }
        : answer.body;
    } catch (err) {
      const e = asImageOpsError(err);
      // an internal fault with its stack and cause chain; an expected refusal in one line
      log(e.code === "INTERNAL" ? "error" : "warn", `${spec.name} failed`, {
        code: e.code,
        field: e.field,
        provider: e.provider,
        error: e.code === "INTERNAL" ? err : e.message,
      });
      if (form !== "url") throw e;
      return { statusCode: e.statusCode, headers: JSON_HEADERS, body: JSON.stringify(e.toBody()) };
    }
  };
}
