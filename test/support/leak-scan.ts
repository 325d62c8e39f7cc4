/**
 * vitest globalSetup: when the whole run ends, every line any test worker printed (kept by
 * ./output-capture.ts) is scanned for the demo secrets — cloud secret keys, unmasked access keys,
 * the Slack signing secret and bot token — and for Slack response_urls. One occurrence fails the run. (The e2e suites also
 * check their answers, Slack messages and the request signatures the simulators saw: LeakWatch.)
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_KEYS, LOCAL_SLACK } from "../../dev/sim/demo.js";

export const OUTPUT_DIR = fileURLToPath(new URL("../../test-artifacts/output", import.meta.url));

export const SECRETS = [
  ...Object.values(DEMO_KEYS).flatMap((k) => [k.secretKey, k.accessKey]),
  LOCAL_SLACK.signingSecret,
  LOCAL_SLACK.botToken,
];

/**
 * Slack response_urls: whoever holds one may post as the app for 30 minutes
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses), so none may be
 * printed — Slack's own (hooks.slack.com/commands|actions|app/…) or the local Slack stand-in's
 * (http://127.0.0.1:<port>/response/…, dev/sim/slack-api.ts).
 */
export const RESPONSE_URL =
  /https:\/\/hooks\.slack\.com\/(?:commands|actions|app)\/[^\s"'\\]+|http:\/\/127\.0\.0\.1:\d+\/response\/[^\s"'\\]+/;

/** Where each secret shows in the captured output: "file: secret-prefix…" lines. */
function findLeaks(dir = OUTPUT_DIR): string[] {
  if (!existsSync(dir)) return [];
  const leaks: string[] = [];
  for (const name of readdirSync(dir)) {
    const text = readFileSync(join(dir, name), "utf8");
    for (const secret of SECRETS) if (text.includes(secret)) leaks.push(`${name}: ${secret.slice(0, 4)}…`);
    const url = RESPONSE_URL.exec(text);
    if (url) leaks.push(`${name}: a Slack response_url (${url[0].slice(0, 30)}…)`);
  }
  return leaks;
}

export function setup(): () => void {
  rmSync(OUTPUT_DIR, { recursive: true, force: true });
  return () => {
    const leaks = findLeaks();
    if (leaks.length) throw new Error(`secrets appeared in test output (see ${OUTPUT_DIR}):\n${leaks.join("\n")}`);
    const files = existsSync(OUTPUT_DIR) ? readdirSync(OUTPUT_DIR).length : 0;
    console.log(`leak scan: no secret in the output of ${files} test worker(s)`);
  };
}
