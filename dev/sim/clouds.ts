/**
 * The simulators of every registered cloud (./registry.ts) and a local Secrets Manager holding
 * their demo credentials, with the environment a function bundle needs to find them: the base of
 * the local stack (`npm start`, the e2e tests) and of the benchmark. Everything listens on 127.0.0.1.
 */
import { PROVIDERS, type ProviderName } from "../../shared/model/image.js";
import { demoAccount, eachCloud, SIMULATED, type Simulators } from "./registry.js";
import { SecretsManagerSim } from "./secrets-manager.js";

export type CloudsOptions = {
  /** generated images per simulator (on top of each simulator's seed images) */
  [P in ProviderName]?: number;
} & {
  /** how long a created image stays "creating" */
  createDelayMs?: number;
  /** only these clouds' accounts go into the credentials secret (every simulator runs) */
  providers?: ProviderName[];
  /** extra fields for an account of the credentials secret, e.g. an SCP apiVersion pin */
  accountFields?: Partial<Record<ProviderName, Record<string, unknown>>>;
  /** more secrets for the local Secrets Manager */
  secrets?: Record<string, unknown>;
};

export type Clouds = Simulators & {
  /** the same simulators, by cloud */
  simulators: Simulators;
  secrets: SecretsManagerSim;
  /** what a function bundle needs in its environment to use these */
  env: Record<string, string>;
  /** images each simulator holds */
  counts: Record<ProviderName, number>;
  stop(): Promise<void>;
};

export const CREDENTIALS_SECRET_ID = "imageops/credentials";
/** The local Slack app's secret (signing secret and bot token), where the local stack and the bench keep it. */
export const SLACK_SECRET_ID = "imageops/slack";

/** What a function bundle needs in its environment to read its credentials from a local Secrets Manager (fake AWS keys: local only). */
export function localAwsEnv(secretsManagerUrl: string): Record<string, string> {
  return {
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "AKIALOCALSIMS0000000",
    AWS_SECRET_ACCESS_KEY: "local-sims-not-a-secret",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManagerUrl,
    CREDENTIALS_SECRET_ID,
  };
}

export async function startClouds(o: CloudsOptions = {}): Promise<Clouds> {
  const simulators = eachCloud((p) => SIMULATED[p].simulator({ images: o[p] ?? 0, createDelayMs: o.createDelayMs })) as Simulators;
  const sims = Object.values(simulators);
  await Promise.all(sims.map((s) => s.start()));
  const accounts = PROVIDERS.filter((p) => !o.providers || o.providers.includes(p)).map((p) => ({
    ...demoAccount(p, simulators[p].url),
    ...o.accountFields?.[p],
  }));
  const secrets = new SecretsManagerSim({ [CREDENTIALS_SECRET_ID]: { accounts }, ...o.secrets });
  await secrets.start();
  return {
    ...simulators,
    simulators,
    secrets,
    env: localAwsEnv(secrets.url),
    counts: eachCloud((p) => simulators[p].counts().images),
    async stop() {
      await Promise.all([...sims, secrets].map((s) => s.close()));
    },
  };
}
