/**
 * `npm run slack -- "/images list ncp --os ubuntu"`: sends a correctly signed slash command to a
 * running `npm start` (http://127.0.0.1:${PORT:-3000}/slack/events), then prints the ack and every
 * response and channel message the bot posted or updated, as readable text.
 *
 * `--click <Confirm|Cancel|Next page>` also presses that button once the bot offers it (signed
 * block_actions payload, as Slack sends it), e.g. to follow a create through to its progress card:
 *   npm run slack -- --click Confirm "/images create ncp 1234567 web-golden --description \"골든\""
 * SLACK_WATCH_SECONDS (default 8) is how long to watch for answers after the last request; a
 * progress card still creating is watched to its end (at most SLACK_MAX_WATCH_SECONDS, default 180).
 */
import { blocksToText } from "../shared/slack/text.js";
import { blockActionBody, signedHeaders, slashCommandBody } from "../test/support/slack-sign.js";

const base = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const args = process.argv.slice(2);
let click: string | undefined;
const words: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--click") click = args[++i];
  else if (args[i]!.startsWith("--click=")) click = args[i]!.slice("--click=".length);
  else words.push(args[i]!);
}
const raw = words.join(" ").trim();
if (!raw || (args.includes("--click") && !click)) {
  console.error('usage: npm run slack -- [--click Confirm|Cancel|"Next page"] "/images list ncp --os ubuntu"');
  process.exit(2);
}
const text = raw.replace(/^\/images\s*/, "");

type Info = { slackApi: string; teamId: string; channel: string; user: string };
let info: Info;
try {
  info = (await (await fetch(`${base}/__local`)).json()) as Info;
} catch {
  console.error(`no local stack at ${base}: run \`npm start\` first (PORT=${process.env.PORT ?? 3000})`);
  process.exit(1);
}
type Button = { type?: string; action_id: string; value: string; text?: { text?: string } };
type Body = { text?: string; blocks?: Array<{ type?: string; elements?: Button[] }>; replace_original?: boolean };
type Sink = { messages: Array<{ ts: string; channel: string; text: string; blocks?: unknown[]; history: unknown[] }>; responses: Array<{ url: string; body: Body }> };
const sink = async () => ((await (await fetch(`${info.slackApi}/__sim/state`)).json()) as { state: Sink }).state;

/** Posts a body to /slack/events the way Slack does: form-encoded, signed, timestamped now. */
async function send(body: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${base}/slack/events`, { method: "POST", headers: signedHeaders(body, "application/x-www-form-urlencoded"), body });
  const t = await res.text();
  try {
    return { status: res.status, body: t ? (JSON.parse(t) as Body) : {} };
  } catch {
    return { status: res.status, body: { text: t } };
  }
}

const before = await sink();
const responseUrl = `${info.slackApi}/response/cli-${Date.now()}`;
const watched = new Set([responseUrl]);
const started = Date.now();
const ack = await send(slashCommandBody(text, { responseUrl, team: info.teamId, channel: info.channel, user: info.user }));
console.log(`ack (HTTP ${ack.status}, ${Date.now() - started} ms):\n${indent(blocksToText(ack.body.blocks, ack.body.text ?? ""))}\n`);

// Work runs asynchronously: watch the sink for a while and print what arrives.
const shown = new Map<string, number>();
const watchMs = Number(process.env.SLACK_WATCH_SECONDS ?? 8) * 1000;
const maxWatchMs = Number(process.env.SLACK_MAX_WATCH_SECONDS ?? 180) * 1000;
let until = Date.now() + watchMs;
let clicked = false;
while (Date.now() < until) {
  const now = await sink();
  for (const [index, r] of now.responses.entries()) {
    if (!watched.has(r.url) || shown.has(`response:${index}`)) continue;
    shown.set(`response:${index}`, 1);
    console.log(`response${r.body.replace_original ? " (replaces the original)" : ""}:\n${indent(blocksToText(r.body.blocks, r.body.text ?? ""))}\n`);
    const button = click && !clicked ? findButton(r.body, click) : undefined;
    if (button) {
      clicked = true;
      const clickUrl = `${info.slackApi}/response/cli-click-${Date.now()}`;
      watched.add(clickUrl);
      const res = await send(blockActionBody({ action_id: button.action_id, value: button.value }, { responseUrl: clickUrl, team: info.teamId, channel: info.channel, user: info.user }));
      console.log(`clicked [ ${click} ] (HTTP ${res.status})\n`);
      until = Date.now() + watchMs;
    }
  }
  for (const m of now.messages) {
    const old = before.messages.find((b) => b.ts === m.ts)?.history.length ?? 0;
    const seen = shown.get(m.ts) ?? old;
    if (m.history.length > seen) {
      shown.set(m.ts, m.history.length);
      console.log(`${seen === 0 && old === 0 ? "posted" : "updated"} in ${m.channel} (ts ${m.ts}):\n${indent(blocksToText(m.blocks, m.text))}\n`);
      until = Math.max(until, Date.now() + 3_000);
    }
  }
  // a progress card still "creating" (in the channel, a DM, or replacing a response): keep
  // watching until it is done (at most SLACK_MAX_WATCH_SECONDS)
  const lastResponse = [...watched].map((url) => now.responses.filter((r) => r.url === url).at(-1)?.body.text ?? "");
  const inProgress = now.messages.some((m) => shown.has(m.ts) && /— creating \(/.test(m.text)) || lastResponse.some((t) => /— creating \(/.test(t));
  if (inProgress) until = Math.max(until, Math.min(Date.now() + 2_000, started + maxWatchMs));
  await new Promise((r) => setTimeout(r, 300));
}
if (click && !clicked) console.log(`(no [ ${click} ] button was offered)`);

function findButton(body: Body, label: string): Button | undefined {
  for (const b of body.blocks ?? []) {
    if (b.type !== "actions") continue;
    const found = (b.elements ?? []).find((e) => e.text?.text?.toLowerCase() === label.toLowerCase());
    if (found) return found;
  }
  return undefined;
}

function indent(s: string): string {
  return s.split("\n").map((l) => `  ${l}`).join("\n");
}
