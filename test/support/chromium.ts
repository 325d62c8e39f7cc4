/**
 * A Chromium for the console's browser test, wherever one is commonly installed: CHROMIUM_PATH,
 * the system packages (Debian's `chromium`, Ubuntu's `chromium-browser`, Google Chrome), and the
 * browsers Playwright downloads (`npx playwright-core install chromium`, into ~/.cache/ms-playwright
 * or PLAYWRIGHT_BROWSERS_PATH). playwright-core itself never downloads one.
 */
import { existsSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

const SYSTEM = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/snap/bin/chromium",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/** Playwright's browser cache (its registry's default locations, or PLAYWRIGHT_BROWSERS_PATH). */
function playwrightCaches(env: NodeJS.ProcessEnv): string[] {
  if (env.PLAYWRIGHT_BROWSERS_PATH) return [env.PLAYWRIGHT_BROWSERS_PATH];
  return [join(homedir(), ".cache", "ms-playwright"), join(homedir(), "Library", "Caches", "ms-playwright")];
}

/**
 * The executables inside one Playwright cache, newest revision first: full Chromium builds, then
 * the headless shell. Layouts from playwright-core's registry (lib/coreBundle.js EXECUTABLE_PATHS:
 * chrome-linux64/chrome, chrome-linux-arm64/chrome, chrome-mac-arm64/Google Chrome for Testing.app,
 * chrome-headless-shell-linux64/chrome-headless-shell), and chrome-linux/chrome of older ones.
 */
function inCache(cache: string): string[] {
  if (!existsSync(cache)) return [];
  const dirs = readdirSync(cache).sort().reverse();
  const mac = ["Google Chrome for Testing.app", "Contents", "MacOS", "Google Chrome for Testing"];
  const full = dirs
    .filter((n) => n.startsWith("chromium-"))
    .flatMap((d) => [
      join(cache, d, "chrome-linux64", "chrome"),
      join(cache, d, "chrome-linux-arm64", "chrome"),
      join(cache, d, "chrome-linux", "chrome"),
      join(cache, d, "chrome-mac-arm64", ...mac),
      join(cache, d, "chrome-mac-x64", ...mac),
    ]);
  const shell = dirs
    .filter((n) => n.startsWith("chromium_headless_shell-"))
    .flatMap((d) => [
      join(cache, d, "chrome-headless-shell-linux64", "chrome-headless-shell"),
      join(cache, d, "chrome-headless-shell-linux-arm64", "chrome-headless-shell"),
      join(cache, d, "chrome-linux", "headless_shell"),
    ]);
  return [...full, ...shell];
}

export type ChromiumSearch = { path: string } | { missing: string };

/** The first Chromium found; the places are parameters so a test can point them elsewhere. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, system: readonly string[] = SYSTEM): ChromiumSearch {
  const given = env.CHROMIUM_PATH;
  if (given) {
    return existsSync(given) ? { path: given } : { missing: `CHROMIUM_PATH is ${given}, and nothing is there` };
  }
  const caches = playwrightCaches(env);
  const found = [...system, ...caches.flatMap(inCache)].find((c) => existsSync(c));
  if (found) return { path: found };
  return { missing: `no Chromium found (looked for CHROMIUM_PATH, ${system.join(", ")} and Playwright's cache in ${caches.join(" or ")})` };
}

/** What `npm test` says when the browser test cannot run, and how to make it run. */
export function chromiumNotice(search: ChromiumSearch): string | undefined {
  if ("path" in search) return undefined;
  return [
    `console browser test skipped: ${search.missing}.`,
    "  To run it, install a Chromium — Debian/Ubuntu: sudo apt-get install chromium; anywhere: npx playwright-core install chromium —",
    "  or point CHROMIUM_PATH at one.",
  ].join("\n");
}
