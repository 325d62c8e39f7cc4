/**
 * `npm run slack -- "/images list ncp --os ubuntu"`: sends a correctly signed slash command to a
 * running `npm start` (http://127.0.0.1:${PORT:-3000}/slack/events), then prints the ack and every
 * response and channel message the bot posted or updated, as readable text.
 */
import { LOCAL_SLACK } from "./local-stack.js";
import { blocksToText } from "../shared/slack/text.js";
import { slashCommandBody } from "../test/support/slack-sign.js";
import { slackSignature } from "../shared/slack/signature.js";

const base = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const raw = process.argv.slice(2).join(" ").trim();
if (!raw) {
  console.error('usage: npm run slack -- "/images list ncp --os ubuntu"');
  process.exit(2);
}
const text = raw.replace(/^\/images\s*/, "");

let info: { slackApi: string };
try {
  info = (await (await fetch(`${base}/__local`)).json()) as { slackApi: string };
} catch {
  console.error(`no local stack at ${base}: run \`npm start\` first (PORT=${process.env.PORT ?? 3000})`);
  process.exit(1);
}
type Sink = { messages: Array<{ ts: string; channel: string; text: string; blocks?: unknown[]; history: unknown[] }>; responses: Array<{ url: string; body: { text?: string; blocks?: unknown[] } }> };
const sink = async () => ((await (await fetch(`${info.slackApi}/__sim/state`)).json()) as { state: Sink }).state;

const before = await sink();
const responseUrl = `${info.slackApi}/response/cli-${Date.now()}`;
const body = slashCommandBody(text, { responseUrl });
const ts = Math.floor(Date.now() / 1000);
const res = await fetch(`${base}/slack/events`, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(ts), "x-slack-signature": slackSignature(LOCAL_SLACK.signingSecret, ts, body) },
  body,
});
const ackText = await res.text();
let ack: { text?: string; blocks?: unknown[] } = {};
try {
  ack = ackText ? JSON.parse(ackText) : {};
} catch {
  ack = { text: ackText };
}
console.log(`ack (HTTP ${res.status}):\n${indent(blocksToText(ack.blocks, ack.text ?? ""))}\n`);

// Work runs asynchronously: watch the sink for a while and print what arrives.
const shown = new Map<string, number>();
const until = Date.now() + Number(process.env.SLACK_WATCH_SECONDS ?? 8) * 1000;
while (Date.now() < until) {
  const now = await sink();
  for (const r of now.responses.filter((r) => r.url === responseUrl)) {
    const key = `response:${JSON.stringify(r.body).length}:${now.responses.indexOf(r)}`;
    if (!shown.has(key)) {
      shown.set(key, 1);
      console.log(`response${(r.body as { replace_original?: boolean }).replace_original ? " (replaces the original)" : ""}:\n${indent(blocksToText(r.body.blocks, r.body.text ?? ""))}\n`);
    }
  }
  for (const m of now.messages) {
    const old = before.messages.find((b) => b.ts === m.ts)?.history.length ?? 0;
    const seen = shown.get(m.ts) ?? old;
    if (m.history.length > seen) {
      shown.set(m.ts, m.history.length);
      console.log(`${seen === 0 && old === 0 ? "posted" : "updated"} in ${m.channel} (ts ${m.ts}):\n${indent(blocksToText(m.blocks, m.text))}\n`);
    }
  }
  await new Promise((r) => setTimeout(r, 300));
}

function indent(s: string): string {
  return s.split("\n").map((l) => `  ${l}`).join("\n");
}
