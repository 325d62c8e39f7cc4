import { LogLevel, WebClient } from "@slack/web-api";
import { slackSecret } from "../secrets.js";
import { slackClientOptions } from "./client-options.js";

/** A Slack Web API client for Lambda (bounded retries and timeout: ./client-options.ts). */
export function slackWebClient(token: string, apiUrl = process.env.SLACK_API_URL): WebClient {
  return new WebClient(token, { ...slackClientOptions(apiUrl), logLevel: LogLevel.ERROR });
}

/** What the product posts; a narrow seam so tests and the local stack can see every message. */
export interface SlackPoster {
  post(message: { channel: string; text: string; blocks?: unknown[]; threadTs?: string }): Promise<{ ts: string }>;
  update(message: { channel: string; ts: string; text: string; blocks?: unknown[] }): Promise<void>;
}

export function webPoster(client: WebClient): SlackPoster {
  return {
    async post(m) {
      const out = await client.chat.postMessage({ channel: m.channel, text: m.text, blocks: m.blocks as never, thread_ts: m.threadTs });
      return { ts: String(out.ts) };
    },
    async update(m) {
      await client.chat.update({ channel: m.channel, ts: m.ts, text: m.text, blocks: m.blocks as never });
    },
  };
}

/**
 * The bot's poster for a function, made on first use: the Slack secret (SLACK_SECRET_ID) is read
 * only when something is to be posted, once per container.
 */
export function lazySlackPoster(): () => Promise<SlackPoster> {
  const secret = slackSecret();
  let poster: Promise<SlackPoster> | undefined;
  return () => {
    poster ??= secret.get().then((s) => webPoster(slackWebClient(s.botToken)));
    // a failed read is not kept: the next call tries again
    poster.catch(() => (poster = undefined));
    return poster;
  };
}
