/**
 * Whether an SCP image is this account's own, through the product's delete and runtime against
 * the simulator. An image is the account's own when `scp_image_type` is custom and `owner` ("Owner
 * account ID", the 1.3 SDK's model_image_show_response_v1_dot3.go) is the account the keys belong
 * to: the secret's `accountId`, or else the one `account_id` its servers show (ServerShowResponse,
 * "Account ID"). Which id `owner` really is, is unknown (the 1.0 spec says "Owner project ID"):
 * the simulator shows either, and the product never deletes what it cannot match.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DeleteInput, deleteImage } from "../../shared/images/delete.js";
import { scpAdapter } from "../../shared/providers/scp/client.js";
import type { Runtime } from "../../shared/runtime.js";
import { credentialsSecret } from "../../shared/secrets.js";
import type { Tracker } from "../../shared/tracking/types.js";
import { DEMO_KEYS } from "../../dev/sim/demo.js";
import { DynamoSim } from "../../dev/sim/dynamodb.js";
import { SCP_DEMO, SCP_OWN_PROJECT, ScpSim, scpImage } from "../../dev/sim/scp.js";

const sim = new ScpSim();
const dynamo = new DynamoSim();
const tracker: Tracker = { start: async () => "started", status: async () => "running" };
const PARTNER_SHARED = "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13"; // seeded: owner another account, visibility shared
const STANDARD = "1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a02"; // seeded: scp_image_type standard, public
const SERVERS = [...sim.servers.values()];

beforeAll(() => Promise.all([sim.start(), dynamo.start()]));
afterAll(() => Promise.all([sim.close(), dynamo.close()]));
beforeEach(() => {
  sim.ownerId = "account";
  sim.servers.clear();
  for (const s of SERVERS) sim.servers.set(s.id, { ...s });
});

let seq = 0;
/** A custom image of the demo account, made for one test. */
function own(): string {
  const id = `8d000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
  sim.addImage(scpImage({ id, name: `own-${seq}`, created_at: "2026-11-01T00:00:00Z" }));
  return id;
}

/** The product's delete with the demo keys and `account` fields (a fresh adapter: nothing it read earlier is kept). */
function del(input: Omit<DeleteInput, "provider">, account: Record<string, unknown> = {}) {
  const accounts = [{ provider: "scp", name: "demo", ...DEMO_KEYS.scp, regions: ["kr-west1"], endpoint: sim.url, ...account }];
  process.env.CREDENTIALS_SECRET_ID = "creds";
  const rt: Runtime = {
    credentials: credentialsSecret({ get: async () => JSON.stringify({ accounts }) }),
    now: Date.now,
    adapters: { scp: scpAdapter() },
  };
  return deleteImage(rt, { tracker, store: dynamo.store() }, { provider: "scp", ...input });
}
const ownCheck = async (id: string, account?: Record<string, unknown>) => {
  const out = await del({ id, dryRun: true }, account);
  if (!out.dryRun) throw new Error("expected a dry run");
  return out.checks.find((c) => c.name === "own");
};
const deletes = () => sim.requests.filter((r) => r.method === "DELETE").length;
const NO_ACCOUNT_ID = { accountId: undefined };

describe("this account: the secret's accountId", () => {
  it("an image it owns is its own; the check says which fields decided it", async () => {
    sim.requests.length = 0;
    expect(await ownCheck(own())).toEqual({
      name: "own",
      ok: true,
      message: `scp_image_type custom, owner ${SCP_DEMO.keys.accountId}: this account (accountId in the credentials secret)`,
    });
    // known from the secret: the server list is not read for it (only the in-use check reads it, once)
    expect(sim.requests.filter((r) => r.url.pathname === "/v1/servers")).toHaveLength(1);
  });

  it("an image another account owns (shared with this one) is refused, 403 FORBIDDEN, nothing sent", async () => {
    const before = deletes();
    const err = await del({ id: PARTNER_SHARED }).catch((e) => e);
    expect(err).toMatchObject({ code: "FORBIDDEN", field: "id" });
    expect(err.message).toMatch(
      /is not this account's own custom image \(owner 5b7d\w+ \(PartnerAccount\) is not this account \(8989\w+, accountId in the credentials secret\)\)/,
    );
    expect(deletes()).toBe(before);
  });

  it("a standard image is refused for its scp_image_type, without reading who this account is", async () => {
    sim.requests.length = 0;
    expect(await ownCheck(STANDARD, NO_ACCOUNT_ID)).toMatchObject({
      ok: false,
      message: "scp_image_type standard (visibility public): not a custom image, a public image of SCP",
    });
    expect(sim.requests.some((r) => r.url.pathname === "/v1/servers")).toBe(false);
  });

  it("a custom image with no scp_image_type is not known to be custom: refused", async () => {
    const id = own();
    sim.images.get(id)!.raw.scp_image_type = null;
    expect(await ownCheck(id)).toMatchObject({ ok: false, message: expect.stringMatching(/^scp_image_type absent .*not a custom image/) });
  });
});

describe("this account without accountId: the account_id its servers show", () => {
  it("an image it owns is its own, and the id is read from the servers", async () => {
    expect(await ownCheck(own(), NO_ACCOUNT_ID)).toMatchObject({
      ok: true,
      message: expect.stringMatching(/this account \(the account_id of its servers\)$/),
    });
  });

  it("another account's image is still refused", async () => {
    expect(await ownCheck(PARTNER_SHARED, NO_ACCOUNT_ID)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^owner 5b7d\w+ \(PartnerAccount\) is not this account \(8989\w+, the account_id of its servers\)$/),
    });
  });

  it("no server to read it from: nothing is this account's own; the refusal says to set accountId", async () => {
    sim.servers.clear();
    const before = deletes();
    const err = await del({ id: own() }, NO_ACCOUNT_ID).catch((e) => e);
    expect(err).toMatchObject({ code: "FORBIDDEN", field: "id" });
    expect(err.message).toMatch(/there is no server in kr-west1 to read it from; set accountId in the credentials secret/);
    expect(deletes()).toBe(before);
  });

  it("servers naming several accounts: not known either", async () => {
    const odd = "9a000000-0000-4000-8000-000000000001";
    sim.servers.set(odd, { id: odd, name: "odd", state: "ACTIVE", image_id: null, account_id: "00000000000000000000000000000001" });
    expect(await ownCheck(own(), NO_ACCOUNT_ID)).toMatchObject({ ok: false, message: expect.stringMatching(/name 2 accounts/) });
  });
});

describe("when SCP's owner is another id of the account than its account_id (unknown: the 1.0 spec says project id)", () => {
  it("nothing is taken for its own by the account_id; the refusal names the owner, and accountId set to it deletes", async () => {
    sim.ownerId = "project";
    const id = own();
    expect(await ownCheck(id)).toMatchObject({
      ok: false,
      message: expect.stringMatching(new RegExp(`^owner ${SCP_OWN_PROJECT} \\(AccountName\\) is not this account`)),
    });
    expect(await ownCheck(id, NO_ACCOUNT_ID)).toMatchObject({ ok: false });
    const out = await del({ id }, { accountId: SCP_OWN_PROJECT });
    expect(out.dryRun).toBe(false);
    expect(sim.requests.filter((r) => r.method === "DELETE" && r.url.pathname.endsWith(id))).toHaveLength(1);
  });
});
