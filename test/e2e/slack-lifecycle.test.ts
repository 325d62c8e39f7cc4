/**
 * /images delete and /images policy through the built slack bundle and the local Slack API:
 * creators only; a confirmation that shows the image and asks, in Slack's own dialog, for that
 * exact image; one delete for a double click; the same progress card to "is deleted"; Cancel before
 * and after; the policies' list and an on-demand run whose summary lands in the policy's channel.
 */
import { describe, expect, it, vi } from "vitest";
import { LOCAL_SLACK, type LocalStack, type LocalStackOptions } from "../../dev/local-stack.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { withPolicies } from "../support/policy-bundle.js";
import { type Ack, buttons, FORM, slackSession } from "../support/slack-session.js";
import { blockActionBody, signedEvent } from "../../dev/slack-sign.js";

let stack: LocalStack;
const options: LocalStackOptions = withPolicies({
  createDelayMs: 1_500,
  waitScale: 0.02,
  env: { IMAGE_CREATORS: LOCAL_SLACK.user, SLACK_TEAM_ID: LOCAL_SLACK.teamId, POLICY_POLL_SECONDS: "0.2" },
});
const leaks = watchLocalStack(options, (s) => (stack = s));
const { slash, click, responsesTo, nextMessageTs, newResponseUrl } = slackSession(() => stack, leaks);
const text = (b: unknown) => JSON.stringify(b);
const ncpDeletes = () => stack.ncp.requests.filter((r) => r.url.pathname.endsWith("deleteServerImage")).length;

describe("/images delete", () => {
  it("is refused at the ack for someone not in IMAGE_CREATORS, and so is their click on Delete", async () => {
    const invocations = stack.lambda.invocations.length;
    const { ackBody } = await slash("delete ncp 31000001", { user: "U0STRANGER1" });
    expect(ackBody.text).toMatch(/<@U0STRANGER1> is not allowed to delete images \(ask to be added to IMAGE_CREATORS\)/);
    expect(stack.lambda.invocations.length).toBe(invocations);
    const url = newResponseUrl();
    await stack.invoke(
      "slack",
      signedEvent(
        blockActionBody(
          { action_id: "images_delete_confirm", value: JSON.stringify({ provider: "ncp", id: "31000001", name: "web-base" }) },
          { responseUrl: url, user: "U0STRANGER1" },
        ),
        FORM,
      ),
    );
    await stack.lambda.idle();
    expect(stack.slackApi.responses.filter((r) => r.url === url).map((r) => (r.body as { text: string }).text)).toEqual([
      expect.stringMatching(/not allowed to delete images/),
    ]);
    expect(ncpDeletes()).toBe(0);
  });

  it("shows the image and asks for that exact image; a double click deletes it once; the card follows it until it is gone", async () => {
    const { ackBody, responseUrl } = await slash("delete ncp 31000002");
    expect(ackBody.text).toMatch(/Looking up the image/);
    const [confirm] = await responsesTo(responseUrl);
    expect(confirm!.text).toBe("Confirm deleting api-release-42");
    expect(text(confirm!.blocks)).toContain("partner@example.com: they lose it too");
    const del = buttons(confirm!).images_delete_confirm as unknown as {
      value: string;
      style: string;
      confirm: { text: { text: string } };
      action_id: string;
    };
    expect(del.style).toBe("danger");
    expect(del.confirm.text.text).toMatch(/^api-release-42 \(31000002\) on ncp\/demo\/KR is deleted for good/);
    expect(JSON.parse(del.value)).toMatchObject({
      provider: "ncp",
      id: "31000002",
      name: "api-release-42",
      op: expect.stringMatching(/^del-ncp-/),
    });

    const before = ncpDeletes();
    const url = newResponseUrl();
    const messageTs = nextMessageTs();
    await Promise.all([0, 1].map(() => stack.invoke("slack", signedEvent(blockActionBody(del, { responseUrl: url, messageTs }), FORM))));
    const all = await responsesTo(url, 3);
    // the twin click is answered on its own, apart from the first click's answers
    const twin = all.filter((a) => /^:information_source: You confirmed this already: this click adds nothing/.test(a.text));
    expect(twin).toHaveLength(1);
    const answers = all.filter((a) => !twin.includes(a));
    expect(answers[0]!.text).toMatch(/confirmed: deleting image \*api-release-42\* \(`31000002`\)/);
    expect(answers.at(-1)!.text).toMatch(
      /started deleting image \*api-release-42\*.*Its progress card goes to <#C0LOCAL001>, or comes to you here if I can.t post there/s,
    );
    expect(ncpDeletes() - before).toBe(1);
    const card = await vi.waitFor(
      () => {
        const found = stack.slackApi.messages.find((m) => m.channel === LOCAL_SLACK.channel && m.text.includes("api-release-42"));
        expect(found?.text).toMatch(/Image \*api-release-42\* is deleted — deleted/);
        return found!;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(card.history[0]!.text).toMatch(/Deleting image \*api-release-42\*/);
    expect(text(card.blocks)).toContain(`<@${LOCAL_SLACK.user}>`);
    // a Cancel still arriving on that message is too late, and says so with the operation
    const late = newResponseUrl();
    await stack.invoke(
      "slack",
      signedEvent(blockActionBody(buttons(confirm!).images_delete_cancel!, { responseUrl: late, messageTs }), FORM),
    );
    const [tooLate] = await responsesTo(late);
    expect(tooLate!.text).toMatch(/Too late to cancel: .* the image is being deleted \(operation `del-ncp-/);
  });

  it("a public image gets the failed check, said to be final, and no Delete button", async () => {
    const { responseUrl } = await slash("delete ncp 23214590");
    const [answer] = await responsesTo(responseUrl);
    expect(answer!.text).toBe("ubuntu-24.04-base cannot be deleted");
    expect(text(answer!.blocks)).toMatch(/serverImageType NCP: a public image of NCP/);
    expect(buttons(answer!).images_delete_confirm).toBeUndefined();
  });

  it("Cancel deletes nothing; a stale button says to start again", async () => {
    const { responseUrl } = await slash("delete ncp 41000002");
    const [confirm] = await responsesTo(responseUrl);
    const before = stack.ncp.requests.filter((r) => /delete/.test(r.url.pathname)).length;
    const { responseUrl: cancelled } = await click(buttons(confirm!).images_delete_cancel!);
    expect((await responsesTo(cancelled))[0]!.text).toBe("Cancelled: nothing was deleted.");
    const { ack, responseUrl: stale } = await click({ action_id: "images_delete_confirm", value: "not json" });
    expect((ack as Ack).statusCode).toBe(200);
    expect((await responsesTo(stale))[0]!.text).toMatch(/out of date; run `\/images delete` again/);
    expect(stack.ncp.requests.filter((r) => /delete/.test(r.url.pathname)).length).toBe(before);
  });
});

describe("/images policy", () => {
  it("lists the policies with their schedule, next run and last result", async () => {
    const { ackBody, responseUrl } = await slash("policy list");
    expect(ackBody.text).toMatch(/Looking up the policies/);
    const [answer] = await responsesTo(responseUrl);
    const t = text(answer!.blocks);
    for (const name of ["e2e-keep-two", "e2e-other", "e2e-scp-days", "e2e-two-servers"]) expect(t).toContain(`*${name}*`);
    expect(t).toMatch(/`cron\(0 3 \* \* \? \*\)` in Asia\/Seoul · next: <!date\^\d+\^/);
    expect(t).toContain("next: disabled");
    expect(t).toContain("last: never ran");
  });

  it("runs one now for a creator: the summary is posted in the policy's channel, and the list shows the result", async () => {
    expect((await slash("policy run e2e-other", { user: "U0STRANGER1" })).ackBody.text).toMatch(/not allowed to run policies/);
    const { responseUrl } = await slash("policy run e2e-other");
    const [started] = await responsesTo(responseUrl);
    expect(started!.text).toMatch(/started policy \*e2e-other\* now .* posts its summary in <#C0POLICY02>/);
    await vi.waitFor(
      () => expect(stack.slackApi.messages.some((m) => m.channel === "C0POLICY02" && /^Policy e2e-other: 1 made/.test(m.text))).toBe(true),
      { timeout: 20_000, interval: 100 },
    );
    const summary = stack.slackApi.messages.find((m) => m.channel === "C0POLICY02")!;
    expect(text(summary.blocks)).toContain(`run on demand by <@${LOCAL_SLACK.user}>`);
    const { responseUrl: listed } = await slash("policy list");
    expect(text((await responsesTo(listed))[0]!.blocks)).toMatch(/e2e-other.*\(on demand\): 1 made, 1 kept, 0 deleted, 0 failed/s);
    const unknown = await slash("policy run nope");
    expect((await responsesTo(unknown.responseUrl))[0]!.text).toMatch(/NOT_FOUND: no policy "nope"/);
  });
});
