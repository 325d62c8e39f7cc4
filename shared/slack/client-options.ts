import { text } from "../config.js";
/**
 * Slack WebClient settings for Lambda (also Bolt's client): WebClient's defaults retry for about
 * 30 minutes with no timeout, far past a function's life. Here: a short retry policy, a timeout,
 * and rate-limited calls rejected (the caller decides) instead of slept on. It imports nothing of
 * the Web API client, so the slack ack path can use it without loading that early.
 */
export function slackClientOptions(apiUrl = text("SLACK_API_URL")) {
  return {
    slackApiUrl: apiUrl || "https://slack.com/api/",
    timeout: 5_000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000, randomize: true },
    rejectRateLimitedCalls: true,
  };
}
