/**
 * The adapters' sharer parts against the simulators: what the clouds show after each call (NCP
 * sharedLoginIdList and shareStatus; SCP members, pending until the member accepts with its own
 * keys), and the refusals they answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { ncpAdapter } from "../../shared/providers/ncp/client.js";
import { scpAdapter } from "../../shared/providers/scp/client.js";
import type { CallContext } from "../../shared/providers/types.js";
import { DEMO_KEYS } from "../../dev/sim/demo.js";
import { NcpSim, ncpServerImage } from "../../dev/sim/ncp.js";
import { SCP_DEMO, ScpSim, scpImage } from "../../dev/sim/scp.js";
import { failure } from "../support/failure.js";

const RECEIVING = { accessKey: "SCPRECEIVINGKEY00001", secretKey: "scp-receiving-secret-1", accountId: "5b1f3c2d4e6a48b9a0c1d2e3f4a5b6c7" };
const ncpSim = new NcpSim();
const scpSim = new ScpSim({ keys: [{ ...SCP_DEMO.keys }, RECEIVING] });
const http = () => new HttpClient({ provider: "ncp", baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 });
const ncpCtx = (): CallContext => ({
  account: { provider: "ncp", name: "demo", ...DEMO_KEYS.ncp, regions: ["KR"], endpoint: ncpSim.url },
  region: "KR",
  http: http(),
});
const scpCtx = (keys: { accessKey: string; secretKey: string; accountId: string } = SCP_DEMO.keys): CallContext => ({
  account: { provider: "scp", name: "x", ...keys, regions: ["kr-west1"], endpoint: scpSim.url },
  region: "kr-west1",
  http: new HttpClient({ provider: "scp", baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2_000 }),
});

beforeAll(() => Promise.all([ncpSim.start(), scpSim.start()]));
afterAll(() => Promise.all([ncpSim.close(), scpSim.close()]));

describe("NCP sharing against the simulator", () => {
  it("shows the added login ids, adds nobody twice, and removes them", async () => {
    const { sharer } = ncpAdapter();
    ncpSim.addImage("server", ncpServerImage("39000001", "golden-1", "2026-01-01T00:00:00+0900"));
    const before = await sharer.describeForShare(ncpCtx(), "39000001");
    expect(before.members).toEqual([]);
    await sharer.addTargets(ncpCtx(), before, ["workload-a@example.com"]);
    await sharer.addTargets(ncpCtx(), before, ["workload-a@example.com", "workload-b@example.com"]);
    const after = await sharer.describeForShare(ncpCtx(), "39000001");
    expect(after.members.map((m) => m.id)).toEqual(["workload-a@example.com", "workload-b@example.com"]);
    expect(after.image.visibility).toBe("shared");
    await sharer.removeTargets(ncpCtx(), after, ["workload-a@example.com", "workload-b@example.com"]);
    const gone = await sharer.describeForShare(ncpCtx(), "39000001");
    expect(gone.members).toEqual([]);
    expect(gone.image.visibility).toBe("private");
  });

  it("maps the cloud's refusal of a login id of no account to a typed error with its code", async () => {
    const { sharer } = ncpAdapter();
    const target = await sharer.describeForShare(ncpCtx(), "31000001");
    const err = await failure(sharer.addTargets(ncpCtx(), target, ["nobody@example.com"]));
    expect(err).toMatchObject({ code: "PROVIDER_ERROR", provider: "ncp", providerCode: "SIM-NO-LOGIN-ID" });
    expect(err.message).toContain("nobody@example.com");
  });
});

describe("SCP sharing against the simulator", () => {
  it("makes the image shared, adds a pending member, and the member accepts with its own keys only", async () => {
    const { sharer } = scpAdapter();
    const id = "8e000000-0000-4000-8000-000000000001";
    scpSim.addImage(scpImage({ id, name: "golden", created_at: "2026-11-01T00:00:00Z" }));
    const target = await sharer.describeForShare(scpCtx(), id);
    expect(target.own.ok).toBe(true);
    await sharer.addTargets(scpCtx(), target, [RECEIVING.accountId]);
    const shared = await sharer.describeForShare(scpCtx(), id);
    expect(shared.image.visibility).toBe("shared");
    expect(shared.members).toEqual([{ id: RECEIVING.accountId, status: "pending" }]);
    // the owner cannot accept for the member (Glance: only the member sets its status)
    expect(await failure(sharer.accept!(scpCtx(), id, RECEIVING.accountId))).toMatchObject({ code: "PROVIDER_AUTH_FAILED" });
    await sharer.accept!(scpCtx(RECEIVING), id, RECEIVING.accountId);
    expect((await sharer.describeForShare(scpCtx(), id)).members).toEqual([{ id: RECEIVING.accountId, status: "accepted" }]);
    // a second add of the same member is Glance's 409
    expect(await failure(sharer.addTargets(scpCtx(), shared, [RECEIVING.accountId]))).toMatchObject({ code: "CONFLICT" });
    await sharer.removeTargets(scpCtx(), shared, [RECEIVING.accountId]);
    expect((await sharer.describeForShare(scpCtx(), id)).members).toEqual([]);
  });

  it("maps the refusal of an account id of no account (the simulator's placeholder answer)", async () => {
    const { sharer } = scpAdapter();
    const id = "8e000000-0000-4000-8000-000000000002";
    scpSim.addImage(scpImage({ id, name: "golden-2", created_at: "2026-11-01T00:00:00Z" }));
    const target = await sharer.describeForShare(scpCtx(), id);
    const err = await failure(sharer.addTargets(scpCtx(), target, ["00000000000000000000000000000000"]));
    expect(err).toMatchObject({ code: "PROVIDER_ERROR", provider: "scp" });
  });
});
