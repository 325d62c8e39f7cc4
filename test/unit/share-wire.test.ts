/**
 * The sharing calls on the wire, to the character, as the official SDKs send them.
 *
 * NCP: ncloud-sdk-go-v2 services/vserver/{add,remove}_server_image_sharing_permission_request.go
 * (RegionCode, ServerImageNo, TargetLoginIdList) and {add,remove}_member_server_image_sharing_permission_request.go
 * (RegionCode, MemberServerImageInstanceNo, TargetLoginIdList); api_client.go buildQueryString writes
 * `responseFormatType=json` first, then the fields in that order, scalars through url.QueryEscape and
 * list elements (`reflect.String`) as they are — so a login id's `@` goes unescaped, as the docs'
 * example `targetLoginIdList.1=id1@email.com` writes it.
 * SCP: the 1.3 library (terraform-sdk-samsungcloudplatformv2 library/virtualserver/1.3,
 * api_virtualserver_v1_virtualserver_v1_images.go UpdateImage, api_virtualserver_v1_image_member.go
 * CreateImageMember / UpdateImageMember / DeleteImageMember; model_image_set_request.go ToMap writes
 * only the fields set; json.NewEncoder ends the body with "\n"; DeleteImageMember sends no Accept).
 * No SDK vector signs these paths: the signature is a function of method and path alone (NCP) or of
 * method and URL (SCP), pinned by the vectors of ncp-wire / scp-wire; here the URL is exact.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { ncpAdapter } from "../../shared/providers/ncp/client.js";
import { scpAdapter } from "../../shared/providers/scp/client.js";
import type { CallContext } from "../../shared/providers/types.js";
import { failure } from "../support/failure.js";
import { answer, recordingTransport } from "../support/wire.js";

const BASE_NCP = "https://ncloud.apigw.ntruss.com";
const BASE_SCP = "https://virtualserver.kr-west1.e.samsungsdscloud.com";
const IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b";
const OWNER = "a8f10467abfc4b87b64614ab36eb9ae4";
const MEMBER = "8989447062e04a818baf9e073fd04fa7";
const code = (c: string) => ({ code: c, codeName: c });

let route: (url: URL, method: string, body?: string) => { status: number; body: unknown };
const { sent, transport, reset } = recordingTransport((url, init) => {
  const r = route(url, init.method, init.body);
  return answer(r.status, r.body);
});
beforeEach(() => reset());

const http = () => new HttpClient({ provider: "ncp", transport, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 });
const ncpCtx = (): CallContext => ({
  account: { provider: "ncp", name: "w", accessKey: "ncp_iam_TESTACCESSKEY00", secretKey: "s", regions: ["KR"] },
  region: "KR",
  http: http(),
});
const scpCtx = (accountId = OWNER): CallContext => ({
  account: { provider: "scp", name: "w", accessKey: "AK", secretKey: "SK", regions: ["kr-west1"], accountId },
  region: "kr-west1",
  http: new HttpClient({ provider: "scp", transport, maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 }),
});
const ncp = ncpAdapter();
const ok = (action: string, body: Record<string, unknown>) => ({
  status: 200,
  body: { [`${action}Response`]: { returnCode: "0", returnMessage: "success", ...body } },
});
const selfImage = { serverImageNo: "31000002", serverImageName: "golden", serverImageType: code("SELF"), serverImageStatus: code("CREAT") };
const ncpAction = (url: URL) => url.pathname.split("/").pop()!;

describe("NCP sharing: the Go SDK's form bodies", () => {
  it("adds and removes login ids of a server image in one call each, fields in the model's order, @ unescaped", async () => {
    route = (url) =>
      ncpAction(url) === "getServerImageDetail"
        ? ok("getServerImageDetail", {
            totalRows: 1,
            serverImageList: [{ ...selfImage, sharedLoginIdList: ["partner@example.com"], shareStatus: code("SHARE") }],
          })
        : ok(ncpAction(url), { totalRows: 1, serverImageList: [selfImage] });
    const target = await ncp.sharer.describeForShare(ncpCtx(), "31000002");
    expect(target.members).toEqual([{ id: "partner@example.com" }]);
    expect(target.own.ok).toBe(true);
    reset();
    await ncp.sharer.addTargets(ncpCtx(), target, ["workload-a@example.com", "ops.team_1-x@corp.example.co.kr"]);
    await ncp.sharer.removeTargets(ncpCtx(), target, ["partner@example.com"]);
    expect(sent.map((s) => [s.method, s.url, s.headers["Content-Type"], s.body])).toEqual([
      [
        "POST",
        `${BASE_NCP}/vserver/v2/addServerImageSharingPermission`,
        "application/x-www-form-urlencoded",
        "responseFormatType=json&regionCode=KR&serverImageNo=31000002&targetLoginIdList.1=workload-a@example.com&targetLoginIdList.2=ops.team_1-x@corp.example.co.kr",
      ],
      [
        "POST",
        `${BASE_NCP}/vserver/v2/removeServerImageSharingPermission`,
        "application/x-www-form-urlencoded",
        "responseFormatType=json&regionCode=KR&serverImageNo=31000002&targetLoginIdList.1=partner@example.com",
      ],
    ]);
    // signed over the path alone (ncp.md §1.2), the docs' -v2 header beside the SDK's -v1
    expect(sent[0]!.headers["X-Ncp-Apigw-Signature-V2"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("uses the member-image calls for a legacy image only the member-image API knows", async () => {
    route = (url) =>
      ncpAction(url) === "getServerImageDetail"
        ? ok("getServerImageDetail", { totalRows: 0, serverImageList: [] })
        : ok(ncpAction(url), {
            totalRows: 1,
            memberServerImageInstanceList: [{ memberServerImageInstanceNo: "41000001", memberServerImageName: "legacy-web" }],
          });
    const target = await ncp.sharer.describeForShare(ncpCtx(), "41000001");
    reset();
    await ncp.sharer.addTargets(ncpCtx(), target, ["partner@example.com"]);
    await ncp.sharer.removeTargets(ncpCtx(), target, ["partner@example.com"]);
    expect(sent.map((s) => [s.url, s.body])).toEqual([
      [
        `${BASE_NCP}/vserver/v2/addMemberServerImageSharingPermission`,
        "responseFormatType=json&regionCode=KR&memberServerImageInstanceNo=41000001&targetLoginIdList.1=partner@example.com",
      ],
      [
        `${BASE_NCP}/vserver/v2/removeMemberServerImageSharingPermission`,
        "responseFormatType=json&regionCode=KR&memberServerImageInstanceNo=41000001&targetLoginIdList.1=partner@example.com",
      ],
    ]);
  });

  it("refuses, before a request, a login id the SDK would send as another (a + reads back as a space), and never repeats a refused add", async () => {
    route = () => ({ status: 400, body: { responseError: { returnCode: "1100000", returnMessage: "Parameter is invalid." } } });
    const target = { image: { id: "31000002" } as never, own: { ok: true, says: "" }, members: [], via: { add: "x", remove: "y" } };
    expect(ncp.sharer.validateTarget("a+b@example.com")).not.toBeNull();
    expect(ncp.sharer.validateTarget("not-an-email")).not.toBeNull();
    expect(ncp.sharer.validateTarget("a.b@example.com")).toBeNull();
    expect(await failure(ncp.sharer.addTargets(ncpCtx(), target, ["a+b@example.com"]))).toMatchObject({
      code: "INVALID_ARGUMENT",
      field: "targets",
    });
    expect(sent).toHaveLength(0);
    const err = await failure(ncp.sharer.addTargets(ncpCtx(), target, ["nobody@example.com"]));
    expect(err).toMatchObject({ code: "PROVIDER_ERROR", providerCode: "1100000" });
    expect(sent).toHaveLength(1);
  });
});

describe("SCP sharing: the 1.3 library's requests", () => {
  const scp = scpAdapter();
  const image = (visibility: string) => ({
    id: IMAGE,
    name: "golden",
    owner: OWNER,
    scp_image_type: "custom",
    visibility,
    status: "active",
    created_at: "2026-01-01T00:00:00Z",
  });

  it("makes a private image shared, adds each member, lists members of a shared one, removes them, and makes it private again", async () => {
    let visibility = "private";
    route = (url, method) => {
      if (url.pathname === "/") return { status: 200, body: { versions: [] } };
      if (url.pathname === `/v1/images/${IMAGE}` && method === "GET") return { status: 200, body: image(visibility) };
      if (url.pathname === `/v1/images/${IMAGE}` && method === "PUT") {
        visibility = visibility === "private" ? "shared" : "private";
        return { status: 200, body: image(visibility) };
      }
      if (url.pathname === `/v1/images/${IMAGE}/members` && method === "GET")
        return { status: 200, body: { members: [{ member_id: MEMBER, status: "pending", image_id: IMAGE }] } };
      if (url.pathname === `/v1/images/${IMAGE}/members` && method === "POST")
        return { status: 200, body: { member_id: MEMBER, status: "pending" } };
      if (method === "DELETE") return { status: 204, body: "" };
      return { status: 404, body: { errors: [{ code: "NotFound" }] } };
    };
    const target = await scp.sharer.describeForShare(scpCtx(), IMAGE);
    expect(target).toMatchObject({ members: [], own: { ok: true } });
    await scp.sharer.addTargets(scpCtx(), target, [MEMBER]);
    const shared = await scp.sharer.describeForShare(scpCtx(), IMAGE);
    expect(shared.members).toEqual([{ id: MEMBER, status: "pending" }]);
    await scp.sharer.removeTargets(scpCtx(), shared, [MEMBER]);
    const calls = sent.filter((s) => new URL(s.url).pathname !== "/");
    expect(calls.map((s) => [s.method, s.url, s.body, s.headers["Content-Type"], s.headers.Accept])).toEqual([
      ["GET", `${BASE_SCP}/v1/images/${IMAGE}`, undefined, undefined, "application/json"],
      ["PUT", `${BASE_SCP}/v1/images/${IMAGE}`, '{"visibility":"shared"}\n', "application/json", "application/json"],
      ["POST", `${BASE_SCP}/v1/images/${IMAGE}/members`, `{"member_id":"${MEMBER}"}\n`, "application/json", "application/json"],
      ["GET", `${BASE_SCP}/v1/images/${IMAGE}`, undefined, undefined, "application/json"],
      ["GET", `${BASE_SCP}/v1/images/${IMAGE}/members`, undefined, undefined, "application/json"],
      ["DELETE", `${BASE_SCP}/v1/images/${IMAGE}/members/${MEMBER}`, undefined, undefined, undefined],
      // the last member removed: private again
      ["PUT", `${BASE_SCP}/v1/images/${IMAGE}`, '{"visibility":"private"}\n', "application/json", "application/json"],
    ]);
    for (const s of calls) expect(s.headers["Scp-API-Version"]).toBe("virtualserver 1.3");
  });

  it('accepts with the receiving account\'s keys: PUT …/members/{member_id} {"status":"accepted"}', async () => {
    route = (url) =>
      url.pathname === "/" ? { status: 200, body: { versions: [] } } : { status: 200, body: { member_id: MEMBER, status: "accepted" } };
    const receiving = scpCtx(MEMBER);
    receiving.account = { ...receiving.account, accessKey: "RECEIVINGKEY" };
    await scp.sharer.accept!(receiving, IMAGE, MEMBER);
    const [put] = sent.filter((s) => new URL(s.url).pathname !== "/");
    expect(put).toMatchObject({
      method: "PUT",
      url: `${BASE_SCP}/v1/images/${IMAGE}/members/${MEMBER}`,
      body: '{"status":"accepted"}\n',
      headers: { "Scp-AccessKey": "RECEIVINGKEY", "Content-Type": "application/json" },
    });
    expect(scp.sharer.acceptHow!(IMAGE, MEMBER)).toContain(`PUT /v1/images/${IMAGE}/members/${MEMBER}`);
  });

  it("takes only an account id of SCP's form as a target", () => {
    expect(scp.sharer.validateTarget(MEMBER)).toBeNull();
    expect(scp.sharer.validateTarget("partner@example.com")).not.toBeNull();
    expect(scp.sharer.validateTarget("../../v1/servers")).not.toBeNull();
  });
});
