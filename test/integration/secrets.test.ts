import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ImageOpsError } from "../../shared/model/errors.js";
import { credentialsSecret, SecretsManagerSource, slackSecret } from "../../shared/secrets.js";
import { DEMO_KEYS } from "../../dev/sim/demo.js";
import { SecretsManagerSim } from "../../dev/sim/secrets-manager.js";
import { useAwsEnv } from "../support/aws-env.js";
import { closedPort } from "../support/ports.js";

const good = {
  accounts: [
    { provider: "ncp", name: "prod", ...DEMO_KEYS.ncp, regions: ["KR"] },
    { provider: "scp", name: "prod", ...DEMO_KEYS.scp, regions: ["kr-west1"] },
  ],
};
const sm = new SecretsManagerSim({ creds: good, slack: { signingSecret: "sign-secret-123456", botToken: "xoxb-demo-token-1" } });

beforeAll(async () => {
  await sm.start();
  useAwsEnv(sm.url);
});
afterAll(() => sm.close());
beforeEach(() => {
  process.env.CREDENTIALS_SECRET_ID = "creds";
  sm.reads = 0;
  sm.put("creds", good);
});

describe("credentials secret (real AWS SDK against a local Secrets Manager)", () => {
  it("reads, validates and caches; concurrent cold reads collapse into one call", async () => {
    const secret = credentialsSecret();
    const all = await Promise.all([secret.get(), secret.get(), secret.get()]);
    expect(all[0]!.accounts.map((a) => a.name)).toEqual(["prod", "prod"]);
    expect(all[1]).toBe(all[0]);
    await secret.get();
    expect(sm.reads).toBe(1);
  });

  it("re-reads on refresh (after a provider rejected the keys)", async () => {
    const secret = credentialsSecret();
    await secret.get();
    sm.put("creds", { accounts: [{ ...good.accounts[0], secretKey: "rotated-secret-999" }] });
    const fresh = await secret.refresh();
    expect(fresh.accounts[0]!.secretKey).toBe("rotated-secret-999");
    expect(sm.reads).toBe(2);
  });

  it("reaches a warm container within five minutes: re-read once the cached value is older, not on every call", async () => {
    let now = 1_000_000;
    const secret = credentialsSecret(new SecretsManagerSource(), { now: () => now });
    await secret.get();
    sm.put("creds", { accounts: [...good.accounts, { ...good.accounts[0], name: "added" }] });
    now += 4 * 60_000;
    expect((await secret.get()).accounts.map((a) => a.name)).toEqual(["prod", "prod"]);
    expect(sm.reads).toBe(1);
    now += 60_000 + 1;
    expect((await Promise.all([secret.get(), secret.get()]))[0]!.accounts.map((a) => a.name)).toEqual(["prod", "prod", "added"]);
    expect(sm.reads).toBe(2);
  });

  it("keeps serving the value it has when the re-read after five minutes fails", async () => {
    let now = 1_000_000;
    const secret = credentialsSecret(new SecretsManagerSource(), { now: () => now });
    await secret.get();
    sm.setFaults({ status: 503 });
    try {
      now += 5 * 60_000 + 1;
      expect((await secret.get()).accounts).toHaveLength(2);
      // but an explicit refresh (keys rejected by a cloud) says it failed
      await expect(secret.refresh()).rejects.toThrow(/could not read secret creds/);
    } finally {
      sm.setFaults({});
    }
  });

  it.each([
    [{ accounts: [{ ...good.accounts[0], regions: [] }] }, /account "prod" field regions/],
    [{ accounts: [{ ...good.accounts[0], colour: "blue" }] }, /account "prod": unknown field\(s\) colour/],
    // each adapter declares its own fields: an SCP pin on an NCP account is an unknown field
    [{ accounts: [{ ...good.accounts[0], apiVersion: "1.3" }] }, /account "prod": unknown field\(s\) apiVersion/],
    [{ accounts: [{ ...good.accounts[1], accountId: "" }] }, /account "prod" field accountId/],
    [{ accounts: [{ ...good.accounts[0], provider: "aws" }] }, /account "prod" field provider/],
    [{ accounts: [good.accounts[0], good.accounts[0]] }, /duplicate account ncp\/prod/],
    ["not json", /not valid JSON/],
  ])("refuses a bad secret with a message naming the account and field, never a key (%#)", async (value, message) => {
    sm.put("creds", value);
    const err = await credentialsSecret()
      .get()
      .catch((e) => e);
    expect(err).toBeInstanceOf(ImageOpsError);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(DEMO_KEYS.ncp.secretKey);
    expect(err.message).not.toContain(DEMO_KEYS.ncp.accessKey);
  });

  it("takes an SCP account without accountId (optional: SCP signs without one)", async () => {
    const { accountId: _omitted, ...withoutId } = { provider: "scp", name: "prod", ...DEMO_KEYS.scp, regions: ["kr-west1"] };
    sm.put("creds", { accounts: [withoutId] });
    const creds = await credentialsSecret().get();
    expect(creds.accounts[0]).toMatchObject({ provider: "scp", name: "prod" });
    const scp = creds.accounts[0]!;
    expect(scp.provider === "scp" && scp.accountId).toBe(undefined);
  });

  it("says which secret is missing, and does not cache the failure", async () => {
    process.env.CREDENTIALS_SECRET_ID = "nope";
    const secret = credentialsSecret();
    await expect(secret.get()).rejects.toThrow(/could not read secret nope .*ResourceNotFoundException/);
    process.env.CREDENTIALS_SECRET_ID = "creds";
    expect((await secret.get()).accounts.length).toBeGreaterThan(0);
  });

  it("gives a clear error when Secrets Manager is unreachable", async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${await closedPort()}`;
    try {
      await expect(new SecretsManagerSource().get("creds")).rejects.toThrow(/could not read secret creds from Secrets Manager/);
    } finally {
      process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });

  it("reads the Slack secret", async () => {
    process.env.SLACK_SECRET_ID = "slack";
    await expect(slackSecret().get()).resolves.toEqual({ signingSecret: "sign-secret-123456", botToken: "xoxb-demo-token-1" });
  });
});
