import { describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local-stack.js";
import { ncpServerImage } from "../../dev/sim/ncp.js";
import { SCP_DEMO, scpImage } from "../../dev/sim/scp.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { bundleChild } from "../support/bundle-child.js";

let stack: LocalStack;
const leaks = watchLocalStack(
  { createDelayMs: 1_500, waitScale: 0.02, env: { PROVIDER_TIMEOUT_MS: "2000", NOTIFY_CHANNELS: "C0DELETE01,C0DELETE02" } },
  (s) => (stack = s),
);

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(stack.url + path, init);
  const text = await res.text();
  leaks.record(text);
  return { status: res.status, body: JSON.parse(text) };
}
const del = (body: Record<string, unknown>) =>
  call("/delete-image", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const operation = async (id: string) => (await call(`/describe-operation?operation=${id}`)).body.operation;
/** delete requests a simulator received: NCP names the action; SCP's is DELETE /v1/images/{id} */
const deletes = (sim: { requests: { url: URL; method: string }[] }, match: string) =>
  sim.requests.filter((r) => (match.startsWith("/") ? r.method === "DELETE" && r.url.pathname === match : r.url.pathname.endsWith(match)))
    .length;
const ncpDeletes = () => deletes(stack.ncp, "deleteServerImage") + deletes(stack.ncp, "deleteMemberServerImageInstances");
const scpDeletes = () => stack.scp.requests.filter((r) => r.method === "DELETE").length;

const child = (input: Record<string, unknown>): Promise<any> => bundleChild("delete-image", input, leaks).result;

let seq = 0;
/** A custom image of the SCP account, added for one test. */
function scpCustom(over: Record<string, unknown> = {}): string {
  const id = `9d000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
  stack.scp.addImage(scpImage({ id, name: `del-test-${seq}`, created_at: "2026-11-01T00:00:00Z", os_distro: "ubuntu", ...over }));
  return id;
}

describe("the guards: nothing is sent", () => {
  it.each([
    ["ncp", "23214590"],
    ["scp", "1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a01"],
  ])("a public image of %s is refused (403 FORBIDDEN), and the dry run says why", async (provider, id) => {
    const before = ncpDeletes() + scpDeletes();
    const res = await del({ provider, id });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: "FORBIDDEN",
      field: "id",
      message: expect.stringMatching(
        /is not this account's own custom image \(.*a public image of (NCP|SCP)\): imageops deletes only those/,
      ),
    });
    const dry = await del({ provider, id, dryRun: true });
    expect(dry.body.checks.find((c: any) => c.name === "own")).toMatchObject({ ok: false });
    expect(ncpDeletes() + scpDeletes()).toBe(before);
  });

  it.each([403, 409] as const)(
    "a protected SCP image is refused before anything is sent (SCP would answer %d: unknown, both tried)",
    async (answer) => {
      stack.scp.protectedAnswer = answer;
      try {
        const id = scpCustom({ protected: true });
        const res = await del({ provider: "scp", id });
        expect(res.status).toBe(409);
        expect(res.body.error.message).toMatch(/is protected: clear "protected" first/);
        expect(stack.scp.requests.some((r) => r.method === "DELETE" && r.url.pathname.endsWith(id))).toBe(false);
        expect(stack.scp.images.has(id)).toBe(true);
      } finally {
        stack.scp.protectedAnswer = 403;
      }
    },
  );

  it("an image that is not the one the requester saw (its name changed) is refused", async () => {
    const res = await del({ provider: "ncp", id: "31000001", expectName: "web-old" });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/is now named "web-base", not "web-old"/);
    expect(ncpDeletes()).toBe(0);
  });

  it("iwinv documents no delete: 501 UNSUPPORTED, nothing asked of iwinv", async () => {
    const before = stack.iwinv.requests.length;
    const res = await del({ provider: "iwinv", id: "PIMAGE-1tQFoTuKeENlSZ7xFXyVix" });
    expect(res.status).toBe(501);
    expect(res.body.error).toMatchObject({ code: "UNSUPPORTED", provider: "iwinv" });
    expect((await del({ provider: "iwinv", id: "x", dryRun: true })).body.checks).toContainEqual(
      expect.objectContaining({ name: "provider", ok: false }),
    );
    expect(stack.iwinv.requests.length).toBe(before);
  });

  // issue #23.6: only what is positively this account's own; before, anything not known to be public passed
  it("NCP: a serverImageType outside the documented NCP | SELF (docs common-vapidatatype-serverimage) is refused, saying so", async () => {
    stack.ncp.addImage(
      "server",
      ncpServerImage("31000021", "odd-type", "2026-10-01T10:00:00+0900", {
        serverImageType: { code: "SIM-UNLISTED", codeName: "not a documented type" },
      }),
    );
    const res = await del({ provider: "ncp", id: "31000021" });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: "FORBIDDEN", field: "id" });
    expect(res.body.error.message).toMatch(/serverImageType SIM-UNLISTED: neither SELF \(this account's own\) nor NCP \(public\)/);
    const dry = await del({ provider: "ncp", id: "31000021", dryRun: true });
    expect(dry.body.checks.find((c: any) => c.name === "own")).toMatchObject({ ok: false });
    // a SELF image says what made it the account's own
    expect((await del({ provider: "ncp", id: "31000002", dryRun: true })).body.checks).toContainEqual({
      name: "own",
      ok: true,
      message: "serverImageType SELF: one of this account's own server images",
    });
    expect(ncpDeletes()).toBe(0);
  });

  it("SCP: a custom image another account owns (shared with this one: owner, scp.md §4.1) is refused; its own images name the owner", async () => {
    const before = scpDeletes();
    const res = await del({ provider: "scp", id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13" });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /owner 5b7d\w+ \(PartnerAccount\) is not this account \(8989\w+, accountId in the credentials secret\)/,
    );
    const mine = await del({ provider: "scp", id: scpCustom(), dryRun: true });
    expect(mine.body.checks).toContainEqual({
      name: "own",
      ok: true,
      message: `scp_image_type custom, owner ${SCP_DEMO.keys.accountId}: this account (accountId in the credentials secret)`,
    });
    expect(scpDeletes()).toBe(before);
  });

  it("an unknown image is 404 NOT_FOUND", async () => {
    expect((await del({ provider: "ncp", id: "99999999" })).body.error).toMatchObject({ code: "NOT_FOUND", field: "id" });
  });
});

describe("servers still using the image (issue #23.6): refused unless force: true, naming them", () => {
  it("NCP: a server's serverImageNo (ServerInstance, ncp.md §3.3); force deletes it, once", async () => {
    stack.ncp.addImage("server", ncpServerImage("31000031", "in-use-base", "2026-10-02T10:00:00+0900"));
    stack.ncp.addServer({
      serverInstanceNo: "5678901",
      serverName: "web-02",
      status: "RUN",
      operation: "NULL",
      hypervisor: "KVM",
      productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
      serverImageNo: "31000031",
    });
    const before = ncpDeletes();
    const dry = await del({ provider: "ncp", id: "31000031", dryRun: true });
    expect(dry.body.checks).toContainEqual({ name: "servers", ok: false, message: "used by 1 server: web-02 (5678901, RUN)" });
    const res = await del({ provider: "ncp", id: "31000031" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "CONFLICT", field: "id" });
    expect(res.body.error.message).toMatch(/is still used by 1 server: web-02 \(5678901, RUN\).*force: true/);
    expect(ncpDeletes()).toBe(before);
    const forcedDry = await del({ provider: "ncp", id: "31000031", dryRun: true, force: true });
    expect(forcedDry.body.checks).toContainEqual({
      name: "servers",
      ok: true,
      level: "warning",
      message: "used by 1 server: web-02 (5678901, RUN): deleted anyway (force)",
    });
    const forced = await del({ provider: "ncp", id: "31000031", force: true });
    expect(forced.status).toBe(202);
    expect(ncpDeletes() - before).toBe(1);
  });

  it("NCP: a legacy server's memberServerImageInstanceNo counts too; an unused image says how many servers were read", async () => {
    stack.ncp.addServer({
      serverInstanceNo: "5678902",
      serverName: "legacy-02",
      status: "NSTOP",
      operation: "NULL",
      hypervisor: "XEN",
      productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR1604.B050",
      memberServerImageInstanceNo: "41000002",
    });
    const used = await del({ provider: "ncp", id: "41000002", dryRun: true });
    expect(used.body.checks).toContainEqual({ name: "servers", ok: false, message: "used by 1 server: legacy-02 (5678902, NSTOP)" });
    const unused = await del({ provider: "ncp", id: "31000002", dryRun: true });
    expect(unused.body.checks).toContainEqual({
      name: "servers",
      ok: true,
      message: `no server uses it (${stack.ncp.servers.size} servers read)`,
    });
  });

  it("NCP: a server list that cannot be read refuses too (not known to be unused), and force goes ahead with a warning", async () => {
    stack.ncp.addImage("server", ncpServerImage("31000032", "unread-base", "2026-10-03T10:00:00+0900"));
    const before = ncpDeletes();
    stack.ncp.setFaults({ malformed: true, pathIncludes: "getServerInstanceList" });
    try {
      const res = await del({ provider: "ncp", id: "31000032" });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/whether servers use it could not be read \(PROVIDER_ERROR: .*force: true/);
      const forced = await del({ provider: "ncp", id: "31000032", force: true, dryRun: true });
      expect(forced.body.checks).toContainEqual(
        expect.objectContaining({
          name: "servers",
          ok: true,
          level: "warning",
          message: expect.stringMatching(/deleted anyway \(force\)$/),
        }),
      );
    } finally {
      stack.ncp.setFaults({});
    }
    expect(ncpDeletes()).toBe(before);
  });

  it("SCP: a server's image_id (ServerShowResponse, scp.md §4.6); one without image_id is a warning; force deletes", async () => {
    const id = scpCustom();
    const server = "2b000000-0000-4000-8000-000000000001";
    stack.scp.servers.set(server, { id: server, name: "app-01", state: "SHUTOFF", image_id: id });
    stack.scp.servers.set("2b000000-0000-4000-8000-000000000002", {
      id: "2b000000-0000-4000-8000-000000000002",
      name: "boot-from-volume",
      state: "ACTIVE",
      image_id: null,
    });
    try {
      const before = scpDeletes();
      const res = await del({ provider: "scp", id });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(new RegExp(`is still used by 1 server: app-01 \\(${server}, SHUTOFF\\)`));
      expect(scpDeletes()).toBe(before);
      stack.scp.servers.delete(server);
      const dry = await del({ provider: "scp", id, dryRun: true });
      expect(dry.body.checks).toContainEqual({
        name: "servers",
        ok: true,
        level: "warning",
        message: `no server uses it (${stack.scp.servers.size} servers read, 1 of them show no image_id, so whether they run it is not known)`,
      });
      stack.scp.servers.set(server, { id: server, name: "app-01", state: "SHUTOFF", image_id: id });
      expect((await del({ provider: "scp", id, force: true })).status).toBe(202);
      expect(scpDeletes() - before).toBe(1);
    } finally {
      stack.scp.servers.delete(server);
      stack.scp.servers.delete("2b000000-0000-4000-8000-000000000002");
    }
  });
});

describe("shared images", () => {
  it("say with whom, as a warning: NCP's sharedLoginIdList, SCP's members", async () => {
    const ncp = await del({ provider: "ncp", id: "31000002", dryRun: true });
    expect(ncp.body.checks).toContainEqual({
      name: "shared",
      ok: true,
      level: "warning",
      message: "shared with partner@example.com: they lose it too",
    });
    const id = scpCustom({ visibility: "shared" });
    stack.scp.members.set(id, [{ member_id: "acct-partner-0001", status: "accepted" }]);
    const scp = await del({ provider: "scp", id, dryRun: true });
    expect(scp.body.checks).toContainEqual(
      expect.objectContaining({ name: "shared", level: "warning", message: expect.stringContaining("acct-partner-0001") }),
    );
    expect(scp.body.checks.every((c: any) => c.ok)).toBe(true);
  });
});

describe("exactly once", () => {
  it("twins in two processes: one deleteServerImage, one operation; tracked until gone; a repeat sends nothing", async () => {
    const before = ncpDeletes();
    const dry = await del({ provider: "ncp", id: "31000001", dryRun: true });
    expect(dry.body.checks.at(-1)).toMatchObject({ name: "operation", message: "the request deletes the image" });
    const [a, b] = await Promise.all([child({ provider: "ncp", id: "31000001" }), child({ provider: "ncp", id: "31000001" })]);
    expect(a.ok && b.ok).toBe(true);
    expect(a.value.operation.id).toBe(b.value.operation.id);
    expect(a.value.operation.id).toBe(dry.body.operation.id);
    expect(ncpDeletes() - before).toBe(1);
    const id = a.value.operation.id;
    expect(await stack.stepFunctions.settled(id)).toMatchObject({ status: "SUCCEEDED", output: { outcome: "deleted" } });
    expect(await operation(id)).toMatchObject({
      kind: "delete-image",
      state: "deleted",
      imageId: "31000001",
      imageName: "web-base",
      attempts: 1,
    });
    expect(stack.ncp.images.has("31000001")).toBe(false);
    const again = await del({ provider: "ncp", id: "31000001" });
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toBe(id);
    expect(ncpDeletes() - before).toBe(1);
  });

  it("a legacy image only the member-image API knows goes with deleteMemberServerImageInstances, with its progress card to the end", async () => {
    const res = await del({ provider: "ncp", id: "41000001", notify: { channel: "C0DELETE01" } });
    expect(res.status).toBe(202);
    expect(deletes(stack.ncp, "deleteMemberServerImageInstances")).toBe(1);
    expect((await stack.stepFunctions.settled(res.body.operation.id))?.status).toBe("SUCCEEDED");
    const card = stack.slackApi.messages.find((m) => m.channel === "C0DELETE01")!;
    expect(card.history[0]!.text).toMatch(/Deleting image \*legacy-web\*/);
    expect(card.history.at(-1)!.text).toMatch(/Image \*legacy-web\* is deleted — deleted/);
    expect(stack.slackApi.messages.filter((m) => m.channel === "C0DELETE01")).toHaveLength(1);
  });

  it("SCP's 409 is tried again (scp.md §4.4), then the image goes; 204 and a 404 afterwards are gone", async () => {
    const id = scpCustom();
    stack.scp.deleteConflicts = 2;
    const res = await del({ provider: "scp", id });
    expect(res.status).toBe(202);
    expect(stack.scp.requests.filter((r) => r.method === "DELETE" && r.url.pathname.endsWith(id))).toHaveLength(3);
    expect(await stack.stepFunctions.settled(res.body.operation.id)).toMatchObject({ status: "SUCCEEDED", output: { outcome: "deleted" } });
  });

  it("SCP answering 409 every time: refused (409), recorded failed, and the next request tries again", async () => {
    const id = scpCustom();
    stack.scp.deleteConflicts = 100;
    try {
      const res = await del({ provider: "scp", id });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toMatch(/SCP answered 409 to 4 delete request\(s\) in a row/);
      const dry = (await del({ provider: "scp", id, dryRun: true })).body;
      expect(dry.checks.at(-1).message).toMatch(/^the request sends the delete again: the earlier delete did not happen/);
    } finally {
      stack.scp.deleteConflicts = 0;
    }
    const again = await del({ provider: "scp", id });
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toMatch(/-2$/);
  }, 40_000);

  it("a lost answer (the cloud deleted, then answered 500): the image is looked up, the delete accepted, never sent twice", async () => {
    const before = ncpDeletes();
    stack.ncp.setFaults({ afterStatus: 500, pathIncludes: "deleteServerImage", count: 1 });
    const res = await del({ provider: "ncp", id: "31000003" });
    expect(res.status).toBe(202);
    expect(ncpDeletes() - before).toBe(1);
    expect(await operation(res.body.operation.id)).toMatchObject({ state: "accepted" });
    expect((await stack.stepFunctions.settled(res.body.operation.id))?.status).toBe("SUCCEEDED");
  });

  it("SCP showing pending_delete for a while (Glance's delayed delete): tracked until GET answers 404", async () => {
    stack.scp.deleteDelayMs = 1_000;
    try {
      const id = scpCustom();
      const res = await del({ provider: "scp", id, notify: { channel: "C0DELETE02" } });
      expect(res.status).toBe(202);
      expect((await call(`/describe-image?provider=scp&id=${id}`)).body.image.status).toBe("deleting");
      expect(await stack.stepFunctions.settled(res.body.operation.id)).toMatchObject({
        status: "SUCCEEDED",
        output: { outcome: "deleted" },
      });
      expect(stack.slackApi.messages.find((m) => m.channel === "C0DELETE02")!.history.at(-1)!.text).toMatch(/is deleted/);
    } finally {
      stack.scp.deleteDelayMs = 0;
    }
  });
});
