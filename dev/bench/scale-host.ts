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
 * audit's operations table (dynalite) and the credentials secret. It counts what each cloud saw:
 * requests, the most in flight at once per key (against the adapter's declared concurrency: NCP
 * and SCP document no limit, ncp.md §5, scp.md §6.3), iwinv's requests in any 60 s per key (its
 * documented 60, iwinv.md §3.4) and every 429/417 a simulator answered (iwinv's sliding window
 * answers 429 past 60, as iwinv does), and the most connections open at once.
 *
 * Prints one line `SCALE_HOST {admin, env, accounts, images}`; GET <admin>/stats, POST <admin>/reset
 * (counters, and iwinv's windows: runs a minute apart), POST <admin>/latency {"ms":200}. Exits when stdin closes.
 *
 *   node --import tsx dev/bench/scale-host.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CREDENTIALS_SECRET_ID } from "../sim/clouds.js";
import { DynamoSim } from "../sim/dynamodb.js";
import { IwinvSim } from "../sim/iwinv.js";
import { NcpSim } from "../sim/ncp.js";
import { ScpSim } from "../sim/scp.js";
import { SecretsManagerSim } from "../sim/secrets-manager.js";
import type { SimServer } from "../sim/server.js";

const LATENCY_MS = Number(process.argv[2] ?? 200);
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
  const sim = new NcpSim({ keys: [key], generatedImages: i === 1 ? 2_500 : 0 });
  for (const img of sim.images.values()) {
    if (img.kind === "member") img.raw.memberServerImageName = suffix(img.raw.memberServerImageName, i);
    else if ((img.raw.serverImageType as { code?: string })?.code === "SELF") img.raw.serverImageName = suffix(img.raw.serverImageName, i);
  }
  ncp.push(sim);
  accounts.push({ provider: "ncp", name: `ncp-${pad(i)}`, ...key, regions: ["KR"] });
}
for (let i = 1; i <= 60; i++) {
  const key = { accessKey: `SCPBENCH${pad(i)}`, secretKey: `scp-bench-secret-${i}` };
  const sim = new ScpSim({ keys: [key], generatedImages: i === 1 ? 500 : 0 });
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
const setLatency = (ms: number) => all.forEach(([, s]) => s.setFaults(ms > 0 ? { latencyMs: ms } : {}));

const secrets = new SecretsManagerSim({ [CREDENTIALS_SECRET_ID]: { accounts } });
const dynamo = new DynamoSim("imageops-bench-operations");
await Promise.all([secrets.start(), dynamo.start()]);

function reset(): void {
  for (const p of Object.keys(stats) as Provider[]) stats[p] = fresh();
  inFlight.clear();
  startsByKey.clear();
  maxConnections = openConnections;
  // iwinv's own sliding windows: the next run starts as if a minute had passed
  for (const s of iwinv) (s as unknown as { starts: Map<string, number[]> }).starts.clear();
}

const admin = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  res.setHeader("content-type", "application/json");
  if (req.url === "/stats") return res.end(JSON.stringify({ ...stats, maxConnections }));
  if (req.url === "/reset" && req.method === "POST") return (reset(), res.end("{}"));
  if (req.url === "/latency" && req.method === "POST")
    return (setLatency(Number(JSON.parse(body || "{}").ms ?? LATENCY_MS)), res.end("{}"));
  res.statusCode = 404;
  res.end("{}");
});
await new Promise<void>((resolve) => admin.listen(0, "127.0.0.1", resolve));

const images = {
  ncp: ncp.reduce((n, s) => n + s.counts().images, 0),
  scp: scp.reduce((n, s) => n + s.counts().images, 0),
  iwinv: iwinv.reduce((n, s) => n + s.counts().images, 0),
};
const env = {
  AWS_REGION: "ap-northeast-2",
  AWS_ACCESS_KEY_ID: "AKIALOCALSIMS0000000",
  AWS_SECRET_ACCESS_KEY: "local-sims-not-a-secret",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
  AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
  CREDENTIALS_SECRET_ID,
  OPERATIONS_TABLE: dynamo.tableName,
};
process.stdout.write(
  `SCALE_HOST ${JSON.stringify({ admin: `http://127.0.0.1:${(admin.address() as AddressInfo).port}`, env, accounts, images })}\n`,
);

const stop = async () => {
  admin.close();
  await Promise.all([...all.map(([, s]) => s.close()), secrets.close(), dynamo.close()]);
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
