import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { listServers } from "./scp-servers.js";
import { SimServer, type SimKey, type SimRequest, type SimResponse } from "./server.js";

/**
 * Samsung Cloud Platform v2 Virtual Server API, as far as imageops uses it:
 * GET /v1/images (limit/marker/filters/sort), GET /v1/images/{id}, GET /v1/servers (./scp-servers.ts), GET /v1/servers/{id},
 * POST /v1/servers/{id}/images. Signatures are checked with SCP's formula over the full URL received,
 * independently of the adapter's signer.
 *
 * Every behaviour cites where it comes from; the sources are those of docs/providers/scp.md
 * (S1 the official Go SDK, S2 the official Terraform provider, S3 its vendored v3 SDK, S4 a live
 * third-party harness, D1–D8 the SCP docs). Where the truth is unknown, an option decides.
 */

/** The demo account of the local stack (fake keys, local only; tests scan all output for them) and its seeded servers, by role. */
export const SCP_DEMO = {
  // accountId: 32 hex as SCP's account ids are (scp.md §4.1); the 1.0 spec's example owner (S1 openapi.yaml ImageShowResponse)
  keys: { accessKey: "SCPDEMOACCESSKEY0001", secretKey: "scp-demo-secret-8b3c1d2e5f6a", accountId: "8989447062e04a818baf9e073fd04fa7" },
  regions: ["kr-west1"],
  servers: { active: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", busy: "7a2b3c4d-5e6f-4a70-8b9c-0d1e2f3a4b5c" },
} as const;

export interface ScpSimOptions {
  keys?: SimKey[];
  /** extra custom images to page through */
  generatedImages?: number;
  /** how long a create stays queued/saving */
  createDelayMs?: number;
  createOutcome?: "active" | "killed";
  now?: () => number;
  /** answer this many requests with the gateway's HTML 417 block page (scp.md §6.1 (e)) */
  blockRequests?: number;
  /** the version catalogue (default: the docs' List Images versions, seed 003) */
  versions?: ScpSimVersion[];
  /** how long the catalogue takes to answer (tests: a slow catalogue must not slow a call) */
  catalogueDelayMs?: number;
  /**
   * A second custom image of a name already taken in the account: unknown for SCP. Its image service is
   * OpenStack Glance, which accepts it (names are not unique there), so "accept" is the default.
   */
  duplicateNames?: "refuse" | "accept";
  /** List Images' `name` filter ("Image name", D8): exact in Glance; undocumented for SCP (default exact) */
  nameFilter?: "exact" | "contains";
  /**
   * How long a deleted image is still shown, as Glance's "pending_delete", before GET answers 404. Unknown for
   * SCP: Glance without delayed_delete removes it at once (the default, 0).
   */
  deleteDelayMs?: number;
  /**
   * What DELETE answers for a `protected` image: unknown for SCP (D7 only says protection "prevents accidental
   * deletion"). Glance answers 403 Forbidden (the default); 409 is the other documented refusal of the call.
   */
  protectedAnswer?: 403 | 409;
  /**
   * How long a new image cannot be read after the create answered 202 with its id: GET answers 404 and the
   * list does not show it. Unknown for SCP (the create answers only an id, D3; Glance shows a queued image at
   * once, D9), so 0 by default; a test sets it to check that such an image is never taken for gone.
   */
  readLagMs?: number;
  /**
   * What Add member answers for a member_id of no SCP account: undocumented (Glance itself accepts
   * any id). "refuse" (the default) answers 400 with a placeholder message; "accept" adds it.
   */
  unknownMember?: "refuse" | "accept";
  /**
   * Which id Show Image's `owner` is: unknown for SCP. The 1.3 SDK says "Owner account ID" (S3
   * model_image_show_response_v1_dot3.go) and the docs' example owner is the account_id of their
   * server example (D8, S1), so "account" (the default) shows the account_id its servers show; the
   * 1.0 spec says "Owner project ID" (S1 openapi.yaml), so "project" shows another id of the same
   * account on its own images.
   */
  ownerId?: "account" | "project";
}

/** An entry of the unsigned version catalogue, GET / (D1 example; the SDK's client/catalog.go VersionsResponse). */
export interface ScpSimVersion {
  id: string;
  status: "CURRENT" | "SUPPORTED" | "DEPRECATED" | "PLANNED";
  not_before: string;
}

/** The docs' List Images versions and Not-Before dates (seed 003); "-" (none) for the CURRENT one. */
export const SEED_VERSIONS: readonly ScpSimVersion[] = [
  { id: "v1.0", status: "DEPRECATED", not_before: "2025-12-31" },
  { id: "v1.1", status: "DEPRECATED", not_before: "2026-05-31" },
  { id: "v1.2", status: "SUPPORTED", not_before: "2026-08-31" },
  { id: "v1.3", status: "CURRENT", not_before: "" },
];

/** the demo account's id: its servers' account_id, and its own images' owner */
const OWN_ACCOUNT = SCP_DEMO.keys.accountId;
/** another id of the same account, shown as its images' owner when `ownerId` is "project" */
export const SCP_OWN_PROJECT = "3e5a7c9b1d2f4e6a8c0b2d4f6a8c0e2b";
const SYSTEM_PROJECT = "0d1f3a5c7e9b4d2f8a6c4e2b0d8f6a4c";
const OTHER_PROJECT = "5b7d9f1a3c5e4a6b8d0f2a4c6e8b0d2f";

/** An image as ImageShowResponseV1Dot3 has it (S3 model_image_show_response_v1_dot3.go; D8 example). */
type Raw = Record<string, unknown> & { id: string; name: string; created_at: string };

interface SimImage {
  raw: Raw;
  createdMs: number;
  /** set for images made by a create: status follows the clock */
  create?: { at: number; delayMs: number; outcome: "active" | "killed"; sizeWhenDone: number };
  /** set by a delete: pending_delete until the delay passes, then gone */
  deleted?: { at: number; delayMs: number };
}

/** A server: ServerShowResponse is a flat object (S3 model_server_show_response.go), states upper case (S2 docs: ACTIVE, SHUTOFF). */
interface SimServerRecord {
  id: string;
  name: string;
  state: string;
  /** nullable in ServerShowResponse (S1 1.0 openapi.yaml; scp.md §4.6) */
  image_id: string | null;
  /** ServerShowResponse.account_id: the demo account's unless a test says otherwise */
  account_id?: string;
}

const zoneless = (s: string) => (/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`);

function image(p: Partial<Raw> & { id: string; name: string; created_at: string }): Raw {
  return {
    checksum: "7538e0fcb56e0e272cfd89eb384d6613",
    container_format: "bare",
    disk_format: "qcow2",
    file: `/v2/images/${p.id}/file`,
    min_disk: 100,
    min_ram: 0,
    os_hash_algo: "sha512",
    os_hash_value: null,
    os_hidden: false,
    owner: OWN_ACCOUNT,
    owner_account_name: "AccountName",
    owner_user_name: "user@samsung.com",
    protected: false,
    root_device_name: "/dev/vda",
    scp_image_type: "custom",
    scp_original_image_type: "standard",
    scp_os_build_version: "20250101",
    status: "active",
    updated_at: p.created_at,
    url: null,
    virtual_size: 17179869184,
    visibility: "private",
    volumes: null,
    ...p,
  } as Raw;
}

function standard(id: string, name: string, distro: string, version: string, created: string, size: number): Raw {
  return image({
    id,
    name,
    created_at: created,
    os_distro: distro,
    scp_os_version: version,
    scp_image_type: "standard",
    scp_original_image_type: "standard",
    visibility: "public",
    owner: SYSTEM_PROJECT,
    owner_account_name: null,
    owner_user_name: null,
    protected: true,
    size,
    min_disk: distro === "windows" ? 100 : 10,
  });
}

/** Realistic starting images: the docs' example, standard images (some with zone-less timestamps), custom, shared, killed. */
function seedImages(): Raw[] {
  return [
    // the List Images 1.3 response example, as documented
    image({
      id: "70a599e0-31e7-49b7-b260-868f441e862b",
      name: "imagename",
      created_at: "2025-07-22T09:00:00Z",
      updated_at: "2025-07-26T12:00:00Z",
      file: "/v2/images/e08a37c1-2162-416e-b7fa-19902419170b/file",
      os_distro: "alma",
      scp_os_version: "8.8",
      size: 2429747200,
      owner: "a8f10467abfc4b87b64614ab36eb9ae4",
      scp_gpu_driver: "535.183.06",
      scp_k8s_version: "v1.28.7",
      scp_supported_class_types: "GPU-A100-1,GPU-H100-2",
      os_hash_value:
        "c6a32fc3b7c909b8900b46f5e6066c028a1d799c0a263cf064a600c430a714627c21f98ac248e2f2bf29870a1a2773c7908244745016878e1a5f31dc2c405b99",
      url: "https://object-store.kr-west1.s.samsungsdscloud.com/8989447062e04a818baf9e073fd04fa7/bucket/object.qcow2",
    }),
    standard("1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a01", "Ubuntu 22.04", "ubuntu", "22.04", "2025-03-10T02:15:00", 2147483648),
    standard("1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a02", "Ubuntu 24.04", "ubuntu", "24.04", "2025-06-02T01:00:00Z", 2362232012),
    standard("1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a03", "Rocky Linux 9.4", "rocky", "9.4", "2025-04-18T06:30:00", 1932735283),
    standard("1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a04", "AlmaLinux 9.4", "alma", "9.4", "2025-04-18T06:45:00Z", 1879048192),
    standard("1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a05", "RHEL 9.4", "rhel", "9.4", "2025-05-07T00:00:00", 2684354560),
    standard(
      "1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a06",
      "Windows Server 2022",
      "windows",
      "2022 Standard",
      "2025-02-14T08:20:00Z",
      21474836480,
    ),
    standard("1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a07", "Oracle Linux 8.10", "oracle", "8.10", "2025-01-20T03:00:00", 1717986918),
    image({
      id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c11",
      name: "web-base",
      created_at: "2025-08-01T10:12:13",
      os_distro: "ubuntu",
      scp_os_version: "22.04",
      size: 3221225472,
    }),
    image({
      id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c12",
      name: "db-golden",
      created_at: "2025-08-15T23:59:59Z",
      os_distro: "rocky",
      scp_os_version: "9.4",
      size: 5368709120,
    }),
    image({
      id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13",
      name: "partner-shared",
      created_at: "2025-05-30T12:00:00",
      os_distro: "ubuntu",
      scp_os_version: "24.04",
      visibility: "shared",
      owner: OTHER_PROJECT,
      owner_account_name: "PartnerAccount",
      owner_user_name: "partner@example.com",
      size: 2576980377,
    }),
    image({
      id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c14",
      name: "broken-build",
      created_at: "2025-09-03T04:05:06Z",
      os_distro: "alma",
      scp_os_version: "9.4",
      status: "killed",
      size: null,
    }),
    image({
      id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c15",
      name: "win-app",
      created_at: "2025-09-20T07:30:00",
      os_distro: "windows",
      scp_os_version: "2022 Standard",
      scp_original_image_type: "standard",
      size: 25769803776,
    }),
  ];
}

const DISTROS = [
  ["ubuntu", "22.04"],
  ["rocky", "9.4"],
  ["alma", "9.4"],
  ["rhel", "9.4"],
  ["windows", "2022 Standard"],
] as const;

function generated(n: number): Raw[] {
  const out: Raw[] = [];
  const base = Date.parse("2024-12-31T00:00:00Z");
  for (let i = 1; i <= n; i++) {
    const [distro, version] = DISTROS[i % DISTROS.length]!;
    const created = new Date(base - i * 3_600_000).toISOString().replace(/\.000Z$/, i % 2 ? "Z" : "");
    out.push(
      image({
        id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
        name: `gen-${String(i).padStart(5, "0")}`,
        created_at: created,
        os_distro: distro,
        scp_os_version: version,
        size: 1073741824 + i,
      }),
    );
  }
  return out;
}

let requestSeq = 0;
const requestId = () => `req-${randomUUID()}`;

/**
 * (a) The Virtual Server API's error envelope, as captured live (scp.md §6.1, S4 reports/validation_probe.json):
 * errors[] of {code, detail[], global_request_id, links, related_resources, request_id, response, status, title}.
 * Only "ValidationError" is a captured code; the others here are placeholders of the same shape.
 */
export function scpError(status: number, code: string, detail: string): SimResponse {
  return {
    status,
    body: {
      errors: [
        {
          code,
          detail: [detail],
          global_request_id: requestId(),
          links: [],
          related_resources: [],
          request_id: requestId(),
          response: null,
          status,
          title: code,
        },
      ],
    },
  };
}

/** (b) A request without the Scp-* auth headers gets a Spring-style 404 (S4 reports/runtime_errors.json: 58/58 services). */
function springNotFound(path: string, now: number): SimResponse {
  const id = `${(++requestSeq).toString(16).padStart(8, "0")}-${String(requestSeq % 100000).padStart(5, "0")}`;
  return {
    status: 404,
    body: { timestamp: new Date(now).toISOString().replace("Z", "+00:00"), path, status: 404, error: "Not Found", requestId: id },
  };
}

/** (c) The gateway's rejection (S4 reports/runtime_status.json); bad signatures and timestamps answer 401 (S4 HANDOFF §A), body assumed to be this one. */
function gatewayRejected(message: string): SimResponse {
  return { status: 401, body: { status: "UNAUTHORIZED", name: "Request was rejected by gateway", message } };
}

/** (e) The WAF / rate-limit block: an HTML 417 page with "Request Rejected" and a "Support ID" (S4 regression/scenarios/engine.py). */
function blockPage(): SimResponse {
  const supportId = String(10_000_000_000_000 + ++requestSeq);
  return {
    status: 417,
    headers: { "content-type": "text/html; charset=utf-8" },
    body: `<html><head><title>Request Rejected</title></head><body>The requested URL was rejected. Please consult with your administrator.<br><br>Your support ID is: ${supportId}</body></html>`,
  };
}

/** No official tolerance for Scp-Timestamp is published; the one SCP number is the Queue Service's 15 minutes (D6). */
const TIMESTAMP_WINDOW_MS = 15 * 60_000;

/** The image name rule: 1–255 of letters, digits, "-", "_", space (D7; S3 ImageCreateRequest.name; a live 400, S4 validation_probe.json). */
const NAME_RE = /^[A-Za-z0-9\-_ ]{1,255}$/;
/** List Images' filters (D8, seed 003), each compared with the image's field of the same name. */
const FILTERS = ["os_distro", "status", "visibility", "scp_image_type", "scp_original_image_type"] as const;
/** Server states an image is taken from: ACTIVE and SHUTOFF (S2 docs "Available values"); the 409 for others is documented (D3), which states get it is inferred. */
const IMAGEABLE = new Set(["ACTIVE", "SHUTOFF"]);

export class ScpSim extends SimServer {
  keys: SimKey[];
  createDelayMs: number;
  createOutcome: "active" | "killed";
  readonly now: () => number;
  readonly images = new Map<string, SimImage>();
  readonly servers = new Map<string, SimServerRecord>();
  /** the next this-many requests meet the gateway's block page */
  blockRequests: number;
  versions: ScpSimVersion[];
  catalogueDelayMs: number;
  duplicateNames: "refuse" | "accept";
  nameFilter: "exact" | "contains";
  deleteDelayMs: number;
  protectedAnswer: 403 | 409;
  /** the next this-many deletes are answered 409 (documented for DELETE; its meaning is not) */
  deleteConflicts = 0;
  /** the next this-many deletes are answered 404 (documented for an unknown image) with the image left there: a 404 proves nothing alone */
  deleteNotFound = 0;
  readLagMs: number;
  ownerId: "account" | "project";
  /** an image's members (List members: GET /v1/images/{id}/members), by image id */
  readonly members = new Map<string, Array<{ member_id: string; status: string; created_at?: string; updated_at?: string }>>();
  unknownMember: "refuse" | "accept";
  /** the account of the request being answered (its key's accountId) */
  private caller = "";

  constructor(options: ScpSimOptions = {}) {
    super(
      "scp",
      (req) => this.handle(req),
      () => this.counts(),
    );
    this.keys = options.keys ?? [{ ...SCP_DEMO.keys }];
    this.createDelayMs = options.createDelayMs ?? 3000;
    this.createOutcome = options.createOutcome ?? "active";
    this.now = options.now ?? Date.now;
    this.blockRequests = options.blockRequests ?? 0;
    this.versions = [...(options.versions ?? SEED_VERSIONS)];
    this.catalogueDelayMs = options.catalogueDelayMs ?? 0;
    this.duplicateNames = options.duplicateNames ?? "accept";
    this.nameFilter = options.nameFilter ?? "exact";
    this.deleteDelayMs = options.deleteDelayMs ?? 0;
    this.protectedAnswer = options.protectedAnswer ?? 403;
    this.readLagMs = options.readLagMs ?? 0;
    this.ownerId = options.ownerId ?? "account";
    this.unknownMember = options.unknownMember ?? "refuse";
    for (const raw of [...seedImages(), ...generated(options.generatedImages ?? 0)]) this.addImage(raw);
    this.servers.set(SCP_DEMO.servers.active, {
      id: SCP_DEMO.servers.active,
      name: "web-01",
      state: "ACTIVE",
      image_id: "1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a01",
    });
    // BUILD: Nova's state while a server is being made (not in SCP's docs; any state but ACTIVE/SHUTOFF would do)
    this.servers.set(SCP_DEMO.servers.busy, {
      id: SCP_DEMO.servers.busy,
      name: "batch-02",
      state: "BUILD",
      image_id: "1f0c6a2e-3b4d-4e5f-8a9b-0c1d2e3f4a03",
    });
  }

  /** What /__sim/state reports. */
  counts(): { images: number; servers: number } {
    return { images: this.images.size, servers: this.servers.size };
  }

  addImage(raw: Raw): void {
    this.images.set(raw.id, { raw, createdMs: Date.parse(zoneless(raw.created_at)) });
  }

  /** Whether reads show the image yet (readLagMs after its create). */
  private readable(img: SimImage): boolean {
    return !img.create || this.now() - img.create.at >= this.readLagMs;
  }

  /**
   * The image as the API shows it now. A create's status follows the clock through Glance's lifecycle
   * (D9: queued → saving → active, or killed on failure); the official provider polls until "active" (S2 image.go).
   */
  view(img: SimImage): Raw {
    const raw = this.ownerId === "project" && img.raw.owner === OWN_ACCOUNT ? { ...img.raw, owner: SCP_OWN_PROJECT } : img.raw;
    if (img.deleted) return { ...raw, status: "pending_delete" };
    if (!img.create) return raw;
    const elapsed = this.now() - img.create.at;
    const { delayMs, outcome } = img.create;
    const status = elapsed >= delayMs ? outcome : elapsed >= delayMs / 5 ? "saving" : "queued";
    return { ...raw, status, size: status === "active" ? img.create.sizeWhenDone : null };
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    for (const [id, img] of this.images) if (img.deleted && this.now() - img.deleted.at >= img.deleted.delayMs) this.images.delete(id);
    if (this.blockRequests > 0) {
      this.blockRequests--;
      return blockPage();
    }
    const res = this.route(req);
    if (req.url.pathname === "/" && this.catalogueDelayMs > 0) await new Promise((r) => setTimeout(r, this.catalogueDelayMs));
    return res;
  }

  private route(req: SimRequest): SimResponse {
    // the version catalogue is answered without authentication (D1; the SDK's CheckVersion sends no headers)
    if (req.method === "GET" && req.url.pathname === "/") {
      return {
        status: 200,
        body: { versions: this.versions.map((v) => ({ ...v, links: [{ href: `${this.url}/${v.id.split(".")[0]}`, rel: "self" }] })) },
      };
    }
    const denied = this.authenticate(req);
    if (denied) return denied;
    const parts = req.url.pathname
      .split("/")
      .filter(Boolean)
      .map((p) => safeDecode(p));
    if (parts[0] !== "v1") return scpError(404, "NotFound", "no such API");
    // 404 for an unknown image or server id, also a malformed one (S4 reports/runtime_notfound.json)
    if (req.method === "GET" && parts[1] === "images" && parts.length === 2) return this.list(req);
    if (req.method === "GET" && parts[1] === "images" && parts.length === 3) {
      const img = this.images.get(parts[2]!);
      return img && this.readable(img)
        ? { status: 200, body: this.view(img) }
        : scpError(404, "ImageNotFound", `Image ${parts[2]} could not be found.`);
    }
    if (req.method === "GET" && parts[1] === "servers" && parts.length === 2)
      return listServers(
        req.url.searchParams,
        [...this.servers.values()].map((s) => this.serverView(s)),
        this.nameFilter,
      );
    if (req.method === "GET" && parts[1] === "servers" && parts.length === 3) {
      const s = this.servers.get(parts[2]!);
      return s ? { status: 200, body: this.serverView(s) } : scpError(404, "ServerNotFound", `Server ${parts[2]} could not be found.`);
    }
    if (req.method === "POST" && parts[1] === "servers" && parts[3] === "images" && parts.length === 4) return this.create(parts[2]!, req);
    if (req.method === "DELETE" && parts[1] === "images" && parts.length === 3) return this.delete(parts[2]!);
    if (req.method === "GET" && parts[1] === "images" && parts[3] === "members" && parts.length === 4) {
      // List members (S3 api_virtualserver_v1_image_member.go): {"members": [ImageMemberShowResponse]}
      return this.images.has(parts[2]!)
        ? { status: 200, body: { members: this.members.get(parts[2]!) ?? [] } }
        : scpError(404, "ImageNotFound", `Image ${parts[2]} could not be found.`);
    }
    if (parts[1] === "images" && parts[3] === "members") {
      if (req.method === "POST" && parts.length === 4) return this.addMember(parts[2]!, req);
      if (req.method === "PUT" && parts.length === 5) return this.setMember(parts[2]!, parts[4]!, req);
      if (req.method === "DELETE" && parts.length === 5) return this.removeMember(parts[2]!, parts[4]!);
    }
    if (req.method === "PUT" && parts[1] === "images" && parts.length === 3) return this.setImage(parts[2]!, req);
    return scpError(404, "NotFound", `no route for ${req.method} ${req.url.pathname}`);
  }

  /** The JSON body of a request, or a 400 (the envelope of the create's). */
  private json(req: SimRequest): { body: Record<string, unknown> } | { refused: SimResponse } {
    try {
      const body = JSON.parse(req.body || "null");
      return { body: body && typeof body === "object" ? body : {} };
    } catch {
      return { refused: scpError(400, "ValidationError", "The request body is not valid JSON.") };
    }
  }

  /** The image of `id` if the calling account owns it (Glance: only the owner changes an image or its members). */
  private owned(id: string, action: string): { image: SimImage } | { refused: SimResponse } {
    const image = this.images.get(id);
    if (!image || image.deleted) return { refused: scpError(404, "ImageNotFound", `Image ${id} could not be found.`) };
    if (image.raw.owner !== this.caller || image.raw.visibility === "public")
      return { refused: scpError(403, "Forbidden", `You are not allowed to ${action} image ${id}.`) };
    return { image };
  }

  /** Update image, PUT /v1/images/{id} (S3 model_image_set_request.go ImageSetRequest; visibility `private|shared` only). */
  private setImage(id: string, req: SimRequest): SimResponse {
    const owned = this.owned(id, "update");
    if ("refused" in owned) return owned.refused;
    const read = this.json(req);
    if ("refused" in read) return read.refused;
    const b = read.body;
    if (b.visibility !== undefined && b.visibility !== "private" && b.visibility !== "shared")
      return scpError(400, "ValidationError", "visibility: must be one of private, shared.");
    const { image } = owned;
    if (b.visibility !== undefined) image.raw = { ...image.raw, visibility: b.visibility as string };
    if (typeof b.protected === "boolean") image.raw = { ...image.raw, protected: b.protected };
    return { status: 200, body: this.view(image) };
  }

  /**
   * Add member, POST /v1/images/{id}/members {"member_id"} (S3 model_image_member_create_request.go:
   * `^[A-Za-z0-9-]*$`; 200 ImageMemberShowResponse; 409 documented, Glance's answer to a member
   * already there). Glance adds members only to a shared image (403 otherwise), and a new member is
   * `pending` until the member itself accepts (ImageMemberStatusEnum). An id of no account: `unknownMember`.
   */
  private addMember(id: string, req: SimRequest): SimResponse {
    const owned = this.owned(id, "share");
    if ("refused" in owned) return owned.refused;
    const { image } = owned;
    const read = this.json(req);
    if ("refused" in read) return read.refused;
    const member = read.body.member_id;
    if (typeof member !== "string" || !/^[A-Za-z0-9-]*$/.test(member) || !member)
      return scpError(400, "ValidationError", "member_id: must match ^[A-Za-z0-9-]*$.");
    if (image.raw.visibility !== "shared") return scpError(403, "Forbidden", `Image ${id} is not shared: only shared images have members.`);
    const known = this.keys.some((k) => k.accountId === member) || member === OWN_ACCOUNT;
    if (!known && this.unknownMember === "refuse") return scpError(400, "ValidationError", `member_id: account ${member} does not exist.`);
    const list = this.members.get(id) ?? [];
    if (list.some((m) => m.member_id === member)) return scpError(409, "Conflict", `Member ${member} already exists for image ${id}.`);
    const at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const entry = { member_id: member, status: "pending", created_at: at, updated_at: at };
    this.members.set(id, [...list, entry]);
    return { status: 200, body: { ...entry, image_id: id } };
  }

  /**
   * Accept/reject, PUT /v1/images/{id}/members/{member_id} {"status"} (S3 model_image_member_set_request.go):
   * the member account, with its own keys, sets its status (Glance: the owner cannot; 403).
   */
  private setMember(id: string, member: string, req: SimRequest): SimResponse {
    const entry = this.members.get(id)?.find((m) => m.member_id === member);
    if (!this.images.has(id) || !entry) return scpError(404, "NotFound", `Member ${member} of image ${id} could not be found.`);
    if (this.caller !== member) return scpError(403, "Forbidden", `Only account ${member} can accept or reject image ${id}.`);
    const read = this.json(req);
    if ("refused" in read) return read.refused;
    const status = read.body.status;
    if (status !== "pending" && status !== "accepted" && status !== "rejected")
      return scpError(400, "ValidationError", "status: must be one of pending, accepted, rejected.");
    entry.status = status;
    entry.updated_at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    return { status: 200, body: { ...entry, image_id: id } };
  }

  /** Remove member, DELETE /v1/images/{id}/members/{member_id}: 204 (S3 DeleteImageMember), 404 for no such member. */
  private removeMember(id: string, member: string): SimResponse {
    const owned = this.owned(id, "unshare");
    if ("refused" in owned) return owned.refused;
    const list = this.members.get(id) ?? [];
    if (!list.some((m) => m.member_id === member)) return scpError(404, "NotFound", `Member ${member} of image ${id} could not be found.`);
    this.members.set(
      id,
      list.filter((m) => m.member_id !== member),
    );
    return { status: 204, body: "" };
  }

  /**
   * The signature of the official SDK (client/signature_generator.go MakeHmacSignature) over "http://" + Host + the raw
   * path and query as received: method + url + timestamp + accessKey + accountId + "Openapi", where accountId is the
   * Scp-AccountId header the SDK sends — empty, as the official provider configures it (every request of
   * test/fixtures/oracle/vectors-scp.json), or absent, as the docs' sample signs (method + url + timestamp +
   * accessKey + clientType). The two agree when the account id is empty.
   */
  private authenticate(req: SimRequest): SimResponse | undefined {
    const h = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const accessKey = h("scp-accesskey");
    const signature = h("scp-signature");
    const timestamp = h("scp-timestamp");
    const clientType = h("scp-clienttype");
    const accountId = h("scp-accountid") ?? "";
    if (!accessKey || !signature || !timestamp) return springNotFound(req.url.pathname, this.now());
    if (clientType !== "Openapi") return gatewayRejected("Scp-ClientType is not Openapi.");
    const key = this.keys.find((k) => k.accessKey === accessKey);
    if (!key) return gatewayRejected("The access key is invalid or expired.");
    this.caller = key.accountId ?? OWN_ACCOUNT;
    const ts = Number(timestamp);
    if (!/^\d+$/.test(timestamp) || Math.abs(this.now() - ts) > TIMESTAMP_WINDOW_MS)
      return gatewayRejected("Scp-Timestamp is outside the allowed window.");
    const url = `http://${h("host") ?? ""}${req.rawUrl}`;
    const expected = createHmac("sha256", key.secretKey)
      .update(`${req.method + url + timestamp + accessKey + accountId}Openapi`, "utf8")
      .digest();
    const given = Buffer.from(signature, "base64");
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return gatewayRejected("The request signature does not match.");
    return this.checkVersion(h("scp-api-version"));
  }

  /**
   * Scp-Api-Version (D1): "If the header is not set, the latest current version supported by the product will be called";
   * past its Not Before date a version "is no longer supported" (D8), PLANNED ones are "not callable" (D1), and a
   * version the server does not serve is refused with HTTP 406 (S4b versioning.doc-version-not-supported; its body
   * was not captured: the envelope is assumed). What is served is what the catalogue lists.
   */
  private checkVersion(header: string | undefined): SimResponse | undefined {
    if (header === undefined) return undefined;
    const v = /^virtualserver (\d+\.\d+)$/.exec(header)?.[1];
    const entry = this.versions.find((e) => e.id === `v${v}`);
    const ended = entry?.not_before ? this.now() >= Date.parse(`${entry.not_before}T00:00:00Z`) : false;
    if (!entry || entry.status === "PLANNED" || ended) {
      return scpError(406, "NotAcceptable", `${header} is not supported.`);
    }
    return undefined;
  }

  /**
   * GET /v1/images (D8): limit (default 20; 1–1000, S1 1.0 openapi.yaml), marker ("The last item's ID from previous
   * request"; an unknown one is a 400 in Glance), sort ("<key>[:<direction>]", default created_at:desc), filters.
   * The answer is {"images": [...]} only, no count or next link (S3 ImageListResponseV1Dot3; S4 runtime_pagination.json).
   */
  private list(req: SimRequest): SimResponse {
    const q = req.url.searchParams;
    const limitRaw = q.get("limit");
    const limit = limitRaw === null ? 20 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000 || (limitRaw !== null && !/^\d+$/.test(limitRaw))) {
      return scpError(400, "ValidationError", "limit: must be an integer from 1 to 1000.");
    }
    // ImageVisibilityEnum (S3)
    const vis = q.get("visibility");
    if (vis !== null && !["public", "community", "shared", "private"].includes(vis)) {
      return scpError(400, "ValidationError", "visibility: must be one of public, community, shared, private.");
    }
    const sort: Array<[string, 1 | -1]> = [];
    for (const part of (q.get("sort") ?? "created_at:desc").split(",")) {
      const [key, dir = "desc"] = part.trim().split(":");
      if (!key || (dir !== "asc" && dir !== "desc")) return scpError(400, "ValidationError", `sort: invalid sort ${part}.`);
      sort.push([key, dir === "asc" ? 1 : -1]);
    }
    if (!sort.some(([k]) => k === "id")) sort.push(["id", sort[sort.length - 1]![1]]);

    const all = [...this.images.values()].filter((img) => this.readable(img)).map((img) => ({ img, view: this.view(img) }));
    const cmp = (a: (typeof all)[number], b: (typeof all)[number]) => {
      for (const [key, dir] of sort) {
        const av = key === "created_at" ? a.img.createdMs : (a.view[key] as string | number | null);
        const bv = key === "created_at" ? b.img.createdMs : (b.view[key] as string | number | null);
        if (av === bv) continue;
        if (av === null || av === undefined) return 1;
        if (bv === null || bv === undefined) return -1;
        return (av < bv ? -1 : 1) * dir;
      }
      return 0;
    };
    const name = q.get("name");
    const nameOk = (n: unknown) => name === null || (this.nameFilter === "exact" ? n === name : String(n ?? "").includes(name));
    let rows = all.filter(({ view }) => nameOk(view.name) && FILTERS.every((f) => q.get(f) === null || String(view[f] ?? "") === q.get(f)));
    rows.sort(cmp);
    const marker = q.get("marker");
    if (marker !== null) {
      const m = all.find(({ img }) => img.raw.id === marker);
      if (!m) return scpError(400, "ValidationError", `marker: image ${marker} could not be found.`);
      rows = rows.filter((r) => cmp(r, m) > 0);
    }
    return { status: 200, body: { images: rows.slice(0, limit).map((r) => r.view) } };
  }

  /**
   * POST /v1/servers/{server_id}/images with {"image_name"} (D3; S3 ServerCreateImageRequestBody): 202 {"image_id"},
   * 404 for an unknown server and 409 (both documented, D3).
   */
  private create(serverId: string, req: SimRequest): SimResponse {
    let body: { image_name?: unknown };
    try {
      body = JSON.parse(req.body || "null") ?? {};
    } catch {
      return scpError(400, "ValidationError", "The request body is not valid JSON.");
    }
    const name = body.image_name;
    if (typeof name !== "string" || !NAME_RE.test(name)) {
      return scpError(400, "ValidationError", 'image_name: 1 to 255 letters, digits, "-", "_" or spaces.');
    }
    const server = this.servers.get(serverId);
    if (!server) return scpError(404, "ServerNotFound", `Server ${serverId} could not be found.`);
    if (!IMAGEABLE.has(server.state)) {
      return scpError(
        409,
        "ServerStateConflict",
        `Server ${serverId} is ${server.state}; an image can be created only when it is ACTIVE or SHUTOFF.`,
      );
    }
    // unknown for SCP (Glance accepts it): the option decides
    for (const img of this.duplicateNames === "refuse" ? this.images.values() : []) {
      const v = this.view(img);
      if (v.name === name && img.raw.owner === OWN_ACCOUNT && v.scp_image_type === "custom" && v.status !== "killed") {
        return scpError(409, "ImageNameDuplicated", `An image named ${name} already exists.`);
      }
    }
    const id = randomUUID();
    const now = this.now();
    const base = server.image_id ? this.images.get(server.image_id)?.raw : undefined;
    this.images.set(id, {
      raw: image({
        id,
        name,
        created_at: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
        status: "queued",
        size: null,
        os_distro: base?.os_distro ?? null,
        scp_os_version: base?.scp_os_version ?? null,
        checksum: null,
      }),
      createdMs: now,
      create: { at: now, delayMs: this.createDelayMs, outcome: this.createOutcome, sizeWhenDone: 3221225472 },
    });
    return { status: 202, body: { image_id: id } };
  }

  /**
   * DELETE /v1/images/{image_id}: 204 with no body; 404 for an unknown image; 403 and 409 documented (scp.md §4,
   * S1 openapi.yaml `DeleteImage`). An image of another project, or a standard one, is Glance's 403; a `protected`
   * one is refused (`protectedAnswer`); `deleteConflicts` answers 409 (retried: scp.md §4.4).
   */
  private delete(id: string): SimResponse {
    const img = this.images.get(id);
    if (!img || img.deleted) return scpError(404, "ImageNotFound", `Image ${id} could not be found.`);
    if (img.raw.owner !== OWN_ACCOUNT || img.raw.visibility === "public")
      return scpError(403, "Forbidden", `You are not allowed to delete image ${id}.`);
    if (img.raw.protected === true)
      return scpError(
        this.protectedAnswer,
        this.protectedAnswer === 403 ? "Forbidden" : "ImageProtected",
        `Image ${id} is protected and cannot be deleted.`,
      );
    if (this.deleteConflicts > 0) {
      this.deleteConflicts--;
      return scpError(409, "Conflict", `Image ${id} is in use by another operation; try again.`);
    }
    if (this.deleteNotFound > 0) {
      this.deleteNotFound--;
      return scpError(404, "ImageNotFound", `Image ${id} could not be found.`);
    }
    img.deleted = { at: this.now(), delayMs: this.deleteDelayMs };
    if (this.deleteDelayMs <= 0) this.images.delete(id);
    return { status: 204, body: "" };
  }

  private serverView(s: SimServerRecord): Record<string, unknown> {
    return {
      account_id: s.account_id ?? SCP_DEMO.keys.accountId,
      addresses: [{ ip_addresses: [{ ip_address: "192.168.3.2", version: 4 }], subnet_name: "subnet-a" }],
      auto_scaling_group_id: null,
      created_at: "2025-06-01T00:00:00.000+00:00",
      created_by: "97e6b22c9a4143789ca522df7457a32f",
      disk_config: "MANUAL",
      id: s.id,
      image_id: s.image_id,
      is_marketplace: false,
      keypair_name: "demo-key",
      launch_configuration_id: null,
      locked: false,
      metadata: {},
      modified_at: "2025-06-01T00:05:00.000+00:00",
      name: s.name,
      planned_compute_os_type: "open_source",
      product_category: "compute",
      product_offering: "virtual_server",
      security_groups: [{ name: "default" }],
      server_group_id: null,
      server_type: { name: "s1v2m4" },
      state: s.state,
      volumes: [{ delete_on_termination: false, id: "3f500f00-ed80-4566-a057-e31760226f9a" }],
      vpc_id: "vpc-demo",
    };
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** An image of this account as the simulator seeds them (for tests that add their own). */
export const scpImage = (p: Partial<Raw> & { id: string; name: string; created_at: string }): Raw => image(p);
