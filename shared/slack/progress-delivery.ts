import { RESPONSE_URL_LIFE_MS, RESPONSE_URL_USES } from "./limits.js";
import { log } from "../log.js";
import type { ProgressState } from "../tracking/types.js";
import { channelHint } from "./render.js";
import { allowedResponseUrl, honouringRetryAfter, NOT_POSTABLE, type SlackPoster, toSlackCallError } from "./web.js";

/**
 * Delivery of a progress card so that the requester always learns progress and outcome:
 * 1. the channel of the request (chat.postMessage, then chat.update in place);
 * 2. when the bot cannot post there, the interaction's response_url (the card replaces the
 *    requester's "started" message; Slack allows 5 uses within 30 minutes);
 * 3. then the app's DM with the requester (chat.postMessage with their user id as channel).
 * The requester is told once, on the card, why the channel was not used and how to fix it.
 */
export interface CardMessage {
  text: string;
  blocks: unknown[];
}

/** The response_url of a stored progress target (shared/slack/targets.ts), read only when the channel could not be used. */
export type ResponseUrlOf = (target: string) => Promise<{ responseUrl: string; responseUrlAt: number; responseUses: number } | undefined>;

export interface DeliveryOptions {
  now: number;
  /** the outcome (available, failed, stopped, timed out): it must arrive, even late */
  final: boolean;
  /** the status differs from the card's: worth one of the response_url's few uses */
  changed: boolean;
  /** where a target's response_url is read (absent: the card never takes that way) */
  responseUrlOf?: ResponseUrlOf;
}

/** The card to update is gone (deleted, or too old to edit): post a new one (chat.update errors). */
const CARD_GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed"]);
/** A final card waits out Slack's Retry-After this long before taking the next way. */
const FINAL_WAIT_MS = 10_000;
/** Slack honours a response_url 5 times within 30 minutes (./limits.ts); one minute of margin for clocks and queues. */
const RESPONSE_USES = RESPONSE_URL_USES;
const RESPONSE_TTL_MS = RESPONSE_URL_LIFE_MS - 60_000;

type Via = NonNullable<ProgressState["via"]>;

/** Posts or updates the card where the requester can see it; answers the state to carry to the next step. */
export async function deliverProgress(
  poster: SlackPoster,
  state: ProgressState,
  message: CardMessage,
  o: DeliveryOptions,
): Promise<ProgressState> {
  let s: ProgressState = { ...state };
  if (s.channelOwed !== undefined) {
    // the requester has the outcome already: only the channel card is behind, tried once more
    const { channelOwed: _, ...rest } = s;
    const r = await toChannel(poster, rest, message, o);
    if (!r.ok) log("warn", "the channel's progress card stays behind its outcome", { channel: s.channel, error: r.reason });
    return r.ok ? { ...rest, via: "channel", messageTs: r.ts } : rest;
  }
  if (s.via === undefined || s.via === "channel") {
    const r = await toChannel(poster, s, message, o);
    if (r.ok) return { ...s, via: "channel", messageTs: r.ts };
    if (o.final && r.retryAfterS !== undefined) {
      // Slack asked to wait longer than the step can: the outcome goes to the requester now (no
      // hint: the channel is fine), and the channel card is updated after its Retry-After
      const told = await toRequester(poster, s, message, o);
      return { ...told, via: "channel", messageTs: s.messageTs, channelOwed: Math.min(300, Math.max(1, Math.ceil(r.retryAfterS))) };
    }
    // a transient failure mid-way (429, Slack slow): the next step tries the channel again
    if (!r.fallBack) return s;
    s = { ...s, fallback: r.reason };
  }
  if (s.via !== "dm") {
    const r = await toResponseUrl(poster, s, message, o);
    if (r === "skipped") return s;
    if (typeof r === "number") return { ...s, via: "response_url", responseUses: r, hintVia: s.hintVia ?? "response_url" };
    s = { ...s, responseUses: RESPONSE_USES };
  }
  return toDm(poster, s, message, o);
}

async function toChannel(
  poster: SlackPoster,
  s: ProgressState,
  message: CardMessage,
  o: DeliveryOptions,
): Promise<{ ok: true; ts: string } | { ok: false; fallBack: boolean; reason: string; retryAfterS?: number }> {
  const wait = o.final ? FINAL_WAIT_MS : 0;
  try {
    if (s.messageTs) {
      const ts = s.messageTs;
      try {
        await honouringRetryAfter(() => poster.update({ channel: s.channel, ts, ...message }), wait);
        return { ok: true, ts };
      } catch (err) {
        if (!CARD_GONE.has(toSlackCallError(err).error)) throw err;
        // someone deleted the card: a new one, so the channel still sees the outcome
      }
    }
    const { ts } = await honouringRetryAfter(() => poster.post({ channel: s.channel, threadTs: s.threadTs, ...message }), wait);
    return { ok: true, ts };
  } catch (err) {
    const e = toSlackCallError(err);
    if (NOT_POSTABLE.has(e.error)) return { ok: false, fallBack: true, reason: e.error };
    log("warn", "could not post the progress card in the channel", { channel: s.channel, error: e.error, final: o.final });
    // the outcome must not wait for a later step that never comes: take the next way now
    return { ok: false, fallBack: o.final, reason: e.error, ...(e.error === "ratelimited" ? { retryAfterS: e.retryAfterS ?? 1 } : {}) };
  }
}

/**
 * The card through the target's response_url: answers its uses once sent (a timeout counts: Slack
 * may have shown it), "skipped" to keep a use, "unusable" when it cannot be used (none, expired,
 * used up, refused). The URL is read from the stored target at the moment of use, never carried.
 */
async function toResponseUrl(
  poster: SlackPoster,
  s: ProgressState,
  message: CardMessage,
  o: DeliveryOptions,
): Promise<number | "skipped" | "unusable"> {
  if (!s.target || !o.responseUrlOf) return "unusable";
  if ((s.responseUses ?? 0) >= RESPONSE_USES) return "unusable";
  const stored = await o.responseUrlOf(s.target).catch((err) => {
    log("warn", "could not read the progress target's response_url", { error: (err as Error)?.message });
    return undefined;
  });
  if (!stored || !allowedResponseUrl(stored.responseUrl) || o.now - stored.responseUrlAt >= RESPONSE_TTL_MS) return "unusable";
  const uses = s.responseUses ?? stored.responseUses;
  if (uses >= RESPONSE_USES) return "unusable";
  // the last use is kept for the outcome; between, only the first card and changes of state
  if (!o.final && (RESPONSE_USES - uses <= 1 || (s.via === "response_url" && !o.changed))) return "skipped";
  try {
    await poster.respond(stored.responseUrl, {
      ...withHint(message, s, "response_url"),
      response_type: "ephemeral",
      replace_original: true,
    });
    return uses + 1;
  } catch (err) {
    const e = toSlackCallError(err);
    // a timeout may have shown it: sending it again elsewhere would show it twice
    if (e.ambiguous) return uses + 1;
    log("warn", "the response_url refused the progress card", { error: e.error });
    return "unusable";
  }
}

/** The outcome to the requester alone (their response_url, else the DM), keeping the channel as the card's place. */
async function toRequester(poster: SlackPoster, s: ProgressState, message: CardMessage, o: DeliveryOptions): Promise<ProgressState> {
  if (s.via !== "dm") {
    const r = await toResponseUrl(poster, s, message, o);
    if (typeof r === "number") return { ...s, responseUses: r };
  }
  const dm = await toDm(poster, s, message, o);
  return { ...dm };
}

async function toDm(poster: SlackPoster, s: ProgressState, message: CardMessage, o: DeliveryOptions): Promise<ProgressState> {
  if (!s.requester) {
    log("error", "the progress card reached nobody: the channel refused it and there is no requester to tell", {
      channel: s.channel,
      reason: s.fallback,
    });
    return s;
  }
  const body = withHint(message, s, "dm");
  const wait = o.final ? FINAL_WAIT_MS : 0;
  const hintVia = s.hintVia ?? "dm";
  try {
    if (s.dmChannel && s.dmTs) {
      const { dmChannel, dmTs } = s;
      try {
        await honouringRetryAfter(() => poster.update({ channel: dmChannel, ts: dmTs, ...body }), wait);
        return { ...s, via: "dm", hintVia };
      } catch (err) {
        if (!CARD_GONE.has(toSlackCallError(err).error)) throw err;
      }
    }
    const requester = s.requester;
    const { ts, channel } = await honouringRetryAfter(() => poster.post({ channel: requester, ...body }), wait);
    return { ...s, via: "dm", dmChannel: channel, dmTs: ts, hintVia };
  } catch (err) {
    log("error", "could not deliver the progress card to the requester by DM", { error: toSlackCallError(err).error, final: o.final });
    return { ...s, via: "dm" };
  }
}

/** Why the card is not in the channel and how to fix it, told on the card where it is first shown. */
function withHint(message: CardMessage, s: ProgressState, via: Via): CardMessage {
  if (!s.fallback || (s.hintVia !== undefined && s.hintVia !== via)) return message;
  const text = channelHint(s.fallback, s.channel, "progress cards");
  return { text: message.text, blocks: [...message.blocks, { type: "context", elements: [{ type: "mrkdwn", text }] }] };
}
