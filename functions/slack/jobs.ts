import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { auditSummaryMessage } from "../../shared/audit/report.js";
import type { AuditResult } from "../../shared/audit/run.js";
import type { Check } from "../../shared/images/create.js";
import type { ListOutput } from "../../shared/images/list.js";
import { log } from "../../shared/log.js";
import type { Image } from "../../shared/model/image.js";
import { confirmMessage, imageMessage, listMessage, type Message, PAGE_ROWS, textMessage } from "../../shared/slack/render.js";

/**
 * The work behind a Slack command, run in an asynchronous invocation of the slack function
 * (never in the 3-second ack path). It calls the image functions and answers through the
 * command's response_url.
 */
export type ListQuery = { provider?: string; os?: string; name?: string; scope?: string; account?: string; region?: string; status?: string };
export type CreateRequest = { provider: string; serverId: string; name: string; description?: string; account?: string; region?: string };

export type Job =
  | { kind: "list"; responseUrl: string; query: ListQuery; cursor?: string; offset?: number }
  | { kind: "show"; responseUrl: string; provider: string; id: string; account?: string; region?: string }
  | { kind: "create"; responseUrl: string; request: CreateRequest }
  | { kind: "create-confirm"; responseUrl: string; request: CreateRequest; channel: string; user: string }
  | { kind: "audit"; responseUrl: string };

const FUNCTION_ENV = {
  "list-images": "LIST_IMAGES_FUNCTION",
  "describe-image": "DESCRIBE_IMAGE_FUNCTION",
  "create-image": "CREATE_IMAGE_FUNCTION",
  "audit-images": "AUDIT_IMAGES_FUNCTION",
} as const;

class FunctionError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

let lambda: LambdaClient | undefined;
const lambdaClient = () => (lambda ??= new LambdaClient({ maxAttempts: 2 }));

/** Calls an image function in its direct-invocation form; its typed error comes back as FunctionError. */
export async function call<T>(fn: keyof typeof FUNCTION_ENV, payload: unknown): Promise<T> {
  const name = process.env[FUNCTION_ENV[fn]];
  if (!name) throw new FunctionError("INTERNAL", `${FUNCTION_ENV[fn]} is not set`);
  const out = await lambdaClient().send(new InvokeCommand({ FunctionName: name, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(payload)) }));
  const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "null";
  if (out.FunctionError) {
    let err: { errorType?: string; errorMessage?: string } = {};
    try {
      err = JSON.parse(text);
    } catch {
      /* keep the defaults */
    }
    throw new FunctionError(err.errorType ?? "INTERNAL", err.errorMessage ?? `${fn} failed`);
  }
  return JSON.parse(text) as T;
}

const describeFilters = (q: ListQuery) =>
  Object.entries(q).filter(([, v]) => v).map(([k, v]) => (k === "provider" ? v : `--${k} ${v}`)).join(" ");

async function build(job: Job): Promise<Message> {
  switch (job.kind) {
    case "list": {
      // One batch of up to 1000 serves several screens: exact "N more" and cheap next pages.
      const offset = job.offset ?? 0;
      const out = await call<ListOutput>("list-images", { ...job.query, limit: 1000, cursor: job.cursor });
      const rows = out.images.slice(offset, offset + PAGE_ROWS);
      const after = offset + PAGE_ROWS;
      const remaining = Math.max(0, out.images.length - after);
      const next = remaining > 0 ? { query: job.query, cursor: job.cursor, offset: after } : out.nextCursor ? { query: job.query, cursor: out.nextCursor, offset: 0 } : undefined;
      return listMessage({ rows, remaining, more: out.nextCursor !== null, nextValue: next ? JSON.stringify(next) : undefined, errors: out.errors, filters: describeFilters(job.query) });
    }
    case "show": {
      const { image } = await call<{ image: Image }>("describe-image", { provider: job.provider, id: job.id, account: job.account, region: job.region });
      return imageMessage(image);
    }
    case "create": {
      const { checks } = await call<{ checks: Check[] }>("create-image", { ...job.request, dryRun: true });
      return confirmMessage(job.request, checks, JSON.stringify(job.request));
    }
    case "create-confirm": {
      const out = await call<{ image: Image; operation: { id: string } }>("create-image", { ...job.request, notify: { channel: job.channel } });
      return textMessage(`:rocket: <@${job.user}> started creating image *${out.image.name}* (\`${out.image.id}\`) on ${out.image.provider}. Progress is posted in <#${job.channel}>.\nOperation \`${out.operation.id}\``, { replace_original: true });
    }
    case "audit": {
      const result = await call<AuditResult>("audit-images", {});
      const summary = auditSummaryMessage(result);
      return { text: summary.text, blocks: summary.blocks, response_type: "in_channel" };
    }
  }
}

/** Only Slack's own response URLs (or the configured Slack API host, e.g. the local sink) are answered. */
export function allowedResponseUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === "https:" && u.hostname === "hooks.slack.com") return true;
    const api = process.env.SLACK_API_URL ? new URL(process.env.SLACK_API_URL) : undefined;
    return api !== undefined && u.origin === api.origin;
  } catch {
    return false;
  }
}

export async function runJob(job: Job): Promise<void> {
  // checked before any work: an answer nobody may receive is not worth computing
  if (!allowedResponseUrl(job.responseUrl)) {
    log("warn", "refused to answer a response_url outside Slack", { kind: job.kind });
    return;
  }
  let message: Message;
  try {
    message = await build(job);
  } catch (err) {
    const e = err instanceof FunctionError ? err : new FunctionError("INTERNAL", "something went wrong");
    if (!(err instanceof FunctionError)) log("error", "slack job failed", { kind: job.kind, error: err });
    message = textMessage(`:x: ${e.code}: ${e.message}`, { replace_original: job.kind === "create-confirm" });
  }
  const res = await fetch(job.responseUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(message), signal: AbortSignal.timeout(5_000) });
  if (!res.ok) log("warn", "Slack refused the response", { kind: job.kind, status: res.status });
}
