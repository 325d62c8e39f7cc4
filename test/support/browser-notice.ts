/**
 * vitest globalSetup: when the run ends, says why the console's browser test was skipped and how
 * to make it run. It runs in vitest's own process, so the notice shows even though the workers'
 * output is kept for failing tests only (vitest.config.ts `silent: "passed-only"`).
 */
import { chromiumNotice, findChromium } from "./chromium.js";

export function setup(): () => void {
  return () => {
    const notice = chromiumNotice(findChromium());
    if (notice) console.log(notice);
  };
}
