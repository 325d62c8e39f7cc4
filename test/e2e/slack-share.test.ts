/**
 * /images share, /images unshare and what /images show says of sharing, through the built slack
 * bundle and the local Slack API: creators only; a confirmation naming the image and the targets
 * (what the cloud already shows reported, not sent), in Slack's own dialog too; one share for a
 * double click, and the result saying whom the image is shared with.
 */
import { describe, expect, it } from "vitest";
import { LOCAL_SLACK, type LocalStack } from "../../dev/local-stack.js";
import { blockActionBody, signedEvent } from "../../dev/slack-sign.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { buttons, FORM, slackSession } from "../support/slack-session.js";

let stack: LocalStack;
const leaks = watchLocalStack(
  { createDelayMs: 1_500, waitScale: 0.02, env: { IMAGE_CREATORS: LOCAL_SLACK.user, SLACK_TEAM_ID: LOCAL_SLACK.teamId } },
  (s) => (stack = s),
);
const { slash, responsesTo, nextMessageTs, newResponseUrl } = slackSession(() => stack, leaks);
const adds = () => stack.ncp.requests.filter((r) => r.url.pathname.endsWith("/addServerImageSharingPermission")).length;

describe("/images share and unshare", () => {
  it("is refused at the ack for someone not in IMAGE_CREATORS", async () => {
    const invocations = stack.lambda.invocations.length;
    const { ackBody } = await slash("share ncp 31000001 workload-a@example.com", { user: "U0STRANGER1" });
    expect(ackBody.text).toMatch(/<@U0STRANGER1> is not allowed to share images \(ask to be added to IMAGE_CREATORS\)/);
    expect(stack.lambda.invocations.length).toBe(invocations);
  });

  it("/images show lists whom an image is shared with", async () => {
    const { responseUrl } = await slash("show ncp 31000002");
    const [shown] = await responsesTo(responseUrl);
    expect(JSON.stringify(shown!.blocks)).toMatch(/\*Shared with\*\\n`partner@example.com`/);
  });

  it("asks naming the image and the targets, shares once for a double click, and says whom it is shared with", async () => {
    const { responseUrl } = await slash("share ncp 31000002 workload-a@example.com partner@example.com");
    const [confirm] = await responsesTo(responseUrl);
    expect(confirm!.text).toBe("Confirm share of api-release-42");
    const blocks = JSON.stringify(confirm!.blocks);
    expect(blocks).toMatch(/Share image \*api-release-42\* \(`31000002`\) of ncp with `workload-a@example.com`\?/);
    expect(blocks).toContain("already shared with partner@example.com: not sent again");
    const share = buttons(confirm!).images_share_confirm as unknown as { value: string; confirm: { text: { text: string } } };
    expect(share.confirm.text.text).toBe("api-release-42 (31000002) on ncp/demo/KR is shared with workload-a@example.com.");
    expect(JSON.parse(share.value)).toMatchObject({
      provider: "ncp",
      id: "31000002",
      action: "share",
      targets: ["workload-a@example.com", "partner@example.com"],
      op: expect.stringMatching(/^shr-ncp-/),
    });
    const before = adds();
    const url = newResponseUrl();
    const messageTs = nextMessageTs();
    await Promise.all(
      [0, 1].map(() =>
        stack.invoke("slack", signedEvent(blockActionBody(buttons(confirm!).images_share_confirm!, { responseUrl: url, messageTs }), FORM)),
      ),
    );
    // the twin click gets a reply of its own ("You confirmed this already…"); the result is the other answer
    const said = await responsesTo(url, 2);
    expect(said.filter((r) => /You confirmed this already/.test(r.text))).toHaveLength(1);
    const result = said.find((r) => !/You confirmed this already/.test(r.text));
    expect(result!.text).toMatch(
      /<@U0LOCAL001> shared image \*api-release-42\* \(`31000002`, ncp\/demo\/KR\) with `workload-a@example.com`/,
    );
    expect(result!.text).toMatch(/Shared with: `partner@example.com`, `workload-a@example.com`/);
    expect(adds() - before).toBe(1);
  });

  it("unshare removes them; a target not of the cloud's form gets the failed check and no button", async () => {
    const { responseUrl } = await slash("unshare ncp 31000002 workload-a@example.com");
    const [confirm] = await responsesTo(responseUrl);
    expect(confirm!.text).toBe("Confirm unshare of api-release-42");
    const url = newResponseUrl();
    await stack.invoke("slack", signedEvent(blockActionBody(buttons(confirm!).images_share_confirm!, { responseUrl: url }), FORM));
    const [result] = await responsesTo(url);
    expect(result!.text).toMatch(/stopped sharing image \*api-release-42\*/);
    expect(stack.ncp.images.get("31000002")!.raw.sharedLoginIdList).toEqual(["partner@example.com"]);

    const { responseUrl: bad } = await slash("share ncp 31000001 not-a-login-id");
    const [refused] = await responsesTo(bad);
    expect(JSON.stringify(refused!.blocks)).toMatch(/not an NCP login id/);
    expect(buttons(refused!).images_share_confirm).toBeUndefined();
  });
});
