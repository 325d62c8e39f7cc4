/**
 * The three cloud simulators and a local Secrets Manager holding credentials for them, for the
 * benchmark: sized for it (generated images), with the environment a function bundle needs to
 * find them. Everything listens on 127.0.0.1.
 */
import { demoAccounts } from "../../test/sim/demo.js";
import { IwinvSim } from "../../test/sim/iwinv.js";
import { NcpSim } from "../../test/sim/ncp.js";
import { ScpSim } from "../../test/sim/scp.js";
import { SecretsManagerSim } from "../../test/sim/secrets-manager.js";

export interface CloudsOptions {
  /** generated images per simulator (on top of each simulator's seed images) */
  ncp?: number;
  scp?: number;
  iwinv?: number;
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

export async function startClouds(o: CloudsOptions = {}): Promise<Clouds> {
  const ncp = new NcpSim({ generatedImages: o.ncp ?? 0 });
  const scp = new ScpSim({ generatedImages: o.scp ?? 0 });
  const iwinv = new IwinvSim({ generatedImages: o.iwinv ?? 0 });
  await Promise.all([ncp.start(), scp.start(), iwinv.start()]);
  const credentials = { accounts: demoAccounts({ ncp: ncp.url, scp: scp.url, iwinv: iwinv.url }) };
  const secrets = new SecretsManagerSim({ [CREDENTIALS_SECRET_ID]: credentials });
  await secrets.start();
  const env = {
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "AKIALOCALBENCH000000",
    AWS_SECRET_ACCESS_KEY: "local-bench-not-a-secret",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    CREDENTIALS_SECRET_ID,
  };
  return {
    ncp, scp, iwinv, secrets, env,
    counts: { ncp: ncp.counts().images, scp: scp.counts().images, iwinv: iwinv.counts().images },
    async stop() {
      await Promise.all([ncp, scp, iwinv, secrets].map((s) => s.close()));
    },
  };
}
