import { createHmac, timingSafeEqual } from "node:crypto";
import { listInstances } from "./iwinv-instances.js";
import { SimServer, type SimKey, type SimRequest, type SimResponse, TIMESTAMP_WINDOW_MS } from "./server.js";

/**
 * iwinv IaaS API simulator: GET /v1/images (zone_id, name, os, type, visibility, page_no,
 * page_size), GET /v1/images/{id}, GET /v1/instances (./iwinv-instances.ts), GET /v1/instances/{id}?fields=N; X-iwinv-* signature over
 * timestamp + path (query not signed), ±5 minutes; 60 requests per minute per credential.
 *
 * Every behaviour cites where it comes from, with the source keys of docs/providers/iwinv.md
 * (R1–R7 the official docs, S1 the seed Image List page, T1–T12 third-party clients and their live
 * observations). Answers use iwinv's envelope {code, error_code, message, result} [S1][T6]; the error
 * codes are those of iwinv's Error Code page [T1]. Where the truth is unknown, an option decides.
 */

/** The demo account of the local stack (fake keys, local only; tests scan all output for them) and its seeded server. */
export const IWINV_DEMO = {
  keys: { accessKey: "IWINVDEMOACCESS0001", secretKey: "iwinv-demo-secret-7d6c5b4a3f2e" },
  regions: ["kr2-z01"],
  servers: { active: "IWVM-demo-0001" },
} as const;

export interface IwinvSimOptions {
  keys?: SimKey[];
  /** extra public/private images (for paging and benchmarks) */
  generatedImages?: number;
  /** epoch ms */
  now?: () => number;
  rateLimitPerMinute?: number;
  /** whether the caller's IP is on the key's allowlist (iwinv keys are IP-bound, iwinv.md §1.5) */
  callerIpAllowed?: boolean;
  /** a page_size cap: iwinv documents none (default: none) */
  maxPageSize?: number;
  /** whether Image List's name filter ("Containing {name}" [S1]) ignores case: undocumented (default: it does) */
  nameMatch?: "insensitive" | "sensitive";
}

export interface IwinvSimImage {
  image_id: string;
  visibility: "public" | "private";
  /** private images only: the owner's name and the creation time ("response can vary") */
  name?: string;
  created_at?: string;
  os: { type: string; name: string; status: string; content: string[]; os_type: string; version: string; oid: string };
  image_type: string;
  zone: string[];
}

/** An instance as Instance Detail returns it [T7-types]; only the `fields` bits asked for are returned [T10]. */
export interface IwinvSimInstance {
  instance_id: string;
  name: string;
  description: string | null;
  status: string;
  default_account: { id: string; password: string };
  zone: { zone_id: string; name: string };
  flavor: { flavor_id: string; name: string };
  image: { image_id: string; visibility: string };
  vnc: string;
}

/** The `fields` bits confirmed from the official table (https://api-kr.iwinv.kr/fields/v1/instances, via [T10]). */
const FIELD_BITS: Array<[number, keyof IwinvSimInstance]> = [
  [1, "instance_id"],
  [2, "name"],
  [4, "description"],
  [8, "status"],
  [128, "default_account"],
  [512, "zone"],
  [1024, "flavor"],
  [2048, "image"],
  [16384, "vnc"],
];
/** What comes back without `fields`: not documented ("richer data needs fields" [T2 C06]); assumed id, name, status. */
const DEFAULT_FIELDS = 1 | 2 | 8;

/** Allowed `os` values of Image List, and which os_type each matches. */
const OS_ENUM: Record<string, string[]> = {
  windows: ["WINDOWS"],
  windows_core: ["WINDOWS_CORE"],
  windows_sql: ["WINDOWS_SQL"],
  ubuntu: ["UBUNTU"],
  rocky: ["ROCKYLINUX"],
  cent: ["CENTOS"],
  fedora: ["FEDORA"],
  freebsd: ["FREEBSD"],
  opensuse: ["OPENSUSE"],
  coreos: ["COREOS"],
  oracle: ["ORACLELINUX"],
  debian: ["DEBIAN"],
  alma: ["ALMALINUX"],
  mint: ["MINT"],
  hamonikr: ["HAMONIKR"],
};
const TYPE_ENUM = new Set(["os", "vdi", "gpu", "solution"]);

/** Success [S1][T6]: code "0x00" (a string), error_code SUCCESS; lists add count (rows on this page), page_no, page_size as numbers [T4][T3]. */
export const ok = (result: unknown, extra: Record<string, unknown> = {}): SimResponse => ({
  status: 200,
  body: { code: "0x00", error_code: "SUCCESS", message: "", result, ...extra },
});
/** Error [T6]: {"code":"0x1","error_code":"NOT_FOUND","message":"Check request.","result":"error"}. */
export const fail = (status: number, code: string, errorCode: string, message: string): SimResponse => ({
  status,
  body: { code, error_code: errorCode, message, result: "error" },
});

function pub(
  id: string,
  name: string,
  osType: string,
  version: string,
  content: string[],
  imageType = "os_linux",
  zone = ["kr2-z01"],
  status = "available",
): IwinvSimImage {
  return {
    image_id: id,
    visibility: "public",
    os: { type: "OS", name, status, content, os_type: osType, version, oid: `oid-${id}` },
    image_type: imageType,
    zone,
  };
}

function priv(id: string, name: string, createdAt: string, base: IwinvSimImage, status = "available", content?: string[]): IwinvSimImage {
  return {
    image_id: id,
    visibility: "private",
    name,
    created_at: createdAt,
    os: { ...base.os, status, content: content ?? base.os.content, oid: `oid-${id}` },
    image_type: base.image_type,
    zone: ["kr2-z01"],
  };
}

/** The docs' Image List example, then images the example leaves out. */
export function iwinvSeedImages(): IwinvSimImage[] {
  const rocky9 = pub("PIMAGE-1Pos3S8VaJXq3wgC8c4BMi", "Rocky Linux release 9.0 (Blue Onyx)", "ROCKYLINUX", "9.X", [
    "[NEW]*EOL 2032 05.31",
    "Kernel : 5.14.0-362.18.1.el9_3.x86_64Used Disk Size : 1.9 G IPTABLE 미적용[ 상세 정보 확인 ]",
    "[ 주의 사항 ]iproute, dhclient, initscripts 패키지 삭제 금지",
  ]);
  const rocky8 = pub("PIMAGE-14G0aJcbpfC2AdbUsnG8Do", "Rocky Linux release 8.X (Green Obsidian)", "ROCKYLINUX", "8.8", [
    "[NEW]*EOL 2029 05.31",
    "Kernel : 4.18.0-513.11.1.el8_9.x86_64Used Disk Size : 2.9 GIPTABLE 미적용[ 상세 정보 확인 ]",
    "[ 주의 사항 ]iproute, dhclient, initscripts 패키지 삭제 금지",
  ]);
  const ubuntu24 = pub("PIMAGE-1tQFoTuKeENlSZ7xFXyVix", "Ubuntu 24.04 LTS", "UBUNTU", "Ubuntu 24.04 LTS", [
    "[NEW]*EOL 2029 04",
    "Kernel : 6.8.0-31-genericUsed Disk Size : 1.4G[ 상세 정보 확인 ]",
    "[ 주의 사항 ]iproute2, isc-dhcp, initscripts,systemd-resolve 패키지 삭제 금지",
  ]);
  const ubuntu22 = pub("PIMAGE-16OMEFf3FMbFWIHcJ23q8s", "Ubuntu 22.04 LTS", "UBUNTU", "Ubuntu 22.04 LTS", [
    "*EOL 2027 04",
    "Kernel :5.15.0-94-genericUsed Disk Size : 2.3G[ 상세 정보 확인 ]",
    "[ 주의 사항 ]iproute2, isc-dhcp, initscripts,systemd-resolve 패키지 삭제 금지",
  ]);
  const windows = pub(
    "PIMAGE-2WinSrv2022DcStd0001",
    "Windows Server 2022 Datacenter",
    "WINDOWS",
    "2022",
    ["*EOL 2031 10.14", "Used Disk Size : 14.2 G"],
    "os_windows",
  );
  const debian = pub("PIMAGE-3Deb12Bookworm000001", "Debian 12 (Bookworm)", "DEBIAN", "12", [
    "*EOL 2028 06.30",
    "Kernel : 6.1.0-18-amd64Used Disk Size : 1.2 G",
  ]);
  const centos = pub("PIMAGE-4CentOS7Core00000001", "CentOS 7.9 (Core)", "CENTOS", "7.9", [
    "*EOL 2024 06.30",
    "Kernel : 3.10.0-1160.el7.x86_64",
  ]);
  const otherZone = pub("PIMAGE-5Ubuntu2204KR1Z01001", "Ubuntu 22.04 LTS", "UBUNTU", "Ubuntu 22.04 LTS", ["*EOL 2027 04"], "os_linux", [
    "kr1-z01",
  ]);
  return [
    rocky9,
    rocky8,
    ubuntu24,
    ubuntu22,
    windows,
    debian,
    centos,
    otherZone,
    priv("IMAGE-7Hq2WebGolden000000001", "web-golden", "2025-06-20 09:59:39", ubuntu24),
    priv("IMAGE-8Kd3DbBase0000000000002", "db-base", "2025-01-11 14:02:00", rocky9),
    // made from CentOS 7: its EOL is already past
    priv("IMAGE-9Lg4LegacyApp0000000003", "legacy-app", "2023-03-02 10:15:00", centos),
    priv("IMAGE-ANm5Nightly000000000004", "nightly-build", "2025-07-01 03:00:00", ubuntu22, "creating"),
  ];
}

function generated(n: number): IwinvSimImage[] {
  const bases = iwinvSeedImages().filter((i) => i.visibility === "public" && i.zone.includes("kr2-z01"));
  const out: IwinvSimImage[] = [];
  for (let i = 0; i < n; i++) {
    const base = bases[i % bases.length]!;
    const id = `GIMAGE-${String(i + 1).padStart(6, "0")}`;
    out.push(
      i % 2 === 0
        ? { ...base, image_id: id, os: { ...base.os, name: `${base.os.name} #${i + 1}`, oid: `oid-${id}` } }
        : priv(id, `gen-image-${String(i + 1).padStart(6, "0")}`, "2025-05-01 12:00:00", base),
    );
  }
  return out;
}

const displayName = (i: IwinvSimImage) => (i.visibility === "private" ? (i.name ?? i.os.name) : i.os.name);
const list = (v: string | null) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export class IwinvSim extends SimServer {
  keys: SimKey[];
  readonly images: IwinvSimImage[];
  readonly servers = new Map<string, IwinvSimInstance>();
  private readonly now: () => number;
  private readonly perMinute: number;
  private readonly starts = new Map<string, number[]>();
  callerIpAllowed: boolean;
  maxPageSize: number;
  nameMatch: "insensitive" | "sensitive";

  constructor(options: IwinvSimOptions = {}) {
    super(
      "iwinv",
      (req) => this.handle(req),
      () => this.counts(),
    );
    this.keys = options.keys ?? [{ ...IWINV_DEMO.keys }];
    this.now = options.now ?? Date.now;
    this.perMinute = options.rateLimitPerMinute ?? 60;
    this.callerIpAllowed = options.callerIpAllowed ?? true;
    this.maxPageSize = options.maxPageSize ?? Infinity;
    this.nameMatch = options.nameMatch ?? "insensitive";
    this.images = [...iwinvSeedImages(), ...generated(options.generatedImages ?? 0)];
    const id = IWINV_DEMO.servers.active;
    this.servers.set(id, {
      instance_id: id,
      name: "demo-web-01",
      description: null,
      status: "active",
      default_account: { id: "root", password: "demo-password-not-a-secret" },
      zone: { zone_id: "kr2-z01", name: "KR2-Z01" },
      flavor: { flavor_id: "FLV-g3-standard-2", name: "g3.standard.2" },
      image: { image_id: "PIMAGE-1tQFoTuKeENlSZ7xFXyVix", visibility: "public" },
      vnc: "https://console.example.invalid/vnc",
    });
  }

  /** What /__sim/state reports. */
  counts(): { images: number; servers: number } {
    return { images: this.images.length, servers: this.servers.size };
  }

  private handle(req: SimRequest): SimResponse {
    const denied = this.authenticate(req);
    if (denied) return denied;
    const throttled = this.throttle(String(req.headers["x-iwinv-credential"]));
    if (throttled) return throttled;
    // the images and instances read here are GETs; 405 is the API Response page's "Not allowed Method" [T6]
    if (req.method !== "GET") return fail(405, "0x1", "NOT_FOUND", "Check request.");
    const path = req.url.pathname.replace(/\/+$/, "");
    if (path === "/v1/images") return this.listImages(req.url.searchParams);
    if (path === "/v1/instances") return listInstances(req.url.searchParams, [...this.servers.values()], this.nameMatch);
    const image = /^\/v1\/images\/([^/]+)$/.exec(path);
    if (image) {
      // Image Detail: result is an array of exactly one image, count 1 [R5][T3]; an unknown id is HTTP 400 ID_INVALID [T4]
      const id = safeDecode(image[1]!);
      const found = this.images.find((i) => i.image_id === id);
      return found ? ok([found], { count: 1 }) : fail(400, "0x16", "ID_INVALID", "Check request.");
    }
    const inst = /^\/v1\/instances\/([^/]+)$/.exec(path);
    if (inst) {
      // Instance Detail: result is an array [T2 C06]; an unknown id assumed to answer like Image Detail
      const found = this.servers.get(safeDecode(inst[1]!));
      const fields = req.url.searchParams.get("fields");
      if (fields !== null && !/^\d+$/.test(fields)) return fail(400, "0xe", "CHECK_PARAM", "Check request.");
      return found
        ? ok([pickFields(found, fields === null ? DEFAULT_FIELDS : Number(fields))], { count: 1 })
        : fail(400, "0x16", "ID_INVALID", "Check request.");
    }
    // an unknown path: 404 NOT_FOUND [T4]
    return fail(404, "0x1", "NOT_FOUND", "Check request.");
  }

  /**
   * X-iwinv-Timestamp (seconds), -Credential, -Signature = hex HMAC-SHA256(secret, timestamp + path) with no query
   * and no trailing slash, refused when more than 5 minutes off [R1][R2]; checked over the path exactly as received.
   * HTTP 401 ("Not Logged in" [T6]; a stale timestamp observed as 401 [T4]); the business codes by name [T1].
   */
  private authenticate(req: SimRequest): SimResponse | undefined {
    const h = req.headers;
    const credential = typeof h["x-iwinv-credential"] === "string" ? h["x-iwinv-credential"] : "";
    const timestamp = typeof h["x-iwinv-timestamp"] === "string" ? h["x-iwinv-timestamp"] : "";
    const signature = typeof h["x-iwinv-signature"] === "string" ? h["x-iwinv-signature"] : "";
    const key = this.keys.find((k) => k.accessKey === credential);
    if (!credential || !key) return fail(401, "0x6", "CHECK_CREDENTIAL", "인증 정보를 확인해 주세요.");
    // a valid key called from an address not on its allowlist: HTTP 403 CHECK_IP (iwinv.md §1.5, observed live)
    if (!this.callerIpAllowed) return fail(403, "0x9", "CHECK_IP", "Check IP.");
    if (!signature || !/^\d+$/.test(timestamp)) return fail(401, "0x7", "CHECK_SIGNATURE", "서명 정보를 확인해 주세요.");
    if (Math.abs(Number(timestamp) * 1000 - this.now()) > TIMESTAMP_WINDOW_MS) {
      return fail(401, "0x8", "INVALID_SIGNATURE", "유효하지 않은 서명입니다. (timestamp)");
    }
    const rawPath = req.rawUrl.split("?")[0]!.replace(/(.)\/+$/, "$1");
    const expected = createHmac("sha256", key.secretKey)
      .update(timestamp + rawPath, "utf8")
      .digest();
    const given = Buffer.from(signature, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return fail(401, "0x8", "INVALID_SIGNATURE", "유효하지 않은 서명입니다.");
    }
    return undefined;
  }

  /** "60 requests / per minute" [R1], as a sliding 60 s window per credential (scope undocumented); over it, HTTP 429 [T6]. Retry-After is not documented: none is sent. */
  private throttle(credential: string): SimResponse | undefined {
    const now = this.now();
    const starts = (this.starts.get(credential) ?? []).filter((t) => t > now - 60_000);
    if (starts.length >= this.perMinute) {
      this.starts.set(credential, starts);
      return fail(429, "0x17", "LIMIT_EXCEEDED", "분당 요청 한도를 초과했습니다.");
    }
    starts.push(now);
    this.starts.set(credential, starts);
    return undefined;
  }

  /**
   * Image List [S1][R4]: zone_id (comma list), name ("Containing {name}"), os and type (comma lists of enums;
   * another value is HTTP 400 CHECK_PARAM_ENUM [T4]), visibility public|private, page_no (default 1) and
   * page_size (default 10). A page past the end is 200 with an empty array and count 0 [T4].
   */
  private listImages(q: URLSearchParams): SimResponse {
    const pageNo = q.get("page_no") ?? "1";
    const pageSizeRaw = q.get("page_size") ?? "10";
    if (!/^\d+$/.test(pageNo) || Number(pageNo) < 1 || !/^\d+$/.test(pageSizeRaw) || Number(pageSizeRaw) < 1) {
      return fail(400, "0xe", "CHECK_PARAM", "page_no, page_size 값을 확인해 주세요.");
    }
    const os = list(q.get("os"));
    const types = list(q.get("type"));
    const visibility = q.get("visibility");
    if (
      os.some((o) => !OS_ENUM[o]) ||
      types.some((t) => !TYPE_ENUM.has(t)) ||
      (visibility && visibility !== "public" && visibility !== "private")
    ) {
      return fail(400, "0xf", "CHECK_PARAM_ENUM", "허용되지 않은 값입니다.");
    }
    const zones = list(q.get("zone_id"));
    const fold = (t: string) => (this.nameMatch === "insensitive" ? t.toLowerCase() : t);
    const name = fold(q.get("name") ?? "");
    const osTypes = new Set(os.flatMap((o) => OS_ENUM[o]!));
    const matches = this.images.filter(
      (i) =>
        (zones.length === 0 || i.zone.some((z) => zones.includes(z))) &&
        (!name || fold(displayName(i)).includes(name)) &&
        (osTypes.size === 0 || osTypes.has(i.os.os_type)) &&
        (!visibility || i.visibility === visibility) &&
        (types.length === 0 || types.some((t) => i.image_type === t || i.image_type.startsWith(`${t}_`))),
    );
    const size = Math.min(this.maxPageSize, Number(pageSizeRaw));
    const page = Number(pageNo);
    const result = matches.slice((page - 1) * size, page * size);
    return ok(result, { count: result.length, page_no: page, page_size: size });
  }
}

export function pickFields(instance: IwinvSimInstance, mask: number): Partial<IwinvSimInstance> {
  return Object.fromEntries(FIELD_BITS.filter(([bit]) => (mask & bit) !== 0).map(([, key]) => [key, instance[key]]));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
