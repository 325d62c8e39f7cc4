/**
 * Golden tests against the NCP oracle: for every case of test/fixtures/oracle/vectors-ncp.json (what
 * ncloud-sdk-go-v2 services/vserver, configured as terraform-provider-ncloud configures it, put on the
 * wire; a byte-for-byte copy of ../shared/providers/oracle/vectors-ncp.json), the adapter is run on the
 * case's inputs, signed at each call's timestamp with the capture's keys, and every request it sends
 * is held against the SDK's: method, URL, every header the SDK sends (User-Agent by presence), body
 * bytes. Where the SDK would send an id mangled (a list element written unescaped), the adapter
 * refuses it before anything is sent, and that refusal is what is asserted.
 */
import { existsSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { unknownImage } from "../../shared/model/image.js";
import { ncpAdapter } from "../../shared/providers/ncp/client.js";
import { type NcpAction, type NcpParams, ncpRequest } from "../../shared/providers/ncp/wire.js";
import type { CallContext, DeleteTarget } from "../../shared/providers/types.js";
import { failure } from "../support/failure.js";
import { NCP_MD_VECTORS } from "../support/ncp-vectors.js";
import { expectSdkRequest, loadOracle, type OracleCase, oracleClock, oracleFile, sharedOracleFile } from "../support/oracle.js";
import { answer, recordingTransport } from "../support/wire.js";

const ncp = ncpAdapter();

const ORACLE = loadOracle("ncp");
const BASE = "https://ncloud.apigw.ntruss.com";
// the capture's keys: its access key is in every request; its secret is ncp.md §2's test secret, the
// key pair the capture was made with (test/fixtures/oracle/README.md: "test keys made for the capture")
const accessKey = ORACLE.cases[0]!.calls[0]!.sdkRequest.headers["X-Ncp-Iam-Access-Key"]![0]!;
const { secretKey } = NCP_MD_VECTORS;

type Json = Record<string, unknown>;
const code = (c: string) => ({ code: c, codeName: c });
const ok = (action: string, body: Json) => answer(200, { [`${action}Response`]: { returnCode: "0", returnMessage: "success", ...body } });

/** What the simulated cloud answers; a case changes what it needs to (the SDK's capture records no answers). */
interface Cloud {
  /** getServerImageList's totalRows on page 1 */
  totalRows: number;
  hypervisor: "KVM" | "XEN";
  /** getServerImageDetail knows the image (else only the member-image API does) */
  serverImageKnown: boolean;
}
const DEFAULT_CLOUD: Cloud = { totalRows: 1, hypervisor: "KVM", serverImageKnown: true };
let cloud: Cloud = DEFAULT_CLOUD;

const serverImage = (no: string, over: Json = {}) => ({
  serverImageNo: no,
  serverImageName: "nightly-img-01",
  serverImageType: code("SELF"),
  serverImageStatus: code("CREAT"),
  serverImageOperation: code("NULL"),
  ...over,
});
const memberImage = (no: string) => ({
  memberServerImageInstanceNo: no,
  memberServerImageName: "nightly-img-01",
  memberServerImageInstanceStatus: code("CREAT"),
  memberServerImageInstanceOperation: code("NULL"),
});
const server = (no: string) => ({
  serverInstanceNo: no,
  serverName: "web-01",
  serverInstanceStatus: code("RUN"),
  serverInstanceOperation: code("NULL"),
  hypervisorType: code(cloud.hypervisor),
});

const { sent, transport, reset } = recordingTransport((url, init) => {
  const action = url.pathname.split("/").pop()!;
  const form = new URLSearchParams(init.body);
  const no = (name: string) => form.get(name) ?? form.get(`${name}List.1`) ?? "1";
  switch (action) {
    case "getServerImageList":
      return ok(action, { totalRows: cloud.totalRows, serverImageList: form.get("pageNo") === "1" ? [serverImage("23214590")] : [] });
    case "getMemberServerImageInstanceList":
      return ok(action, { totalRows: 0, memberServerImageInstanceList: [] });
    case "getServerImageDetail":
      return ok(
        action,
        cloud.serverImageKnown
          ? { totalRows: 1, serverImageList: [serverImage(no("serverImageNo"))] }
          : { totalRows: 0, serverImageList: [] },
      );
    case "getMemberServerImageInstanceDetail":
      return ok(action, { totalRows: 1, memberServerImageInstanceList: [memberImage(no("memberServerImageInstanceNo"))] });
    case "getServerInstanceDetail":
      return ok(action, { totalRows: 1, serverInstanceList: [server(no("serverInstanceNo"))] });
    case "getServerInstanceList":
      return ok(action, { totalRows: 0, serverInstanceList: [] });
    case "createServerImage":
      return ok(action, { totalRows: 1, serverImageList: [serverImage("50000001", { serverImageStatus: code("INIT") })] });
    case "createMemberServerImageInstance":
      return ok(action, { totalRows: 1, memberServerImageInstanceList: [memberImage("50000001")] });
    case "deleteServerImage":
      return ok(action, { totalRows: 1, serverImageList: [serverImage(no("serverImageNo"), { serverImageOperation: code("TERMT") })] });
    case "deleteMemberServerImageInstances":
      return ok(action, { totalRows: 1, memberServerImageInstanceList: [memberImage(no("memberServerImageInstanceNo"))] });
    default:
      return answer(404, { error: { errorCode: "300", message: "Not Found Exception", details: "" } });
  }
});

const ctx = (): CallContext => ({
  account: { provider: "ncp", name: "oracle", accessKey, secretKey, regions: ["KR"] },
  region: "KR",
  // the client's own clock apart, so that Date.now is read by the signer only
  http: new HttpClient({ provider: "ncp", transport, maxAttempts: 1, now: () => 0 }),
});

/** The params the SDK was called with, for the case's call to `action` (the n-th, from 0). */
const params = (c: OracleCase, action: string, n = 0): Json => c.calls.filter((x) => x.action === action)[n]!.params!;
const str = (v: unknown) => String(v);
const SCOPE: Record<string, "all" | "custom" | "public"> = { "NCP,SELF": "all", SELF: "custom", NCP: "public" };
const listFilter = (p: Json) => ({
  scope: SCOPE[String(p.serverImageTypeCodeList)],
  os: Array.isArray(p.osTypeCodeList) ? String(p.osTypeCodeList[0]).toLowerCase() : undefined,
});
/** The request model's own call, through the adapter's wire module and the HTTP client. */
const wire = async (c: OracleCase) => {
  const call = c.calls[0]!;
  return ctx().http.request(
    ncpRequest(BASE, call.action as NcpAction, call.params as NcpParams<NcpAction>, { accessKey, secretKey }, true),
  );
};
const target = (id: string): DeleteTarget => ({
  image: unknownImage({ provider: "ncp", account: "oracle", region: "KR", id, name: "nightly-img-01" }),
  own: { ok: true, says: "the oracle's image" },
  via: "deleteServerImage",
});

interface Scenario {
  /** the adapter on the case's inputs */
  run: (c: OracleCase) => Promise<unknown>;
  cloud?: Partial<Cloud>;
  /** refused on purpose: the field the 400 names; each of `run` and `also` must be refused, and nothing sent */
  refused?: string;
  also?: (c: OracleCase) => Promise<unknown>;
}

const SCENARIOS: Record<string, Scenario> = {
  "list-all-3-pages": { run: (c) => ncp.listImages(ctx(), listFilter(params(c, "getServerImageList"))), cloud: { totalRows: 2001 } },
  "list-custom-ubuntu": { run: (c) => ncp.listImages(ctx(), listFilter(params(c, "getServerImageList"))) },
  "list-public": { run: (c) => ncp.listImages(ctx(), listFilter(params(c, "getServerImageList"))) },
  "find-images-by-hard-name": { run: (c) => ncp.findImagesByName(ctx(), str(params(c, "getServerImageList").serverImageName)) },
  "find-images-by-empty-name": { run: (c) => ncp.findImagesByName(ctx(), str(params(c, "getServerImageList").serverImageName)) },
  "describe-server-image": { run: (c) => ncp.describeImage(ctx(), str(params(c, "getServerImageDetail").serverImageNo)) },
  "describe-refused-odd-id": {
    run: (c) => ncp.describeImage(ctx(), str(params(c, "getServerImageDetail").serverImageNo)),
    also: (c) => ncp.deleter.describeForDelete(ctx(), str(params(c, "getMemberServerImageInstanceDetail").memberServerImageInstanceNo)),
    refused: "id",
  },
  "get-server-kvm": { run: (c) => ncp.getServer(ctx(), str(params(c, "getServerInstanceDetail").serverInstanceNo)) },
  "get-server-refused-odd-id": {
    run: (c) => ncp.getServer(ctx(), str(params(c, "getServerInstanceDetail").serverInstanceNo)),
    also: (c) =>
      ncp.creator.createImage(ctx(), { serverId: str(params(c, "getServerInstanceList").serverInstanceNoList), name: "nightly-img-01" }),
    refused: "serverId",
  },
  "find-servers-by-hard-name": { run: (c) => ncp.findServersByName(ctx(), str(params(c, "getServerInstanceList").serverName)) },
  "create-kvm-hard-description": {
    run: (c) => {
      const p = params(c, "createServerImage");
      return ncp.creator.createImage(ctx(), {
        serverId: str(p.serverInstanceNo),
        name: str(p.serverImageName),
        description: str(p.serverImageDescription),
      });
    },
  },
  "create-xen-description-controls": {
    run: (c) => {
      const p = params(c, "createMemberServerImageInstance");
      return ncp.creator.createImage(ctx(), {
        serverId: str(p.serverInstanceNo),
        name: str(p.memberServerImageName),
        description: str(p.memberServerImageDescription),
      });
    },
    cloud: { hypervisor: "XEN" },
  },
  "create-kvm-lone-surrogate": {
    run: (c) => {
      const p = params(c, "createServerImage");
      return ncp.creator.createImage(ctx(), {
        serverId: str(p.serverInstanceNo),
        name: str(p.serverImageName),
        description: str(p.serverImageDescription),
      });
    },
  },
  "delete-server-image": {
    run: async (c) => {
      const t = await ncp.deleter.describeForDelete(ctx(), str(params(c, "getServerImageDetail").serverImageNo));
      await ncp.deleter.deleteImage(ctx(), t);
    },
  },
  "delete-member-image": {
    run: async (c) => {
      const t = await ncp.deleter.describeForDelete(ctx(), str(params(c, "getServerImageDetail").serverImageNo));
      expect(t.via).toBe("deleteMemberServerImageInstances");
      await ncp.deleter.deleteImage(ctx(), t);
    },
    cloud: { serverImageKnown: false },
  },
  "delete-server-image-odd-id": {
    run: (c) => ncp.deleter.describeForDelete(ctx(), str(params(c, "getServerImageDetail").serverImageNo)),
    // a target whose image has that id (as if the cloud had answered it) is not deleted either
    also: (c) => ncp.deleter.deleteImage(ctx(), target(str(params(c, "deleteServerImage").serverImageNoList))),
    refused: "id",
  },
  "wire-getServerImageList-every-field": { run: wire },
  "wire-getServerInstanceList-every-field": { run: wire },
  "wire-createServerImage-storage-records": { run: wire },
  // Hangul, "&", "=", "+", "%" in list elements: the SDK writes them raw (splitting the field); never sent
  "wire-list-elements-with-hangul-and-reserved": { run: wire, refused: "serverImageNoList" },
};

beforeEach(() => {
  reset();
  cloud = DEFAULT_CLOUD;
});
afterEach(() => vi.restoreAllMocks());

describe("NCP: every oracle case, as the official Go SDK sent it", () => {
  it("has a scenario for every case of the oracle, and the oracle for every scenario", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual(ORACLE.cases.map((c) => c.id).sort());
  });

  it.skipIf(!existsSync(sharedOracleFile("ncp")))("the project's copy is ../shared/providers/oracle/vectors-ncp.json byte for byte", () => {
    expect(readFileSync(oracleFile("ncp")).equals(readFileSync(sharedOracleFile("ncp")))).toBe(true);
  });

  it.each(ORACLE.cases.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const scenario = SCENARIOS[c.id]!;
    cloud = { ...DEFAULT_CLOUD, ...scenario.cloud };
    vi.spyOn(Date, "now").mockImplementation(oracleClock(c.calls, () => sent.length));
    if (scenario.refused) {
      for (const run of [scenario.run, scenario.also].filter((r) => r !== undefined)) {
        const e = await failure(run(c));
        expect(e).toMatchObject({ code: "INVALID_ARGUMENT", field: scenario.refused });
        expect(e.statusCode).toBe(400);
        expect(e.message).toMatch(new RegExp(`^${scenario.refused}: `));
      }
      expect(sent, "nothing is sent").toEqual([]);
      return;
    }
    await scenario.run(c);
    expect(sent.map((s) => new URL(s.url).pathname.split("/").pop())).toEqual(c.calls.map((x) => x.action));
    c.calls.forEach((call, i) => {
      const sdk = call.sdkRequest;
      // the documented -v2 beside the SDK's -v1, with the same value
      const v2 = { "x-ncp-apigw-signature-v2": sdk.headers["X-Ncp-Apigw-Signature-V1"]![0]! };
      expectSdkRequest(sent[i], sdk, v2, `${c.id} #${i + 1} ${call.action}`);
    });
  });
});
