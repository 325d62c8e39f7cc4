import { LogLevel, WebClient } from "@slack/web-api";
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
