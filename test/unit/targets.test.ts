/** What a list or an audit selects, and NOT_FOUND naming the field when the selection names what is not configured. */
import { describe, expect, it } from "vitest";
import { ImageOpsError } from "../../shared/model/errors.js";
import { selectTargets } from "../../shared/runtime.js";
import type { Account } from "../../shared/secrets.js";

const account = (provider: Account["provider"], name: string, regions: string[]): Account => ({
  provider,
  name,
  accessKey: "ak",
  secretKey: "sk",
  regions,
  accountId: "acc",
});
const ACCOUNTS = [account("ncp", "prod", ["KR", "JPN"]), account("ncp", "dev", ["KR"]), account("scp", "prod", ["kr-west1"])];
const where = (targets: ReturnType<typeof selectTargets>) => targets.map((t) => `${t.account.provider}/${t.account.name}/${t.region}`);

function notFound(input: Parameters<typeof selectTargets>[1], accounts = ACCOUNTS): ImageOpsError {
  try {
    selectTargets(accounts, input);
  } catch (err) {
    expect(err).toBeInstanceOf(ImageOpsError);
    expect((err as ImageOpsError).code).toBe("NOT_FOUND");
    return err as ImageOpsError;
  }
  throw new Error(`selected something for ${JSON.stringify(input)}`);
}

describe("selectTargets", () => {
  it("selects every region of every matching account", () => {
    expect(where(selectTargets(ACCOUNTS, {}))).toEqual(["ncp/prod/KR", "ncp/prod/JPN", "ncp/dev/KR", "scp/prod/kr-west1"]);
    expect(where(selectTargets(ACCOUNTS, { account: "prod" }))).toEqual(["ncp/prod/KR", "ncp/prod/JPN", "scp/prod/kr-west1"]);
    expect(where(selectTargets(ACCOUNTS, { provider: ["ncp"], region: "KR" }))).toEqual(["ncp/prod/KR", "ncp/dev/KR"]);
    expect(where(selectTargets(ACCOUNTS, { region: "kr-west1" }))).toEqual(["scp/prod/kr-west1"]);
  });

  it("refuses a misspelled account, naming the field and the accounts there are", () => {
    const e = notFound({ account: "prd" });
    expect(e.field).toBe("account");
    expect(e.message).toBe('no account named "prd" (there are ncp/prod, ncp/dev, scp/prod)');
    expect(notFound({ provider: ["scp"], account: "dev" }).message).toBe('no scp account named "dev" (there are scp/prod)');
  });

  it("refuses a region no selected account has", () => {
    const e = notFound({ provider: ["ncp"], account: "dev", region: "JPN" });
    expect(e.field).toBe("region");
    expect(e.message).toBe("no selected account has region JPN (ncp/dev has KR)");
    expect(notFound({ region: "us-east-1" }).field).toBe("region");
  });

  it("refuses a provider with no configured account", () => {
    const e = notFound({ provider: ["ncp", "iwinv"] });
    expect(e.field).toBe("provider");
    expect(e.message).toBe("no iwinv account is configured (configured: ncp, scp)");
  });
});
