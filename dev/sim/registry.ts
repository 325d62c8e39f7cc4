/**
 * Every simulated cloud, registered once: its simulator, its demo account and servers, and what
 * `npm start`'s banner says of it. The local stack, the demo secret, the console and the bench
 * read this; a fourth cloud adds its simulator module and an entry here (and, in the product, its
 * name to PROVIDERS, its adapter to shared/providers/index.ts and its account to shared/secrets.ts:
 * docs/development.md, Layout). `satisfies Record<ProviderName, …>` makes the compiler name a cloud the product
 * knows and this file does not.
 */
import { PROVIDERS, type ProviderName } from "../../shared/model/image.js";
import { IWINV_DEMO, IwinvSim } from "./iwinv.js";
import { NCP_DEMO, NcpSim } from "./ncp.js";
import { SCP_DEMO, ScpSim } from "./scp.js";
import type { SimServer } from "./server.js";

/** A server a simulator holds, as a person picks one to image: its name, its id and its state. */
export interface DemoServer {
  name: string;
  id: string;
  state: string;
}

interface Demo {
  /** fake keys for the local simulator only (tests scan all output for them), with the account's extra fields */
  keys: { accessKey: string; secretKey: string } & Record<string, string>;
  regions: readonly string[];
  /** seeded servers, by role */
  servers: Record<string, string>;
}

type Simulator = SimServer & { counts(): { images: number } };

interface SimulatedCloud<S extends Simulator, D extends Demo> {
  /** its name in the banner */
  title: string;
  demo: D;
  /** a simulator with `images` generated images on top of its seed ones; a created image takes `createDelayMs` */
  simulator(o: { images: number; createDelayMs?: number }): S;
  /** its servers, each in its own cloud's shape, as the banner and the console show them */
  servers(sim: S): DemoServer[];
  /** what the banner says after the simulator's address */
  banner: string;
}

const simulated = <S extends Simulator, D extends Demo>(c: SimulatedCloud<S, D>) => c;
const accessKey = (d: Demo) => `access key ${d.keys.accessKey}`;

export const SIMULATED = {
  ncp: simulated({
    title: "NCP",
    demo: NCP_DEMO,
    simulator: (o) => new NcpSim({ generatedImages: o.images, createDelayMs: o.createDelayMs }),
    servers: (sim) => [...sim.servers.values()].map((s) => ({ name: s.serverName, id: s.serverInstanceNo, state: s.status })),
    banner: accessKey(NCP_DEMO),
  }),
  scp: simulated({
    title: "SCP",
    demo: SCP_DEMO,
    simulator: (o) => new ScpSim({ generatedImages: o.images, createDelayMs: o.createDelayMs }),
    servers: (sim) => [...sim.servers.values()].map((s) => ({ name: s.name, id: s.id, state: s.state })),
    banner: `${accessKey(SCP_DEMO)}, account ${SCP_DEMO.keys.accountId}`,
  }),
  iwinv: simulated({
    title: "iwinv",
    demo: IWINV_DEMO,
    // iwinv documents no image creation: nothing to delay
    simulator: (o) => new IwinvSim({ generatedImages: o.images }),
    servers: (sim) => [...sim.servers.values()].map((s) => ({ name: s.name, id: s.instance_id, state: s.status })),
    banner: accessKey(IWINV_DEMO),
  }),
} satisfies Record<ProviderName, unknown>;

type Registry = typeof SIMULATED;
/** One running simulator per cloud, each of its own class. */
export type Simulators = { [P in ProviderName]: ReturnType<Registry[P]["simulator"]> };

/** `f` of every registered cloud, keyed by its name. */
export function eachCloud<T>(f: (provider: ProviderName) => T): Record<ProviderName, T> {
  return Object.fromEntries(PROVIDERS.map((p) => [p, f(p)])) as Record<ProviderName, T>;
}

/** Each cloud's demo data (keys, regions, servers by role), typed as its simulator declares it. */
export type Demos = { [P in ProviderName]: Registry[P]["demo"] };
export const DEMOS = eachCloud((p) => SIMULATED[p].demo) as Demos;

/** The demo account of the credentials secret for one cloud, pointed at its simulator. */
export function demoAccount(provider: ProviderName, endpoint: string) {
  const { keys, regions } = DEMOS[provider];
  return { provider, name: "demo", ...keys, regions: [...regions], endpoint };
}

/** The servers of each simulator, for `npm start`'s banner and the console. */
export function demoServers(sims: Simulators): Record<ProviderName, DemoServer[]> {
  // each entry reads its own simulator (the union of entries cannot say so to the compiler)
  return eachCloud((p) => (SIMULATED[p].servers as (sim: Simulator) => DemoServer[])(sims[p]));
}
