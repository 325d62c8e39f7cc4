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

/** One request the stand-in answered, as Slack answered it. */
export interface SlackCall {
  method: string;
  at: number;
  status: number;
  /** Slack's `error` (HTTP 200 `{ok:false}`), or the refusal of a response_url */
  error?: string;
  channel?: string;
  retryAfter?: number;
}

/** How one Web API method misbehaves, as Slack does (HTTP 200 `{ok:false,error}`, or 429 with Retry-After). */
export interface SlackMethodFault {
  /** answer this much later */
  delayMs?: number;
  /** answer `{ok:false, error}` with HTTP 200, e.g. "invalid_auth", "message_not_found", "internal_error" */
  error?: string;
  /** answer HTTP 429 `{ok:false,error:"ratelimited"}` with this Retry-After (seconds) */
  ratelimited?: number;
  /** only this many calls (default: every call) */
  count?: number;
  /** let this many calls through first */
  after?: number;
}

export interface SlackFaults {
  /**
   * Channels the bot cannot post in: `not_in_channel` (a public channel it was not invited to, and
   * no chat:write.public), `channel_not_found` (a private channel or a DM it is not part of).
   */
  channels?: Record<string, "not_in_channel" | "channel_not_found" | "is_archived">;
  methods?: Partial<Record<"auth.test" | "chat.postMessage" | "chat.update", SlackMethodFault>>;
  /** response_url posts: slow (the post is kept, the answer is late), or refused with a status */
  responseUrl?: { delayMs?: number; status?: number; count?: number; after?: number };
}

/**
 * Slack's documented limits the stand-in enforces, so the product meets them here first:
 * - response_url: up to 5 uses within 30 minutes of the interaction
 *   (https://api.slack.com/interactivity/handling#message_responses);
 * - chat.postMessage: about one message per second per channel, short bursts allowed, then
 *   HTTP 429 with Retry-After (https://docs.slack.dev/apis/web-api/rate-limits);
 * - Block Kit: at most 50 blocks, section text 3000 characters, 10 fields of 2000, 10 context
 *   elements, button value 2000 (https://docs.slack.dev/reference/block-kit/blocks), else
 *   `invalid_blocks` (https://docs.slack.dev/reference/methods/chat.postMessage#errors).
 */
export const SLACK_LIMITS = { responseUses: 5, responseTtlMs: 30 * 60_000, postBurst: 5, postPerSecond: 1 };

/**
 * A local Slack Web API (`SLACK_API_URL`) that answers as Slack documents it: chat.postMessage
 * (a user id as channel posts to the app's DM with that user), chat.update, auth.test, and
 * response_url targets (`/response/<id>`). It checks the bot token, records every message and
 * every call, and takes fault switches (`setSlackFaults`, or `POST /__slack/faults`): slow calls,
 * Slack's error bodies, 429 with Retry-After, channels the bot is not in. Listeners get each
 * change live.
 */
export class SlackApiSim extends SimServer {
  readonly messages: SlackMessage[] = [];
  /** response_url posts Slack accepted */
  readonly responses: SlackResponseUrlPost[] = [];
  readonly calls: SlackCall[] = [];
  slackFaults: SlackFaults = {};
  limits = { ...SLACK_LIMITS };
  private seq = 0;
  private readonly hooks = new Map<string, { issuedAt: number; uses: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly listeners = new Set<(event: { type: string; message?: SlackMessage; response?: SlackResponseUrlPost }) => void>();

  constructor(readonly botToken: string) {
    super(
      "slack",
      (req) => this.handle(req),
      () => ({ messages: this.messages, responses: this.responses, faults: this.slackFaults }),
    );
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  /** A response_url, issued now (its 30 minutes start here). */
  responseUrl(id: string): string {
    const url = `${this.url}/response/${encodeURIComponent(id)}`;
    this.hooks.set(url, { issuedAt: Date.now(), uses: 0 });
    return url;
  }

  /** Every response_url issued so far: credentials of a kind (they let their holder post as the app), which the leak checks look for. */
  issuedResponseUrls(): string[] {
    return [...this.hooks.keys()];
  }

  /** The id of the app's DM with a user (what chat.postMessage answers for channel = user id). */
  static dmChannel(user: string): string {
    return `D${user.slice(1)}`;
  }

  setSlackFaults(faults: SlackFaults): void {
    this.slackFaults = structuredClone(faults);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  onChange(listener: (event: { type: string; message?: SlackMessage; response?: SlackResponseUrlPost }) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: { type: string; message?: SlackMessage; response?: SlackResponseUrlPost }): void {
    for (const l of this.listeners) l(event);
  }

  private record(call: Omit<SlackCall, "at">): void {
    this.calls.push({ ...call, at: Date.now() });
  }

  /** The fault for this call, counted down. */
  private take<T extends { count?: number; after?: number }>(fault: T | undefined): T | undefined {
    if (!fault) return undefined;
    if (fault.after) {
      fault.after--;
      return undefined;
    }
    if (fault.count !== undefined) {
      if (fault.count <= 0) return undefined;
      fault.count--;
    }
    return fault;
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    const path = req.url.pathname;
    if (path === "/__slack/faults" && req.method === "POST") {
      this.setSlackFaults(req.body ? (JSON.parse(req.body) as SlackFaults) : {});
      return { status: 200, body: { faults: this.slackFaults } };
    }
    const params = parseBody(req);
    if (path.startsWith("/response/")) return this.respond(`${this.url}${path}`, params);

    const method = path.replace(/^\/api\//, "");
    const fault = this.take(this.slackFaults.methods?.[method as keyof NonNullable<SlackFaults["methods"]>]);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    const auth = String(req.headers.authorization ?? "");
    const token = auth.startsWith("Bearer ") ? auth.slice(7) : String(params.token ?? "");
    if (token !== this.botToken) return this.fail(method, "invalid_auth");
    const named = params.channel ? String(params.channel) : undefined;
    if (fault?.ratelimited !== undefined) return this.rateLimited(method, fault.ratelimited, named);
    if (fault?.error) return this.fail(method, fault.error, named);
    const blocks = typeof params.blocks === "string" ? (JSON.parse(params.blocks) as unknown[]) : (params.blocks as unknown[] | undefined);
    switch (method) {
      case "auth.test":
        this.record({ method, status: 200 });
        return { status: 200, body: { ok: true, user_id: "UBOT00001", bot_id: "BBOT00001", team_id: "T00000001" } };
      case "chat.postMessage": {
        const requested = String(params.channel ?? "");
        if (!requested) return this.fail(method, "channel_not_found");
        // a user id posts to the app's DM with that user (its Messages tab)
        const channel = /^[UW]/.test(requested) ? SlackApiSim.dmChannel(requested) : requested;
        const refused = this.slackFaults.channels?.[channel];
        if (refused) return this.fail(method, refused, channel);
        const problem = blockKitProblem(blocks);
        if (problem) return this.fail(method, "invalid_blocks", channel, { errors: [problem] });
        const wait = this.spend(channel);
        if (wait > 0) return this.rateLimited(method, wait, channel);
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, "0")}`;
        const message: SlackMessage = {
          channel,
          ts,
          text: String(params.text ?? ""),
          blocks,
          threadTs: params.thread_ts ? String(params.thread_ts) : undefined,
          history: [{ text: String(params.text ?? ""), blocks, at: Date.now() }],
        };
        this.messages.push(message);
        this.record({ method, status: 200, channel });
        this.emit({ type: "post", message });
        return { status: 200, body: { ok: true, channel, ts, message: { text: message.text } } };
      }
      case "chat.update": {
        const channel = String(params.channel ?? "");
        const refused = this.slackFaults.channels?.[channel];
        if (refused) return this.fail(method, refused, channel);
        const message = this.messages.find((m) => m.channel === channel && m.ts === params.ts);
        if (!message) return this.fail(method, "message_not_found", channel);
        const problem = blockKitProblem(blocks);
        if (problem) return this.fail(method, "invalid_blocks", channel, { errors: [problem] });
        message.text = String(params.text ?? "");
        message.blocks = blocks;
        message.history.push({ text: message.text, blocks, at: Date.now() });
        this.record({ method, status: 200, channel });
        this.emit({ type: "update", message });
        return { status: 200, body: { ok: true, channel: message.channel, ts: message.ts } };
      }
      default:
        return this.fail(method, "unknown_method");
    }
  }

  /** A response_url post: at most 5 uses within 30 minutes, Block Kit checked; refused with a 404 past that. */
  private async respond(url: string, body: Record<string, unknown>): Promise<SimResponse> {
    const fault = this.take(this.slackFaults.responseUrl);
    const hook = this.hooks.get(url) ?? { issuedAt: Date.now(), uses: 0 };
    this.hooks.set(url, hook);
    const refuse = (status: number, error: string): SimResponse => {
      this.record({ method: "response_url", status, error });
      return { status, body: error };
    };
    if (fault?.status) return refuse(fault.status, `simulated_${fault.status}`);
    if (Date.now() - hook.issuedAt > this.limits.responseTtlMs) return refuse(404, "expired_url");
    if (hook.uses >= this.limits.responseUses) return refuse(404, "used_url");
    const problem = blockKitProblem(body.blocks as unknown[] | undefined);
    if (problem) return refuse(400, "invalid_blocks");
    hook.uses++;
    const post = { url, body, at: Date.now() };
    this.responses.push(post);
    this.emit({ type: "response", response: post });
    // the message is shown at once; only the answer to the bot is late (its timeout fires, nothing is lost)
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    this.record({ method: "response_url", status: 200 });
    return { status: 200, body: "ok" };
  }

  private fail(method: string, error: string, channel?: string, extra: Record<string, unknown> = {}): SimResponse {
    this.record({ method, status: 200, error, channel });
    return { status: 200, body: { ok: false, error, ...extra } };
  }

  private rateLimited(method: string, retryAfter: number, channel?: string): SimResponse {
    this.record({ method, status: 429, error: "ratelimited", channel, retryAfter });
    return { status: 429, body: { ok: false, error: "ratelimited" }, headers: { "retry-after": String(retryAfter) } };
  }

  /** chat.postMessage's per-channel budget (a token bucket): 0 when the post may go, else Retry-After seconds. */
  private spend(channel: string): number {
    const now = Date.now();
    const { postBurst, postPerSecond } = this.limits;
    const b = this.buckets.get(channel) ?? { tokens: postBurst, at: now };
    b.tokens = Math.min(postBurst, b.tokens + ((now - b.at) / 1000) * postPerSecond);
    b.at = now;
    this.buckets.set(channel, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / postPerSecond));
  }
}

type Block = {
  type?: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ type?: string; text?: string | { text?: string }; value?: string }>;
};

/** What Slack would refuse in a message's blocks, or undefined (the limits of SLACK_LIMITS' doc links). */
export function blockKitProblem(blocks: unknown[] | undefined): string | undefined {
  if (!blocks) return undefined;
  if (!Array.isArray(blocks) || blocks.length === 0) return "blocks must be a non-empty array";
  if (blocks.length > 50) return `${blocks.length} blocks; at most 50`;
  for (const [i, b] of (blocks as Block[]).entries()) {
    const at = `blocks[${i}]`;
    if (b.type === "section") {
      if (!b.text && !b.fields?.length) return `${at}: a section needs text or fields`;
      if ((b.text?.text ?? "").length > 3000) return `${at}.text: ${b.text!.text!.length} characters; at most 3000`;
      if ((b.fields?.length ?? 0) > 10) return `${at}.fields: at most 10`;
      for (const f of b.fields ?? [])
        if ((f.text ?? "").length > 2000) return `${at}.fields: a field of ${f.text!.length} characters; at most 2000`;
    } else if (b.type === "context") {
      if (!b.elements?.length || b.elements.length > 10) return `${at}.elements: 1 to 10`;
      for (const e of b.elements)
        if (typeof e.text === "string" && e.text.length > 3000) return `${at}.elements: ${e.text.length} characters; at most 3000`;
    } else if (b.type === "actions") {
      if (!b.elements?.length || b.elements.length > 25) return `${at}.elements: 1 to 25`;
      for (const e of b.elements) {
        if ((e.value ?? "").length > 2000) return `${at}: a button value of ${e.value!.length} characters; at most 2000`;
        const label = typeof e.text === "string" ? e.text : (e.text?.text ?? "");
        if (label.length > 75) return `${at}: a button label of ${label.length} characters; at most 75`;
      }
    } else if (b.type !== "divider" && b.type !== "header") return `${at}: unknown block type ${String(b.type)}`;
  }
  return undefined;
}

function parseBody(req: SimRequest): Record<string, unknown> {
  const type = String(req.headers["content-type"] ?? "");
  if (!req.body) return {};
  if (type.includes("application/json")) return JSON.parse(req.body) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(req.body));
}
