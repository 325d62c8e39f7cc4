import { LOCAL_SLACK } from "./sim/demo.js";
import { slackSignature } from "../shared/slack/signature.js";

/** Slack's request signing, as Slack does it, for tests and the local tools (`npm run slack`). */
export interface SignedOptions {
  timestamp?: number;
  secret?: string;
  base64?: boolean;
  retryNum?: number;
  signature?: string;
}

/** The headers Slack sends with a body: content type, timestamp (now by default) and v0 signature. */
export function signedHeaders(body: string, contentType: string, o: SignedOptions = {}): Record<string, string> {
  const ts = o.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    "content-type": contentType,
    "x-slack-request-timestamp": String(ts),
    "x-slack-signature": o.signature ?? slackSignature(o.secret ?? LOCAL_SLACK.signingSecret, ts, body),
  };
  if (o.retryNum !== undefined) Object.assign(headers, { "x-slack-retry-num": String(o.retryNum), "x-slack-retry-reason": "http_timeout" });
  return headers;
}

/** A function URL event (payload 2.0) carrying a signed Slack request. */
export function signedEvent(body: string, contentType: string, o: SignedOptions = {}) {
  const headers = signedHeaders(body, contentType, o);
  return {
    version: "2.0",
    rawPath: "/slack/events",
    headers,
    requestContext: { http: { method: "POST", path: "/slack/events" } },
    body: o.base64 ? Buffer.from(body, "utf8").toString("base64") : body,
    isBase64Encoded: Boolean(o.base64),
  };
}

let trigger = 0;
/** A slash command's form body, with Slack's fields. */
export function slashCommandBody(text: string, f: { user?: string; team?: string; channel?: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: f.team ?? LOCAL_SLACK.teamId,
    team_domain: "local",
    channel_id: f.channel ?? LOCAL_SLACK.channel,
    channel_name: "imageops",
    user_id: f.user ?? LOCAL_SLACK.user,
    user_name: "someone",
    command: "/images",
    text,
    api_app_id: "A0LOCAL0001",
    response_url: f.responseUrl,
    trigger_id: `${Date.now()}.${++trigger}.local`,
  }).toString();
}

/** An interactive (block_actions) payload for a button, as Slack posts it. */
export function blockActionBody(
  action: { action_id: string; value: string },
  f: { user?: string; team?: string; channel?: string; responseUrl: string; messageTs?: string },
): string {
  const payload = {
    type: "block_actions",
    team: { id: f.team ?? LOCAL_SLACK.teamId, domain: "local" },
    user: { id: f.user ?? LOCAL_SLACK.user, username: "someone", team_id: f.team ?? LOCAL_SLACK.teamId },
    api_app_id: "A0LOCAL0001",
    token: "deprecated-verification-token",
    container: {
      type: "message",
      message_ts: f.messageTs ?? "1700000000.000100",
      channel_id: f.channel ?? LOCAL_SLACK.channel,
      is_ephemeral: true,
    },
    trigger_id: `${Date.now()}.${++trigger}.local`,
    channel: { id: f.channel ?? LOCAL_SLACK.channel, name: "imageops" },
    response_url: f.responseUrl,
    actions: [{ type: "button", block_id: "b1", action_id: action.action_id, value: action.value, action_ts: `${Date.now() / 1000}` }],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
