import { beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local-stack.js";
import { CREDENTIALS_SECRET_ID } from "../../dev/sim/clouds.js";
import { ncpServerImage } from "../../dev/sim/ncp.js";
import { scpImage } from "../../dev/sim/scp.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { bundleChild } from "../support/bundle-child.js";

let stack: LocalStack;
const leaks = watchLocalStack({ createDelayMs: 1_500, waitScale: 0.02, env: { PROVIDER_TIMEOUT_MS: "2000" } }, (s) => (stack = s));

/** An SCP account the secret holds (its keys accept shares made to it) and one it does not. */
const RECEIVING = {
  accessKey: "SCPRECEIVINGKEY00001",
  secretKey: "scp-receiving-secret-7d1e",
  accountId: "5b1f3c2d4e6a48b9a0c1d2e3f4a5b6c7",
};
const ELSEWHERE = {
  accessKey: "SCPELSEWHEREKEY00001",
  secretKey: "scp-elsewhere-secret-2a9f",
  accountId: "6c2a4d3e5f7b49c0b1d2e3f4a5b6c7d8",
};

beforeAll(() => {
  stack.scp.keys.push(RECEIVING, ELSEWHERE);
  const creds = JSON.parse(stack.secrets.secrets.get(CREDENTIALS_SECRET_ID)!.value) as { accounts: Array<Record<string, unknown>> };
  const demo = creds.accounts.find((a) => a.provider === "scp")!;
  creds.accounts.push({
    ...demo,
    name: "receiving",
    accessKey: RECEIVING.accessKey,
    secretKey: RECEIVING.secretKey,
    accountId: RECEIVING.accountId,
  });
  stack.secrets.put(CREDENTIALS_SECRET_ID, creds);
});

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await fetch(stack.url + path, init);
  const text = await res.text();
  leaks.record(text);
  return { status: res.status, body: JSON.parse(text) };
}
const share = (body: Record<string, unknown>) =>
  call("/share-image", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const operation = async (id: string) => (await call(`/describe-operation?operation=${id}`)).body.operation;
const ncpAdds = () => stack.ncp.requests.filter((r) => r.url.pathname.endsWith("/addServerImageSharingPermission")).length;
const sharedWith = (no: string) => stack.ncp.images.get(no)!.raw.sharedLoginIdList as string[];

const child = (input: Record<string, unknown>): Promise<any> => bundleChild("share-image", input, leaks).result;

let seq = 0;
/** A SELF server image of the NCP account, added for one test. */
function ncpOwn(over: Record<string, unknown> = {}): string {
  const no = String(38_000_000 + ++seq);
  stack.ncp.addImage("server", ncpServerImage(no, `share-test-${seq}`, "2026-11-01T10:00:00+0900", over));
  return no;
}
function scpOwn(): string {
  const id = `9e000000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
  stack.scp.addImage(scpImage({ id, name: `share-test-${seq}`, created_at: "2026-11-01T00:00:00Z", os_distro: "ubuntu" }));
  return id;
}

describe("the checks: nothing is sent", () => {
  it("a public image is refused (403), a failed one too (409), and a target not of NCP's login-id form (400 naming targets)", async () => {
    const before = ncpAdds();
    const pub = await share({ provider: "ncp", id: "23214590", targets: ["workload-a@example.com"] });
    expect(pub.status).toBe(403);
    expect(pub.body.error).toMatchObject({ code: "FORBIDDEN", field: "id" });
    const failed = await share({ provider: "ncp", id: "31000003", targets: ["workload-a@example.com"] });
    expect(failed.status).toBe(409);
    expect(failed.body.error.message).toMatch(/failed .*a failed image is never shared/);
    const bad = await share({ provider: "ncp", id: ncpOwn(), targets: ["a+b@example.com"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "INVALID_ARGUMENT", field: "targets" });
    expect(ncpAdds()).toBe(before);
  });

  it("iwinv documents no sharing: 501 UNSUPPORTED, nothing asked of iwinv", async () => {
    const before = stack.iwinv.requests.length;
    const res = await share({ provider: "iwinv", id: "PIMAGE-1tQFoTuKeENlSZ7xFXyVix", targets: ["someone"] });
    expect(res.status).toBe(501);
    expect(res.body.error).toMatchObject({ code: "UNSUPPORTED", provider: "iwinv" });
    expect(stack.iwinv.requests.length).toBe(before);
  });

  it("the dry run reports targets the cloud already lists and sends only the others", async () => {
    const no = ncpOwn({ sharedLoginIdList: ["partner@example.com"], shareStatus: { code: "SHARE", codeName: "NSI Share state" } });
    const dry = await share({ provider: "ncp", id: no, targets: ["partner@example.com", "workload-a@example.com"], dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ send: ["workload-a@example.com"], already: ["partner@example.com"] });
    expect(dry.body.checks.find((c: any) => c.name === "already").message).toMatch(
      /already shared with partner@example.com: not sent again/,
    );
    expect(dry.body.checks.at(-1)).toMatchObject({ name: "operation", message: "the request sends it" });
  });
});

describe("exactly once", () => {
  it("a share is sent once with only the missing targets, tracked until the cloud lists them; a repeat sends nothing", async () => {
    const no = ncpOwn({ sharedLoginIdList: ["partner@example.com"], shareStatus: { code: "SHARE", codeName: "NSI Share state" } });
    const before = ncpAdds();
    const res = await share({ provider: "ncp", id: no, targets: ["workload-a@example.com", "partner@example.com"] });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ send: ["workload-a@example.com"], already: ["partner@example.com"] });
    const add = stack.ncp.requests.filter((r) => r.url.pathname.endsWith("/addServerImageSharingPermission")).at(-1)!;
    expect(add.body).toBe(`responseFormatType=json&regionCode=KR&serverImageNo=${no}&targetLoginIdList.1=workload-a@example.com`);
    expect(ncpAdds() - before).toBe(1);
    const id = res.body.operation.id;
    expect(await stack.stepFunctions.settled(id)).toMatchObject({ status: "SUCCEEDED", output: { outcome: "shared" } });
    expect(await operation(id)).toMatchObject({ kind: "share-image", state: "shared", action: "share", imageId: no });
    const again = await share({ provider: "ncp", id: no, targets: ["partner@example.com", "workload-a@example.com"] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ existing: true, operation: { id } });
    expect(ncpAdds() - before).toBe(1);
    expect(sharedWith(no)).toEqual(["partner@example.com", "workload-a@example.com"]);
  });

  it("twins in two processes: one add, one operation", async () => {
    const no = ncpOwn();
    const before = ncpAdds();
    const input = { provider: "ncp", id: no, targets: ["workload-b@example.com"] };
    const [a, b] = await Promise.all([child(input), child(input)]);
    expect(a.ok && b.ok).toBe(true);
    expect(a.value.operation.id).toBe(b.value.operation.id);
    expect(ncpAdds() - before).toBe(1);
    expect(sharedWith(no)).toEqual(["workload-b@example.com"]);
  });

  it("a lost answer (the cloud shared, then answered 500): settled by looking, never sent twice", async () => {
    const no = ncpOwn();
    const before = ncpAdds();
    stack.ncp.setFaults({ afterStatus: 500, pathIncludes: "addServerImageSharingPermission", count: 1 });
    const res = await share({ provider: "ncp", id: no, targets: ["workload-a@example.com"] });
    expect(res.status).toBe(202);
    expect(ncpAdds() - before).toBe(1);
    expect(await operation(res.body.operation.id)).toMatchObject({ state: expect.stringMatching(/^(accepted|shared)$/) });
    expect(sharedWith(no)).toEqual(["workload-a@example.com"]);
  });

  it("a login id of no account: the cloud's refusal, typed with its code, recorded failed; nobody is shared with", async () => {
    const no = ncpOwn();
    const res = await share({ provider: "ncp", id: no, targets: ["nobody@example.com"] });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body.error).toMatchObject({ code: "PROVIDER_ERROR", provider: "ncp", providerCode: "SIM-NO-LOGIN-ID", field: "targets" });
    expect(res.body.error.message).toMatch(/nobody@example\.com/);
    const dry = await share({ provider: "ncp", id: no, targets: ["nobody@example.com"], dryRun: true });
    expect(dry.body.checks.at(-1).message).toMatch(/the request sends it again: the earlier share did not happen/);
    expect(sharedWith(no)).toEqual([]);
  });

  it("an unshare removes the targets, once, and is tracked until the cloud lists none of them", async () => {
    const no = ncpOwn({ sharedLoginIdList: ["partner@example.com"], shareStatus: { code: "SHARE", codeName: "NSI Share state" } });
    const res = await share({ provider: "ncp", id: no, action: "unshare", targets: ["partner@example.com"] });
    expect(res.status).toBe(202);
    expect(await stack.stepFunctions.settled(res.body.operation.id)).toMatchObject({ output: { outcome: "unshared" } });
    expect(sharedWith(no)).toEqual([]);
    expect(stack.ncp.requests.filter((r) => r.url.pathname.endsWith("/removeServerImageSharingPermission"))).toHaveLength(1);
  });
});

describe("the audit", () => {
  it("names, in the over-shared finding, the targets no share operation or policy recorded (shared by hand)", async () => {
    const no = ncpOwn();
    const res = await share({ provider: "ncp", id: no, targets: ["workload-a@example.com"] });
    expect(res.status).toBe(202);
    // someone adds a login id in the console
    const raw = stack.ncp.images.get(no)!.raw;
    raw.sharedLoginIdList = [...(raw.sharedLoginIdList as string[]), "partner@example.com"];
    const audit = await call("/audit-images", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "ncp" }),
    });
    const found = audit.body.findings.find((f: any) => f.rule === "over-shared" && f.imageId === no);
    expect(found.message).toBe(
      "custom image is visible beyond the account: visibility is shared; shared by hand (no policy or share operation recorded it): partner@example.com",
    );
    // the one imageops shared alone: said so
    const only = ncpOwn();
    await share({ provider: "ncp", id: only, targets: ["workload-b@example.com"] });
    const again = await call("/audit-images", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "ncp" }),
    });
    expect(again.body.findings.find((f: any) => f.rule === "over-shared" && f.imageId === only).message).toMatch(
      /; every one shared by imageops \(workload-b@example.com\)$/,
    );
  });

  it("names SCP's hand-shared members too, read from the image's members (SCP's image list has none)", async () => {
    const id = scpOwn();
    expect((await share({ provider: "scp", account: "demo", id, targets: [ELSEWHERE.accountId] })).status).toBe(202);
    // a member added in the console; what reading members costs: one List members per shared custom image
    stack.scp.members.get(id)!.push({ member_id: "7d3b5e4f6a8c40d1c2e3f4a5b6c7d8e9", status: "pending" });
    const reads = () => stack.scp.requests.filter((r) => r.method === "GET" && r.url.pathname === `/v1/images/${id}/members`).length;
    const before = reads();
    const audit = await call("/audit-images", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ provider: "scp", account: "demo" }),
    });
    expect(audit.body.findings.find((f: any) => f.rule === "over-shared" && f.imageId === id).message).toBe(
      "custom image is visible beyond the account: visibility is shared; shared by hand (no policy or share operation recorded it): 7d3b5e4f6a8c40d1c2e3f4a5b6c7d8e9",
    );
    expect(reads() - before).toBe(1);
  });
});

describe("SCP: the receiving account accepts", () => {
  it("accepts with the receiving account's own keys when the secret holds them; says who must accept otherwise", async () => {
    const id = scpOwn();
    const dry = await share({ provider: "scp", account: "demo", id, targets: [RECEIVING.accountId, ELSEWHERE.accountId], dryRun: true });
    expect(dry.body.checks.filter((c: any) => c.name === "accept").map((c: any) => c.message)).toEqual([
      expect.stringMatching(new RegExp(`${RECEIVING.accountId} accepts it with the keys of account "receiving"`)),
      expect.stringMatching(
        new RegExp(`${ELSEWHERE.accountId} must accept it: account ${ELSEWHERE.accountId} must accept it with its own keys`),
      ),
    ]);
    const res = await share({ provider: "scp", account: "demo", id, targets: [RECEIVING.accountId, ELSEWHERE.accountId] });
    expect(res.status).toBe(202);
    expect(res.body.accept).toEqual(
      expect.arrayContaining([
        { target: RECEIVING.accountId, accepted: "now", by: "receiving" },
        { target: ELSEWHERE.accountId, pending: expect.stringContaining(`PUT /v1/images/${id}/members/${ELSEWHERE.accountId}`) },
      ]),
    );
    expect(res.body.sharedWith).toEqual([
      { id: RECEIVING.accountId, status: "accepted" },
      { id: ELSEWHERE.accountId, status: "pending" },
    ]);
    expect(stack.scp.members.get(id)).toEqual([
      expect.objectContaining({ member_id: RECEIVING.accountId, status: "accepted" }),
      expect.objectContaining({ member_id: ELSEWHERE.accountId, status: "pending" }),
    ]);
    // the accept went with the receiving account's key, the share with the owner's
    const put = stack.scp.requests.find((r) => r.method === "PUT" && r.url.pathname.endsWith(`/members/${RECEIVING.accountId}`))!;
    expect(put.headers["scp-accesskey"]).toBe(RECEIVING.accessKey);
    expect(await stack.stepFunctions.settled(res.body.operation.id)).toMatchObject({ output: { outcome: "shared" } });
  });
});
