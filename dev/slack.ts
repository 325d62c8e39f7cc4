/**
 * `npm run slack -- "/images list ncp --os ubuntu"`: sends a correctly signed slash command to a
 * running `npm start` (http://127.0.0.1:${PORT:-3000}/slack/events), then prints the ack and every
 * response and channel message the bot posted or updated, as readable text.
 *
 * `--click <Confirm|Cancel|Next page>` also presses that button once the bot offers it (signed
 * block_actions payload, as Slack sends it), e.g. to follow a create through to its progress card:
 *   npm run slack -- --click Confirm "/images create ncp web-01 web-golden --description \"골든\""
 *
 * It ends as soon as the answer is complete: when no job the command started is running any more
 * (the slack function's asynchronous invocations, and the tracking runs a create started), and
 * no button it was asked to press is still to come. SLACK_TIMEOUT_SECONDS (default 180) is the
 * longest it waits; past it, it says what is still running and exits 1.
 */
import { blocksToText } from "../shared/slack/text.js";
import { blockActionBody, signedHeaders, slashCommandBody } from "./slack-sign.js";

const port = process.env.PORT ?? "3000";
const base = `http://127.0.0.1:${port}`;
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
const timeoutMs = Number(process.env.SLACK_TIMEOUT_SECONDS ?? 180) * 1000;

type Info = { slackApi: string; teamId: string; channel: string; user: string; lambda: string; stepFunctions: string };
let info: Info;
try {
  info = (await (await fetch(`${base}/__local`)).json()) as Info;
} catch {
  console.error(`no local stack at ${base}: run \`npm start\` first; for a stack on another port, give it: PORT=3100 npm run slack -- …`);
  process.exit(1);
}
type Button = { type?: string; action_id: string; value: string; text?: { text?: string } };
type Body = { text?: string; blocks?: Array<{ type?: string; elements?: Button[] }>; replace_original?: boolean };
type Sink = {
  messages: Array<{ ts: string; channel: string; text: string; blocks?: unknown[]; history: unknown[] }>;
  responses: Array<{ url: string; body: Body }>;
};
const state = async <T>(url: string) => ((await (await fetch(`${url}/__sim/state`)).json()) as { state: T }).state;
const sink = () => state<Sink>(info.slackApi);

/** What runs in the background: the slack function's jobs, and tracking runs not running before this command. */
async function running(before: Set<string>): Promise<{ jobs: number; tracking: string[] }> {
  const [lambda, sfn] = await Promise.all([
    state<{ running: number }>(info.lambda),
    state<{ executions: Array<{ name: string; status: string }> }>(info.stepFunctions),
  ]);
  return { jobs: lambda.running, tracking: sfn.executions.filter((e) => e.status === "RUNNING" && !before.has(e.name)).map((e) => e.name) };
}

/** Posts a body to /slack/events the way Slack does: form-encoded, signed, timestamped now. */
async function send(body: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${base}/slack/events`, {
    method: "POST",
    headers: signedHeaders(body, "application/x-www-form-urlencoded"),
    body,
  });
  const t = await res.text();
  try {
    return { status: res.status, body: t ? (JSON.parse(t) as Body) : {} };
  } catch {
    return { status: res.status, body: { text: t } };
  }
}

const before = await sink();
const trackingBefore = new Set((await running(new Set())).tracking);
const responseUrl = `${info.slackApi}/response/cli-${Date.now()}`;
const watched = new Set([responseUrl]);
const started = Date.now();
const ack = await send(slashCommandBody(text, { responseUrl, team: info.teamId, channel: info.channel, user: info.user }));
console.log(`ack (HTTP ${ack.status}, ${Date.now() - started} ms):\n${indent(blocksToText(ack.body.blocks, ack.body.text ?? ""))}\n`);

const shown = new Map<string, number>();
let clicked = false;
for (;;) {
  // read what runs before what was posted: a job that ends in between has posted already
  const busy = await running(trackingBefore);
  const now = await sink();
  let clickedNow = false;
  for (const [index, r] of now.responses.entries()) {
    if (!watched.has(r.url) || shown.has(`response:${index}`)) continue;
    shown.set(`response:${index}`, 1);
    console.log(
      `response${r.body.replace_original ? " (replaces the original)" : ""}:\n${indent(blocksToText(r.body.blocks, r.body.text ?? ""))}\n`,
    );
    const button = click && !clicked ? findButton(r.body, click) : undefined;
    if (button) {
      clicked = true;
      const clickUrl = `${info.slackApi}/response/cli-click-${Date.now()}`;
      watched.add(clickUrl);
      const res = await send(
        blockActionBody(
          { action_id: button.action_id, value: button.value },
          { responseUrl: clickUrl, team: info.teamId, channel: info.channel, user: info.user },
        ),
      );
      console.log(`clicked [ ${click} ] (HTTP ${res.status})\n`);
      clickedNow = true;
    }
  }
  for (const m of now.messages) {
    const old = before.messages.find((b) => b.ts === m.ts)?.history.length ?? 0;
    const seen = shown.get(m.ts) ?? old;
    if (m.history.length > seen) {
      shown.set(m.ts, m.history.length);
      console.log(
        `${seen === 0 && old === 0 ? "posted" : "updated"} in ${m.channel} (ts ${m.ts}):\n${indent(blocksToText(m.blocks, m.text))}\n`,
      );
    }
  }
  // a click dispatches its job before it is answered: the next round sees that job running
  if (clickedNow) continue;
  if (busy.jobs === 0 && busy.tracking.length === 0) break;
  if (Date.now() - started > timeoutMs) {
    const what = [busy.jobs ? `${busy.jobs} job(s)` : "", busy.tracking.length ? `tracking ${busy.tracking.join(", ")}` : ""]
      .filter(Boolean)
      .join(" and ");
    console.log(
      `(stopped waiting after ${Math.round(timeoutMs / 1000)} s with ${what} still running; SLACK_TIMEOUT_SECONDS=600 waits longer)`,
    );
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
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
  return s
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
}
