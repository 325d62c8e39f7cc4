import { setFacts } from "../../model/facts.js";
import type { Image, ImageStatus, OsInfo, Visibility } from "../../model/image.js";
import { canonicalDistro, osFamily, toIsoUtc } from "../../model/os.js";
import { type Rec, record, text } from "../read.js";

/**
 * iwinv Image List / Image Detail records → the contract's Image.
 * Public records (docs example): {image_id, visibility, os: {type, name, status, content[], os_type,
 * version, oid}, image_type, zone[]}. The docs warn the shape "can vary between public and private
 * images", so private fields (name, description, created_at, status, size) are read when present.
 * Never throws: odd input gives an Image with empty/unknown fields rather than losing the record.
 */

export interface IwinvContext {
  account: string;
  /** the zone asked for (zone_id), e.g. kr2-z01 */
  region: string;
}

const asRec = record;
/** as given (ids and raw status codes are kept unchanged) */
const raw0 = (v: unknown) => text(v);
/** trimmed, for display text */
const str = (v: unknown) => text(v, { trim: true });

const STATUS: Record<string, ImageStatus> = {
  available: "available",
  active: "available",
  ready: "available",
  normal: "available",
  creating: "creating",
  create: "creating",
  pending: "creating",
  queued: "creating",
  saving: "creating",
  building: "creating",
  uploading: "creating",
  importing: "creating",
  work: "creating",
  working: "creating",
  in_progress: "creating",
  error: "failed",
  failed: "failed",
  fail: "failed",
  killed: "failed",
  deleting: "deleting",
  deleted: "deleting",
  pending_delete: "deleting",
};

export function iwinvImageStatus(raw: string | null): ImageStatus {
  if (!raw) return "unknown";
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  return Object.hasOwn(STATUS, key) ? STATUS[key]! : "unknown";
}

/** os_type / name → canonical distro ("ROCKYLINUX" → rocky, "CENT" → centos). */
function distroOf(osType: string | null, name: string | null): string | null {
  if (osType) {
    const d = canonicalDistro(osType);
    // "OS" or "LINUX" say nothing about the distro: try the name instead
    if (d && d !== "os" && d !== "linux") return d;
  }
  return canonicalDistro(name);
}

const VERSION_RE = /\d+(?:\.(?:\d+|[xX]))*/;

/** "9.X" stays, "Ubuntu 24.04 LTS" → "24.04", "Rocky Linux release 9.0 (Blue Onyx)" → "9.0". */
function versionOf(version: string | null, name: string | null): string | null {
  for (const text of [version, name]) {
    if (!text) continue;
    const m = VERSION_RE.exec(text);
    if (m) return m[0];
  }
  return version;
}

const X86 = /x86_64|amd64|x64\b/i;
const ARM = /aarch64|arm64/i;

function architectureOf(rec: Rec, texts: string[]): Image["architecture"] {
  const explicit = str(rec.architecture) ?? str(rec.arch);
  for (const t of explicit ? [explicit] : texts) {
    if (X86.test(t)) return "x86_64";
    if (ARM.test(t)) return "arm64";
  }
  return null;
}

function visibilityOf(raw: string | null, id: string): Visibility {
  const v = raw?.toLowerCase();
  if (v === "public" || v === "private" || v === "shared" || v === "community") return v;
  // public ids carry the PIMAGE- prefix in every documented example
  return id.startsWith("PIMAGE-") ? "public" : "private";
}

function sizeOf(rec: Rec): number | null {
  for (const v of [rec.size_bytes, rec.sizeBytes]) {
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) return Math.round(v);
    if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v.trim());
  }
  return null;
}

/** iwinv is a Korean cloud: a zone-less "YYYY-MM-DD HH:MM:SS" is read as KST (+09:00). */
function createdAtOf(rec: Rec): string | null {
  const raw = str(rec.created_at) ?? str(rec.create_date) ?? str(rec.created) ?? str(rec.reg_date) ?? str(rec.createdAt);
  if (!raw) return null;
  if (/^\d{10}(\d{3})?$/.test(raw)) {
    const n = Number(raw);
    return new Date(raw.length === 10 ? n * 1000 : n).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(raw)) {
    // zone-less: Korean time. Parsed directly: this is the hot path of listing thousands of images.
    const ms = Date.parse(`${raw.replace(" ", "T")}+09:00`);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  return toIsoUtc(raw);
}

function contentTexts(os: Rec): string[] {
  const c = os.content;
  if (typeof c === "string") return [c];
  if (Array.isArray(c)) return c.filter((x): x is string => typeof x === "string");
  return [];
}

export function normalizeIwinvImage(raw: unknown, ctx: IwinvContext): Image {
  const rec = asRec(raw);
  const os = asRec(rec.os);
  const id = raw0(rec.image_id) ?? raw0(rec.id) ?? "";
  const visibility = visibilityOf(str(rec.visibility), id);
  const kind: Image["kind"] = visibility === "public" ? "public" : "custom";
  const osName = str(os.name);
  const ownName = str(rec.name);
  // a private image is named by its owner; a public one by its OS
  const name = (kind === "custom" ? (ownName ?? osName) : (osName ?? ownName)) ?? id;
  const providerStatus = raw0(os.status) ?? raw0(rec.status) ?? "";
  const osType = str(os.os_type) ?? str(rec.os_type);
  const distro = distroOf(osType, osName ?? ownName);
  const imageType = str(rec.image_type);
  const texts = contentTexts(os);
  const osInfo: OsInfo = {
    family: osFamily(distro, imageType ?? osType),
    distro,
    version: versionOf(str(os.version), osName),
    name: osName,
  };
  const image: Image = {
    provider: "iwinv",
    account: ctx.account,
    region: ctx.region,
    id,
    name,
    description: str(rec.description),
    kind,
    visibility,
    status: iwinvImageStatus(providerStatus),
    providerStatus,
    os: osInfo,
    architecture: architectureOf(rec, osName ? [...texts, osName] : texts),
    sizeBytes: sizeOf(rec),
    createdAt: createdAtOf(rec),
    sourceServerId: raw0(rec.instance_id) ?? raw0(rec.source_instance_id) ?? null,
  };
  // iwinv states the OS end of life in its content text; only the audit reads it, so it is
  // parsed when read rather than for every image listed
  if (texts.length === 0) return image;
  return setFacts(image, {
    get eolDate() {
      return iwinvEolDate(texts) ?? undefined;
    },
  });
}

// "EOL 2027.04", "*EOL 2032 05.31", "[NEW]*EOL 2029 04", "EOL: 2030-12-31", "EOL 2030"
const EOL_RE = /EOL\s*[:=]?\s*(\d{4})(?:\s*[.\-/ ]\s*(\d{1,2})(?:\s*[.\-/ ]\s*(\d{1,2}))?)?(?!\d)/i;

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The end-of-life date in iwinv's os.content text, as "YYYY-MM-DD" (UTC calendar date).
 * A month without a day means the end of that month; a year alone, the end of that year.
 * Accepts a string or the content array; null when there is none or it is not a real date.
 */
export function iwinvEolDate(raw: unknown): string | null {
  const texts = typeof raw === "string" ? [raw] : Array.isArray(raw) ? raw : [];
  for (const t of texts) {
    if (typeof t !== "string" || t.length > 10_000) continue;
    const m = EOL_RE.exec(t);
    if (!m) continue;
    const year = Number(m[1]);
    const month = m[2] === undefined ? 12 : Number(m[2]);
    if (month < 1 || month > 12) return null;
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const day = m[3] === undefined ? last : Number(m[3]);
    if (day < 1 || day > last) return null;
    return `${year}-${pad(month)}-${pad(day)}`;
  }
  return null;
}
