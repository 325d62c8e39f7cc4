import { describe, expect, it } from "vitest";
import { SlackGuard } from "../../functions/slack/guard.js";

describe("SlackGuard: authorization on Slack ids", () => {
  it("lets only the ids in IMAGE_CREATORS create", () => {
    const guard = new SlackGuard({ IMAGE_CREATORS: " U0AAA, U0BBB ,," });
    expect(guard.mayCreate("U0AAA")).toEqual({ ok: true });
    expect(guard.mayCreate("U0BBB")).toEqual({ ok: true });
    const refused = guard.mayCreate("U0CCC");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.reason).toMatch(/<@U0CCC> is not allowed to create images/);
    // a display name is never an id
    expect(guard.mayCreate("someone").ok).toBe(false);
    expect(guard.mayCreate(undefined).ok).toBe(false);
  });

  it.each([{}, { IMAGE_CREATORS: "" }, { IMAGE_CREATORS: " , " }])(
    "lets nobody create when IMAGE_CREATORS is unset or empty (%j), and says so",
    (env) => {
      const refused = new SlackGuard(env).mayCreate("U0AAA");
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.reason).toMatch(/nobody may create images from Slack here \(IMAGE_CREATORS is not set\)/);
    },
  );

  it("reads IMAGE_CREATORS at each call", () => {
    const env: NodeJS.ProcessEnv = { IMAGE_CREATORS: "U0AAA" };
    const guard = new SlackGuard(env);
    expect(guard.mayCreate("U0AAA").ok).toBe(true);
    delete env.IMAGE_CREATORS;
    expect(guard.mayCreate("U0AAA").ok).toBe(false);
  });

  it("accepts only SLACK_TEAM_ID's team when it is set", () => {
    const guard = new SlackGuard({ SLACK_TEAM_ID: "T0HOME001" });
    expect(guard.teamAllowed("T0OTHER01")).toBe(false);
    expect(guard.teamAllowed("T0HOME001")).toBe(true);
    expect(guard.teamAllowed(undefined)).toBe(false);
  });

  it("otherwise pins the team of the first request", () => {
    const guard = new SlackGuard({});
    expect(guard.teamAllowed(undefined)).toBe(false);
    expect(guard.teamAllowed("T0FIRST01")).toBe(true);
    expect(guard.teamAllowed("T0SECOND1")).toBe(false);
    expect(guard.teamAllowed("T0FIRST01")).toBe(true);
  });
});

describe("SlackGuard: requests already handled", () => {
  it("lets a key through once within the window, again after it or after forget", () => {
    let now = 1_000_000;
    const guard = new SlackGuard({}, () => now, 60_000);
    expect(guard.firstTime("cmd:1")).toBe(true);
    expect(guard.firstTime("cmd:1")).toBe(false);
    expect(guard.firstTime("cmd:2")).toBe(true);
    guard.forget("cmd:2");
    expect(guard.firstTime("cmd:2")).toBe(true);
    now += 60_001;
    expect(guard.firstTime("cmd:1")).toBe(true);
    // no key (no trigger id): never deduplicated
    expect(guard.firstTime(undefined)).toBe(true);
    expect(guard.firstTime(undefined)).toBe(true);
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
