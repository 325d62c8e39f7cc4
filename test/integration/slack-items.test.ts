/**
 * The Slack bot's items against dynalite, with the operations table as serverless.yml defines it
 * (issue #23): progress targets (shared/slack/targets.ts) — stored by the bot, named by id, for
 * one request, gone with the response_url Slack honours "up to 5 times within 30 minutes"
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses) — and the
 * claims that de-duplicate Slack requests across containers (shared/slack/dedup.ts), one
 * conditional put each (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSim } from "../../dev/sim/dynamodb.js";
import { DynamoSeenStore } from "../../shared/slack/dedup.js";
import { DynamoTargetStore, progressTarget, type StoredTarget, type TargetRequest } from "../../shared/slack/targets.js";

const dynamo = new DynamoSim("slack-items-test");
const now = Date.now();
let targets: DynamoTargetStore;
beforeAll(async () => {
  await dynamo.start();
  targets = new DynamoTargetStore(dynamo.tableName, dynamo.clientConfig(), () => now);
});
afterAll(() => dynamo.close());

const CREATE: TargetRequest = { kind: "create-image", provider: "ncp", serverId: "31000001", name: "web-golden" };
const stored = (over: Partial<StoredTarget> = {}): StoredTarget => ({
  channel: "C0TARGET01",
  requester: "U0TARGET01",
  responseUrl: "https://hooks.slack.com/actions/T0/1/secret-part",
  responseUrlAt: now,
  responseUses: 2,
  for: CREATE,
  ...over,
});
const resolve = (notify: Parameters<typeof progressTarget>[0], request: TargetRequest = CREATE, channels = new Set<string>()) =>
  progressTarget(notify, request, { targets: () => targets, channels });

describe("progress targets", () => {
  it("resolve, for the request they were issued for, to the channel and requester the bot stored, never the response_url", async () => {
    const id = await targets.put(stored());
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const target = await resolve({ target: id });
    expect(target).toEqual({ channel: "C0TARGET01", requester: "U0TARGET01", target: id });
    // track-image reads the URL from the item when it needs it
    expect((await targets.get(id))?.responseUrl).toBe("https://hooks.slack.com/actions/T0/1/secret-part");
  });

  it("refuse a target issued for another request: its id cannot send another operation's progress to the same people", async () => {
    const id = await targets.put(stored());
    for (const other of [
      { ...CREATE, name: "other-golden" },
      { ...CREATE, serverId: "31000002" },
      { ...CREATE, account: "prod" },
      { kind: "delete-image", provider: "ncp", id: "31000001" } as const,
    ])
      await expect(resolve({ target: id }, other)).rejects.toMatchObject({
        code: "FORBIDDEN",
        field: "notify.target",
        message: "notify.target: that progress target was issued for another request",
      });
  });

  it("refuse an id the bot never stored, and one whose response_url's 30 minutes are over (TTL deletion is lazy: the read checks)", async () => {
    await expect(resolve({ target: "0".repeat(32) })).rejects.toMatchObject({ code: "FORBIDDEN", field: "notify.target" });
    const id = await targets.put(stored({ responseUrlAt: now - 30 * 60_000 - 1 }));
    await expect(targets.get(id)).resolves.toBeUndefined();
    await expect(resolve({ target: id })).rejects.toMatchObject({ message: expect.stringMatching(/only the Slack bot issues them/) });
  });

  it("let a function-URL caller name only a channel the deployment allows (NOTIFY_CHANNELS; unset: none)", async () => {
    await expect(resolve({ channel: "C0ANY0001" })).rejects.toMatchObject({
      code: "FORBIDDEN",
      field: "notify.channel",
      message: expect.stringMatching(/^notify\.channel: C0ANY0001 is not a channel .* allowed: none \(NOTIFY_CHANNELS is not set\)/),
    });
    const allowed = new Set(["C0OPS0001"]);
    await expect(resolve({ channel: "C0ANY0001" }, CREATE, allowed)).rejects.toMatchObject({
      message: expect.stringMatching(/allowed: only C0OPS0001/),
    });
    expect(await resolve({ channel: "C0OPS0001" }, CREATE, allowed)).toEqual({ channel: "C0OPS0001" });
    expect(await resolve(undefined)).toBeUndefined();
  });
});

describe("claims of Slack requests", () => {
  it("one conditional put each: the first claim wins, a replay loses, an expired or released claim is taken again", async () => {
    let t = 1_800_000_000_000;
    const a = new DynamoSeenStore(dynamo.tableName, dynamo.clientConfig(), () => t);
    const b = new DynamoSeenStore(dynamo.tableName, dynamo.clientConfig(), () => t);
    expect(await a.claim("cmd:1.2.local", t + 60_000)).toBe(true);
    // another container, the same request: handled already
    expect(await b.claim("cmd:1.2.local", t + 60_000)).toBe(false);
    // of two at once, exactly one wins
    const race = await Promise.all([a.claim("cmd:race", t + 60_000), b.claim("cmd:race", t + 60_000)]);
    expect(race.filter(Boolean)).toHaveLength(1);
    await a.release("cmd:race");
    expect(await b.claim("cmd:race", t + 60_000)).toBe(true);
    t += 61_000;
    expect(await b.claim("cmd:1.2.local", t + 60_000)).toBe(true);
    // a Confirm's key holds its button's value: hashed into the partition key
    expect(await a.claim(`confirm:U0A:1.2:${"x".repeat(3000)}`, t + 60_000)).toBe(true);
  });
});
