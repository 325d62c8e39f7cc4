/**
 * The local chat console's routes on the local stack's gateway: the static page, a signer (the
 * signing secret stays on the server), the live event stream of the local Slack API, and the
 * simulators' state and fault switches.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { readFile } from "node:fs/promises";
import { slackSignature } from "../shared/slack/signature.js";
import type { SimServer } from "../test/sim/server.js";
import type { SlackApiSim } from "../test/sim/slack-api.js";

const STATIC: Record<string, [string, string]> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/console.js": ["console.js", "text/javascript; charset=utf-8"],
  "/console.css": ["console.css", "text/css; charset=utf-8"],
};
const FAULTS = { ok: {}, slow: { latencyMs: 5_000 }, fail: { status: 503 } } as const;

export interface ConsoleDeps {
  signingSecret: string;
  slackApi: SlackApiSim;
  clouds: Record<string, SimServer & { counts(): { images: number; servers: number } }>;
  accounts: () => Promise<Array<{ provider: string; name: string }>>;
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
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": connected\n\n");
    const stop = deps.slackApi.onChange((event) => res.write(`data: ${JSON.stringify(event)}\n\n`));
    req.on("close", stop);
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
    });
    return true;
  }
  if (path === "/__console/faults" && req.method === "POST") {
    const { cloud, mode } = JSON.parse((await readBody(req)) || "{}") as { cloud?: string; mode?: keyof typeof FAULTS };
    const sim = cloud ? deps.clouds[cloud] : undefined;
    if (!sim || !mode || !(mode in FAULTS)) return json(res, 400, { error: "cloud must be ncp, scp or iwinv; mode ok, slow or fail" }), true;
    sim.setFaults({ ...FAULTS[mode] });
    json(res, 200, { cloud, faults: sim.faults[0] ?? {} });
    return true;
  }
  return false;
}
