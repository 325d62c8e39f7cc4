/**
 * The built bundles against a Slack Web API stand-in that answers as Slack documents it (slow
 * calls, `{ok:false,error}` bodies with HTTP 200, 429 with Retry-After, response_url limits):
 * no wait on Slack before an ack, every result reaches the requester, jobs run once.
 * Slack's documentation for each behaviour is cited where the test relies on it.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { LOCAL_SLACK, type LocalStack } from "../../dev/local-stack.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { SlackApiSim } from "../../dev/sim/slack-api.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { type Ack, buttons, FORM, slackSession } from "../support/slack-session.js";

let stack: LocalStack;
const leaks = watchLocalStack(
  { createDelayMs: 1_000, waitScale: 0.02, env: { IMAGE_CREATORS: LOCAL_SLACK.user, SLACK_TEAM_ID: LOCAL_SLACK.teamId } },
  (s) => (stack = s),
);
const session = slackSession(() => stack, leaks);
const { slash, click, responsesTo, seenAt, nextMessageTs } = session;
afterEach(() => stack.slackApi.setSlackFaults({}));

const text = (b: unknown) => JSON.stringify(b);
// NCP calls are form POSTs (ncp.md §1.2): the name is in the body
const creates = (name: string) =>
  stack.ncp.requests.filter(
    (r) => r.url.pathname.endsWith("createServerImage") && new URLSearchParams(r.body).get("serverImageName") === name,
  ).length;
const confirmValue = (name: string) => JSON.stringify({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name });

/** `/images create` in a channel, then Confirm: the click's response_url is where the requester hears back. */
async function createAndConfirm(name: string, channel = LOCAL_SLACK.channel) {
  const { responseUrl } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} ${name}`, { channel });
  const [confirm] = await responsesTo(responseUrl);
  const b = buttons(confirm!);
  const messageTs = nextMessageTs();
  const confirmed = await click(b.images_create_confirm!, { channel, messageTs });
  return { ...confirmed, cancel: b.images_create_cancel!, messageTs };
}

describe("the ack never waits on Slack", () => {
  it("acks and runs a command however auth.test behaves (5 s, ratelimited, invalid_auth), and never calls it", async () => {
    // Bolt 5.1 given a token without bot ids calls auth.test on every event, even with
    // tokenVerificationEnabled false (node_modules/@slack/bolt/dist/App.js, singleAuthorization)
    for (const fault of [{ delayMs: 5_000 }, { ratelimited: 30 }, { error: "invalid_auth" }]) {
      stack.slackApi.setSlackFaults({ methods: { "auth.test": fault } });
      const { ms, ackBody, responseUrl } = await slash("list iwinv");
      expect(ms, JSON.stringify(fault)).toBeLessThan(1_000);
      expect(ackBody.text).toMatch(/Looking up images/);
      const [answer] = await responsesTo(responseUrl);
      expect(answer!.text).toMatch(/shown/);
    }
    expect(stack.slackApi.callsTo("auth.test")).toEqual([]);
  });

  it("acks Cancel, a stale button and a refused Confirm at once while response_url takes 20 s; each answer still comes", async () => {
    stack.slackApi.setSlackFaults({ responseUrl: { delayMs: 20_000 } });
    const cases = [
      [{ action_id: "images_create_cancel", value: "cancel" }, {}, /Cancelled: no image was created/],
      [{ action_id: "images_next", value: "not json" }, {}, /out of date/],
      [
        { action_id: "images_create_confirm", value: confirmValue("refused-golden") },
        { user: "U0STRANGER1" },
        /not allowed to create images/,
      ],
    ] as const;
    for (const [button, o, answer] of cases) {
      const { ack, ms, responseUrl } = await click(button, { ...o, messageTs: nextMessageTs() });
      expect(ack.statusCode).toBe(200);
      expect(ms, button.action_id).toBeLessThan(1_000);
      // answered by the job: Slack shows it although its answer to us is late
      await vi.waitFor(() => expect(seenAt(responseUrl)[0]?.text).toMatch(answer), { timeout: 5_000, interval: 20 });
    }
    expect(creates("refused-golden")).toBe(0);
  });
});

describe("every result reaches the requester", () => {
  it("not_in_channel: progress and outcome replace the requester's message through the response_url, with how to fix it", async () => {
    // chat.postMessage answers not_in_channel for a channel the bot is not in
    // (https://docs.slack.dev/reference/methods/chat.postMessage#errors)
    const channel = "C0NOTIN001";
    stack.slackApi.setSlackFaults({ channels: { [channel]: "not_in_channel" } });
    const { responseUrl } = await createAndConfirm("notin-golden", channel);
    const last = await vi.waitFor(
      () => {
        const seen = seenAt(responseUrl);
        expect(seen.at(-1)?.text).toMatch(/notin-golden\* is available/);
        return seen;
      },
      { timeout: 20_000, interval: 100 },
    );
    // a response_url takes 5 uses within 30 minutes (https://api.slack.com/interactivity/handling#message_responses)
    expect(last.length).toBeLessThanOrEqual(5);
    const card = last.at(-1)!;
    expect(card).toMatchObject({ replace_original: true, response_type: "ephemeral" });
    expect(text(card.blocks)).toContain("`/invite @imageops`");
    expect(text(card.blocks)).toContain(`<@${LOCAL_SLACK.user}>`);
    expect(stack.slackApi.messages.filter((m) => m.channel === channel)).toHaveLength(0);
    expect(stack.slackApi.callsTo("response_url").filter((c) => c.error)).toEqual([]);
    // what came first never promised the channel: it said the card comes here when the channel cannot take it
    const started = last.find((m) => /started creating image \*notin-golden\*/.test(m.text))!;
    expect(started.text).toContain(`Its progress card goes to <#${channel}>, or comes to you here if I can't post there.`);
    for (const m of last) expect(m.text).not.toMatch(/Progress is posted in/);
    // the card names its operation, for /images status
    expect(text(card.blocks)).toMatch(/Operation `img-ncp-[0-9a-f]{40}` · `\/images status img-ncp-[0-9a-f]{40}`/);
  });

  it("channel_not_found, and a response_url Slack no longer takes: the outcome arrives in the app's DM with the requester", async () => {
    const channel = "G0PRIVATE1";
    const { responseUrl } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} private-golden`, { channel });
    const [confirm] = await responsesTo(responseUrl);
    // from now on the channel is not visible to the bot, and after the two answers to the
    // click (confirmed, started) Slack refuses that response_url
    stack.slackApi.setSlackFaults({ channels: { [channel]: "channel_not_found" }, responseUrl: { status: 404, after: 2 } });
    await click(buttons(confirm!).images_create_confirm!, { channel, messageTs: nextMessageTs() });
    const dm = SlackApiSim.dmChannel(LOCAL_SLACK.user);
    const card = await vi.waitFor(
      () => {
        const found = stack.slackApi.messages.find((m) => m.channel === dm && m.text.includes("private-golden"));
        expect(found?.text).toMatch(/private-golden\* is available/);
        return found!;
      },
      { timeout: 20_000, interval: 100 },
    );
    // one card, updated in place, saying once why it is here
    expect(stack.slackApi.messages.filter((m) => m.channel === dm && m.text.includes("private-golden"))).toHaveLength(1);
    expect(text(card.blocks)).toMatch(/private channel or a DM I'm not part of/);
  });

  it("an image that fails: the card says so, why, and what to do, naming the requester and the source", async () => {
    stack.ncp.createOutcome = "failed";
    try {
      await createAndConfirm("doomed-golden");
      const card = await vi.waitFor(
        () => {
          const found = stack.slackApi.messages.find((m) => m.channel === LOCAL_SLACK.channel && m.text.includes("doomed-golden"));
          expect(found?.text).toMatch(/doomed-golden\* failed/);
          return found!;
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(text(card.blocks)).toMatch(/What to do: Check the server in the ncp console/);
      expect(text(card.blocks)).toContain(`*Requested by*\\n<@${LOCAL_SLACK.user}>`);
      expect(text(card.blocks)).toContain(`*Source server*\\n\`${DEMO_SERVERS.ncp.kvm}\``);
      expect(text(card.blocks)).toContain("*Cloud*\\nncp / demo / KR");
    } finally {
      stack.ncp.createOutcome = "available";
    }
  });

  it("the scheduled audit's channel refusing the post is an error that fails the run, naming the fix", async () => {
    stack.slackApi.setSlackFaults({ channels: { [LOCAL_SLACK.channel]: "not_in_channel" } });
    const logged = leaks.output.length;
    await expect(stack.invoke("audit-images", { scheduled: true })).rejects.toThrow(
      /could not be posted to Slack channel C0LOCAL001: not_in_channel; invite @imageops/,
    );
    expect(leaks.output.slice(logged).join("")).toMatch(/"level":"ERROR","message":"the audit report could not be posted to Slack"/);
  });

  it("/images audit where the bot cannot post: the summary through the response_url for the channel, the full list by DM", async () => {
    const channel = "C0NOTIN002";
    stack.slackApi.setSlackFaults({ channels: { [channel]: "not_in_channel" } });
    const { responseUrl } = await slash("audit", { channel });
    const [summary] = await responsesTo(responseUrl);
    expect(summary!.response_type).toBe("in_channel");
    expect(summary!.text).toMatch(/^Image audit:/);
    expect(text(summary!.blocks)).toContain(`run by <@${LOCAL_SLACK.user}>`);
    expect(text(summary!.blocks)).toContain("`/invite @imageops`");
    const dm = stack.slackApi.messages.filter(
      (m) => m.channel === SlackApiSim.dmChannel(LOCAL_SLACK.user) && m.text.startsWith("Image audit:"),
    );
    if (text(summary!.blocks).includes("by direct message")) expect(dm.length).toBeGreaterThan(0);
  });
});

describe("jobs run once", () => {
  it("answers once when the response_url times out: the job does not throw, so Lambda does not run it again", async () => {
    // Slack shows the message, but answers us after our 5 s timeout
    stack.slackApi.setSlackFaults({ responseUrl: { delayMs: 6_000 } });
    const invocations = stack.lambda.invocations.length;
    const { responseUrl } = await slash("list iwinv");
    await stack.lambda.idle();
    expect(seenAt(responseUrl)).toHaveLength(1);
    expect(
      stack.lambda.invocations
        .slice(invocations)
        .filter((i) => i.name === "slack")
        .map((i) => i.type),
    ).toEqual(["Event"]);
    expect(stack.lambda.failures).toEqual([]);
  }, 20_000);
});

describe("Confirm, then Cancel", () => {
  it("Confirm replaces the buttons at once; a late Cancel says creation is under way, with the operation id", async () => {
    const { responseUrl: preflight } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} late-cancel-golden`);
    const [confirm] = await responsesTo(preflight);
    const b = buttons(confirm!);
    // create-image takes a while at the cloud: the click's job is still running
    stack.ncp.setFaults({ latencyMs: 1_500 });
    const messageTs = nextMessageTs();
    const confirmed = await click(b.images_create_confirm!, { messageTs });
    await vi.waitFor(() => expect(seenAt(confirmed.responseUrl)[0]?.text).toMatch(/confirmed: creating image \*late-cancel-golden\*/), {
      timeout: 1_000,
      interval: 10,
    });
    expect(text(seenAt(confirmed.responseUrl)[0]!.blocks)).not.toContain("images_create");
    // the requester's client still showed the buttons: Cancel on the same message
    const cancelled = await click(b.images_create_cancel!, { messageTs });
    const [answer] = await responsesTo(cancelled.responseUrl);
    stack.ncp.setFaults({});
    expect(answer!.text).toMatch(/Too late to cancel/);
    expect(answer!.text).not.toMatch(/no image was created/);
    const op = /operation `(img-ncp-[0-9a-f]+)`/.exec(answer!.text)?.[1];
    expect(op).toBeDefined();
    expect(seenAt(confirmed.responseUrl).at(-1)!.text).toContain(`Operation \`${op}\``);
    expect(creates("late-cancel-golden")).toBe(1);
  }, 30_000);
});

describe("the local stack's Slack sink", () => {
  it("takes the same fault switches from the console page (npm start), and reports them", async () => {
    const post = (fault: string, on: boolean) =>
      fetch(`${stack.url}/__console/slack-faults`, { method: "POST", body: JSON.stringify({ fault, on }) }).then((r) => r.json());
    expect(await post("not_in_channel", true)).toEqual({ on: ["not_in_channel"] });
    expect(await post("slow_auth_test", true)).toEqual({ on: ["not_in_channel", "slow_auth_test"] });
    expect(stack.slackApi.slackFaults).toEqual({
      channels: { [LOCAL_SLACK.channel]: "not_in_channel" },
      methods: { "auth.test": { delayMs: 4_000 } },
    });
    const state = (await (await fetch(`${stack.url}/__console/state`)).json()) as { slack: { on: string[]; switches: string[] } };
    expect(state.slack.on).toEqual(["not_in_channel", "slow_auth_test"]);
    expect(state.slack.switches).toEqual(["not_in_channel", "slow_auth_test", "update_429", "slow_response_url"]);
    expect(await post("not_in_channel", false)).toEqual({ on: ["slow_auth_test"] });
    expect(
      (await fetch(`${stack.url}/__console/slack-faults`, { method: "POST", body: JSON.stringify({ fault: "nope", on: true }) })).status,
    ).toBe(400);
  });
});

describe("small protocol points", () => {
  const urlEvent = (body: string, headers: Record<string, string>) => ({
    version: "2.0",
    rawPath: "/slack/events",
    headers,
    requestContext: { http: { method: "POST", path: "/slack/events" } },
    body,
    isBase64Encoded: false,
  });

  it("answers Slack's unsigned ssl_check with 200 and does nothing else", async () => {
    // https://api.slack.com/interactivity/slash-commands (ssl_check); Bolt's receivers answer it before verifying
    const before = {
      invocations: stack.lambda.invocations.length,
      secrets: stack.secrets.requests.length,
      slack: stack.slackApi.calls.length,
      logged: leaks.output.length,
    };
    const res = (await stack.invoke("slack", urlEvent("ssl_check=1&token=deprecated-verification-token", { "content-type": FORM }))) as Ack;
    expect(res).toMatchObject({ statusCode: 200, body: "" });
    expect({
      invocations: stack.lambda.invocations.length,
      secrets: stack.secrets.requests.length,
      slack: stack.slackApi.calls.length,
    }).toEqual({ invocations: before.invocations, secrets: before.secrets, slack: before.slack });
    expect(leaks.output.slice(before.logged).join("")).not.toContain("refused a Slack request");
  });

  it("after a rotated signing secret, re-reads the Slack secret, at most once a minute, before refusing", async () => {
    // a fresh container (its own module state): a first request, then the secret is rotated
    const bundle = join(fileURLToPath(new URL("../..", import.meta.url)), "dist", "slack", "index.mjs");
    const fresh = ((await import(`${pathToFileURL(bundle).href}?container=rotation`)) as { handler: LocalStack["handlers"]["slack"] })
      .handler;
    const original = stack.handlers.slack;
    const secretId = "imageops/slack";
    const reads = () => stack.secrets.requests.filter((r) => r.body.includes(secretId)).length;
    stack.handlers.slack = fresh;
    try {
      expect((await slash("help")).ack.statusCode).toBe(200);
      const rotated = "rotated-signing-secret-9f8e7d6c";
      stack.secrets.put(secretId, { signingSecret: rotated, botToken: LOCAL_SLACK.botToken });
      const before = reads();
      const signedNew = await slash("help", { secret: rotated });
      expect(signedNew.ack.statusCode).toBe(200);
      expect(signedNew.ackBody.text).toMatch(/Usage/);
      expect(reads()).toBe(before + 1);
      // forged requests within the minute do not make every request read the secret
      for (let i = 0; i < 3; i++) expect((await slash("help", { secret: "forged-secret" })).ack.statusCode).toBe(401);
      expect(reads()).toBe(before + 1);
    } finally {
      stack.secrets.put(secretId, { signingSecret: LOCAL_SLACK.signingSecret, botToken: LOCAL_SLACK.botToken });
      stack.handlers.slack = original;
    }
  });
});

describe("operations by id", () => {
  it("/images status <operation> answers the operation's state, image and timings", async () => {
    const { responseUrl } = await createAndConfirm("status-golden");
    const [, started] = await responsesTo(responseUrl, 2);
    const op = /Operation `(img-ncp-[0-9a-f]+)`/.exec(started!.text)![1]!;
    await stack.stepFunctions.settled(op);
    const { ackBody, responseUrl: asked } = await slash(`status ${op}`);
    expect(ackBody.text).toMatch(/Looking up the operation/);
    const [answer] = await responsesTo(asked);
    expect(answer!.text).toMatch(new RegExp(`^Operation ${op}: available \\(image \\d+\\)$`));
    expect(text(answer!.blocks)).toContain("status-golden");
    const [unknown] = await responsesTo((await slash(`status img-ncp-${"0".repeat(40)}`)).responseUrl);
    expect(unknown!.text).toMatch(/NOT_FOUND: no operation/);
  }, 30_000);

  it("a late Cancel that another container handles learns from the operation record that creation began", async () => {
    const { cancel } = await createAndConfirm("elsewhere-golden");
    await stack.lambda.idle();
    // a message this container never saw confirmed: only the operation record can tell
    const cancelled = await click(cancel, { messageTs: nextMessageTs() });
    const [answer] = await responsesTo(cancelled.responseUrl);
    expect(answer!.text).toMatch(/Too late to cancel/);
    expect(creates("elsewhere-golden")).toBe(1);
  }, 30_000);
});
