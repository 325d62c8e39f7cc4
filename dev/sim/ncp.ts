import { createHmac } from "node:crypto";
import { type SimKey, type SimRequest, type SimResponse, SimServer, TIMESTAMP_WINDOW_MS } from "./server.js";

/** The demo account of the local stack (fake keys, local only; tests scan all output for them) and its seeded servers, by role. */
export const NCP_DEMO = {
  keys: { accessKey: "NCPDEMOACCESSKEY0001", secretKey: "ncp-demo-secret-4f0e9a7b1c2d" },
  regions: ["KR"],
  servers: { kvm: "1234567", xen: "2345678", busy: "3456789" },
} as const;

/**
 * NAVER Cloud VPC Server API v2 simulator. It enforces what the official sources say, each rule
 * citing where it comes from (ncp.md is docs/providers/ncp.md, which cites the pages and SDK
 * files); where they say nothing, the behaviour is an option so tests can run the product against
 * either truth. Keeps server images (NCP + SELF), legacy member images (XEN) and servers; creates
 * follow the clock (INIT → CREAT, or CREFL).
 */
export interface NcpSimOptions {
  keys?: SimKey[];
  generatedImages?: number;
  createDelayMs?: number;
  createOutcome?: "available" | "failed";
  now?: () => number;
  /**
   * How a detail call answers a number it does not know. Undocumented (ncp.md §4.1, §6.3):
   * "empty" — success with an empty list (how terraform-provider-ncloud's GetServerInstance
   * reads it); "refused" — a `responseError` with a code NCP never documented.
   */
  absentDetail?: "empty" | "refused";
  /** Whether a create whose name a custom image already has is refused. Undocumented either way. */
  uniqueNames?: boolean;
  /**
   * The server states createServerImage accepts. Its page states none (ncp.md §3.4); the legacy
   * call's page says "stopped or running", which "running-or-stopped" applies to both.
   */
  createServerImageStates?: "running-or-stopped" | "any";
  /**
   * How getServerInstanceList's serverName filter matches: documented as a filter (ncp.md §3.3, Go
   * get_server_instance_list_request.go), its matching is not. "exact" by default; "contains" shows
   * a client that must keep only the exact name.
   */
  serverNameMatch?: "exact" | "contains";
  /**
   * How long a deleted image stays listed as "terminating" (status CREAT, operation TERMT: the docs'
   * delete examples, ncp.md §3.4) before it is gone. Undocumented.
   */
  deleteDelayMs?: number;
  /**
   * The login ids of NCP accounts that exist (a share's targets). What NCP answers for a login id
   * of no account is undocumented: here a refusal with a placeholder code.
   */
  loginIds?: string[];
}

/** Login ids of accounts the simulator knows, by default (the docs' examples are masked: test-***@naver.com). */
export const NCP_LOGIN_IDS = ["partner@example.com", "workload-a@example.com", "workload-b@example.com"] as const;

type Code = { code: string; codeName: string };
const c = (code: string, codeName = code): Code => ({ code, codeName });

interface SimImage {
  kind: "server" | "member";
  /** also listed by getServerImageList (a legacy image NCP shows in both lists) */
  alsoServer?: boolean;
  raw: Record<string, unknown>;
  create?: { at: number; delayMs: number; outcome: "available" | "failed" };
  /** set by a delete: terminating until the delay passes, then gone */
  deleted?: { at: number; delayMs: number };
}

export interface SimServerInstance {
  serverInstanceNo: string;
  serverName: string;
  status: string;
  /** serverInstanceOperation: NULL when none is under way (ncp.md §3.4) */
  operation: string;
  /** absent: a detail without hypervisorType (the Go model has it omitempty, server_instance.go) */
  hypervisor?: "KVM" | "XEN";
  productCode: string;
  /** the image it was made from: ServerInstance's serverImageNo, and memberServerImageInstanceNo for a legacy image (ncp.md §3.3; Go server_instance.go) */
  serverImageNo?: string;
  memberServerImageInstanceNo?: string;
}

/**
 * Return codes of the Server API's refusals. NCP documents none for these cases (ncp.md §4.1).
 * 1100000 "Parameter is invalid." is the code observed for a bad parameter
 * (terraform-provider-ncloud#479) and is used for every parameter the docs require or bound;
 * the others are placeholders, visibly not NCP's, that the product must never depend on.
 */
const RETURN_CODE = {
  invalid: "1100000",
  absent: "SIM-ABSENT",
  state: "SIM-STATE",
  hypervisor: "SIM-HYPERVISOR",
  nameTaken: "SIM-NAME-TAKEN",
  notOwn: "SIM-NOT-OWN",
  noLoginId: "SIM-NO-LOGIN-ID",
} as const;

const KST = (iso: string) => iso.replace(/\.\d{3}Z$/, "Z").replace("Z", "+0000");

function publicImage(
  no: string,
  name: string,
  description: string,
  os: string,
  productCode: string,
  created: string,
  size = 10737418240,
  category = "LINUX",
  arch = "X86_64",
): Record<string, unknown> {
  return {
    serverImageNo: no,
    serverImageName: name,
    serverImageDescription: description,
    serverImageType: c("NCP", "NCP server image"),
    serverImageLifeCyclePhase: c("IN_SERVICE", "In Service"),
    hypervisorType: c("KVM"),
    cpuArchitectureType: c(arch, arch === "X86_64" ? "x86 64bit" : "ARM 64bit"),
    osCategoryType: c(category),
    osType: c(os),
    serverImageStatus: c("CREAT", "NSI CREATED state"),
    serverImageOperation: c("NULL", "NSI NULL OP"),
    serverImageStatusName: "created",
    shareStatus: c("NULL", "NSI Share NULL State"),
    blockStorageMappingList: [
      {
        order: 0,
        blockStorageSnapshotInstanceNo: 0,
        blockStorageSize: size,
        blockStorageVolumeType: c("CB1"),
        iops: 100,
        throughput: 104857600,
        isEncryptedVolume: false,
      },
    ],
    sharedLoginIdList: [],
    serverImageProductCode: productCode,
    createDate: created,
    platformCategoryCode: "OS",
  };
}

function selfImage(no: string, name: string, created: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...publicImage(no, name, "", "UBUNTU", "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003", created),
    serverImageType: c("SELF", "SELF server image"),
    serverImageDescription: undefined,
    ...over,
  };
}

function memberImage(
  no: string,
  name: string,
  serverNo: string,
  productCode: string,
  created: string,
  status = "CREAT",
): Record<string, unknown> {
  return {
    memberServerImageInstanceNo: no,
    memberServerImageName: name,
    originalServerInstanceNo: serverNo,
    originalServerImageProductCode: productCode,
    memberServerImageInstanceStatus: c(status, status === "CREAT" ? "NSI CREATED state" : "NSI INIT state"),
    memberServerImageInstanceOperation: c("NULL", "NSI NULL OP"),
    memberServerImageInstanceStatusName: status === "CREAT" ? "created" : "creating",
    createDate: created,
    memberServerImageBlockStorageTotalRows: 1,
    memberServerImageBlockStorageTotalSize: 53687091200,
    shareStatus: c("NULL", "NSI Share NULL State"),
    sharedLoginIdList: [],
  };
}

export function ncpSeedImages(): SimImage[] {
  return [
    // the documentation's examples
    {
      kind: "server",
      raw: selfImage("****3135".replace(/\*/g, "1"), "test-img", "2025-06-20T09:59:39+0900", {
        serverImageStatus: c("CREAT", "NSI CREATED state"),
      }),
    },
    {
      kind: "member",
      raw: memberImage("11112264", "test-member", "11112010", "SW.VSVR.OS.LNX64.UBNTU.SVR2004.B050", "2025-06-26T11:09:07+0900"),
    },
    // public images
    {
      kind: "server",
      raw: publicImage(
        "23214590",
        "ubuntu-24.04-base",
        "Ubuntu Server 24.04 (64-bit)",
        "UBUNTU",
        "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
        "2024-08-01T10:00:00+0900",
      ),
    },
    {
      kind: "server",
      raw: publicImage(
        "23214591",
        "ubuntu-22.04-base",
        "Ubuntu Server 22.04 (64-bit)",
        "UBUNTU",
        "SW.VSVR.OS.LNX64.UBNTU.SVR22.G003",
        "2023-03-01T10:00:00+0900",
      ),
    },
    {
      kind: "server",
      raw: publicImage(
        "23214592",
        "ubuntu-20.04-base",
        "Ubuntu Server 20.04 (64-bit)",
        "UBUNTU",
        "SW.VSVR.OS.LNX64.UBNTU.SVR2004.G003",
        "2021-03-01T10:00:00+0900",
      ),
    },
    {
      kind: "server",
      raw: publicImage(
        "23214593",
        "rocky-8.10-base",
        "Rocky Linux 8.10 (64-bit)",
        "ROCKY",
        "SW.VSVR.OS.LNX64.ROCKY.0810.G003",
        "2024-09-01T10:00:00+0900",
      ),
    },
    {
      kind: "server",
      raw: publicImage(
        "23214594",
        "rocky-9.4-base",
        "Rocky Linux 9.4 (64-bit)",
        "ROCKY",
        "SW.VSVR.OS.LNX64.ROCKY.0904.G003",
        "2024-10-01T10:00:00+0900",
      ),
    },
    {
      kind: "server",
      raw: {
        ...publicImage(
          "23214595",
          "centos-7.8-64",
          "CentOS 7.8 (64-bit)",
          "CENTOS",
          "SW.VSVR.OS.LNX64.CNTOS.0708.G003",
          "2020-06-01T10:00:00+0900",
        ),
        serverImageLifeCyclePhase: c("END_OF_SERVICE", "End of Service"),
      },
    },
    {
      kind: "server",
      raw: publicImage(
        "23214596",
        "win-2019-64-en",
        "Windows Server 2019 (64-bit) English Edition",
        "WINDOWS",
        "SW.VSVR.OS.WND64.WND.SVR2019EN.G003",
        "2022-01-01T10:00:00+0900",
        107374182400,
        "WINDOWS",
      ),
    },
    {
      kind: "server",
      raw: publicImage(
        "23214597",
        "win-2022-64-en",
        "Windows Server 2022 (64-bit) English Edition",
        "WINDOWS",
        "SW.VSVR.OS.WND64.WND.SVR2022EN.G003",
        "2023-01-01T10:00:00+0900",
        107374182400,
        "WINDOWS",
      ),
    },
    {
      kind: "server",
      raw: publicImage(
        "23214598",
        "ubuntu-22.04-arm",
        "Ubuntu Server 22.04 (ARM 64-bit)",
        "UBUNTU",
        "SW.VSVR.OS.LNX64.UBNTU.SVR22.A001",
        "2024-02-01T10:00:00+0900",
        10737418240,
        "LINUX",
        "ARM64",
      ),
    },
    // own (SELF, KVM) images
    { kind: "server", raw: selfImage("31000001", "web-base", "2025-05-02T13:20:00+0900") },
    {
      kind: "server",
      raw: selfImage("31000002", "api-release-42", "2025-11-10T08:00:00+0900", {
        sharedLoginIdList: ["partner@example.com"],
        shareStatus: c("SHARE", "NSI Share state"),
      }),
    },
    {
      kind: "server",
      raw: selfImage("31000003", "batch-failed", "2026-01-05T08:00:00+0900", {
        serverImageStatus: c("CREFL", "NSI CREATE FAIL state"),
        serverImageStatusName: "create fail",
      }),
    },
    // legacy (XEN) member images; the second is also listed by getServerImageList
    {
      kind: "member",
      raw: memberImage("41000001", "legacy-web", "2345678", "SW.VSVR.OS.LNX64.CNTOS.0703.B050", "2019-04-01T10:00:00+0900"),
    },
    {
      kind: "member",
      alsoServer: true,
      raw: memberImage("41000002", "legacy-db", "2345678", "SW.VSVR.OS.LNX64.UBNTU.SVR1604.B050", "2020-02-01T10:00:00+0900"),
    },
  ];
}

const DISTROS: Array<[string, string, string]> = [
  ["UBUNTU", "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003", "Ubuntu Server 24.04"],
  ["ROCKY", "SW.VSVR.OS.LNX64.ROCKY.0904.G003", "Rocky Linux 9.4"],
  ["CENTOS", "SW.VSVR.OS.LNX64.CNTOS.0708.G003", "CentOS 7.8"],
  ["WINDOWS", "SW.VSVR.OS.WND64.WND.SVR2022EN.G003", "Windows Server 2022"],
];

/**
 * The parameters of a request: the query, plus the form body of a POST. The docs allow
 * "GET | POST" for every action with the same parameter names (ncp.md §3); the SDKs send the body
 * as application/x-www-form-urlencoded (Go services/vserver/v2_api.go), the only Content-Type a
 * form can be read from.
 */
export function ncpParams(req: SimRequest): URLSearchParams {
  const params = new URLSearchParams(req.url.searchParams);
  const form =
    String(req.headers["content-type"] ?? "")
      .split(";")[0]!
      .trim()
      .toLowerCase() === "application/x-www-form-urlencoded";
  if (req.method === "POST" && form) for (const [k, v] of new URLSearchParams(req.body)) params.append(k, v);
  return params;
}

/** Documented name rules (docs createServerImage / createMemberServerImageInstance, ncp.md §3.1–3.2). */
const NAME_RULE = {
  server: /^[a-z][A-Za-z0-9_-]{1,28}[a-z0-9]$/,
  member: /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/,
};

export class NcpSim extends SimServer {
  keys: SimKey[];
  createDelayMs: number;
  createOutcome: "available" | "failed";
  absentDetail: "empty" | "refused";
  uniqueNames: boolean;
  createServerImageStates: "running-or-stopped" | "any";
  serverNameMatch: "exact" | "contains";
  deleteDelayMs: number;
  readonly loginIds: Set<string>;
  readonly now: () => number;
  readonly images = new Map<string, SimImage>();
  readonly servers = new Map<string, SimServerInstance>();
  private nextNo = 50_000_001;
  /**
   * For the bench (figure 4): the simulator builds and serialises every page on its one thread
   * (about 10 ms for 1,000 rows), so concurrent page requests queue behind each other here — a cost
   * of the simulator, not of the cloud. Set, every request is still authenticated (signature,
   * timestamp) and gets its faults, but a successful answer is kept per request and served again as
   * the same bytes (only its requestId repeats).
   */
  cachePages = false;
  private readonly pageCache = new Map<string, SimResponse>();

  constructor(options: NcpSimOptions = {}) {
    super(
      "ncp",
      (req) => this.handle(req),
      () => this.counts(),
    );
    this.keys = options.keys ?? [NCP_DEMO.keys];
    this.createDelayMs = options.createDelayMs ?? 3000;
    this.createOutcome = options.createOutcome ?? "available";
    this.absentDetail = options.absentDetail ?? "empty";
    this.uniqueNames = options.uniqueNames ?? true;
    this.createServerImageStates = options.createServerImageStates ?? "running-or-stopped";
    this.serverNameMatch = options.serverNameMatch ?? "exact";
    this.deleteDelayMs = options.deleteDelayMs ?? 2000;
    this.loginIds = new Set(options.loginIds ?? NCP_LOGIN_IDS);
    this.now = options.now ?? Date.now;
    for (const image of ncpSeedImages()) this.images.set(this.idOf(image), image);
    for (let i = 0; i < (options.generatedImages ?? 0); i++) {
      const [os, product, label] = DISTROS[i % DISTROS.length]!;
      const no = String(60_000_000 + i);
      this.images.set(no, {
        kind: "server",
        raw: publicImage(
          no,
          `gen-${os.toLowerCase()}-${i}`,
          `${label} generated ${i}`,
          os,
          product,
          "2024-01-01T00:00:00+0900",
          10737418240,
          os === "WINDOWS" ? "WINDOWS" : "LINUX",
        ),
      });
    }
    const servers: SimServerInstance[] = [
      {
        serverInstanceNo: NCP_DEMO.servers.kvm,
        serverName: "web-01",
        status: "RUN",
        operation: "NULL",
        hypervisor: "KVM",
        productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
        serverImageNo: "23214590",
      },
      {
        serverInstanceNo: NCP_DEMO.servers.xen,
        serverName: "legacy-01",
        status: "NSTOP",
        operation: "NULL",
        hypervisor: "XEN",
        productCode: "SW.VSVR.OS.LNX64.CNTOS.0703.B050",
      },
      {
        serverInstanceNo: NCP_DEMO.servers.busy,
        serverName: "booting-01",
        status: "INIT",
        operation: "CREAT",
        hypervisor: "KVM",
        productCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
        serverImageNo: "23214590",
      },
    ];
    for (const s of servers) this.addServer(s);
  }

  counts(): { images: number; servers: number } {
    return { images: this.images.size, servers: this.servers.size };
  }

  /** Adds a raw getServerImageList record (kind "server") or member record (kind "member"). */
  addImage(kind: "server" | "member", raw: Record<string, unknown>): void {
    this.images.set(String(kind === "server" ? raw.serverImageNo : raw.memberServerImageInstanceNo), { kind, raw });
  }

  addServer(server: SimServerInstance): void {
    this.servers.set(server.serverInstanceNo, server);
  }

  private idOf(image: SimImage): string {
    return String(image.kind === "server" ? image.raw.serverImageNo : image.raw.memberServerImageInstanceNo);
  }

  /** A record as the API shows it now: creates and deletes follow the clock. */
  private view(image: SimImage): Record<string, unknown> {
    if (image.deleted) {
      // the docs' delete examples: the image stays CREAT with operation TERMT, status name "terminating"
      const op = c("TERMT", "NSI TERMINATE OP");
      return image.kind === "server"
        ? {
            ...image.raw,
            serverImageStatus: c("CREAT", "NSI CREATED state"),
            serverImageOperation: op,
            serverImageStatusName: "terminating",
          }
        : {
            ...image.raw,
            memberServerImageInstanceStatus: c("CREAT", "NSI CREATED state"),
            memberServerImageInstanceOperation: op,
            memberServerImageInstanceStatusName: "terminating",
          };
    }
    if (!image.create) return image.raw;
    const done = this.now() - image.create.at >= image.create.delayMs;
    const code = !done ? "INIT" : image.create.outcome === "available" ? "CREAT" : "CREFL";
    const name = code === "INIT" ? "creating" : code === "CREAT" ? "created" : "create fail";
    return image.kind === "server"
      ? { ...image.raw, serverImageStatus: c(code), serverImageStatusName: name }
      : { ...image.raw, memberServerImageInstanceStatus: c(code), memberServerImageInstanceStatusName: name };
  }

  private asServerRecord(image: SimImage): Record<string, unknown> {
    if (image.kind === "server") return this.view(image);
    // a legacy image as getServerImageList shows it
    const m = this.view(image);
    return {
      serverImageNo: m.memberServerImageInstanceNo,
      serverImageName: m.memberServerImageName,
      serverImageType: c("SELF", "SELF server image"),
      serverImageLifeCyclePhase: c("IN_SERVICE"),
      hypervisorType: c("XEN"),
      cpuArchitectureType: c("X86_64"),
      osCategoryType: c("LINUX"),
      osType: c("UBUNTU"),
      serverImageStatus: m.memberServerImageInstanceStatus,
      serverImageOperation: c("NULL"),
      shareStatus: m.shareStatus,
      sharedLoginIdList: m.sharedLoginIdList,
      serverImageProductCode: m.originalServerImageProductCode,
      createDate: m.createDate,
      originalServerInstanceNo: m.originalServerInstanceNo,
      blockStorageMappingList: [{ order: 0, blockStorageSize: m.memberServerImageBlockStorageTotalSize }],
    };
  }

  private serverRecord(s: SimServerInstance): Record<string, unknown> {
    return {
      serverInstanceNo: s.serverInstanceNo,
      serverName: s.serverName,
      serverImageProductCode: s.productCode,
      serverInstanceStatus: c(s.status),
      serverInstanceOperation: c(s.operation),
      serverInstanceStatusName: s.status === "RUN" ? "running" : s.status === "NSTOP" ? "stopped" : "init",
      ...(s.hypervisor ? { hypervisorType: c(s.hypervisor) } : {}),
      ...(s.serverImageNo ? { serverImageNo: s.serverImageNo } : {}),
      ...(s.memberServerImageInstanceNo ? { memberServerImageInstanceNo: s.memberServerImageInstanceNo } : {}),
      regionCode: "KR",
    };
  }

  /** Deleted images whose delay has passed are gone. */
  private sweep(): void {
    for (const [no, image] of this.images)
      if (image.deleted && this.now() - image.deleted.at >= image.deleted.delayMs) this.images.delete(no);
  }

  private handle(req: SimRequest): SimResponse {
    const denied = this.authenticate(req);
    if (denied) return denied;
    if (!this.cachePages) return this.answer(req);
    // the form body is part of the key: NCP calls are form POSTs and the page number travels there
    const key = `${req.method} ${req.rawUrl}\n${req.body}`;
    const hit = this.pageCache.get(key);
    if (hit) return hit;
    const answer = this.answer(req);
    if (answer.status === 200) this.pageCache.set(key, { ...answer, body: JSON.stringify(answer.body) });
    return answer;
  }

  private answer(req: SimRequest): SimResponse {
    this.sweep();
    const action = req.url.pathname.replace(/^\/vserver\/v2\//, "");
    // docs: every action is "GET | POST /vserver/v2/<action>"; anything else is no API at all,
    // which the gateway answers 404 errorCode 300 (api-call-lgc-errorhandling, ncp.md §4.1)
    const handler =
      (req.method === "GET" || req.method === "POST") && req.url.pathname === `/vserver/v2/${action}` ? this.actions[action] : undefined;
    if (!handler) return gatewayError(404, "300", "Not Found Exception", "");
    const q = ncpParams(req);
    // responseFormatType: "xml (default) | json" on every action (ncp.md §4.4)
    if (q.get("responseFormatType") !== "json") {
      return {
        status: 200,
        body: '<?xml version="1.0" encoding="UTF-8"?><response><returnCode>0</returnCode></response>',
        headers: { "content-type": "application/xml" },
      };
    }
    // regionCode: optional, one of getRegionList's codes (ncp.md §3, §4.3); this simulator has KR only
    if (q.get("regionCode") && q.get("regionCode") !== "KR")
      return refused(RETURN_CODE.invalid, `Parameter is invalid. regionCode ${q.get("regionCode")}`);
    return handler(q);
  }

  private readonly actions: Record<string, (q: URLSearchParams) => SimResponse> = {
    getServerImageList: (q) => this.serverImageList(q),
    getMemberServerImageInstanceList: (q) => this.memberImageList(q),
    getServerInstanceList: (q) => this.serverList(q),
    getServerImageDetail: (q) => this.imageDetail(q, "server"),
    getMemberServerImageInstanceDetail: (q) => this.imageDetail(q, "member"),
    getServerInstanceDetail: (q) => this.serverDetail(q),
    createServerImage: (q) => this.create(q, "server"),
    createMemberServerImageInstance: (q) => this.create(q, "member"),
    deleteServerImage: (q) => this.delete(q, "server"),
    deleteMemberServerImageInstances: (q) => this.delete(q, "member"),
    addServerImageSharingPermission: (q) => this.share(q, "server", "add"),
    removeServerImageSharingPermission: (q) => this.share(q, "server", "remove"),
    addMemberServerImageSharingPermission: (q) => this.share(q, "member", "add"),
    removeMemberServerImageSharingPermission: (q) => this.share(q, "member", "remove"),
  };

  /**
   * The signature over `METHOD + " " + path[?query] + "\n" + timestamp + "\n" + accessKey`, the URI
   * exactly as received, and the ±5-minute window (ncp.md §1; docs compute-vserver "a difference
   * of 5 minutes or more ... invalid"). It may come as `x-ncp-apigw-signature-v2` (the docs, the Java
   * SDK) or `x-ncp-apigw-signature-v1` (the Go SDK terraform-provider-ncloud runs with, ncp.md §1.4;
   * test/fixtures/oracle/vectors-ncp.json): either is accepted, and each one sent must be right.
   * Failures are the gateway's 401 errorCode 200 "Authentication Failed" (api-call-lgc-errorhandling);
   * the `details` texts are the observed ones (ncp.md §4.1), which of them NCP gives for which failure
   * is not documented.
   */
  private authenticate(req: SimRequest): SimResponse | undefined {
    const accessKey = String(req.headers["x-ncp-iam-access-key"] ?? "");
    const timestamp = String(req.headers["x-ncp-apigw-timestamp"] ?? "");
    const signatures = ["x-ncp-apigw-signature-v2", "x-ncp-apigw-signature-v1"]
      .map((h) => req.headers[h])
      .filter((v): v is string => typeof v === "string" && v !== "");
    const failed = (details: string) => gatewayError(401, "200", "Authentication Failed", details);
    if (!accessKey || !timestamp || signatures.length === 0) return failed("Authentication information are missing.");
    const key = this.keys.find((k) => k.accessKey === accessKey);
    if (!key) return failed("Invalid authentication information.");
    if (!/^\d+$/.test(timestamp) || Math.abs(this.now() - Number(timestamp)) >= TIMESTAMP_WINDOW_MS)
      return failed("Invalid authentication information.");
    // independent of the product's signer: the documented string over the URI as received
    const expected = createHmac("sha256", key.secretKey).update(`${req.method} ${req.rawUrl}\n${timestamp}\n${accessKey}`).digest("base64");
    if (signatures.some((signature) => signature !== expected)) return failed("Invalid authentication information.");
    return undefined;
  }

  /**
   * Paging (ncp.md §5, docs getServerImageList ja): pageNo "first page: 0 or 1"; pageSize
   * Conditional (with pageNo), 1–1000; totalRows counts every matching row, so past the last page
   * the list is empty and totalRows unchanged. Without either, every row (undocumented; the
   * product always sends both).
   */
  private page<T>(rows: T[], q: URLSearchParams): SimResponse | { rows: T[]; total: number } {
    const pageNo = q.get("pageNo");
    const pageSize = q.get("pageSize");
    if (pageNo !== null && pageSize === null) return refused(RETURN_CODE.invalid, "Parameter is invalid. pageSize is required with pageNo");
    if (pageSize === null) return { rows, total: rows.length };
    const size = Number(pageSize);
    const no = Math.max(1, Number(pageNo ?? 1));
    if (!Number.isInteger(size) || size < 1 || size > 1000)
      return refused(RETURN_CODE.invalid, "Parameter is invalid. pageSize must be 1-1000");
    if (!Number.isInteger(no)) return refused(RETURN_CODE.invalid, "Parameter is invalid. pageNo");
    return { rows: rows.slice((no - 1) * size, no * size), total: rows.length };
  }

  /** Filters of getServerImageList (docs, Go get_server_image_list_request.go). */
  private serverImageList(q: URLSearchParams): SimResponse {
    const types = listParam(q, "serverImageTypeCodeList");
    const os = listParam(q, "osTypeCodeList");
    const nos = listParam(q, "serverImageNoList");
    const name = q.get("serverImageName");
    const status = q.get("serverImageStatusCode");
    const rows = [...this.images.values()]
      .filter((i) => i.kind === "server" || i.alsoServer)
      .map((i) => this.asServerRecord(i))
      .filter(
        (r) => (!types.length || types.includes((r.serverImageType as Code).code)) && (!os.length || os.includes((r.osType as Code).code)),
      )
      .filter(
        (r) =>
          (!nos.length || nos.includes(String(r.serverImageNo))) &&
          (!name || r.serverImageName === name) &&
          (!status || (r.serverImageStatus as Code).code === status),
      );
    const page = this.page(rows, q);
    if ("status" in page) return page;
    return ok("getServerImageList", { totalRows: page.total, serverImageList: page.rows });
  }

  private memberImageList(q: URLSearchParams): SimResponse {
    const name = q.get("memberServerImageName");
    const nos = listParam(q, "memberServerImageInstanceNoList");
    const rows = [...this.images.values()]
      .filter((i) => i.kind === "member")
      .map((i) => this.view(i))
      .filter((r) => (!name || r.memberServerImageName === name) && (!nos.length || nos.includes(String(r.memberServerImageInstanceNo))));
    const page = this.page(rows, q);
    if ("status" in page) return page;
    return ok("getMemberServerImageInstanceList", { totalRows: page.total, memberServerImageInstanceList: page.rows });
  }

  /** Filters of getServerInstanceList the product sends: serverInstanceNoList.N and serverName (ncp.md §3.3). */
  private serverList(q: URLSearchParams): SimResponse {
    const nos = listParam(q, "serverInstanceNoList");
    const name = q.get("serverName");
    const named = (s: SimServerInstance) =>
      !name || (this.serverNameMatch === "exact" ? s.serverName === name : s.serverName.includes(name));
    const rows = [...this.servers.values()]
      .filter((s) => (!nos.length || nos.includes(s.serverInstanceNo)) && named(s))
      .map((s) => this.serverRecord(s));
    const page = this.page(rows, q);
    if ("status" in page) return page;
    return ok("getServerInstanceList", { totalRows: page.total, serverInstanceList: page.rows });
  }

  /** A number it does not know: an empty list or a refusal, by `absentDetail` (undocumented). */
  private absent(action: string, listKey: string, what: string): SimResponse {
    if (this.absentDetail === "empty") return ok(action, { totalRows: 0, [listKey]: [] });
    return refused(RETURN_CODE.absent, `${what} does not exist.`);
  }

  /** serverImageNo / memberServerImageInstanceNo: Required (docs getServerImageDetail, getMemberServerImageInstanceDetail). */
  private imageDetail(q: URLSearchParams, kind: "server" | "member"): SimResponse {
    const [action, param, listKey] =
      kind === "server"
        ? ["getServerImageDetail", "serverImageNo", "serverImageList"]
        : ["getMemberServerImageInstanceDetail", "memberServerImageInstanceNo", "memberServerImageInstanceList"];
    const no = q.get(param);
    if (!no) return refused(RETURN_CODE.invalid, `Parameter is invalid. ${param} is required`);
    const image = this.images.get(no);
    const visible = image && (image.kind === kind || (kind === "server" && image.alsoServer));
    if (!visible) return this.absent(action, listKey, kind === "server" ? "The server image" : "The member server image instance");
    return ok(action, { totalRows: 1, [listKey]: [kind === "server" ? this.asServerRecord(image) : this.view(image)] });
  }

  /** serverInstanceNo: Required (docs getServerInstanceDetail, ncp.md §3.3). */
  private serverDetail(q: URLSearchParams): SimResponse {
    const no = q.get("serverInstanceNo");
    if (!no) return refused(RETURN_CODE.invalid, "Parameter is invalid. serverInstanceNo is required");
    const s = this.servers.get(no);
    if (!s) return this.absent("getServerInstanceDetail", "serverInstanceList", "The server instance");
    return ok("getServerInstanceDetail", { totalRows: 1, serverInstanceList: [this.serverRecord(s)] });
  }

  /**
   * blockStorageList.N.* of createServerImage (docs createServerImage, Go block_storage.go): order
   * Required, one default storage (order 0) must be given, additional ones 1–20, at most 21;
   * blockStorageVolumeTypeCode "not for default storage".
   */
  private blockStorageProblem(q: URLSearchParams): string | undefined {
    const entries: Array<Record<string, string>> = [];
    for (const [key, value] of q) {
      const m = /^blockStorageList\.(\d+)\.(\w+)$/.exec(key);
      if (m) (entries[Number(m[1]) - 1] ??= {})[m[2]!] = value;
    }
    if (entries.length === 0) return "blockStorageList.N.order is required";
    if (entries.length > 21 || entries.some((e) => e === undefined)) return "blockStorageList: at most 21, numbered from 1";
    const orders = entries.map((e) => e.order);
    if (orders.some((o) => o === undefined || !/^\d+$/.test(o) || Number(o) > 20)) return "blockStorageList.N.order must be 0-20";
    if (new Set(orders).size !== orders.length) return "blockStorageList.N.order must not repeat";
    const boot = entries.find((e) => e.order === "0");
    if (!boot) return "the default storage (blockStorageList.N.order 0) is required";
    if (boot.blockStorageVolumeTypeCode !== undefined) return "blockStorageVolumeTypeCode cannot be set for the default storage";
    return undefined;
  }

  /**
   * createServerImage (docs createServerImage; ncp.md §3.1): serverInstanceNo, serverImageName
   * (rule above) and blockStorageList Required; description 0–1000 bytes.
   * createMemberServerImageInstance (docs, ncp.md §3.2): serverInstanceNo Required, a server "in a
   * stopped or running status", "KVM-based server images are not supported"; name optional (rule
   * above, auto-generated when absent); description 0–1000 bytes.
   */
  private create(q: URLSearchParams, kind: "server" | "member"): SimResponse {
    const action = kind === "server" ? "createServerImage" : "createMemberServerImageInstance";
    const nameParam = kind === "server" ? "serverImageName" : "memberServerImageName";
    const description = q.get(kind === "server" ? "serverImageDescription" : "memberServerImageDescription") ?? undefined;
    const serverNo = q.get("serverInstanceNo");
    if (!serverNo) return refused(RETURN_CODE.invalid, "Parameter is invalid. serverInstanceNo is required");
    const given = q.get(nameParam);
    if (kind === "server" && !given) return refused(RETURN_CODE.invalid, "Parameter is invalid. serverImageName is required");
    if (given !== null && !NAME_RULE[kind].test(given)) return refused(RETURN_CODE.invalid, `Parameter is invalid. ${nameParam}`);
    if (description !== undefined && Buffer.byteLength(description, "utf8") > 1000)
      return refused(RETURN_CODE.invalid, "Parameter is invalid. description is over 1000 bytes");
    if (kind === "server") {
      const problem = this.blockStorageProblem(q);
      if (problem) return refused(RETURN_CODE.invalid, `Parameter is invalid. ${problem}`);
    }
    const server = this.servers.get(serverNo);
    if (!server) return refused(RETURN_CODE.absent, "The server instance does not exist.");
    if (kind === "member" && server.hypervisor === "KVM")
      return refused(RETURN_CODE.hypervisor, "KVM-based server images are not supported.");
    const stateRule = kind === "member" || this.createServerImageStates === "running-or-stopped";
    if (stateRule && server.status !== "RUN" && server.status !== "NSTOP")
      return refused(RETURN_CODE.state, `The server is in ${server.status} state.`);
    const name = given ?? `image-${this.nextNo}`;
    const taken = [...this.images.values()].some(
      (i) =>
        (i.kind === "server" ? i.raw.serverImageName : i.raw.memberServerImageName) === name &&
        (i.kind === "member" || (i.raw.serverImageType as Code).code === "SELF"),
    );
    if (taken && this.uniqueNames) return refused(RETURN_CODE.nameTaken, `The server image name '${name}' is already in use.`);
    const no = String(this.nextNo++);
    const created = KST(new Date(this.now()).toISOString());
    const raw =
      kind === "server"
        ? selfImage(no, name, created, {
            serverImageDescription: description,
            originalServerInstanceNo: serverNo,
            serverImageProductCode: server.productCode,
            hypervisorType: c(server.hypervisor ?? "KVM"),
          })
        : { ...memberImage(no, name, serverNo, server.productCode, created, "INIT"), memberServerImageDescription: description };
    const image: SimImage = { kind, raw, create: { at: this.now(), delayMs: this.createDelayMs, outcome: this.createOutcome } };
    this.images.set(no, image);
    return kind === "server"
      ? ok(action, { totalRows: 1, serverImageList: [this.asServerRecord(image)] })
      : ok(action, { totalRows: 1, memberServerImageInstanceList: [this.view(image)] });
  }

  /**
   * deleteServerImage (docs deleteServerImage: "Delete the list of My server images",
   * serverImageNoList.N Required; ncp.md §3.1) and deleteMemberServerImageInstances (docs:
   * memberServerImageInstanceNoList.N Required, "KVM-based server images are not supported"; ncp.md
   * §3.2). Both answer the images themselves, CREAT with operation TERMT ("terminating"), as the docs'
   * examples do. What NCP answers for a number it does not know, a public (NCP) image or an image
   * already terminating is undocumented: refusals with placeholder codes.
   */
  private delete(q: URLSearchParams, kind: "server" | "member"): SimResponse {
    const [action, param, listKey] =
      kind === "server"
        ? ["deleteServerImage", "serverImageNoList", "serverImageList"]
        : ["deleteMemberServerImageInstances", "memberServerImageInstanceNoList", "memberServerImageInstanceList"];
    const nos = listParam(q, param);
    if (nos.length === 0) return refused(RETURN_CODE.invalid, `Parameter is invalid. ${param}.N is required`);
    const found: SimImage[] = [];
    for (const no of nos) {
      const image = this.images.get(no);
      const visible = image && (image.kind === kind || (kind === "server" && image.alsoServer));
      if (!image || !visible)
        return refused(
          RETURN_CODE.absent,
          `The ${kind === "server" ? "server image" : "member server image instance"} ${no} does not exist.`,
        );
      if (image.kind === "server" && (image.raw.serverImageType as Code).code !== "SELF")
        return refused(RETURN_CODE.notOwn, `The server image ${no} is not one of My server images.`);
      if (image.deleted) return refused(RETURN_CODE.state, `The server image ${no} is being terminated.`);
      found.push(image);
    }
    const at = this.now();
    for (const image of found) image.deleted = { at, delayMs: this.deleteDelayMs };
    return ok(action, {
      totalRows: found.length,
      [listKey]: found.map((i) => (kind === "server" ? this.asServerRecord(i) : this.view(i))),
    });
  }

  /**
   * add/removeServerImageSharingPermission (docs compute-vserver-serverimage-addserverimagesharingpermission:
   * serverImageNo Required, targetLoginIdList.N Required, "NAVER Cloud Platform account login ID
   * list"; ncp.md §3.1) and the member-image calls (memberServerImageInstanceNo; "KVM-based server
   * images are not supported", ncp.md §3.2). The image then shows the ids in sharedLoginIdList and
   * a shareStatus other than NULL (ServerImage / MemberServerImageInstance, ncp.md §3.1–3.2); the
   * status code shown ("SHARE") and the answers for an unknown login id, a public image or an id
   * given twice are undocumented: placeholders, and a repeat adds nobody twice.
   */
  private share(q: URLSearchParams, kind: "server" | "member", change: "add" | "remove"): SimResponse {
    const param = kind === "server" ? "serverImageNo" : "memberServerImageInstanceNo";
    const action = `${change}${kind === "server" ? "" : "Member"}ServerImageSharingPermission`;
    const no = q.get(param);
    if (!no) return refused(RETURN_CODE.invalid, `Parameter is invalid. ${param} is required`);
    const targets = listParam(q, "targetLoginIdList");
    if (!targets.length) return refused(RETURN_CODE.invalid, "Parameter is invalid. targetLoginIdList.N is required");
    const image = this.images.get(no);
    const visible = image && (image.kind === kind || (kind === "server" && image.alsoServer));
    if (!image || !visible || image.deleted)
      return refused(
        RETURN_CODE.absent,
        `The ${kind === "server" ? "server image" : "member server image instance"} ${no} does not exist.`,
      );
    if (image.kind === "server" && (image.raw.serverImageType as Code).code !== "SELF")
      return refused(RETURN_CODE.notOwn, `The server image ${no} is not one of My server images.`);
    const unknown = targets.find((t) => !this.loginIds.has(t));
    if (change === "add" && unknown) return refused(RETURN_CODE.noLoginId, `The login ID ${unknown} does not exist.`);
    const now = Array.isArray(image.raw.sharedLoginIdList) ? (image.raw.sharedLoginIdList as string[]) : [];
    const next = change === "add" ? [...new Set([...now, ...targets])] : now.filter((t) => !targets.includes(t));
    image.raw.sharedLoginIdList = next;
    image.raw.shareStatus = next.length ? c("SHARE", "NSI Share state") : c("NULL", "NSI Share NULL State");
    const listKey = kind === "server" ? "serverImageList" : "memberServerImageInstanceList";
    return ok(action, { totalRows: 1, [listKey]: [kind === "server" ? this.asServerRecord(image) : this.view(image)] });
  }
}

/** `name.1`, `name.2`, … (ncp.md §1.2: lists as name.N, 1-based). */
function listParam(q: URLSearchParams, name: string): string[] {
  const out: string[] = [];
  for (let i = 1; q.has(`${name}.${i}`); i++) out.push(q.get(`${name}.${i}`)!);
  return out;
}

/** `{"<action>Response": {requestId, returnCode: "0", returnMessage: "success", totalRows, …}}` (ncp.md §3, CommonResponse). */
function ok(action: string, body: Record<string, unknown>): SimResponse {
  return {
    status: 200,
    body: { [`${action}Response`]: { ...body, requestId: crypto.randomUUID(), returnCode: "0", returnMessage: "success" } },
  };
}

/** The Server API's refusal, `{"responseError": {returnCode, returnMessage}}` with HTTP 400 (ncp.md §4.1). */
function refused(returnCode: string, returnMessage: string): SimResponse {
  return { status: 400, body: { responseError: { returnCode, returnMessage } } };
}

/** The API Gateway's error, `{"error": {errorCode, message, details}}` (api-call-lgc-errorhandling, ncp.md §4.1). */
function gatewayError(status: number, errorCode: string, message: string, details: string): SimResponse {
  return { status, body: { error: { errorCode, message, details } } };
}

/** Rows getServerImageList returns with no generated images (seed server images + legacy ones it also lists). */
export function ncpSeedServerRows(): number {
  const sim = new NcpSim();
  return [...sim.images.values()].filter((i) => i.kind === "server" || (i as { alsoServer?: boolean }).alsoServer).length;
}

/**
 * A server image record as getServerImageList shows one of the account's own (serverImageType
 * SELF), for a test to add with `addImage("server", …)`; `over` changes any field, e.g. a
 * serverImageType outside the documented NCP | SELF.
 */
export const ncpServerImage = (no: string, name: string, created: string, over: Record<string, unknown> = {}) =>
  selfImage(no, name, created, over);
