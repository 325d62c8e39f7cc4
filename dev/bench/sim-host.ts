/**
 * The simulators in a process of their own (figure 4): a real cloud does its work elsewhere, so the
 * simulator's own CPU (building and serialising 1,000-row pages) must not share the event loop of
 * the client being measured. Prints one JSON line {urls (by cloud), env, counts} when
 * listening; faults are set over HTTP (POST <sim>/__sim/faults); exits when stdin closes.
 *
 *   node --import tsx dev/bench/sim-host.ts '{"ncp":9990,"cacheNcpPages":true}'
 *
 * cacheNcpPages sets NcpSim.cachePages (why: its comment).
 */
import { startClouds, type CloudsOptions } from "../sim/clouds.js";
import { eachCloud } from "../sim/registry.js";

const config = JSON.parse(process.argv[2] ?? "{}") as CloudsOptions & { cacheNcpPages?: boolean };
const clouds = await startClouds(config);

clouds.ncp.cachePages = config.cacheNcpPages ?? false;

process.stdout.write(`SIM_HOST ${JSON.stringify({ urls: eachCloud((p) => clouds[p].url), env: clouds.env, counts: clouds.counts })}\n`);
const stop = async () => {
  await clouds.stop();
  process.exit(0);
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
