/**
 * The estate of figure 8 in a process of its own (a real cloud does its work elsewhere): one
 * simulator per account, each with its own key, 200 account-regions in all —
 *
 *   ncp    100 accounts × KR (the simulator has one region); account 1 with 2,500 more public images (3 pages of 1,000)
 *   scp     60 accounts × one region each; account 1 with 500 more custom images (6 pages of 100, marker paging)
 *   iwinv   10 accounts × 4 zones (kr1-z01, kr1-z02, kr2-z01, kr2-z02; the images are in kr2-z01); account 1 with 450 more (5 pages)
 *
 * every request answered 200 ms late (`latencyMs` fault), every custom image name made unique to
 * its account (the estate's own names would otherwise be "duplicate names" 100 times over), the
 * operations table (dynalite), the credentials and Slack secrets, and what a policy run needs
 * besides the clouds: tracking — the deployed state machine (infra/state-machine.asl.json, in
 * dev/sim/step-functions.ts) whose Task invokes the built track-image bundle in this process, as
 * dev/local-stack.ts does, each call with track-image's deployed timeout — and the Slack Web API
 * (dev/sim/slack-api.ts, its per-channel chat.postMessage limit included). A Lambda endpoint that
 * knows no function answers a policy run's continuation, should one be asked for (every run of
 * figure 8 is meant to end within its invocation; the figure says so when one does not).
 *
 * It counts what each cloud saw: requests, the most in flight at once per key (against the
 * adapter's declared concurrency: NCP and SCP document no limit, ncp.md §5, scp.md §6.3), iwinv's
 * requests in any 60 s per key (its documented 60, iwinv.md §3.4) and every 429/417 a simulator
 * answered (iwinv's sliding window answers 429 past 60, as iwinv does), and the most connections
 * open at once; and Slack's chat.postMessage answers (posted, refused, 429) and the tracking runs
 * by status, since the last reset.
 *
 * Prints one line `SCALE_HOST {admin, env, policyEnv, accounts, servers, images}` (policyEnv: what
 * run-policy needs on top of env; servers: each cloud's server to image); GET <admin>/stats,
 * POST <admin>/reset (counters, and iwinv's windows: runs a minute apart), POST <admin>/settled
 * (answers when every tracking run started has ended). Exits when stdin closes.
 *
 *   node --import tsx dev/bench/scale-host.ts '{"latencyMs":200,"createDelayMs":2000,"waitScale":0.02,"trackImage":"dist/track-image/index.mjs"}'
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { lambdaContext } from "../local-stack.js";
import { CREDENTIALS_SECRET_ID, localAwsEnv, SLACK_SECRET_ID } from "../sim/clouds.js";
import { DEMO_SERVERS, LOCAL_SLACK } from "../sim/demo.js";
import { DynamoSim } from "../sim/dynamodb.js";
import { IwinvSim } from "../sim/iwinv.js";
import { LambdaSim } from "../sim/lambda.js";
import { NcpSim } from "../sim/ncp.js";
import { ScpSim } from "../sim/scp.js";
import { SecretsManagerSim } from "../sim/secrets-manager.js";
import type { SimServer } from "../sim/server.js";
import { SlackApiSim } from "../sim/slack-api.js";
import { StepFunctionsSim } from "../sim/step-functions.js";

const config = JSON.parse(process.argv[2] ?? "{}") as {
  latencyMs?: number;
  /** how long a created image stays "creating" */
  createDelayMs?: number;
  /** the state machine's waits, scaled (0.02: 15 s → 0.3 s) */
  waitScale?: number;
  /** the built track-image bundle (without it, nothing is tracked) */
  trackImage?: string;
};
const LATENCY_MS = config.latencyMs ?? 200;
const pad = (n: number) => String(n).padStart(4, "0");
const IWINV_ZONES = ["kr1-z01", "kr1-z02", "kr2-z01", "kr2-z02"];

type Provider = "ncp" | "scp" | "iwinv";
const KEY_HEADER: Record<Provider, string> = { ncp: "x-ncp-iam-access-key", scp: "scp-accesskey", iwinv: "x-iwinv-credential" };

interface Counters {
  requests: number;
  limitAnswers: number;
  maxInFlightPerKey: number;
  maxPerMinutePerKey: number;
}
const stats: Record<Provider, Counters> = { ncp: fresh(), scp: fresh(), iwinv: fresh() };
const inFlight = new Map<string, number>();
const startsByKey = new Map<string, number[]>();
let openConnections = 0;
let maxConnections = 0;
function fresh(): Counters {
  return { requests: 0, limitAnswers: 0, maxInFlightPerKey: 0, maxPerMinutePerKey: 0 };
}

/** Counts each request a simulator's HTTP server takes (its own handler still answers it). */
function watch(provider: Provider, sim: SimServer): void {
  const server = (sim as unknown as { server: Server }).server;
  server.on("connection", (socket) => {
    maxConnections = Math.max(maxConnections, ++openConnections);
    socket.on("close", () => openConnections--);
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if ((req.url ?? "").startsWith("/__sim/")) return;
    // an unsigned request (SCP's version catalogue, GET /, once a day per endpoint) counts for its endpoint
    const key = `${provider}:${String(req.headers[KEY_HEADER[provider]] ?? `unsigned ${sim.url}`)}`;
    const s = stats[provider];
    s.requests++;
    const n = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, n);
    s.maxInFlightPerKey = Math.max(s.maxInFlightPerKey, n);
    const now = Date.now();
    const starts = (startsByKey.get(key) ?? []).filter((t) => t > now - 60_000);
    starts.push(now);
    startsByKey.set(key, starts);
    s.maxPerMinutePerKey = Math.max(s.maxPerMinutePerKey, starts.length);
    res.once("close", () => {
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      if (res.statusCode === 429 || res.statusCode === 417) s.limitAnswers++;
    });
  });
}

const suffix = (name: unknown, i: number) => `${String(name ?? "image")}-a${i}`;

const ncp: NcpSim[] = [];
const scp: ScpSim[] = [];
const iwinv: IwinvSim[] = [];
const accounts: Array<Record<string, unknown>> = [];

for (let i = 1; i <= 100; i++) {
  const key = { accessKey: `NCPBENCH${pad(i)}`, secretKey: `ncp-bench-secret-${i}` };
  const sim = new NcpSim({ keys: [key], generatedImages: i === 1 ? 2_500 : 0, createDelayMs: config.createDelayMs });
  for (const img of sim.images.values()) {
    if (img.kind === "member") img.raw.memberServerImageName = suffix(img.raw.memberServerImageName, i);
    else if ((img.raw.serverImageType as { code?: string })?.code === "SELF") img.raw.serverImageName = suffix(img.raw.serverImageName, i);
  }
  ncp.push(sim);
  accounts.push({ provider: "ncp", name: `ncp-${pad(i)}`, ...key, regions: ["KR"] });
}
for (let i = 1; i <= 60; i++) {
  const key = { accessKey: `SCPBENCH${pad(i)}`, secretKey: `scp-bench-secret-${i}` };
  const sim = new ScpSim({ keys: [key], generatedImages: i === 1 ? 500 : 0, createDelayMs: config.createDelayMs });
  for (const img of sim.images.values()) if (img.raw.scp_image_type === "custom") img.raw = { ...img.raw, name: suffix(img.raw.name, i) };
  scp.push(sim);
  accounts.push({ provider: "scp", name: `scp-${pad(i)}`, ...key, regions: [i % 2 ? "kr-west1" : "kr-east1"] });
}
for (let i = 1; i <= 10; i++) {
  const key = { accessKey: `IWINVBENCH${pad(i)}`, secretKey: `iwinv-bench-secret-${i}` };
  const sim = new IwinvSim({ keys: [key], generatedImages: i === 1 ? 450 : 0 });
  for (const img of sim.images) if (img.visibility === "private") img.name = suffix(img.name, i);
  iwinv.push(sim);
  accounts.push({ provider: "iwinv", name: `iwinv-${pad(i)}`, ...key, regions: IWINV_ZONES });
}

const all: Array<[Provider, SimServer]> = [
  ...ncp.map((s) => ["ncp", s] as [Provider, SimServer]),
  ...scp.map((s) => ["scp", s] as [Provider, SimServer]),
  ...iwinv.map((s) => ["iwinv", s] as [Provider, SimServer]),
];
await Promise.all(all.map(([, s]) => s.start()));
let a = 0;
for (const [provider, sim] of all) {
  watch(provider, sim);
  sim.setFaults({ latencyMs: LATENCY_MS });
  accounts[a++]!.endpoint = sim.url;
}

const secrets = new SecretsManagerSim({
  [CREDENTIALS_SECRET_ID]: { accounts },
  [SLACK_SECRET_ID]: { signingSecret: LOCAL_SLACK.signingSecret, botToken: LOCAL_SLACK.botToken },
});
const dynamo = new DynamoSim("imageops-bench-operations");
const slackApi = new SlackApiSim(LOCAL_SLACK.botToken);
type Handler = (event: unknown, context?: Context) => Promise<unknown>;
let trackImage: Handler | undefined;
const stepFunctions = new StepFunctionsSim(() => trackImage && ((payload) => trackImage!(payload, lambdaContext("track-image"))), {
  waitScale: config.waitScale ?? 1,
});
// a run's continuation (an asynchronous self-invocation) would come here: no function is known, so it fails and is said
const lambda = new LambdaSim(() => undefined);
await Promise.all([secrets.start(), dynamo.start(), slackApi.start(), stepFunctions.start(), lambda.start()]);

const env = { ...localAwsEnv(secrets.url), AWS_ENDPOINT_URL_DYNAMODB: dynamo.url, OPERATIONS_TABLE: dynamo.tableName };
/** What run-policy (serverless.yml) and track-image read besides env: tracking, Slack, itself. */
const policyEnv = {
  AWS_ENDPOINT_URL_SFN: stepFunctions.url,
  AWS_ENDPOINT_URL_LAMBDA: lambda.url,
  TRACK_STATE_MACHINE_ARN: StepFunctionsSim.STATE_MACHINE_ARN,
  SLACK_SECRET_ID,
  SLACK_API_URL: slackApi.apiUrl,
  RUN_POLICY_FUNCTION: "run-policy",
};
if (config.trackImage) {
  // the bundle reads its environment as Lambda gives it; the SDK's Node version notice is said by the bench, not here
  Object.assign(process.env, env, policyEnv, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
  trackImage = ((await import(pathToFileURL(resolve(config.trackImage)).href)) as { handler: Handler }).handler;
}

/** Where the counters of Slack and tracking start (the last reset). */
let slackFrom = 0;
let executionsBefore = new Set<string>();

function reset(): void {
  for (const p of Object.keys(stats) as Provider[]) stats[p] = fresh();
  inFlight.clear();
  startsByKey.clear();
  maxConnections = openConnections;
  // iwinv's own sliding windows: the next run starts as if a minute had passed
  for (const s of iwinv) (s as unknown as { starts: Map<string, number[]> }).starts.clear();
  slackFrom = slackApi.calls.length;
  executionsBefore = new Set(stepFunctions.executions.keys());
}

/** Tracking runs started since the reset. */
const executions = () => [...stepFunctions.executions.entries()].filter(([name]) => !executionsBefore.has(name)).map(([, e]) => e);

/** Slack and tracking since the reset: chat.postMessage's posts, refusals and 429s, and in how many channels; tracking runs by status. */
function lifecycleStats() {
  const posts = slackApi.calls.slice(slackFrom).filter((c) => c.method === "chat.postMessage");
  const posted = posts.filter((c) => c.status === 200 && !c.error);
  const byStatus: Record<string, number> = {};
  for (const e of executions()) byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
  return {
    slack: {
      posted: posted.length,
      refused: posts.filter((c) => c.status === 200 && c.error).length,
      limitAnswers: posts.filter((c) => c.status === 429).length,
      channels: new Set(posted.map((c) => c.channel)).size,
    },
    tracking: byStatus,
  };
}

/** Resolves when every tracking run started since the reset has ended (at most `ms` later). */
async function settled(ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const running = executions().filter((e) => e.status === "RUNNING");
    if (!running.length || Date.now() > until) return;
    await Promise.race([Promise.allSettled(running.map((e) => e.done)), new Promise((r) => setTimeout(r, until - Date.now()))]);
  }
}

const admin = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  res.setHeader("content-type", "application/json");
  if (req.url === "/stats") return res.end(JSON.stringify({ ...stats, maxConnections, ...lifecycleStats() }));
  if (req.url === "/reset" && req.method === "POST") return (reset(), res.end("{}"));
  if (req.url === "/settled" && req.method === "POST")
    return settled(Number(JSON.parse(body || "{}").ms ?? 120_000)).then(() => res.end(JSON.stringify(lifecycleStats().tracking)));
  res.statusCode = 404;
  res.end("{}");
});
await new Promise<void>((resolve) => admin.listen(0, "127.0.0.1", resolve));

const images = {
  ncp: ncp.reduce((n, s) => n + s.counts().images, 0),
  scp: scp.reduce((n, s) => n + s.counts().images, 0),
  iwinv: iwinv.reduce((n, s) => n + s.counts().images, 0),
};
// the server each policy images: every account's simulator holds the same seed servers (ncp: web-01, KVM; scp: an ACTIVE one)
const servers = { ncp: DEMO_SERVERS.ncp.kvm, scp: DEMO_SERVERS.scp.active };
process.stdout.write(
  `SCALE_HOST ${JSON.stringify({ admin: `http://127.0.0.1:${(admin.address() as AddressInfo).port}`, env, policyEnv, accounts, servers, images })}\n`,
);

const stop = async () => {
  admin.close();
  await Promise.all([
    ...all.map(([, s]) => s.close()),
    secrets.close(),
    dynamo.close(),
    slackApi.close(),
    stepFunctions.close(),
    lambda.close(),
  ]);
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
