/**
 * The built slack bundle with Slack-signed function URL events (form bodies and interactive
 * payloads, base64 or not), a local Slack Web API and the simulators: commands, refusals,
 * signatures and timestamps, retries, and the whole create flow to an available image.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it, vi } from "vitest";
import { LOCAL_SLACK, type LocalStack } from "../../dev/local-stack.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { blockActionBody, signedEvent, slashCommandBody, type SignedOptions } from "../../dev/slack-sign.js";
import { type Ack, FORM, slackSession } from "../support/slack-session.js";
import { blocksToText } from "../../shared/slack/text.js";

let stack: LocalStack;
const leaks = watchLocalStack(
  { createDelayMs: 1_500, waitScale: 0.02, env: { IMAGE_CREATORS: `${LOCAL_SLACK.user},U0OTHER999`, SLACK_TEAM_ID: LOCAL_SLACK.teamId } },
  (s) => (stack = s),
);
const { slash, responsesTo, nextMessageTs, newResponseUrl } = slackSession(() => stack, leaks);
const blocksText = (b: unknown) => JSON.stringify(b);

describe("slash commands", () => {
  it("acks list at once, then answers a table through response_url", async () => {
    const { ack, ackBody, responseUrl } = await slash("list ncp --os ubuntu");
    expect(ack.statusCode).toBe(200);
    expect(ackBody.text).toMatch(/Looking up images/);
    const [answer] = await responsesTo(responseUrl);
    const text = blocksText(answer!.blocks);
    expect(text).toContain("ubuntu-24.04-base");
    expect(text).not.toContain("rocky-9.4-base");
    expect(text).toMatch(/ncp\/KR/);
  });

  it("pages a long list: N more and a Next page button that continues", async () => {
    const { responseUrl } = await slash("list");
    const [first] = await responsesTo(responseUrl);
    // what narrows it: the filters not given, and --scope custom (the clouds' public images left out)
    const more = /(\d+)\+? more — narrow with --os, --name or --scope custom/.exec(blocksText(first!.blocks));
    expect(more).not.toBeNull();
    // each row says whether it is a cloud's public image or a custom one
    const rows = (first!.blocks as Array<{ type: string; text?: { text: string } }>).filter((b) => b.text?.text.includes("  ·  "));
    for (const row of rows) for (const line of row.text!.text.split("\n")) expect(line).toMatch(/ {2}· {2}(public|custom) {2}· /);
    const button = (first!.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find(
      (b) => b.type === "actions",
    )!.elements![0]!;
    expect(button.action_id).toBe("images_next");
    const nextUrl = newResponseUrl();
    const ack = (await stack.invoke("slack", signedEvent(blockActionBody(button, { responseUrl: nextUrl }), FORM))) as Ack;
    expect(ack.statusCode).toBe(200);
    const [second] = await responsesTo(nextUrl);
    expect(blocksText(second!.blocks)).not.toEqual(blocksText(first!.blocks));
    expect(second!.text).toMatch(/shown/);
    // the next page replaces the page its button was on: a response_url message with
    // "replace_original": true replaces the message the interaction came from, one without it is
    // posted as a new message (https://api.slack.com/interactivity/handling#updating_message_response)
    expect(second!.replace_original).toBe(true);
    expect(first!.replace_original).toBeUndefined();
  });

  it("shows one image's details as fields", async () => {
    const { responseUrl } = await slash("show iwinv PIMAGE-1tQFoTuKeENlSZ7xFXyVix");
    const [answer] = await responsesTo(responseUrl);
    const text = blocksText(answer!.blocks);
    expect(text).toContain("Ubuntu 24.04 LTS");
    expect(text).toContain("*Cloud*");
    const missing = await slash("show ncp 99999999");
    const [error] = await responsesTo(missing.responseUrl);
    expect(error!.text).toMatch(/NOT_FOUND/);
  });

  it("/images servers lists what an image can be made from, and how (issue #26 item 2)", async () => {
    const { ackBody, responseUrl } = await slash("servers");
    expect(ackBody.text).toBeTruthy();
    const [answer] = await responsesTo(responseUrl);
    const text = blocksToText(answer!.blocks);
    expect(text).toMatch(/^\*Servers\*/);
    expect(text).toContain(`:desktop_computer: *web-01*  \`${DEMO_SERVERS.ncp.kvm}\`  ·  RUN  ·  ncp/KR`);
    expect(text).toContain("`/images create <provider> <server> <image-name>` makes an image of one, given by its name or id.");
    expect(text).toMatch(/iwinv: the API cannot create images \(use the cloud's console\)/);
    const one = await slash("servers ncp --name legacy");
    const only = blocksToText((await responsesTo(one.responseUrl))[0]!.blocks);
    expect(only).toMatch(/^\*Servers \(ncp --name legacy\)\*/);
    expect(only).toContain("*legacy-01*");
    expect(only).not.toContain("*web-01*");
    // a cloud that is down is said first, as in a list
    stack.scp.setFaults({ status: 503 });
    const down = blocksToText((await responsesTo((await slash("servers scp")).responseUrl))[0]!.blocks);
    expect(down.split("\n")[0]).toMatch(/^:warning: \*scp\/demo\/kr-west1 could not be read\*: PROVIDER_UNAVAILABLE/);
    expect(down).toContain("Its servers are not shown");
    expect(down).not.toMatch(/No servers/);
    stack.scp.setFaults({});
  });

  it("show and delete take a custom image's name; every not-found says what to try, in one wording for every cloud", async () => {
    const shown = await slash("show ncp api-release-42");
    const [byName] = await responsesTo(shown.responseUrl);
    expect(blocksToText(byName!.blocks)).toContain("*Id*: `31000002`");
    const deleting = await slash("delete ncp web-base");
    const [card] = await responsesTo(deleting.responseUrl);
    expect(JSON.stringify(card!.blocks)).toContain('\\"id\\":\\"31000001\\"');

    const answers = async (text: string) => (await responsesTo((await slash(text)).responseUrl))[0]!.text;
    // a server's name: said to be one, with the closest image names and where servers are listed
    const server = await answers("show ncp web-01");
    expect(server).toMatch(
      /^:x: NOT_FOUND: no ncp image "web-01" in KR \(neither an image id nor a custom image's name\); "web-01" is the name of ncp server 1234567, not of an image; closest image names: web-base/,
    );
    expect(server).toContain("Try `/images list ncp --name web` (images whose name has it) or `/images servers ncp`");
    // another cloud's id: the same words, none of the cloud's own ("could not be found", "Check request.")
    const scp = await answers("show scp 00000000-0000-4000-8000-000000000000");
    expect(scp).toMatch(
      /^:x: NOT_FOUND: no scp image "00000000-0000-4000-8000-000000000000" in kr-west1 \(neither an image id nor a custom image's name\)/,
    );
    const iwinv = await answers("show iwinv PIMAGE-doesnotexist");
    expect(iwinv).toMatch(/^:x: NOT_FOUND: no iwinv image "PIMAGE-doesnotexist" in \S+ \(neither an image id nor a custom image's name\)/);
    for (const t of [scp, iwinv]) {
      expect(t).not.toMatch(/could not be found|Check request|ID_INVALID/);
      expect(t).toMatch(/Try `\/images list (scp|iwinv) --name \S+` .* or `\/images servers (scp|iwinv)`/);
    }
    const gone = await answers("delete ncp api-releese-42");
    expect(gone).toMatch(/no ncp image "api-releese-42" in KR .*closest image names: api-release-42/);
  });

  it("answers help, and help with what was wrong for anything else", async () => {
    expect((await slash("help")).ackBody.text).toMatch(/\/images list/);
    for (const [text, problem] of [
      ["frobnicate", /"frobnicate" is not a command/],
      ["show ncp", /show needs <id>/],
      ["list aws", /<provider> must be one of ncp, scp, iwinv/],
      ["list --colour red", /list has no option --colour/],
      ['create ncp 1 "unclosed', /quote is not closed/],
    ] as const) {
      const { ack, ackBody } = await slash(text);
      expect(ack.statusCode).toBe(200);
      expect(ackBody.text).toMatch(problem);
      // that command's usage alone, or the command names when no command is in question
      expect(ackBody.text).toMatch(text === "frobnicate" ? /Commands: `list`, `show`/ : /\*Usage of (show|list|create)\*/);
      expect(ackBody.text).not.toContain("/images status <operation>");
    }
  });

  it("help <command> adds that command's options", async () => {
    const { ackBody } = await slash("help create");
    expect(ackBody.text).toContain("*Usage of create*");
    expect(ackBody.text).toContain("*Options*\n• `--description`");
    // the name rules and who may create (IMAGE_CREATORS of this stack)
    expect(ackBody.text).toMatch(/• ncp: 3–30 characters/);
    expect(ackBody.text).toContain(`*Who may create images:* <@${LOCAL_SLACK.user}>, <@U0OTHER999> (IMAGE_CREATORS)`);
    const wrong = await slash("list --os");
    expect(wrong.ackBody.text).toMatch(/--os needs a value/);
    expect(wrong.ackBody.text).toContain("*Usage of list*");
    expect(wrong.ackBody.text).not.toContain("Who may");
  });

  it("runs the audit now and posts its summary in the channel, naming who ran it, with the full list in its thread", async () => {
    const before = stack.slackApi.messages.length;
    const { ackBody, responseUrl } = await slash("audit");
    expect(ackBody.text).toMatch(/Running the audit/);
    const [answer] = await responsesTo(responseUrl);
    expect(answer!.text).toMatch(/The audit is posted in <#C0LOCAL001>/);
    const [summary, ...thread] = stack.slackApi.messages.slice(before);
    expect(summary!.channel).toBe(LOCAL_SLACK.channel);
    expect(summary!.text).toMatch(/^Image audit: \d+ finding\(s\) in \d+ image\(s\)/);
    expect(blocksText(summary!.blocks)).toContain(`run by <@${LOCAL_SLACK.user}>`);
    // what the summary promises is there: every reply in its thread
    if (blocksText(summary!.blocks).includes("in the thread")) expect(thread.length).toBeGreaterThan(0);
    for (const reply of thread) expect(reply.threadTs).toBe(summary!.ts);
  });

  it("says first which cloud could not be read, above the others' results", async () => {
    stack.scp.setFaults({ status: 503 });
    const { responseUrl } = await slash("list --scope custom");
    const [answer] = await responsesTo(responseUrl);
    const text = blocksToText(answer!.blocks);
    expect(text.split("\n")[0]).toMatch(/^:warning: \*scp\/demo\/kr-west1 could not be read\*: PROVIDER_UNAVAILABLE — /);
    expect(text).toMatch(/Its images are not shown: try again in a moment/);
    expect(answer!.text).toMatch(/^scp could not be read; /);
  });

  it("a cloud that is down is headlined as such, never as 'No images match' (issue #26 item 1)", async () => {
    stack.scp.setFaults({ status: 503 });
    const down = await slash("list scp");
    const [answer] = await responsesTo(down.responseUrl);
    const text = blocksToText(answer!.blocks);
    expect(text.split("\n")[0]).toMatch(/^:warning: \*scp\/demo\/kr-west1 could not be read\*: PROVIDER_UNAVAILABLE/);
    expect(text).not.toMatch(/No images match/);
    expect(answer!.text).toBe("scp could not be read; no images shown");
    stack.scp.setFaults({});
  });

  it("acks well within 3 s while the clouds take 5 s", async () => {
    stack.ncp.setFaults({ latencyMs: 5_000 });
    const started = Date.now();
    const { ack } = await slash("list ncp");
    expect(ack.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    stack.ncp.setFaults({});
  });
});

describe("create from Slack", () => {
  it("confirms with the preflight checks, then one image and one progress card updated to available", async () => {
    const name = "slack-golden";
    const { ackBody, responseUrl } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} ${name} --description "한글 설명 golden"`);
    expect(ackBody.text).toMatch(/Checking/);
    const [confirm] = await responsesTo(responseUrl);
    const text = blocksText(confirm!.blocks);
    expect(text).toMatch(/server-state/);
    expect(text).toContain("한글 설명 golden");
    const confirmButton = (confirm!.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
      .find((b) => b.type === "actions")!
      .elements!.find((e) => e.action_id === "images_create_confirm")!;

    const before = stack.ncp.requests.filter((r) => r.url.pathname.endsWith("createServerImage")).length;
    const clickUrl = newResponseUrl();
    // a double click: two signed actions for the same confirmation (same message), one base64-encoded
    const messageTs = nextMessageTs();
    const clicks = await Promise.all([
      stack.invoke("slack", signedEvent(blockActionBody(confirmButton, { responseUrl: clickUrl, messageTs }), FORM)),
      stack.invoke("slack", signedEvent(blockActionBody(confirmButton, { responseUrl: clickUrl, messageTs }), FORM, { base64: true })),
    ]);
    for (const c of clicks) expect((c as Ack).statusCode).toBe(200);
    const all = await responsesTo(clickUrl, 3);
    // the twin click has an answer of its own, apart from the first click's
    const twin = all.filter((a) =>
      /You confirmed this already: this click adds nothing; the answer to the first follows \(operation `img-ncp-/.test(a.text),
    );
    expect(twin).toHaveLength(1);
    expect(twin[0]!.replace_original).toBe(false);
    const answers = all.filter((a) => !twin.includes(a));
    // the buttons went at once, then the operation started
    expect(answers[0]!.text).toMatch(/confirmed: creating image \*slack-golden\*/);
    expect(JSON.stringify(answers[0]!.blocks)).not.toContain("images_create_cancel");
    const started = answers.at(-1)!;
    expect(started.text).toMatch(/started creating image \*slack-golden\*/);
    expect(started.replace_original).toBe(true);
    expect(stack.ncp.requests.filter((r) => r.url.pathname.endsWith("createServerImage")).length - before).toBe(1);

    // the progress card: one message in the channel, updated in place until available
    const card = await vi.waitFor(
      () => {
        const found = stack.slackApi.messages.find((m) => m.channel === LOCAL_SLACK.channel && m.text.includes(name));
        expect(found?.text).toMatch(/slack-golden\* is available — available .* elapsed/);
        return found!;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(card!.history[0]!.text).toMatch(/Creating image/);
    expect(stack.slackApi.messages.filter((m) => m.text.includes(name))).toHaveLength(1);

    // Confirm again (the card of an earlier /images create): the image exists, said with who made it and its card
    const againUrl = newResponseUrl();
    await stack.invoke("slack", signedEvent(blockActionBody(confirmButton, { responseUrl: againUrl, messageTs: nextMessageTs() }), FORM));
    const again = (await responsesTo(againUrl, 2)).at(-1)!;
    expect(again.text).toMatch(/^Already exists: slack-golden \(\d+\)$/);
    const againText = blocksToText(again.blocks);
    expect(againText).toMatch(/Already exists: image \*slack-golden\* \(`\d+`\), made .+ by <@U0LOCAL001>/);
    expect(againText).toMatch(/Operation `img-ncp-[0-9a-f]{40}`: nothing new is created/);
    // its card: the image's fields, as /images show gives them
    expect(againText).toMatch(/\*Status\*: available \(/);
    expect(againText).toContain(`*Source server*: \`${DEMO_SERVERS.ncp.kvm}\``);
    expect(againText).not.toMatch(/started creating/);
    expect(again.replace_original).toBe(true);
    expect(stack.ncp.requests.filter((r) => r.url.pathname.endsWith("createServerImage")).length - before).toBe(1);

    // the same command again: the same answer instead of a Confirm card that would only answer it
    const repeat = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} ${name} --description "한글 설명 golden"`);
    const [exists] = await responsesTo(repeat.responseUrl);
    expect(blocksToText(exists!.blocks)).toMatch(/Already exists: image \*slack-golden\*.* by <@U0LOCAL001>/);
    expect(JSON.stringify(exists!.blocks)).not.toContain("images_create_confirm");
  });

  it("resolves a server named in the command once: the dry run answers its id, and Confirm carries that id, not the name", async () => {
    const { responseUrl } = await slash("create ncp web-01 by-name-golden");
    const [confirm] = await responsesTo(responseUrl);
    expect(blocksText(confirm!.blocks)).toMatch(/server-state/);
    const button = (confirm!.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>)
      .find((b) => b.type === "actions")!
      .elements!.find((e) => e.action_id === "images_create_confirm")!;
    expect(JSON.parse(button.value)).toMatchObject({ serverId: DEMO_SERVERS.ncp.kvm, name: "by-name-golden" });
    // Confirm's create is sent for the id the dry run resolved
    const sent = () => stack.ncp.requests.filter((r) => r.url.pathname.endsWith("createServerImage"));
    const before = sent().length;
    const clickUrl = newResponseUrl();
    await stack.invoke("slack", signedEvent(blockActionBody(button, { responseUrl: clickUrl, messageTs: nextMessageTs() }), FORM));
    await vi.waitFor(() => expect(sent().length - before).toBe(1), { timeout: 20_000, interval: 100 });
    expect(sent().at(-1)!.rawUrl + sent().at(-1)!.body).toContain(`serverInstanceNo=${DEMO_SERVERS.ncp.kvm}`);
  });

  it("refuses users not in IMAGE_CREATORS, with nothing executed", async () => {
    const invocations = stack.lambda.invocations.length;
    const { ackBody } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} nope-golden`, { user: "U0STRANGER1" });
    expect(ackBody.text).toMatch(/not allowed to create images/);
    expect(stack.lambda.invocations.length).toBe(invocations);
  });

  const confirmValue = (name: string) => JSON.stringify({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name });
  const creates = () => stack.ncp.requests.filter((r) => r.url.pathname.endsWith("createServerImage")).length;

  it("refuses a Confirm click by someone not in IMAGE_CREATORS", async () => {
    const before = creates();
    const url = newResponseUrl();
    const ack = (await stack.invoke(
      "slack",
      signedEvent(
        blockActionBody(
          { action_id: "images_create_confirm", value: confirmValue("stranger-golden") },
          { responseUrl: url, user: "U0STRANGER1" },
        ),
        FORM,
      ),
    )) as Ack;
    expect(ack.statusCode).toBe(200);
    await stack.lambda.idle();
    const answers = stack.slackApi.responses.filter((r) => r.url === url).map((r) => r.body as { text: string });
    expect(answers.map((a) => a.text)).toEqual([expect.stringMatching(/<@U0STRANGER1> is not allowed to create images/)]);
    expect(creates()).toBe(before);
  });

  it("says nobody may create when IMAGE_CREATORS is unset", async () => {
    const saved = process.env.IMAGE_CREATORS;
    delete process.env.IMAGE_CREATORS;
    try {
      const invocations = stack.lambda.invocations.length;
      const { ackBody } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} nobody-golden`);
      expect(ackBody.text).toMatch(/nobody may create images from Slack/);
      expect(stack.lambda.invocations.length).toBe(invocations);
    } finally {
      process.env.IMAGE_CREATORS = saved;
    }
  });

  // issue #23 item 5: a retry used to be answered 200 and dropped, even when its first attempt never ran
  it("runs a Confirm click once across its Slack retry: the retry of a click that ran is answered, not run again", async () => {
    const before = creates();
    const url = newResponseUrl();
    const body = blockActionBody({ action_id: "images_create_confirm", value: confirmValue("retried-golden") }, { responseUrl: url });
    const first = (await stack.invoke("slack", signedEvent(body, FORM))) as Ack;
    const retry = (await stack.invoke("slack", signedEvent(body, FORM, { retryNum: 1 }))) as Ack;
    expect([first.statusCode, retry.statusCode]).toEqual([200, 200]);
    await stack.lambda.idle();
    expect(creates()).toBe(before + 1);
    expect(stack.slackApi.responses.filter((r) => r.url === url && /confirmed: creating image/.test(JSON.stringify(r.body)))).toHaveLength(
      1,
    );
  });

  it("shows failed checks for a Korean name (base64 body) and offers no Confirm", async () => {
    const { ack, responseUrl } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} "웹 골든" --description "한글"`, { base64: true });
    expect(ack.statusCode).toBe(200);
    const [confirm] = await responsesTo(responseUrl);
    expect(blocksText(confirm!.blocks)).toContain("웹 골든");
    expect(blocksText(confirm!.blocks)).toMatch(/:x: \*name\*/);
    expect((confirm!.blocks as Array<{ type: string }>).some((b) => b.type === "actions")).toBe(false);
  });

  it("a refusal nothing can lift says it is final, with no Confirm and no line saying Confirm would create (issue #26 item 4)", async () => {
    const card = async (text: string) => (await responsesTo((await slash(text)).responseUrl))[0]!;
    // iwinv has no create call
    const iwinv = await card(`create iwinv ${DEMO_SERVERS.iwinv.active} iwinv-golden`);
    const text = blocksToText(iwinv.blocks);
    expect(text).toMatch(/^:no_entry: Image \*iwinv-golden\* from iwinv server `.+` cannot be created/);
    expect(text).toMatch(
      /:no_entry: \*This is final:\* iwinv's API has no image-creation call\. Nothing was created, and running the command again gets the same answer\. Create it in the iwinv console\./,
    );
    expect(text).not.toMatch(/Create image .*\?|Confirm creates|fix the failed check/);
    expect(JSON.stringify(iwinv.blocks)).not.toContain("images_create_confirm");
    expect(iwinv.text).toBe("iwinv-golden cannot be created");
    // a cloud's public image is never deleted
    const pub = await card("delete ncp 23214597");
    const pubText = blocksToText(pub.blocks);
    expect(pubText).toMatch(/^:no_entry: Image .* cannot be deleted/);
    expect(pubText).toMatch(
      /\*This is final:\* serverImageType NCP: a public image of NCP\. Nothing is deleted, and running the command again gets the same answer/,
    );
    expect(pubText).not.toMatch(/Delete image .*\?|deletes the image|fix the failed check/);
    expect(JSON.stringify(pub.blocks)).not.toContain("images_delete_confirm");
    // a check that can pass later is not final: it says what to fix
    const busy = await card(`create ncp ${DEMO_SERVERS.ncp.busy} busy-golden`);
    expect(blocksToText(busy.blocks)).toMatch(/^:warning: Image \*busy-golden\* .* cannot be created yet/);
    expect(blocksToText(busy.blocks)).toMatch(/Nothing was created: fix the failed check\(s\) and run the command again/);
  });

  it("refuses at once a request too long to carry through the Confirm button", async () => {
    const invocations = stack.lambda.invocations.length;
    const { ackBody } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} long-golden --description "${"설".repeat(2100)}"`);
    expect(ackBody.text).toMatch(/too long for Slack's Confirm button/);
    expect(stack.lambda.invocations.length).toBe(invocations);
  });

  it("acks a create well within 3 s while the cloud takes 5 s", async () => {
    stack.ncp.setFaults({ latencyMs: 5_000 });
    const seen = stack.ncp.requests.length;
    const started = Date.now();
    const { ack, ackBody, responseUrl } = await slash(`create ncp ${DEMO_SERVERS.ncp.kvm} slow-golden`);
    const ackMs = Date.now() - started;
    expect(ackMs).toBeLessThan(1_000);
    expect(ack.statusCode).toBe(200);
    expect(ackBody.text).toMatch(/Checking/);
    // the dispatched preflight reaches the slow cloud after the ack was already given
    await vi.waitFor(() => expect(stack.ncp.requests.length).toBeGreaterThan(seen), { timeout: 10_000, interval: 20 });
    stack.ncp.setFaults({});
    const [confirm] = await responsesTo(responseUrl);
    expect(Date.now() - started).toBeGreaterThan(4_500);
    expect(blocksText(confirm!.blocks)).toMatch(/server-state/);
  }, 30_000);

  it("cancels a confirmation without creating", async () => {
    const url = newResponseUrl();
    await stack.invoke(
      "slack",
      signedEvent(
        blockActionBody({ action_id: "images_create_cancel", value: "cancel" }, { responseUrl: url, messageTs: nextMessageTs() }),
        FORM,
      ),
    );
    const [answer] = await responsesTo(url);
    expect(answer!.text).toMatch(/Cancelled/);
  });
});

describe("request checks", () => {
  const refusedWithNothingRun = async (o: SignedOptions & { team?: string }, status = 401) => {
    const invocations = stack.lambda.invocations.length;
    const { ack } = await slash("list", o);
    expect(ack.statusCode).toBe(status);
    expect(stack.lambda.invocations.length).toBe(invocations);
    return ack;
  };

  it("refuses a bad signature, a replayed (old) request and a future-dated one with 401", async () => {
    await refusedWithNothingRun({ secret: "not-the-signing-secret" });
    await refusedWithNothingRun({ signature: "v0=deadbeef" });
    await refusedWithNothingRun({ timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    await refusedWithNothingRun({ timestamp: Math.floor(Date.now() / 1000) + 6 * 60 });
  });

  // Slack retries what it thinks timed out, with X-Slack-Retry-Num (https://api.slack.com/apis/connections/events-api#retries);
  // the claim on the request's own ids (its trigger_id) decides, across containers (shared/slack/dedup.ts)
  it("runs a Slack retry whose first attempt never ran, and answers a retry of one that ran without running it again", async () => {
    const lost = newResponseUrl();
    const retried = (await stack.invoke(
      "slack",
      signedEvent(slashCommandBody("list iwinv", { responseUrl: lost }), FORM, { retryNum: 1 }),
    )) as Ack;
    expect(JSON.parse(retried.body).text).toMatch(/Looking up images/);
    expect(await responsesTo(lost)).toHaveLength(1);

    const url = newResponseUrl();
    const body = slashCommandBody("list iwinv", { responseUrl: url });
    expect(JSON.parse(((await stack.invoke("slack", signedEvent(body, FORM))) as Ack).body).text).toMatch(/Looking up images/);
    const again = (await stack.invoke("slack", signedEvent(body, FORM, { retryNum: 2 }))) as Ack;
    expect(again.statusCode).toBe(200);
    expect(await responsesTo(url)).toHaveLength(1);
  });

  it("answers a signed request replayed to another container once: the claim is in DynamoDB, not in a container", async () => {
    const bundle = join(fileURLToPath(new URL("../..", import.meta.url)), "dist", "slack", "index.mjs");
    const other = ((await import(`${pathToFileURL(bundle).href}?container=replay`)) as { handler: LocalStack["handlers"]["slack"] })
      .handler;
    const url = newResponseUrl();
    const event = signedEvent(slashCommandBody("list iwinv", { responseUrl: url }), FORM);
    const [a, b] = [(await stack.invoke("slack", event)) as Ack, (await other(event, {} as never)) as Ack];
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(await responsesTo(url)).toHaveLength(1);
  });

  // issue #23 item 2: unset used to serve whichever workspace's signed request a container saw first
  it("serves no workspace while SLACK_TEAM_ID is unset, saying what to set in the answer and the log", async () => {
    const saved = process.env.SLACK_TEAM_ID;
    delete process.env.SLACK_TEAM_ID;
    const logged = leaks.output.length;
    try {
      for (const team of ["T0FIRST001", LOCAL_SLACK.teamId]) {
        const invocations = stack.lambda.invocations.length;
        const { ackBody } = await slash("list", { team });
        expect(ackBody.text).toMatch(
          new RegExp(`serves no Slack workspace yet: SLACK_TEAM_ID is not set.*slackTeamId deploy parameter to ${team}`),
        );
        expect(stack.lambda.invocations.length).toBe(invocations);
      }
      expect(leaks.output.slice(logged).join("")).toMatch(
        /"level":"ERROR".*SLACK_TEAM_ID is not set: imageops serves no Slack workspace; set the slackTeamId deploy parameter/,
      );
    } finally {
      process.env.SLACK_TEAM_ID = saved;
    }
  });

  it("refuses another workspace's request", async () => {
    const invocations = stack.lambda.invocations.length;
    const { ackBody } = await slash("list", { team: "T0FOREIGN01" });
    expect(ackBody.text).toMatch(/not allowed to use imageops/);
    expect(stack.lambda.invocations.length).toBe(invocations);
  });

  it("refuses a request with no signature or timestamp", async () => {
    const invocations = stack.lambda.invocations.length;
    const event = signedEvent(slashCommandBody("list", { responseUrl: stack.slackApi.responseUrl("unsigned") }), FORM);
    for (const header of ["x-slack-signature", "x-slack-request-timestamp"]) {
      const headers = { ...event.headers } as Record<string, string>;
      delete headers[header];
      expect(((await stack.invoke("slack", { ...event, headers })) as Ack).statusCode).toBe(401);
    }
    expect(stack.lambda.invocations.length).toBe(invocations);
  });

  it("runs nothing for another workspace's button click", async () => {
    const invocations = stack.lambda.invocations.length;
    const before = stack.ncp.requests.length;
    const url = newResponseUrl();
    const value = JSON.stringify({ provider: "ncp", serverId: DEMO_SERVERS.ncp.kvm, name: "foreign-golden" });
    const ack = (await stack.invoke(
      "slack",
      signedEvent(blockActionBody({ action_id: "images_create_confirm", value }, { responseUrl: url, team: "T0FOREIGN01" }), FORM),
    )) as Ack;
    expect(ack.statusCode).toBe(200);
    await stack.lambda.idle();
    expect(stack.lambda.invocations.length).toBe(invocations);
    expect(stack.ncp.requests.length).toBe(before);
  });

  it("decodes base64 bodies as UTF-8 (Korean text)", async () => {
    const { ack, ackBody } = await slash('list --name "웹 서버"', { base64: true });
    expect(ack.statusCode).toBe(200);
    expect(ackBody.text).toMatch(/Looking up images/);
  });
});
