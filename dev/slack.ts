/**
 * `npm run slack -- "/images list ncp --os ubuntu"`: sends a correctly signed slash command to a
 * running `npm start` (http://127.0.0.1:${PORT:-3000}/slack/events), then prints the ack and every
 * response and channel message the bot posted or updated, as readable text (mentions by name).
 * `npm run slack -- --help` says the options (USAGE below): act as another user of the local
 * workspace, in another channel, press a button, wait longer.
 *
 * `--click <Confirm|Cancel|Next page>` also presses that button once the bot offers it (signed
 * block_actions payload, as Slack sends it), e.g. to follow a create through to its progress card:
 *   npm run slack -- --click Confirm "/images create ncp web-01 cli-golden --description \"골든\""
 * A button that never came is said, with the buttons that did, and exits 1.
 *
 * It ends as soon as the answer is complete: when no job the command started is running any more
 * (the slack function's asynchronous invocations, and the tracking runs a create started), and
 * no button it was asked to press is still to come. --timeout (SLACK_TIMEOUT_SECONDS, default 180)
 * is the longest it waits; past it, it says what is still running and exits 1.
 */
import { blocksToText } from "../shared/slack/text.js";
import { mrkdwnToPlain } from "./console/mrkdwn.js";
import { LOCAL_SLACK, LOCAL_WORKSPACE } from "./sim/demo.js";
import { blockActionBody, signedHeaders, slashCommandBody } from "./slack-sign.js";

const named = (dir: Record<string, string>, def: string) =>
  Object.entries(dir)
    .filter(([id]) => !id.startsWith("UBOT"))
    .map(([id, name]) => `${id} ${name}${id === def ? " (default)" : ""}`)
    .join(", ");
const USERS = named(LOCAL_WORKSPACE.users, LOCAL_SLACK.user);
const CHANNELS = named(LOCAL_WORKSPACE.channels, LOCAL_SLACK.channel);
const USAGE = `usage: npm run slack -- [options] "/images <command>"

Sends the slash command to the local stack (npm start) signed as Slack would, then prints the ack
and every response and message the bot posts, until the jobs the command started have ended.

options (before the command):
  --user <id|name>     act as this user of the local workspace: ${USERS};
                       only ${LOCAL_WORKSPACE.users[LOCAL_SLACK.user]} is an image creator (IMAGE_CREATORS)
  --channel <id|name>  run the command in this channel: ${CHANNELS}
  --click <button>     press this button once the bot offers it: Confirm, Cancel, "Next page"; exits 1
                       naming the buttons offered when it never comes
  --timeout <seconds>  the longest it waits (default SLACK_TIMEOUT_SECONDS, else 180); exits 1 past it
  -h, --help           this help

examples:
  npm run slack -- "/images list ncp --os ubuntu"
  npm run slack -- --click Confirm "/images create ncp web-01 cli-golden"
  npm run slack -- --user sam "/images create ncp web-01 cli-golden"     # refused: not an image creator
  PORT=3100 npm run slack -- "/images audit"                              # a stack on another port`;

/** The options, then the command's words (everything from the first word that is not an option). */
function parseArgs(args: string[]): { user: string; channel: string; click?: string; timeoutS: number; text: string } {
  const fail = (problem: string): never => {
    console.error(`${problem}; npm run slack -- --help says the options`);
    process.exit(2);
  };
  const o = { user: LOCAL_SLACK.user, channel: LOCAL_SLACK.channel, click: undefined as string | undefined, timeout: "" };
  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-"); i++) {
    const [flag, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag === "-h" || flag === "--help") {
      console.log(USAGE);
      process.exit(0);
    }
    if (!["--user", "--channel", "--click", "--timeout"].includes(flag)) fail(`unknown option ${flag}`);
    const value = inline ?? args[++i];
    if (!value) fail(`${flag} needs a value`);
    if (flag === "--user")
      o.user =
        lookUp(value!, LOCAL_WORKSPACE.users, /^[UW][A-Z0-9]{2,}$/) ??
        fail(`no user ${value} in the local workspace (${USERS}), nor a user id (U…)`);
    if (flag === "--channel")
      o.channel =
        lookUp(value!.replace(/^#/, ""), LOCAL_WORKSPACE.channels, /^[CGD][A-Z0-9]{2,}$/) ??
        fail(`no channel ${value} in the local workspace (${CHANNELS}), nor a channel id (C…)`);
    if (flag === "--click") o.click = value;
    if (flag === "--timeout") o.timeout = value!;
  }
  const text = args.slice(i).join(" ").trim();
  if (!text) fail("no command given");
  if (text.startsWith("/") && !/^\/images(\s|$)/.test(text))
    fail(`the local app has one slash command, /images; got ${text.split(/\s/)[0]}`);
  const timeoutS = Number(o.timeout || process.env.SLACK_TIMEOUT_SECONDS || 180);
  if (!(timeoutS > 0)) fail(`the timeout must be a number of seconds, got "${o.timeout || process.env.SLACK_TIMEOUT_SECONDS}"`);
  return { user: o.user, channel: o.channel, click: o.click, timeoutS, text: text.replace(/^\/images\s*/, "") };
}

/** An id as given (when it has the shape of one), or the id of a name in the local workspace. */
function lookUp(value: string, dir: Record<string, string>, idShape: RegExp): string | undefined {
  if (idShape.test(value)) return value;
  return Object.entries(dir).find(([, name]) => name === value.toLowerCase())?.[0];
}

const port = process.env.PORT ?? "3000";
const base = `http://127.0.0.1:${port}`;
const { user, channel, click, timeoutS, text } = parseArgs(process.argv.slice(2));
const timeoutMs = timeoutS * 1000;
/** Block Kit as text, with the workspace's names for mentions and Unicode for emoji */
const readable = (blocks: unknown[] | undefined, fallback: string) => mrkdwnToPlain(blocksToText(blocks, fallback), LOCAL_WORKSPACE);
const where = (id: string) => (LOCAL_WORKSPACE.channels[id] ? `#${LOCAL_WORKSPACE.channels[id]} (${id}, ` : `${id} (`);

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
const ack = await send(slashCommandBody(text, { responseUrl, team: info.teamId, channel, user }));
console.log(`ack (HTTP ${ack.status}, ${Date.now() - started} ms):\n${indent(readable(ack.body.blocks, ack.body.text ?? ""))}\n`);

const shown = new Map<string, number>();
/** every button the bot offered, by label, in order */
const offered = new Set<string>();
let clicked = false;
let clickedNow = await pressIfOffered(ack.body);
for (;;) {
  // read what runs before what was posted: a job that ends in between has posted already
  const busy = await running(trackingBefore);
  const now = await sink();
  for (const [index, r] of now.responses.entries()) {
    if (!watched.has(r.url) || shown.has(`response:${index}`)) continue;
    shown.set(`response:${index}`, 1);
    console.log(
      `response${r.body.replace_original ? " (replaces the original)" : ""}:\n${indent(readable(r.body.blocks, r.body.text ?? ""))}\n`,
    );
    if (await pressIfOffered(r.body)) clickedNow = true;
  }
  for (const m of now.messages) {
    const old = before.messages.find((b) => b.ts === m.ts)?.history.length ?? 0;
    const seen = shown.get(m.ts) ?? old;
    if (m.history.length > seen) {
      shown.set(m.ts, m.history.length);
      for (const label of buttons(m as Body)) offered.add(label);
      console.log(
        `${seen === 0 && old === 0 ? "posted" : "updated"} in ${where(m.channel)}ts ${m.ts}):\n${indent(readable(m.blocks, m.text))}\n`,
      );
    }
  }
  // a click dispatches its job before it is answered: the next round sees that job running
  if (clickedNow) {
    clickedNow = false;
    continue;
  }
  if (busy.jobs === 0 && busy.tracking.length === 0) break;
  if (Date.now() - started > timeoutMs) {
    const what = [busy.jobs ? `${busy.jobs} job(s)` : "", busy.tracking.length ? `tracking ${busy.tracking.join(", ")}` : ""]
      .filter(Boolean)
      .join(" and ");
    console.log(
      `(stopped waiting after ${Math.round(timeoutMs / 1000)} s with ${what} still running; --timeout 600 or SLACK_TIMEOUT_SECONDS=600 waits longer)`,
    );
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}
if (click && !clicked) {
  const there = [...offered].map((b) => `[ ${b} ]`).join(" ");
  console.log(`(no [ ${click} ] button was offered: ${there ? `the buttons offered were ${there}` : "the bot offered no button"})`);
  process.exit(1);
}

/** Presses the --click button when this answer offers it (once); true when it did. */
async function pressIfOffered(body: Body): Promise<boolean> {
  for (const label of buttons(body)) offered.add(label);
  const button = click && !clicked ? findButton(body, click) : undefined;
  if (!button) return false;
  clicked = true;
  const clickUrl = `${info.slackApi}/response/cli-click-${Date.now()}`;
  watched.add(clickUrl);
  const res = await send(
    blockActionBody({ action_id: button.action_id, value: button.value }, { responseUrl: clickUrl, team: info.teamId, channel, user }),
  );
  console.log(`clicked [ ${button.text?.text ?? click} ] (HTTP ${res.status})\n`);
  return true;
}

function buttons(body: Body): string[] {
  return (body.blocks ?? []).filter((b) => b.type === "actions").flatMap((b) => (b.elements ?? []).map((e) => e.text?.text ?? e.action_id));
}

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
