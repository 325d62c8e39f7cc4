/**
 * The simulators in a process of their own (figure 4): a real cloud does its work elsewhere, so the
 * simulator's own CPU (building and serialising 1,000-row pages) must not share the event loop of
 * the client being measured. Prints one JSON line {urls (by cloud), env, counts, cached} when
 * listening; faults are set over HTTP (POST <sim>/__sim/faults); exits when stdin closes.
 *
 *   node --import tsx dev/bench/sim-host.ts '{"ncp":9990,"cacheNcpPages":true}'
 *
 * cacheNcpPages: NcpSim builds and serialises every page on its one thread (about 10 ms for 1,000
 * rows), so concurrent page requests queue behind each other there — a cost of the simulator, not
 * of the cloud it stands for. With this set, every request is still authenticated (signature,
 * timestamp) and delayed by the injected latency, but a successful answer is kept per URL and
 * served again as the same bytes (only its requestId repeats); the key is the method, path and
 * form body, where NCP's page number travels.
 */
import type { SimRequest, SimResponse } from "../sim/server.js";
import { startClouds, type CloudsOptions } from "../sim/clouds.js";
import { eachCloud } from "../sim/registry.js";

const config = JSON.parse(process.argv[2] ?? "{}") as CloudsOptions & { cacheNcpPages?: boolean };
const clouds = await startClouds(config);

let cached = false;
if (config.cacheNcpPages) {
  const sim = clouds.ncp as unknown as {
    handler?: (req: SimRequest) => SimResponse | Promise<SimResponse>;
    authenticate?: (req: SimRequest) => SimResponse | undefined;
  };
  const handler = sim.handler;
  const authenticate = sim.authenticate?.bind(clouds.ncp);
  if (typeof handler === "function" && typeof authenticate === "function") {
    const pages = new Map<string, SimResponse>();
    sim.handler = async (req) => {
      const denied = authenticate(req);
      if (denied) return denied;
      // NCP calls are form POSTs: the page is in the body, so the body is part of the key
      const key = `${req.method} ${req.rawUrl}\n${req.body}`;
      const hit = pages.get(key);
      if (hit) return hit;
      const answer = await handler(req);
      if (answer.status !== 200) return answer;
      const frozen = { ...answer, body: JSON.stringify(answer.body) };
      pages.set(key, frozen);
      return frozen;
    };
    cached = true;
  }
}

process.stdout.write(
  `SIM_HOST ${JSON.stringify({ urls: eachCloud((p) => clouds[p].url), env: clouds.env, counts: clouds.counts, cached })}\n`,
);
const stop = async () => {
  await clouds.stop();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
