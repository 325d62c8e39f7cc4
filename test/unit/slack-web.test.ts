/**
 * @slack/web-api's errors as the bot reads them (shared/slack/web.ts toSlackCallError): by their
 * ErrorCode, and the one plain Error the client throws for a 429 whose Retry-After outlasts its
 * own retries (@slack/web-api dist/WebClient.js, "A rate limit was exceeded").
 */
import { ErrorCode } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { toSlackCallError } from "../../shared/slack/web.js";

describe("Slack's errors", () => {
  it("are read by @slack/web-api's ErrorCode: a platform error's name, a 429's Retry-After, transport trouble as ambiguous", () => {
    expect(toSlackCallError({ code: ErrorCode.PlatformError, data: { error: "not_in_channel" } })).toMatchObject({
      error: "not_in_channel",
      ambiguous: false,
    });
    expect(toSlackCallError({ code: ErrorCode.RateLimitedError, retryAfter: 7 })).toMatchObject({ error: "ratelimited", retryAfterS: 7 });
    expect(toSlackCallError({ code: ErrorCode.HTTPError, statusCode: 502 })).toMatchObject({ error: "http_502" });
    expect(toSlackCallError({ code: ErrorCode.RequestError })).toMatchObject({ error: "request_failed", ambiguous: true });
  });

  it("take the client's own rate-limit Error with its Retry-After; anything else is an ambiguous failure", () => {
    const e = new Error("A rate limit was exceeded (url: chat.update, retry-after: 30)");
    expect(toSlackCallError(e)).toMatchObject({ error: "ratelimited", retryAfterS: 30 });
    expect(toSlackCallError(new Error("socket hang up"))).toMatchObject({ error: "request_failed", ambiguous: true });
  });
});
