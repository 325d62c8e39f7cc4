/**
 * The local chat console in a real browser (Debian's Chromium driven by playwright-core): type
 * `/images list`, then `/images create ncp <server> <name>`, click Confirm, and watch the same
 * progress card change until it shows "available". Saves a screenshot as a test artifact.
 */
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../scripts/local-stack.js";
import { DEMO_SERVERS } from "../sim/demo.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);

let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  stack = await startLocalStack({ createDelayMs: 3_000, waitScale: 0.05 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it.skipIf(!haveChromium)("lists, creates with Confirm, and shows one card turning available", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(stack.url + "/");
  await expect.poll(() => page.locator(".cloud").count()).toBe(3);

  await page.fill("#command", "/images list");
  await page.press("#command", "Enter");
  await page.getByText("Ubuntu 24.04 LTS").first().waitFor({ timeout: 15_000 }); // iwinv sorts first
  await page.getByText(/more — narrow with --os\/--name/).first().waitFor();

  await page.fill("#command", `/images create ncp ${DEMO_SERVERS.ncp.kvm} console-golden`);
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
  await page.locator('.cloud[data-cloud=scp] button[data-mode=fail]').click();
  await page.fill("#command", "/images list scp");
  await page.press("#command", "Enter");
  await page.getByText(/scp\/demo\/kr-west1: PROVIDER_UNAVAILABLE/).waitFor({ timeout: 20_000 });
  await page.locator('.cloud[data-cloud=scp] button[data-mode=ok]').click();

  mkdirSync("test-artifacts", { recursive: true });
  await page.locator(".channel-message", { hasText: "console-golden" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: "test-artifacts/console.png" });
}, 120_000);
