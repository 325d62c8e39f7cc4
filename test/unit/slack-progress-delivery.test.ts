/**
 * Progress delivery (shared/slack/progress-delivery.ts) with the real @slack/web-api client
 * against the Slack stand-in, which answers as Slack documents it:
 * - chat.postMessage errors `not_in_channel` / `channel_not_found` with HTTP 200
 *   (https://docs.slack.dev/reference/methods/chat.postMessage#errors); a user id as channel
 *   posts to the app's DM with that user (same page, "Channels");
 * - chat.update `message_not_found` (https://docs.slack.dev/reference/methods/chat.update#errors);
 * - HTTP 429 with Retry-After (https://docs.slack.dev/apis/web-api/rate-limits);
 * - response_url: 5 uses within 30 minutes (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses),
 *   read from the target the bot stored (shared/slack/targets.ts), never carried in the state.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverProgress } from "../../shared/slack/progress-delivery.js";
import { slackWebClient, type SlackPoster, webPoster } from "../../shared/slack/web.js";
import type { ProgressState } from "../../shared/tracking/types.js";
import { SlackApiSim } from "../../dev/sim/slack-api.js";
import { tapOutput } from "../support/tap-output.js";

const sim = new SlackApiSim("xoxb-delivery-test");
let poster: SlackPoster;
const USER = "U0REQUEST1";

beforeAll(async () => {
  await sim.start();
  process.env.SLACK_API_URL = sim.apiUrl;
  poster = webPoster(slackWebClient(sim.botToken, sim.apiUrl));
});
afterAll(() => sim.close());

let seq = 0;
const card = (text: string) => ({ text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }] });
/** The bot's stored targets (shared/slack/targets.ts), by id: the response_url is read from here only. */
const stored = new Map<string, { responseUrl: string; responseUrlAt: number; responseUses: number }>();
const responseUrlOf = async (id: string) => stored.get(id);
/** A fresh channel (its own rate-limit budget) and a stored target with its response_url, as a Confirm click gives them. */
function target(over: Partial<ProgressState> = {}): ProgressState {
  const id = ++seq;
  const key = id.toString(16).padStart(32, "0");
  stored.set(key, { responseUrl: sim.responseUrl(`deliv-${id}`), responseUrlAt: Date.now(), responseUses: 2 });
  return { channel: `C0DELIV${String(id).padStart(3, "0")}`, requester: USER, target: key, ...over };
}
const urlOf = (s: ProgressState) => stored.get(s.target!)!.responseUrl;
const responses = (url: string) =>
  sim.responses
    .filter((r) => r.url === url)
    .map((r) => r.body as { text: string; blocks: unknown[]; replace_original?: boolean; response_type?: string });
const now = () => Date.now();
const step = (s: ProgressState, text: string, final = false, changed = false) =>
  deliverProgress(poster, s, card(text), { now: now(), final, changed, responseUrlOf });

describe("the channel of the request", () => {
  it("posts the card once, then updates it in place", async () => {
    let s = await step(target(), "creating", false, true);
    expect(s.via).toBe("channel");
    s = await step(s, "still creating");
    s = await step(s, "available", true, true);
    const cards = sim.messages.filter((m) => m.channel === s.channel);
    expect(cards).toHaveLength(1);
    expect(cards[0]!.history.map((h) => h.text)).toEqual(["creating", "still creating", "available"]);
  });

  it("posts a new card when the old one is gone (message_not_found), so the outcome is still seen", async () => {
    let s = await step(target(), "creating", false, true);
    const first = s.messageTs;
    sim.messages.splice(
      sim.messages.findIndex((m) => m.ts === first),
      1,
    ); // someone deleted it
    s = await step(s, "available", true, true);
    expect(sim.callsTo("chat.update").at(-1)!.error).toBe("message_not_found");
    expect(s.messageTs).not.toBe(first);
    expect(sim.messages.find((m) => m.ts === s.messageTs)!.text).toBe("available");
  });

  it("skips an update Slack rate-limits on the way (the next step tries again), and waits out Retry-After for the outcome", async () => {
    let s = await step(target(), "creating", false, true);
    sim.setSlackFaults({ methods: { "chat.update": { ratelimited: 1, count: 1 } } });
    const skipped = await step(s, "still creating");
    expect(skipped).toEqual(s);
    expect(responses(urlOf(s))).toHaveLength(0);

    sim.setSlackFaults({ methods: { "chat.update": { ratelimited: 1, count: 1 } } });
    const t0 = Date.now();
    s = await step(s, "available", true, true);
    const updates = sim.callsTo("chat.update").filter((c) => c.channel === s.channel);
    expect(updates.map((c) => c.status).slice(-2)).toEqual([429, 200]);
    // the retry came after the Retry-After Slack asked for
    expect(updates.at(-1)!.at - updates.at(-2)!.at).toBeGreaterThanOrEqual(1_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_000);
    expect(sim.messages.find((m) => m.ts === s.messageTs)!.text).toBe("available");
  });
});

describe("a final update Slack rate-limits longer than a step waits", () => {
  it("tells the requester now, then brings the channel card up to date after Retry-After (issue #26 item 7)", async () => {
    // chat.update is rate-limited per method (Tier 3, 50+ per minute); a 429 carries Retry-After,
    // the seconds to wait before calling again (https://docs.slack.dev/apis/web-api/rate-limits)
    let s = await step(target(), "creating", false, true);
    const ts = s.messageTs;
    sim.setSlackFaults({ methods: { "chat.update": { ratelimited: 30, count: 1 } } });
    const t0 = Date.now();
    s = await step(s, "available", true, true);
    // the step did not sit out 30 s; the requester has the outcome, without a channel hint (the channel is fine)
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(s).toMatchObject({ via: "channel", messageTs: ts, channelOwed: 30 });
    expect(s.fallback).toBeUndefined();
    const told = responses(urlOf(s));
    expect(told.map((r) => r.text)).toEqual(["available"]);
    expect(JSON.stringify(told[0]!.blocks)).not.toContain("/invite");
    expect(sim.messages.find((m) => m.ts === ts)!.text).toBe("creating");
    // the next step (after Retry-After): the channel card only, updated in place; nothing new to the requester
    s = await step(s, "available", true, true);
    expect(s.channelOwed).toBeUndefined();
    expect(s).toMatchObject({ via: "channel", messageTs: ts });
    expect(sim.messages.find((m) => m.ts === ts)!.text).toBe("available");
    expect(sim.messages.filter((m) => m.channel === s.channel)).toHaveLength(1);
    expect(responses(urlOf(s))).toHaveLength(1);
  });
});

describe("when the bot cannot post in the channel", () => {
  it("not_in_channel: the card goes to the requester's response_url, says once how to fix it, and keeps a use for the outcome", async () => {
    const t = target();
    sim.setSlackFaults({ channels: { [t.channel]: "not_in_channel" } });
    let s = await step(t, "creating", false, true);
    expect(s).toMatchObject({ via: "response_url", fallback: "not_in_channel", responseUses: 3 });
    // no change of state: not worth one of the five uses
    s = await step(s, "still creating");
    expect(s.responseUses).toBe(3);
    s = await step(s, "available", true, true);
    expect(s.responseUses).toBe(4);
    const seen = responses(urlOf(t));
    expect(seen.map((r) => r.text)).toEqual(["creating", "available"]);
    for (const r of seen) expect(r).toMatchObject({ replace_original: true, response_type: "ephemeral" });
    expect(JSON.stringify(seen[0]!.blocks)).toContain("`/invite @imageops`");
    expect(sim.messages.filter((m) => m.channel === t.channel)).toHaveLength(0);
    sim.setSlackFaults({});
  });

  it("channel_not_found and no response_url left: the app's DM with the requester, updated in place", async () => {
    const t = target({ responseUses: 5 });
    sim.setSlackFaults({ channels: { [t.channel]: "channel_not_found" } });
    let s = await step(t, "creating", false, true);
    expect(s).toMatchObject({ via: "dm", dmChannel: SlackApiSim.dmChannel(USER) });
    s = await step(s, "available", true, true);
    const dm = sim.messages.filter((m) => m.ts === s.dmTs);
    expect(dm).toHaveLength(1);
    expect(dm[0]!.history.map((h) => h.text)).toEqual(["creating", "available"]);
    expect(JSON.stringify(dm[0]!.blocks)).toMatch(/private channel or a DM I'm not part of/);
    sim.setSlackFaults({});
  });

  it("an expired response_url (30 minutes): the DM, and the hint is not repeated there once given", async () => {
    const t = target();
    sim.setSlackFaults({ channels: { [t.channel]: "not_in_channel" } });
    let s = await step(t, "creating", false, true);
    expect(s.via).toBe("response_url");
    // 31 minutes later the response_url is past Slack's limit: the outcome goes by DM
    s = await deliverProgress(poster, s, card("available"), { now: now() + 31 * 60_000, final: true, changed: true, responseUrlOf });
    expect(s.via).toBe("dm");
    const dm = sim.messages.find((m) => m.ts === s.dmTs)!;
    expect(dm.text).toBe("available");
    expect(JSON.stringify(dm.blocks)).not.toContain("/invite");
    sim.setSlackFaults({});
  });

  it("a response_url Slack refuses (used up, expired early): the DM", async () => {
    const t = target();
    sim.setSlackFaults({ channels: { [t.channel]: "not_in_channel" }, responseUrl: { status: 404 } });
    const s = await step(t, "available", true, true);
    expect(s.via).toBe("dm");
    expect(sim.messages.find((m) => m.ts === s.dmTs)!.text).toBe("available");
    sim.setSlackFaults({});
  });

  it("the outcome takes the next way when the channel keeps failing (internal_error), not only when the bot is not in it", async () => {
    const t = target();
    sim.setSlackFaults({ methods: { "chat.postMessage": { error: "internal_error", count: 1 } } });
    const s = await step(t, "failed", true, true);
    expect(s.via).toBe("response_url");
    expect(responses(urlOf(t)).map((r) => r.text)).toEqual(["failed"]);
    sim.setSlackFaults({});
  });

  it("reads the response_url from the stored target at the moment of use: the state carried between steps never holds it", async () => {
    const t = target();
    sim.setSlackFaults({ channels: { [t.channel]: "not_in_channel" } });
    let s = await step(t, "creating", false, true);
    s = await step(s, "available", true, true);
    expect(responses(urlOf(t)).map((r) => r.text)).toEqual(["creating", "available"]);
    // what Step Functions keeps in the execution history: the target's id, never its URL
    expect(JSON.stringify(s)).not.toContain(urlOf(t));
    expect(JSON.stringify(s)).not.toMatch(/responseUrl/);
    sim.setSlackFaults({});
  });

  it("a target that is gone (expired, or never stored by the bot): the DM", async () => {
    const t = target({ target: "f".repeat(32) });
    sim.setSlackFaults({ channels: { [t.channel]: "not_in_channel" } });
    const s = await step(t, "available", true, true);
    expect(s.via).toBe("dm");
    expect(sim.messages.find((m) => m.ts === s.dmTs)!.text).toBe("available");
    sim.setSlackFaults({});
  });

  it("with no requester to tell, says so at error level and keeps the state", async () => {
    const lines: string[] = [];
    const untap = tapOutput((c) => lines.push(String(c)));
    try {
      const t: ProgressState = { channel: "C0NOBODY01" };
      sim.setSlackFaults({ channels: { C0NOBODY01: "not_in_channel" } });
      const s = await step(t, "available", true, true);
      expect(s.messageTs).toBeUndefined();
      expect(lines.join("")).toMatch(/"level":"ERROR".*the progress card reached nobody/);
    } finally {
      untap();
      sim.setSlackFaults({});
    }
  });
});
