import { ErrorCode, LogLevel, type WebAPICallError, WebClient } from "@slack/web-api";
import { slackSecret } from "../secrets.js";
import { slackClientOptions } from "./client-options.js";
import { memoAsync } from "../memo.js";
import { text } from "../config.js";

/** A Slack Web API client for Lambda (bounded retries and timeout: ./client-options.ts). */
export function slackWebClient(token: string, apiUrl = text("SLACK_API_URL")): WebClient {
  return new WebClient(token, { ...slackClientOptions(apiUrl), logLevel: LogLevel.ERROR });
}

/**
 * A Slack call that did not succeed, named by Slack's own error code (`not_in_channel`,
 * `channel_not_found`, `message_not_found`, `ratelimited`, `invalid_blocks`, …; for a response_url
 * the refusal Slack answered, or `timeout` / `http_<status>`). `ambiguous`: the request may have
 * reached Slack (a timeout), so sending it again could show it twice.
 */
export class SlackCallError extends Error {
  constructor(
    readonly error: string,
    readonly retryAfterS?: number,
    readonly ambiguous = false,
  ) {
    super(`Slack answered ${error}${retryAfterS !== undefined ? ` (retry after ${retryAfterS} s)` : ""}`);
    this.name = "SlackCallError";
  }
}

/** chat.postMessage errors that mean the bot cannot post in that channel at all (https://docs.slack.dev/reference/methods/chat.postMessage#errors). */
export const NOT_POSTABLE = new Set([
  "not_in_channel",
  "channel_not_found",
  "is_archived",
  "restricted_action",
  "missing_scope",
  "team_access_not_granted",
]);

/** WebClient's errors (@slack/web-api's WebAPICallError, told apart by their ErrorCode) as SlackCallError. */
export function toSlackCallError(err: unknown): SlackCallError {
  if (err instanceof SlackCallError) return err;
  const e = err as Partial<WebAPICallError> & { message?: string };
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return new SlackCallError(e.data?.error ?? "unknown_error");
    case ErrorCode.RateLimitedError:
      return new SlackCallError("ratelimited", e.retryAfter);
    case ErrorCode.HTTPError:
      return new SlackCallError(`http_${e.statusCode}`);
    case ErrorCode.RequestError:
      return new SlackCallError("request_failed", undefined, true);
  }
  // a 429 whose Retry-After outlasts the client's own retries is thrown as a plain Error
  // ("A rate limit was exceeded (url: …, retry-after: N)", @slack/web-api dist/WebClient.js)
  const after = /^A rate limit was exceeded \(.*retry-after: (\d+)\)/.exec(e?.message ?? "");
  if (after) return new SlackCallError("ratelimited", Number(after[1]));
  return new SlackCallError("request_failed", undefined, true);
}

/** A message as a response_url takes it (https://api.slack.com/interactivity/handling#message_responses). */
export interface ResponseBody {
  text: string;
  blocks?: unknown[];
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
}

/** Only Slack's own response URLs (or the configured Slack API host, e.g. the local sink) are answered. */
export function allowedResponseUrl(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === "https:" && u.hostname === "hooks.slack.com") return true;
    const configured = text("SLACK_API_URL");
    const api = configured ? new URL(configured) : undefined;
    return api !== undefined && u.origin === api.origin;
  } catch {
    return false;
  }
}

/**
 * POSTs a message to a response_url (no token: the URL is the credential). Slack honours one for
 * 30 minutes and 5 uses; past that, or for a body it refuses, it answers non-2xx.
 */
export async function respondTo(url: string, body: ResponseBody, timeoutMs = 5_000): Promise<void> {
  if (!allowedResponseUrl(url)) throw new SlackCallError("response_url_not_allowed");
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    // a timeout may come after Slack showed the message: the caller must not send it again
    const timedOut = (err as Error)?.name === "TimeoutError";
    throw new SlackCallError(timedOut ? "timeout" : "request_failed", undefined, timedOut);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => "")).trim();
    throw new SlackCallError(/^[a-z_]{1,40}$/.test(text) ? text : `http_${res.status}`);
  }
  await res.body?.cancel().catch(() => undefined);
}

/** What the product posts; a narrow seam so tests and the local stack can see every message. */
export interface SlackPoster {
  /** chat.postMessage; `channel` may be a user id (the app's DM with them): the answer names the DM's channel */
  post(message: { channel: string; text: string; blocks?: unknown[]; threadTs?: string }): Promise<{ ts: string; channel: string }>;
  update(message: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<void>;
  respond(url: string, body: ResponseBody): Promise<void>;
}

export function webPoster(client: WebClient): SlackPoster {
  return {
    async post(m) {
      try {
        const out = await client.chat.postMessage({ channel: m.channel, text: m.text, blocks: m.blocks as never, thread_ts: m.threadTs });
        return { ts: String(out.ts), channel: String(out.channel ?? m.channel) };
      } catch (err) {
        throw toSlackCallError(err);
      }
    },
    async update(m) {
      try {
        await client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as never });
      } catch (err) {
        throw toSlackCallError(err);
      }
    },
    respond: (url, body) => respondTo(url, body),
  };
}

/**
 * Runs a Slack call again after a 429, waiting the Retry-After Slack asked for
 * (https://docs.slack.dev/apis/web-api/rate-limits), as long as the waits fit in `maxWaitMs`;
 * any other failure, or a wait that would not fit, is thrown.
 */
export async function honouringRetryAfter<T>(
  call: () => Promise<T>,
  maxWaitMs: number,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  let waited = 0;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const e = toSlackCallError(err);
      const waitMs = (e.retryAfterS ?? 1) * 1000;
      if (e.error !== "ratelimited" || waited + waitMs > maxWaitMs) throw e;
      await sleep(waitMs);
      waited += waitMs;
    }
  }
}

/**
 * The bot's poster for a function, made on first use: the Slack secret (SLACK_SECRET_ID) is read
 * only when something is to be posted, once per container.
 */
export function lazySlackPoster(): () => Promise<SlackPoster> {
  const secret = slackSecret();
  return memoAsync(() => secret.get().then((s) => webPoster(slackWebClient(s.botToken))));
}
