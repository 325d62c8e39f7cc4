/**
 * Cold-start baseline (figure 1): the least a function that reads its credentials can do — import
 * @aws-sdk/client-secrets-manager and make one GetSecretValue. Bundled by dev/bench.ts with
 * the product's own esbuild settings into dist/bench/baseline-secrets/index.mjs.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

const client = new SecretsManagerClient({ maxAttempts: 2 });

export const handler = async (): Promise<{ bytes: number }> => {
  const out = await client.send(new GetSecretValueCommand({ SecretId: process.env.CREDENTIALS_SECRET_ID }));
  return { bytes: out.SecretString?.length ?? 0 };
};
