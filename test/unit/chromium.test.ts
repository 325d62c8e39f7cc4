/** Where the console's browser test looks for Chromium, and what npm test says when there is none. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromiumNotice, findChromium } from "../support/chromium.js";

const scratch = () => mkdtempSync(join(tmpdir(), "imageops-chromium-"));
const touch = (path: string) => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, "");
  return path;
};

describe("findChromium", () => {
  it("takes CHROMIUM_PATH first, and says so when nothing is there", () => {
    const exe = touch(join(scratch(), "my-chrome"));
    expect(findChromium({ CHROMIUM_PATH: exe }, [])).toEqual({ path: exe });
    expect(findChromium({ CHROMIUM_PATH: "/nowhere/chrome" }, [])).toEqual({
      missing: "CHROMIUM_PATH is /nowhere/chrome, and nothing is there",
    });
  });

  it("finds a system package", () => {
    const exe = touch(join(scratch(), "usr", "bin", "chromium"));
    expect(findChromium({}, ["/nowhere/chromium-browser", exe])).toEqual({ path: exe });
  });

  it("finds Playwright's downloads, the newest full build before the headless shell", () => {
    const cache = scratch();
    touch(join(cache, "chromium_headless_shell-1200", "chrome-headless-shell-linux64", "chrome-headless-shell"));
    touch(join(cache, "chromium-1100", "chrome-linux64", "chrome"));
    const newest = touch(join(cache, "chromium-1200", "chrome-linux64", "chrome"));
    expect(findChromium({ PLAYWRIGHT_BROWSERS_PATH: cache }, [])).toEqual({ path: newest });
    const shellOnly = scratch();
    const shell = touch(join(shellOnly, "chromium_headless_shell-1200", "chrome-headless-shell-linux64", "chrome-headless-shell"));
    expect(findChromium({ PLAYWRIGHT_BROWSERS_PATH: shellOnly }, [])).toEqual({ path: shell });
  });

  it("says where it looked and how to get one when there is none", () => {
    const empty = scratch();
    const search = findChromium({ PLAYWRIGHT_BROWSERS_PATH: empty }, ["/nowhere/chromium"]);
    expect(search).toEqual({
      missing: `no Chromium found (looked for CHROMIUM_PATH, /nowhere/chromium and Playwright's cache in ${empty})`,
    });
    const notice = chromiumNotice(search)!;
    expect(notice).toMatch(/^console browser test skipped: no Chromium found/);
    expect(notice).toContain("sudo apt-get install chromium");
    expect(notice).toContain("npx playwright-core install chromium");
    expect(notice).toContain("CHROMIUM_PATH");
    expect(chromiumNotice({ path: "/usr/bin/chromium" })).toBeUndefined();
  });
});
