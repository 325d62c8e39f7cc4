/**
 * The three cloud simulators and a local Secrets Manager holding demo credentials for them, with
 * the environment a function bundle needs to find them: the base of the local stack (`npm start`,
 * the e2e tests) and of the benchmark. Everything listens on 127.0.0.1.
 */
import type { ProviderName } from "../../shared/model/image.js";
import { demoAccounts } from "./demo.js";
import { IwinvSim } from "./iwinv.js";
import { NcpSim } from "./ncp.js";
import { ScpSim } from "./scp.js";
import { SecretsManagerSim } from "./secrets-manager.js";

export interface CloudsOptions {
  /** generated images per simulator (on top of each simulator's seed images) */
  ncp?: number;
  scp?: number;
  iwinv?: number;
  /** how long a created image stays "creating" */
  createDelayMs?: number;
  /** only these clouds' accounts go into the credentials secret (all three simulators run) */
  providers?: ProviderName[];
  /** extra fields for an account of the credentials secret, e.g. an SCP apiVersion pin */
  accountFields?: Partial<Record<ProviderName, Record<string, unknown>>>;
  /** more secrets for the local Secrets Manager */
  secrets?: Record<string, unknown>;
}

export interface Clouds {
  ncp: NcpSim;
  scp: ScpSim;
  iwinv: IwinvSim;
  secrets: SecretsManagerSim;
  /** what a function bundle needs in its environment to use these */
  env: Record<string, string>;
  /** images each simulator holds */
  counts: { ncp: number; scp: number; iwinv: number };
  stop(): Promise<void>;
}

export const CREDENTIALS_SECRET_ID = "imageops/credentials";

/** Rows NcpSim's getServerImageList returns with no generated images (seed server images + legacy ones it also lists). */
export function ncpSeedServerRows(): number {
  const sim = new NcpSim();
  return [...sim.images.values()].filter((i) => i.kind === "server" || (i as { alsoServer?: boolean }).alsoServer).length;
}

/** A server a simulator holds, as a person picks one to image: its name, its id and its state. */
export interface DemoServer {
  name: string;
  id: string;
  state: string;
}

/** The servers of each simulator (each keeps them in its own cloud's shape), for `npm start`'s banner and the console. */
export function demoServers(clouds: Pick<Clouds, "ncp" | "scp" | "iwinv">): Record<ProviderName, DemoServer[]> {
  return {
    ncp: [...clouds.ncp.servers.values()].map((s) => ({ name: s.serverName, id: s.serverInstanceNo, state: s.status })),
    scp: [...clouds.scp.servers.values()].map((s) => ({ name: s.name, id: s.id, state: s.state })),
    iwinv: [...clouds.iwinv.servers.values()].map((s) => ({ name: s.name, id: s.instance_id, state: s.status })),
  };
}

export async function startClouds(o: CloudsOptions = {}): Promise<Clouds> {
  const ncp = new NcpSim({ generatedImages: o.ncp ?? 0, createDelayMs: o.createDelayMs });
  const scp = new ScpSim({ generatedImages: o.scp ?? 0, createDelayMs: o.createDelayMs });
  const iwinv = new IwinvSim({ generatedImages: o.iwinv ?? 0 });
  await Promise.all([ncp.start(), scp.start(), iwinv.start()]);
  const accounts = demoAccounts({ ncp: ncp.url, scp: scp.url, iwinv: iwinv.url })
    .filter((a) => !o.providers || o.providers.includes(a.provider))
    .map((a) => ({ ...a, ...o.accountFields?.[a.provider] }));
  const secrets = new SecretsManagerSim({ [CREDENTIALS_SECRET_ID]: { accounts }, ...o.secrets });
  await secrets.start();
  const env = {
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "AKIALOCALSIMS0000000",
    AWS_SECRET_ACCESS_KEY: "local-sims-not-a-secret",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    CREDENTIALS_SECRET_ID,
  };
  return {
    ncp,
    scp,
    iwinv,
    secrets,
    env,
    counts: { ncp: ncp.counts().images, scp: scp.counts().images, iwinv: iwinv.counts().images },
    async stop() {
      await Promise.all([ncp, scp, iwinv, secrets].map((s) => s.close()));
    },
  };
}
