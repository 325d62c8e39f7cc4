import { SimServer, type SimRequest, type SimResponse } from "./server.js";

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** every version of the message, oldest first (chat.update appends) */
  history: Array<{ text: string; blocks?: unknown[]; at: number }>;
}

export interface SlackResponseUrlPost {
  url: string;
  body: Record<string, unknown>;
  at: number;
}

/**
 * A local Slack Web API (`SLACK_API_URL`): chat.postMessage, chat.update, auth.test, and
 * response_url targets (`/response/<id>`). It checks the bot token and records every message,
 * so tests see exactly what the bot posted and updated. Listeners get each change live.
 */
export class SlackApiSim extends SimServer {
  readonly messages: SlackMessage[] = [];
  readonly responses: SlackResponseUrlPost[] = [];
  private seq = 0;
  private readonly listeners = new Set<(event: { type: string; message?: SlackMessage; response?: SlackResponseUrlPost }) => void>();

  constructor(readonly botToken: string) {
    super("slack", (req) => this.handle(req), () => ({ messages: this.messages, responses: this.responses }));
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${encodeURIComponent(id)}`;
  }

  onChange(listener: (event: { type: string; message?: SlackMessage; response?: SlackResponseUrlPost }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: { type: string; message?: SlackMessage; response?: SlackResponseUrlPost }): void {
    for (const l of this.listeners) l(event);
  }

  private handle(req: SimRequest): SimResponse {
    const path = req.url.pathname;
    const params = parseBody(req);
    if (path.startsWith("/response/")) {
      const post = { url: `${this.url}${path}`, body: params, at: Date.now() };
      this.responses.push(post);
      this.emit({ type: "response", response: post });
      return { status: 200, body: "ok" };
    }
    const auth = String(req.headers.authorization ?? "");
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : String(params.token ?? "");
    if (token !== this.botToken) return { status: 200, body: { ok: false, error: "invalid_auth" } };
    const method = path.replace(/^\/api\//, "");
    const blocks = typeof params.blocks === "string" ? (JSON.parse(params.blocks) as unknown[]) : (params.blocks as unknown[] | undefined);
    switch (method) {
      case "auth.test":
        return { status: 200, body: { ok: true, user_id: "UBOT00001", bot_id: "BBOT00001", team_id: "T00000001" } };
      case "chat.postMessage": {
        if (!params.channel) return { status: 200, body: { ok: false, error: "channel_not_found" } };
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}`;
        const message: SlackMessage = {
          channel: String(params.channel), ts, text: String(params.text ?? ""), blocks,
          threadTs: params.thread_ts ? String(params.thread_ts) : undefined,
          history: [{ text: String(params.text ?? ""), blocks, at: Date.now() }],
        };
        this.messages.push(message);
        this.emit({ type: "post", message });
        return { status: 200, body: { ok: true, channel: message.channel, ts, message: { text: message.text } } };
      }
      case "chat.update": {
        const message = this.messages.find((m) => m.channel === params.channel && m.ts === params.ts);
        if (!message) return { status: 200, body: { ok: false, error: "message_not_found" } };
        message.text = String(params.text ?? "");
        message.blocks = blocks;
        message.history.push({ text: message.text, blocks, at: Date.now() });
        this.emit({ type: "update", message });
        return { status: 200, body: { ok: true, channel: message.channel, ts: message.ts } };
      }
      default:
        return { status: 200, body: { ok: false, error: "unknown_method" } };
    }
  }
}

function parseBody(req: SimRequest): Record<string, unknown> {
  const type = String(req.headers["content-type"] ?? "");
  if (!req.body) return {};
  if (type.includes("application/json")) return JSON.parse(req.body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(req.body));
}
