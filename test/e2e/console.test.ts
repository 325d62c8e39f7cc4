/**
 * The local chat console in a real browser (a Chromium found by test/support/chromium.ts, driven
 * by playwright-core): type `/images list`, then `/images create ncp <server> <name>`, click
 * Confirm, and watch the same progress card change until it shows "available". Saves a screenshot
 * as a test artifact. Without a Chromium the browser test is skipped, and `npm test` says why
 * and how to run it (test/support/browser-notice.ts); the page's own routes are tested either way.
 */
import { mkdirSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../dev/local-stack.js";
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

  it("tells the page every demo server by name, id and state", async () => {
    const { servers } = (await (await fetch(`${stack.url}/__local`)).json()) as {
      servers: Record<string, Array<{ name: string; id: string; state: string }>>;
    };
    expect(servers.ncp).toContainEqual({ name: "web-01", id: DEMO_SERVERS.ncp.kvm, state: "RUN" });
    expect(servers.scp).toContainEqual({ name: "web-01", id: DEMO_SERVERS.scp.active, state: "ACTIVE" });
    expect(servers.iwinv).toEqual([{ name: "demo-web-01", id: DEMO_SERVERS.iwinv.active, state: "active" }]);
  });
});

it.skipIf(!executablePath)(
  "lists, creates with Confirm by server name, and shows one card turning available",
  async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const missing: string[] = [];
    page.on("response", (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${stack.url}/`);
    await expect.poll(() => page.locator(".cloud").count()).toBe(3);
    // the side panel lists each cloud's servers; a click starts the create command with the name
    await page.locator('.cloud[data-cloud=ncp] code[data-server="web-01"]').click();
    expect(await page.inputValue("#command")).toBe("/images create ncp web-01 ");
    expect(await page.locator(".cloud[data-cloud=iwinv]").textContent()).toContain("demo-web-01 IWVM-demo-0001 · active");

    await page.fill("#command", "/images list");
    await page.press("#command", "Enter");
    await page.getByText("Ubuntu 24.04 LTS").first().waitFor({ timeout: 15_000 }); // iwinv sorts first
    await page
      .getByText(/more — narrow with --os\/--name/)
      .first()
      .waitFor();

    await page.fill("#command", "/images create ncp web-01 console-golden");
    await page.press("#command", "Enter");
    const confirm = page.locator("button[data-action-id=images_create_confirm]");
    await confirm.waitFor({ timeout: 15_000 });
    await confirm.click();

    const card = page.locator(".channel-message", { hasText: "console-golden" });
    await card.getByText(/Creating image/).waitFor({ timeout: 15_000 });
    const ts = await card.getAttribute("data-ts");
    await card.getByText(/is available/).waitFor({ timeout: 30_000 });
    // the same card was updated in place: one message for the image, same ts
    expect(await card.count()).toBe(1);
    expect(await card.getAttribute("data-ts")).toBe(ts);
    expect(await card.textContent()).toMatch(/Elapsed/);

    // the side panel makes a cloud fail; the next list shows its error under the results
    await page.locator(".cloud[data-cloud=scp] button[data-mode=fail]").click();
    await page.fill("#command", "/images list scp");
    await page.press("#command", "Enter");
    await page.getByText(/scp\/demo\/kr-west1: PROVIDER_UNAVAILABLE/).waitFor({ timeout: 20_000 });
    await page.locator(".cloud[data-cloud=scp] button[data-mode=ok]").click();

    // every request of the page was answered: no missing favicon, script or route
    expect(missing).toEqual([]);

    mkdirSync("test-artifacts", { recursive: true });
    await page.locator(".channel-message", { hasText: "console-golden" }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: "test-artifacts/console.png" });
  },
  120_000,
);
