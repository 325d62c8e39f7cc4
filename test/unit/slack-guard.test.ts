import { describe, expect, it } from "vitest";
import { SlackGuard } from "../../functions/slack/guard.js";
import { HandledRequests, type SeenStore } from "../../shared/slack/dedup.js";
import { tapOutput } from "../support/tap-output.js";

describe("SlackGuard: authorization on Slack ids", () => {
  it("lets only the ids in IMAGE_CREATORS create", () => {
    const guard = new SlackGuard({ IMAGE_CREATORS: " U0AAA, U0BBB ,," });
    expect(guard.may("U0AAA", "create images")).toEqual({ ok: true });
    expect(guard.may("U0BBB", "create images")).toEqual({ ok: true });
    const refused = guard.may("U0CCC", "create images");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/<@U0CCC> is not allowed to create images/);
    // a display name is never an id
    expect(guard.may("someone", "create images").ok).toBe(false);
    expect(guard.may(undefined, "create images").ok).toBe(false);
  });

  it.each([{}, { IMAGE_CREATORS: "" }, { IMAGE_CREATORS: " , " }])(
    "lets nobody create when IMAGE_CREATORS is unset or empty (%j), and says so",
    (env) => {
      const refused = new SlackGuard(env).may("U0AAA", "create images");
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.reason).toMatch(/nobody may create images from Slack here \(IMAGE_CREATORS is not set\)/);
    },
  );

  it("reads IMAGE_CREATORS at each call", () => {
    const env: NodeJS.ProcessEnv = { IMAGE_CREATORS: "U0AAA" };
    const guard = new SlackGuard(env);
    expect(guard.may("U0AAA", "create images").ok).toBe(true);
    delete env.IMAGE_CREATORS;
    expect(guard.may("U0AAA", "create images").ok).toBe(false);
  });

  it("accepts only SLACK_TEAM_ID's team when it is set", () => {
    const guard = new SlackGuard({ SLACK_TEAM_ID: "T0HOME001" });
    expect(guard.teamAllowed("T0OTHER01")).toBe(false);
    expect(guard.teamAllowed("T0HOME001")).toBe(true);
    expect(guard.teamAllowed(undefined)).toBe(false);
  });

  // issue #23 item 2: unset used to pin whichever workspace's signed request came first
  it.each([{}, { SLACK_TEAM_ID: "" }, { SLACK_TEAM_ID: "  " }])(
    "serves no workspace when SLACK_TEAM_ID is unset or empty (%j), and says what to set",
    (env) => {
      const guard = new SlackGuard(env);
      expect(guard.teamAllowed("T0FIRST01")).toBe(false);
      expect(guard.teamAllowed("T0FIRST01")).toBe(false);
      expect(guard.teamAllowed("T0SECOND1")).toBe(false);
      expect(guard.teamRefusal("T0FIRST01")).toMatch(/SLACK_TEAM_ID is not set.*slackTeamId deploy parameter to T0FIRST01/);
    },
  );

  it("tells another workspace only that it is not allowed when SLACK_TEAM_ID is set", () => {
    expect(new SlackGuard({ SLACK_TEAM_ID: "T0HOME001" }).teamRefusal("T0OTHER01")).toBe(
      ":no_entry: This Slack workspace is not allowed to use imageops.",
    );
  });
});

/** The shared store of claims, deciding as DynamoDB's conditional put does (test/integration/slack-dedup.test.ts runs the real one). */
class MemorySeen implements SeenStore {
  readonly claims = new Map<string, { until: number; released?: boolean }>();
  constructor(private readonly now: () => number) {}
  async claim(key: string, until: number) {
    const c = this.claims.get(key);
    if (c && !c.released && c.until >= this.now()) return false;
    this.claims.set(key, { until });
    return true;
  }
  async release(key: string) {
    this.claims.set(key, { until: this.now(), released: true });
  }
}

describe("HandledRequests: requests already handled", () => {
  it("lets a key through once within the window, again after it or after forget", async () => {
    let now = 1_000_000;
    const seen = new MemorySeen(() => now);
    const handled = new HandledRequests(
      () => seen,
      () => now,
      60_000,
    );
    expect(await handled.first("cmd:1")).toBe(true);
    expect(await handled.first("cmd:1")).toBe(false);
    expect(await handled.first("cmd:2")).toBe(true);
    await handled.forget("cmd:2");
    expect(await handled.first("cmd:2")).toBe(true);
    now += 60_001;
    expect(await handled.first("cmd:1")).toBe(true);
    // no key (no trigger id): never deduplicated
    expect(await handled.first(undefined)).toBe(true);
    expect(await handled.first(undefined)).toBe(true);
  });

  it("answers a key another container claimed as handled: the shared store decides, not this container's memory", async () => {
    const now = () => 1_000_000;
    const shared = new MemorySeen(now);
    const a = new HandledRequests(() => shared, now);
    const b = new HandledRequests(() => shared, now);
    expect(await a.first("cmd:replayed")).toBe(true);
    expect(await b.first("cmd:replayed")).toBe(false);
    // released by the container whose dispatch failed: the next attempt anywhere runs it
    await a.forget("cmd:replayed");
    expect(await new HandledRequests(() => shared, now).first("cmd:replayed")).toBe(true);
  });

  it("handles the request when the store cannot be reached (the functions behind a job are exactly-once), and says so", async () => {
    const lines: string[] = [];
    const untap = tapOutput((chunk) => lines.push(String(chunk)));
    try {
      const broken: SeenStore = {
        claim: () => Promise.reject(Object.assign(new Error("timed out"), { name: "TimeoutError" })),
        release: async () => {},
      };
      expect(await new HandledRequests(() => broken).first("cmd:x")).toBe(true);
    } finally {
      untap();
    }
    expect(lines.join("")).toMatch(/could not record a Slack request as handled; handling it.*TimeoutError/);
  });
});

describe("SlackGuard: a Confirm taken on a message", () => {
  it("is remembered for a late Cancel on the same message, within the window only", () => {
    let now = 1_000_000;
    const guard = new SlackGuard({}, () => now, 60_000);
    expect(guard.confirmed("U0AAA:C0AAA:1700000001.000100")).toBeUndefined();
    guard.noteConfirmed("U0AAA:C0AAA:1700000001.000100", { user: "U0AAA", operation: "img-ncp-1" });
    expect(guard.confirmed("U0AAA:C0AAA:1700000001.000100")).toEqual({ user: "U0AAA", operation: "img-ncp-1", at: now });
    // another message's Cancel is a real cancel
    expect(guard.confirmed("U0AAA:C0AAA:1700000002.000100")).toBeUndefined();
    now += 60_001;
    expect(guard.confirmed("U0AAA:C0AAA:1700000001.000100")).toBeUndefined();
  });
});
