/**
 * The local chat console in a real browser (a Chromium found by test/support/chromium.ts, driven
 * by playwright-core), at 1280×800 and 800×600: the welcome and its examples in view on the first
 * load; `/images list`, then `/images create ncp <server> <name>`, Confirm, and the same progress
 * card changing until it shows "available"; an audit whose full list is a thread under its
 * summary; a reload that keeps the conversation; the side panel a drawer at 800 px with the input
 * in view. What the bot says is checked as Slack renders it (mrkdwn, mentions by name, emoji), on
 * the DOM; screenshots are test artifacts only. Without a Chromium the browser tests are skipped,
 * and `npm test` says why and how to run them (test/support/browser-notice.ts); the page's own
 * routes are tested either way.
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_SLACK, type LocalStack, startLocalStack } from "../../dev/local-stack.js";
import { EMOJI } from "../../dev/console/mrkdwn.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";
import { chromiumNotice, findChromium } from "../support/chromium.js";

const found = findChromium();
const executablePath = "path" in found ? found.path : undefined;
if (!executablePath && process.env.CI) throw new Error(`${chromiumNotice(found)}\n(.ci/run installs Debian's chromium)`);

let stack: LocalStack;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await startLocalStack({ createDelayMs: 3_000, waitScale: 0.05 });
  if (!executablePath) return;
  browser = await chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The console's event stream up to the end of its replay: the events it sends a page that (re)connects. */
async function replay(): Promise<Array<{ type: string; replay?: boolean; turn?: { type: string }; message?: { ts: string } }>> {
  const controller = new AbortController();
  const res = await fetch(`${stack.url}/__console/events`, { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes('"type":"replayed"')) text += new TextDecoder().decode((await reader.read()).value);
  controller.abort();
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => JSON.parse(e.slice(6)));
}

describe("the console page's routes", () => {
  it("serves a favicon wherever a browser asks for one, and links it", async () => {
    for (const path of ["/favicon.ico", "/favicon.svg"]) {
      const res = await fetch(`${stack.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/svg+xml");
      expect(await res.text()).toMatch(/^<svg /);
    }
    expect(await (await fetch(`${stack.url}/`)).text()).toContain('<link rel="icon" href="/favicon.svg" type="image/svg+xml">');
  });

  it("tells the page every demo server by name, id and state, and the local workspace's names", async () => {
    const { servers } = (await (await fetch(`${stack.url}/__local`)).json()) as {
      servers: Record<string, Array<{ name: string; id: string; state: string }>>;
    };
    expect(servers.ncp).toContainEqual({ name: "web-01", id: DEMO_SERVERS.ncp.kvm, state: "RUN" });
    expect(servers.scp).toContainEqual({ name: "web-01", id: DEMO_SERVERS.scp.active, state: "ACTIVE" });
    expect(servers.iwinv).toEqual([{ name: "demo-web-01", id: DEMO_SERVERS.iwinv.active, state: "active" }]);
    const workspace = (await (await fetch(`${stack.url}/__console/workspace`)).json()) as {
      users: Record<string, string>;
      channels: Record<string, string>;
    };
    expect(workspace.users[LOCAL_SLACK.user]).toBe("alex");
    expect(workspace.channels[LOCAL_SLACK.channel]).toBe("imageops");
  });
});

describe("the console's emoji", () => {
  it("has every emoji code the product writes (shared/, functions/) as the Unicode emoji Slack shows", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
      );
    // :name: codes, not times (18:59:43) nor the ":execution:" of a Step Functions ARN (shared/tracking/sfn.ts)
    const used = new Set(
      [...files("shared"), ...files("functions")]
        .flatMap((f) => [...readFileSync(f, "utf8").matchAll(/:([a-z][a-z0-9_+-]*):/g)].map((m) => m[1]!))
        .filter((code) => code !== "execution"),
    );
    expect(used.size).toBeGreaterThanOrEqual(15);
    expect([...used].filter((code) => !(code in EMOJI))).toEqual([]);
    // each is one emoji (an emoji presentation sequence), never a stand-in glyph
    for (const code of used) expect(EMOJI[code], code).toMatch(/^\p{Extended_Pictographic}\uFE0F?$/u);
  });
});

/** Whether the element is on screen, inside the scrolling messages (if it is in them), and not covered. */
function onScreen(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const box = el.closest("#messages")?.getBoundingClientRect() ?? { top: 0, bottom: innerHeight, left: 0, right: innerWidth };
    if (r.height === 0 || r.top < Math.max(0, box.top) - 1 || r.bottom > Math.min(innerHeight, box.bottom) + 1) return false;
    if (r.left < 0 || r.right > innerWidth + 1) return false;
    const hit = document.elementFromPoint(r.left + Math.min(r.width / 2, 20), r.top + r.height / 2);
    return !!hit && (el === hit || el.contains(hit));
  });
}

async function sendCommand(page: Page, command: string) {
  await page.fill("#command", command);
  await page.press("#command", "Enter");
}

describe.skipIf(!executablePath)("the console in Chromium", () => {
  it("renders Slack's mrkdwn as Slack does, with the workspace's names, escaping everything else", async () => {
    // Slack's date tokens are the reader's time zone: Slack's own example is for a reader in PST
    const context = await browser!.newContext({ timezoneId: "America/Los_Angeles", locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${stack.url}/`);
    // the page's own module, as the console loads it
    await page.addScriptTag({ type: "module", content: 'import { mrkdwn } from "/mrkdwn.js"; window.mrkdwn = mrkdwn;' });
    await page.waitForFunction(() => "mrkdwn" in window);
    const render = (text: string) =>
      page.evaluate((text) => {
        const box = document.createElement("div");
        const { mrkdwn } = window as unknown as { mrkdwn: (t: string, dir: object) => string };
        box.innerHTML = mrkdwn(text, { users: { U0LOCAL001: "alex" }, channels: { C0LOCAL001: "imageops" } });
        return { html: box.innerHTML, text: box.textContent, tags: [...box.querySelectorAll("*")].map((e) => e.tagName.toLowerCase()) };
      }, text);
    // the examples of Slack's "Formatting text for app surfaces" (https://api.slack.com/reference/surfaces/formatting)
    expect((await render("*bold* _italic_ ~strike~ `code`")).html).toBe("<b>bold</b> <i>italic</i> <s>strike</s> <code>code</code>");
    expect((await render("```multiline code\n2 lines!```")).html).toBe("<pre>multiline code\n2 lines!</pre>");
    expect((await render("> a block quote\nnot quoted")).html).toBe("<blockquote>a block quote</blockquote>\nnot quoted");
    expect((await render("<http://www.foo.com|link name>")).html).toBe(
      '<a href="http://www.foo.com" target="_blank" rel="noopener">link name</a>',
    );
    expect((await render("<@U0LOCAL001> in <#C0LOCAL001>, <@U0UNKNOWN9>")).text).toBe("@alex in #imageops, @U0UNKNOWN9");
    expect((await render("<!date^1392734382^Posted {date_num} {time_secs}|Posted 2014-02-18 6:39:42 AM PST>")).text).toBe(
      "Posted 2014-02-18 6:39:42 AM",
    );
    expect((await render("<!date^1392734382^{date} · {date_short} · {date_long} · {time}|x>")).text).toBe(
      "February 18th, 2014 · Feb 18, 2014 · Tuesday, February 18th, 2014 · 6:39 AM",
    );
    // a token it cannot format: the fallback, as Slack shows it
    expect((await render("<!date^1392734382^{no_such_token}|the fallback>")).text).toBe("the fallback");
    // markers inside words and code are text; only Slack's three escapes are decoded
    expect((await render("web_golden_2 a*b*c `*not bold*` &lt;tag&gt; &amp;")).text).toBe("web_golden_2 a*b*c *not bold* <tag> &");
    // emoji the product uses, and an unknown one kept as its :code:, as Slack shows a custom emoji it does not have
    expect(
      (await render(":white_check_mark: :x: :warning: :clipboard: :wastebasket: :zipper_mouth_face: :no_such_emoji: 18:59:43")).text,
    ).toBe("✅ ❌ ⚠️ 📋 🗑️ 🤐 :no_such_emoji: 18:59:43");
    // nothing in a message becomes markup of its own: no element, no handler, no script link
    const hostile = await render(
      '&lt;img src=x onerror=alert(1)&gt; <img src=x onerror=alert(1)> <javascript:alert(1)|click> *<b>"x"</b>*',
    );
    expect(hostile.tags.filter((t) => !["b", "i", "s", "code"].includes(t))).toEqual([]);
    expect(hostile.html).not.toMatch(/<img|<script|href=/);
    expect(hostile.text).toContain("<img src=x onerror=alert(1)>");
    await context.close();
  });

  it("greets with the examples in view, runs a list and a create to its card, threads an audit, keeps it all on reload; at 800 px the panel is a drawer", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${stack.url}/`);
    await expect.poll(() => page.locator(".cloud").count(), { timeout: 10_000 }).toBe(3);

    // the first load: the channel's welcome with every example in view, at both sizes
    const examples = page.locator("#welcome .examples code");
    expect(await examples.count()).toBeGreaterThanOrEqual(5);
    for (const size of [
      { width: 1280, height: 800 },
      { width: 800, height: 600 },
    ]) {
      await page.setViewportSize(size);
      for (const example of await examples.all())
        expect(await onScreen(example), `${await example.textContent()} at ${size.width}`).toBe(true);
      expect(await onScreen(page.locator("#command")), `input at ${size.width}`).toBe(true);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await page.locator("#panel-toggle").isVisible()).toBe(false);
    expect(await onScreen(page.locator(".cloud[data-cloud=ncp]"))).toBe(true);
    // an example starts the command; the side panel lists each cloud's servers, a click starts the create with the name
    await examples.filter({ hasText: "/images help" }).click();
    expect(await page.inputValue("#command")).toBe("/images help");
    await page.locator('.cloud[data-cloud=ncp] code[data-server="web-01"]').click();
    expect(await page.inputValue("#command")).toBe("/images create ncp web-01 ");
    expect(await page.locator(".cloud[data-cloud=iwinv]").textContent()).toContain("demo-web-01 IWVM-demo-0001 · active");

    await sendCommand(page, "/images list");
    const more = page.getByText(/more — narrow with --os, --name or --scope custom/).first();
    await more.waitFor({ timeout: 15_000 });
    await page.getByText("Ubuntu 24.04 LTS").first().waitFor(); // iwinv sorts first
    // the answer came into view by itself (a tall one from its top); its emoji are Slack's, none left as a :code:
    const list = page.locator(".msg.ephemeral", { hasText: "narrow with --os, --name or --scope custom" });
    await expect.poll(() => onScreen(list.locator(".who")), { timeout: 5_000 }).toBe(true);
    expect(await list.textContent()).toContain("🟢");
    await page.getByText("🔍 Looking up images…").waitFor();
    expect(await page.locator("#conversation").textContent()).not.toMatch(/:[a-z_]+:/);
    // the command, by the local user's name
    expect(await page.locator(".msg.user .name").first().textContent()).toBe("alex");

    await sendCommand(page, "/images create ncp web-01 console-golden");
    // the ack as Slack shows it (its :clipboard:), not a box or a cross
    await page.getByText("📋 Checking whether the image can be created…").waitFor({ timeout: 15_000 });
    const confirm = page.locator("button[data-action-id=images_create_confirm]");
    await confirm.waitFor({ timeout: 15_000 });
    await confirm.click();
    const started = page.locator(".msg.ephemeral", { hasText: "started creating image" });
    await started.waitFor({ timeout: 15_000 });
    // mentions by name: <@U0LOCAL001> and <#C0LOCAL001> as Slack shows them
    expect(await started.textContent()).toMatch(
      /🚀 @alex started creating image console-golden .*Its progress card goes to #imageops, or comes to you here if I can.t post there\./,
    );
    expect(await started.locator(".mention").allTextContents()).toEqual(["@alex", "#imageops"]);

    const card = page.locator(".channel-message", { hasText: "console-golden" });
    await card.getByText(/Creating image/).waitFor({ timeout: 15_000 });
    const ts = await card.getAttribute("data-ts");
    await card.getByText(/is available/).waitFor({ timeout: 30_000 });
    // the same card was updated in place: one message for the image, same ts, said edited
    expect(await card.count()).toBe(1);
    expect(await card.getAttribute("data-ts")).toBe(ts);
    expect(await card.textContent()).toMatch(/✅ Image console-golden is available/);
    expect(await card.locator(".edited").textContent()).toMatch(/edited/);
    expect(await card.textContent()).toMatch(/Requested by\s*@alex/);
    expect(await onScreen(card.getByText(/is available/))).toBe(true);

    // an audit: its summary in the channel, its full list a thread under it (Slack's "N replies")
    await sendCommand(page, "/images audit");
    const summary = page.locator(".channel-message:not(.reply)", { hasText: "Image audit:" });
    const toggle = summary.locator(".replies-toggle");
    await toggle.waitFor({ timeout: 30_000 });
    // the audit's job has posted its whole thread
    await stack.lambda.idle();
    expect(await toggle.textContent()).toMatch(/^\d+ repl(y|ies) · last reply /);
    const replies = summary.locator(".replies");
    expect(await replies.isVisible()).toBe(false);
    await toggle.click();
    expect(await replies.isVisible()).toBe(true);
    // the count it says is the replies under it
    const said = await summary.evaluate((el) => [
      el.querySelector(".replies-toggle")!.textContent,
      el.querySelectorAll(".replies .msg.reply").length,
    ]);
    expect(Number(/^\d+/.exec(String(said[0]))![0])).toBe(said[1]);
    // replies are not channel messages of their own
    expect(await page.locator("#conversation > .msg.reply").count()).toBe(0);
    await toggle.click();
    expect(await replies.isVisible()).toBe(false);

    // the side panel makes a cloud fail; the next list is headlined by that cloud not being read, never "No images"
    await page.locator(".cloud[data-cloud=scp] button[data-mode=fail]").click();
    await sendCommand(page, "/images list scp");
    const down = page.locator(".msg.ephemeral", { hasText: "could not be read" }).last();
    await down.waitFor({ timeout: 20_000 });
    expect(await down.textContent()).toMatch(/⚠️ ?scp\/demo\/kr-west1 could not be read: PROVIDER_UNAVAILABLE/);
    expect(await down.textContent()).not.toMatch(/No images match/);
    await page.locator(".cloud[data-cloud=scp] button[data-mode=ok]").click();

    mkdirSync("test-artifacts", { recursive: true });
    await page.screenshot({ path: "test-artifacts/console-1280.png" });

    // a reload keeps the conversation, as it was (once every answer is in: both lists' acks, every job)
    await expect.poll(() => page.getByText("🔍 Looking up images…").count(), { timeout: 10_000 }).toBe(2);
    await stack.lambda.idle();
    const shown = await page.locator("#conversation").textContent();
    const count = await page.locator("#conversation .msg:not([hidden])").count();
    await page.reload();
    await expect.poll(() => page.locator("#conversation .msg:not([hidden])").count(), { timeout: 10_000 }).toBe(count);
    expect(await page.locator("#conversation").textContent()).toBe(shown);
    // and the last message in view, the newest at the bottom
    expect(await onScreen(page.getByText(/scp\/demo\/kr-west1 could not be read/).last())).toBe(true);

    // 800 px: the side panel is a drawer behind a button, the input stays in view, new answers come into view
    await page.setViewportSize({ width: 800, height: 600 });
    const panel = page.locator("#panel");
    await expect.poll(() => panel.isVisible(), { timeout: 5_000 }).toBe(false);
    expect(await onScreen(page.locator("#command"))).toBe(true);
    const open = page.locator("#panel-toggle");
    expect(await onScreen(open)).toBe(true);
    await open.click();
    await expect.poll(() => onScreen(page.locator(".cloud[data-cloud=ncp] .name")), { timeout: 5_000 }).toBe(true);
    expect(await open.getAttribute("aria-expanded")).toBe("true");
    await open.click();
    await expect.poll(() => panel.isVisible(), { timeout: 5_000 }).toBe(false);
    await sendCommand(page, "/images help");
    const help = page.locator(".msg.ephemeral", { hasText: "Quote values with spaces" }).last();
    await help.waitFor({ timeout: 15_000 });
    await expect.poll(() => onScreen(help.locator(".who")), { timeout: 5_000 }).toBe(true);
    expect(await onScreen(page.locator("#command"))).toBe(true);
    await page.screenshot({ path: "test-artifacts/console-800.png" });

    // every request of the page was answered, and the page threw nothing
    expect(problems).toEqual([]);
  }, 150_000);
});

// last: it adds to the conversation the browser test starts from
describe("the console's conversation", () => {
  it("keeps the session's conversation: a page that connects gets it all again, in order, then live", async () => {
    const before = (await replay()).length;
    const turn = await fetch(`${stack.url}/__console/turn`, {
      method: "POST",
      body: JSON.stringify({ type: "command", text: "help", user: LOCAL_SLACK.user, responseUrl: "http://127.0.0.1:1/response/x" }),
    });
    expect(turn.status).toBe(200);
    const refused = await fetch(`${stack.url}/__console/turn`, { method: "POST", body: JSON.stringify({ type: "post" }) });
    expect(refused.status).toBe(400);
    // the bot's post, through the Slack Web API as the product makes it
    const post = (await (
      await fetch(`${stack.slackApi.apiUrl}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${LOCAL_SLACK.botToken}`, "content-type": "application/json" },
        body: JSON.stringify({ channel: LOCAL_SLACK.channel, text: "hello" }),
      })
    ).json()) as { ts: string };
    await fetch(`${stack.slackApi.apiUrl}chat.update`, {
      method: "POST",
      headers: { authorization: `Bearer ${LOCAL_SLACK.botToken}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: LOCAL_SLACK.channel, ts: post.ts, text: "hello again" }),
    });
    const events = await replay();
    expect(events[0]!.type).toBe("reset");
    expect(events.at(-1)!.type).toBe("replayed");
    expect(events.slice(before - 1, -1).map((e) => [e.type, e.turn?.type ?? e.message?.ts, e.replay])).toEqual([
      ["turn", "command", true],
      ["post", post.ts, true],
      ["update", post.ts, true],
    ]);
  });
});
