import { LogLevel, WebClient } from "@slack/web-api";

/**
 * A Slack Web API client for Lambda: WebClient's defaults retry for about 30 minutes with no
 * timeout, far past a function's life. Here: a short retry policy, a timeout, and rate-limited
 * calls rejected (the caller decides) instead of slept on.
 */
export function slackWebClient(token: string, apiUrl = process.env.SLACK_API_URL): WebClient {
  return new WebClient(token, {
    slackApiUrl: apiUrl || "https://slack.com/api/",
    timeout: 5_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000, randomize: true },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
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
