/**
 * The local chat console's routes on the local stack's gateway: the static page, a signer (the
 * signing secret stays on the server), the conversation of the local session (replayed, then
 * live), the local workspace's names, and the simulators' state and fault switches.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { slackSignature } from "../shared/slack/signature.js";
import { LOCAL_WORKSPACE } from "./sim/demo.js";
import type { SimServer } from "./sim/server.js";
import type { SlackApiSim, SlackFaults } from "./sim/slack-api.js";

const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/console.js": ["console.js", "text/javascript; charset=utf-8"],
  "/console.css": ["console.css", "text/css; charset=utf-8"],
  "/mrkdwn.js": ["mrkdwn.js", "text/javascript; charset=utf-8"],
  // browsers ask for /favicon.ico whatever the page links: both get the icon, never a 404
  "/favicon.svg": ["favicon.svg", "image/svg+xml"],
  "/favicon.ico": ["favicon.svg", "image/svg+xml"],
};
const FAULTS = { ok: {}, slow: { latencyMs: 5_000 }, fail: { status: 503 } } as const;

/**
 * Slack as it misbehaves in a real workspace, one switch each (the stand-in's SlackFaults), so
 * the fallbacks can be watched: the bot not invited to the channel, a slow auth.test (the ack
 * must not wait for it), chat.update rate-limited, a slow response_url.
 */
const SLACK_SWITCHES = {
  not_in_channel: (channel: string): SlackFaults => ({ channels: { [channel]: "not_in_channel" } }),
  slow_auth_test: (): SlackFaults => ({ methods: { "auth.test": { delayMs: 4_000 } } }),
  update_429: (): SlackFaults => ({ methods: { "chat.update": { ratelimited: 5 } } }),
  slow_response_url: (): SlackFaults => ({ responseUrl: { delayMs: 5_000 } }),
} as const;
type SlackSwitch = keyof typeof SLACK_SWITCHES;

/** The switches that are on, read back from the stand-in's faults. */
function slackSwitches(f: SlackFaults): SlackSwitch[] {
  const on: SlackSwitch[] = [];
  if (Object.values(f.channels ?? {}).includes("not_in_channel")) on.push("not_in_channel");
  if (f.methods?.["auth.test"]?.delayMs) on.push("slow_auth_test");
  if (f.methods?.["chat.update"]?.ratelimited) on.push("update_429");
  if (f.responseUrl?.delayMs) on.push("slow_response_url");
  return on;
}

export interface ConsoleDeps {
  signingSecret: string;
  /** the console's channel */
  channel: string;
  slackApi: SlackApiSim;
  clouds: Record<string, SimServer & { counts(): { images: number; servers: number } }>;
  accounts: () => Promise<Array<{ provider: string; name: string }>>;
}

/**
 * What the console itself did, which no Slack API call records: a command typed (with its
 * response_url), the ack /slack/events answered, a button pressed (its response_url and the
 * message it was on). Kept for the stack's life, beside the Slack sink's messages and responses.
 */
type Turn = { type: "command" | "ack" | "click"; at: number } & Record<string, unknown>;
type ConsoleEvent = { type: string; [k: string]: unknown };
const sessions = new WeakMap<SlackApiSim, { turns: Turn[]; listeners: Set<(e: ConsoleEvent) => void> }>();
function session(slackApi: SlackApiSim) {
  let s = sessions.get(slackApi);
  if (!s) sessions.set(slackApi, (s = { turns: [], listeners: new Set() }));
  return s;
}

/**
 * The conversation so far, in the order it happened: the console's turns, every version of every
 * message the bot posted (its post, then each chat.update), every response_url post.
 */
function conversation(slackApi: SlackApiSim): ConsoleEvent[] {
  const all: Array<{ at: number; event: ConsoleEvent }> = [
    ...session(slackApi).turns.map((turn) => ({ at: turn.at, event: { type: "turn", turn } })),
    ...slackApi.messages.flatMap((m) =>
      m.history.map((h, i) => ({
        at: h.at,
        event: {
          type: i === 0 ? "post" : "update",
          message: { channel: m.channel, ts: m.ts, threadTs: m.threadTs, text: h.text, blocks: h.blocks, at: h.at },
        },
      })),
    ),
    ...slackApi.responses.map((response) => ({ at: response.at, event: { type: "response", response } })),
  ];
  return all.sort((a, b) => a.at - b.at).map((e) => e.event); // a stable sort: ties keep the order above
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

/** Handles the request when it is one of the console's; returns false otherwise. */
export async function consoleRoute(req: IncomingMessage, res: ServerResponse, deps: ConsoleDeps): Promise<boolean> {
  const path = new URL(req.url ?? "/", "http://local").pathname;
  const file = STATIC[path];
  if (file && req.method === "GET") {
    res.writeHead(200, { "content-type": file[1], "cache-control": "no-store" });
    res.end(await readFile(new URL(`./console/${file[0]}`, import.meta.url)));
    return true;
  }
  if (path === "/__console/sign" && req.method === "POST") {
    const body = await readBody(req);
    const timestamp = String(Math.floor(Date.now() / 1000));
    json(res, 200, { timestamp, signature: slackSignature(deps.signingSecret, timestamp, body) });
    return true;
  }
  if (path === "/__console/events") {
    // the whole conversation first (a reload, or a reconnect, shows it all again), then live:
    // both in this one turn of the event loop, so nothing falls between them
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    const send = (event: ConsoleEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    send({ type: "reset" });
    for (const event of conversation(deps.slackApi)) send({ ...event, replay: true });
    send({ type: "replayed" });
    const { listeners } = session(deps.slackApi);
    listeners.add(send);
    const stop = deps.slackApi.onChange((event) =>
      send(event.message ? { ...event, message: { ...event.message, at: event.message.history.at(-1)?.at } } : event),
    );
    req.on("close", () => {
      stop();
      listeners.delete(send);
    });
    return true;
  }
  if (path === "/__console/turn" && req.method === "POST") {
    const turn = JSON.parse((await readBody(req)) || "{}") as Turn;
    if (!["command", "ack", "click"].includes(turn.type))
      return (json(res, 400, { error: "type must be one of command, ack, click" }), true);
    const s = session(deps.slackApi);
    const kept = { ...turn, at: Date.now() };
    s.turns.push(kept);
    for (const l of s.listeners) l({ type: "turn", turn: kept });
    json(res, 200, { ok: true });
    return true;
  }
  if (path === "/__console/workspace") {
    json(res, 200, LOCAL_WORKSPACE);
    return true;
  }
  if (path === "/__console/state") {
    const accounts = await deps.accounts();
    json(res, 200, {
      clouds: Object.entries(deps.clouds).map(([name, sim]) => ({
        name,
        accounts: accounts.filter((a) => a.provider === name).map((a) => a.name),
        ...sim.counts(),
        faults: sim.faults[0] ?? {},
      })),
      slack: { switches: Object.keys(SLACK_SWITCHES), on: slackSwitches(deps.slackApi.slackFaults) },
    });
    return true;
  }
  if (path === "/__console/slack-faults" && req.method === "POST") {
    const { fault, on } = JSON.parse((await readBody(req)) || "{}") as { fault?: string; on?: boolean };
    if (!fault || !(fault in SLACK_SWITCHES))
      return (json(res, 400, { error: `fault must be one of ${Object.keys(SLACK_SWITCHES).join(", ")}` }), true);
    const wanted = new Set(slackSwitches(deps.slackApi.slackFaults));
    if (on) wanted.add(fault as SlackSwitch);
    else wanted.delete(fault as SlackSwitch);
    const merged: SlackFaults = {};
    for (const w of wanted) {
      const f = SLACK_SWITCHES[w](deps.channel);
      merged.channels = { ...merged.channels, ...f.channels };
      merged.methods = { ...merged.methods, ...f.methods };
      if (f.responseUrl) merged.responseUrl = f.responseUrl;
    }
    deps.slackApi.setSlackFaults(merged);
    json(res, 200, { on: slackSwitches(deps.slackApi.slackFaults) });
    return true;
  }
  if (path === "/__console/faults" && req.method === "POST") {
    const { cloud, mode } = JSON.parse((await readBody(req)) || "{}") as { cloud?: string; mode?: keyof typeof FAULTS };
    const sim = cloud ? deps.clouds[cloud] : undefined;
    if (!sim || !mode || !(mode in FAULTS))
      return (
        json(res, 400, {
          error: `cloud must be one of ${Object.keys(deps.clouds).join(", ")}; mode one of ${Object.keys(FAULTS).join(", ")}`,
        }),
        true
      );
    sim.setFaults({ ...FAULTS[mode] });
    json(res, 200, { cloud, faults: sim.faults[0] ?? {} });
    return true;
  }
  return false;
}
