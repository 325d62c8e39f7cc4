import type { Image, ImageStatus, OsInfo, Visibility } from "../../model/image.js";
import { canonicalDistro, osDisplayName, osFamily, toIsoUtc } from "../../model/os.js";
import { text } from "../read.js";
import { unknownImage } from "../../model/image.js";

/**
 * SCP Virtual Server images (ImageShowResponse, Glance-based) → the contract's Image.
 * Pure and total: any input gives an Image, unknown enum values become "unknown" with the raw kept.
 */

/** Glance image statuses as SCP returns them (lower-case). A Map: a status like "__proto__" must not hit Object.prototype. */
const STATUS = new Map<string, ImageStatus>([
  ["active", "available"],
  ["queued", "creating"],
  ["saving", "creating"],
  ["uploading", "creating"],
  ["importing", "creating"],
  ["killed", "failed"],
  ["error", "failed"],
  ["pending_delete", "deleting"],
  ["deleted", "deleting"],
  // deactivated: the image exists but cannot be used; none of the contract's states fits
]);

const VISIBILITIES = new Set<string>(["public", "private", "shared", "community"]);

/** scp_image_type values provided by the cloud; "custom" is the user's own. */
const PUBLIC_TYPES = new Set<string>(["standard", "public", "marketplace"]);

export interface ScpContext {
  account: string;
  region: string;
}

const str = (v: unknown) => text(v, { keepEmpty: true });

export function scpStatus(raw: string): ImageStatus {
  return STATUS.get(raw.trim().toLowerCase()) ?? "unknown";
}

function architecture(raw: unknown): Image["architecture"] {
  const a = str(raw)?.toLowerCase();
  if (!a) return null;
  if (a === "x86_64" || a === "amd64" || a === "x86-64" || a === "x64") return "x86_64";
  if (a === "arm64" || a === "aarch64") return "arm64";
  return null;
}

function size(raw: unknown): number | null {
  const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function osInfo(rawDistro: string | null, rawVersion: string | null): OsInfo {
  const distro = canonicalDistro(rawDistro);
  const version = rawVersion?.trim() || null;
  // named as people write it ("Rocky Linux 9.4"), not as the os_distro code ("rocky 9.4")
  return { family: osFamily(distro, rawDistro), distro, version, name: osDisplayName({ distro, version }) };
}

export function normalizeScpImage(raw: unknown, ctx: ScpContext): Image {
  const r = (raw !== null && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  const providerStatus = str(r.status) ?? "";
  const visibilityRaw = str(r.visibility)?.toLowerCase() ?? "";
  const typeRaw = str(r.scp_image_type)?.toLowerCase() ?? "";
  // kind: the cloud's own type field decides; without a known one, public visibility means the cloud's image
  const kind: Image["kind"] =
    typeRaw === "custom" ? "custom" : PUBLIC_TYPES.has(typeRaw) ? "public" : visibilityRaw === "public" ? "public" : "custom";
  const visibility: Visibility = VISIBILITIES.has(visibilityRaw) ? (visibilityRaw as Visibility) : kind === "public" ? "public" : "private";
  return {
    provider: "scp",
    account: ctx.account,
    region: ctx.region,
    id: str(r.id) ?? "",
    name: str(r.name) ?? "",
    description: str(r.description),
    kind,
    visibility,
    status: providerStatus ? scpStatus(providerStatus) : "unknown",
    providerStatus,
    os: osInfo(str(r.os_distro), str(r.scp_os_version)),
    architecture: architecture(r.architecture ?? r.hw_architecture),
    sizeBytes: size(r.size),
    createdAt: toIsoUtc(str(r.created_at)),
    // not in SCP's documented schema; Glance sets instance_uuid on server snapshots, so take it when present
    sourceServerId: str(r.instance_uuid) ?? str(r.server_id),
  };
}

/**
 * The create call answers only 202 {image_id} (docs: Create Image from Server). When the image cannot be
 * read yet, this stands for it: what we asked for (id, name, source server), and nothing invented —
 * its status is "unknown" with no provider status, until a read says otherwise.
 */
export function unreadScpImage(id: string, name: string, serverId: string, ctx: ScpContext): Image {
  return unknownImage({ provider: "scp", account: ctx.account, region: ctx.region, id, name, sourceServerId: serverId });
}
