import { setFacts } from "../../model/facts.js";
import type { Image, ImageStatus, OsInfo } from "../../model/image.js";
import { canonicalDistro, osDisplayName, osFamily, toIsoUtc } from "../../model/os.js";
import { type Rec, record, text } from "../read.js";

/**
 * NCP records → the contract's Image. Two shapes: getServerImageList / getServerImageDetail
 * (`serverImageNo`, NCP public and SELF images) and the legacy getMemberServerImageInstance*
 * (`memberServerImageInstanceNo`, XEN own images). Odd input never throws: missing fields
 * become null / "unknown", unknown codes are kept in providerStatus.
 */
const rec = record;
const str = (v: unknown) => text(v);
const code = (v: unknown): string | null => str(rec(v).code);
/** A CommonCode's code (`{code, codeName}`, ncp.md §3.1), undefined when absent or empty. */
export const codeOf = (v: unknown): string | undefined => code(v) ?? undefined;

const STATUS = new Map<string, ImageStatus>([
  ["CREAT", "available"],
  ["INIT", "creating"],
  ["CREFL", "failed"],
  ["TERMT", "deleting"],
  ["DEL", "deleting"],
]);
export const ncpStatus = (c: string | null): ImageStatus => (c ? (STATUS.get(c) ?? "unknown") : "unknown");

/**
 * A deleted image stays listed for a while as status CREAT with operation TERMT ("NSI TERMINATE
 * OP", status name "terminating": the docs' deleteMemberServerImageInstances and classic
 * deleteMemberServerImages examples, ncp.md §3.4): it is being deleted, not available.
 */
const statusOf = (statusCode: string | null, operation: unknown): ImageStatus =>
  code(operation) === "TERMT" ? "deleting" : ncpStatus(statusCode);

const ARCH = new Map<string, Image["architecture"]>([
  ["X86_64", "x86_64"],
  ["ARM64", "arm64"],
  ["AARCH64", "arm64"],
]);

/** "SW.VSVR.OS.LNX64.UBNTU.SVR2004.B050" → {distro: "ubuntu", version: "20.04", family: "linux"} */
export function fromProductCode(productCode: string | null): { distro: string | null; version: string | null; family: OsInfo["family"] } {
  if (!productCode) return { distro: null, version: null, family: "unknown" };
  const parts = productCode.split(".");
  const platform = parts[3] ?? "";
  const distro = canonicalDistro(parts[4] ?? null);
  const digits = /^[A-Z]*?(\d+)/.exec(parts[5] ?? "")?.[1] ?? null;
  return { distro, version: versionOfDigits(distro, digits), family: familyOf(platform, distro) };
}

/** Ubuntu "2004" → "20.04", "24" → "24.04"; others "0810" → "8.10", "79" → "7.9"; Windows keeps the year. */
function versionOfDigits(distro: string | null, digits: string | null): string | null {
  if (!digits || distro === "windows") return digits;
  if (distro === "ubuntu")
    return digits.length === 4 ? `${digits.slice(0, 2)}.${digits.slice(2)}` : digits.length === 2 ? `${digits}.04` : digits;
  if (digits.length === 4) return `${Number(digits.slice(0, 2))}.${Number(digits.slice(2))}`;
  if (digits.length === 2) return `${digits[0]}.${digits[1]}`;
  return digits;
}

function familyOf(platform: string, distro: string | null): OsInfo["family"] {
  return platform.startsWith("WND") ? "windows" : platform.startsWith("LNX") || platform.startsWith("UB") ? "linux" : osFamily(distro);
}

function visibilityOf(kind: Image["kind"], share: Rec, sharedLoginIds: unknown): Image["visibility"] {
  if (kind === "public") return "public";
  const shareCode = code(share.shareStatus);
  const shared = (shareCode !== null && shareCode !== "NULL") || (Array.isArray(sharedLoginIds) && sharedLoginIds.length > 0);
  return shared ? "shared" : "private";
}

function sumSizes(list: unknown): number | null {
  if (!Array.isArray(list) || list.length === 0) return null;
  let total = 0;
  for (const b of list) {
    const size = Number(rec(b).blockStorageSize);
    if (Number.isFinite(size)) total += size;
  }
  return total || null;
}

const versionInName = (text: string | null) => (text ? (/(\d+(?:\.\d+)?)/.exec(text)?.[1] ?? null) : null);

/**
 * A public image's description is its OS as NCP writes it ("Ubuntu Server 24.04 (64-bit)"); any
 * other image is named from its distro and version ("Ubuntu 24.04"), never from the osType code
 * name ("UBUNTU").
 */
function osOf(family: OsInfo["family"], distro: string | null, version: string | null, described: string | null): OsInfo {
  return { family, distro, version, name: described ?? osDisplayName({ distro, version }) };
}

export function normalizeNcpServerImage(raw: unknown, where: { account: string; region: string }): Image {
  const r = rec(raw);
  const typeCode = code(r.serverImageType);
  const kind: Image["kind"] = typeCode === "NCP" ? "public" : "custom";
  const providerStatus = code(r.serverImageStatus) ?? "";
  const name = str(r.serverImageName) ?? str(r.serverImageNo) ?? "";
  const product = fromProductCode(str(r.serverImageProductCode));
  const osTypeCode = code(r.osType);
  const distro = canonicalDistro(osTypeCode) ?? product.distro;
  const description = str(r.serverImageDescription);
  const image: Image = {
    provider: "ncp",
    account: where.account,
    region: where.region,
    id: str(r.serverImageNo) ?? "",
    name,
    description,
    kind,
    visibility: visibilityOf(kind, r, r.sharedLoginIdList),
    status: statusOf(providerStatus, r.serverImageOperation),
    providerStatus,
    os: osOf(
      osFamily(distro, code(r.osCategoryType)),
      distro,
      product.version ?? versionInName(kind === "public" ? name : null),
      kind === "public" ? description : null,
    ),
    architecture: ARCH.get(code(r.cpuArchitectureType) ?? "") ?? null,
    sizeBytes: sumSizes(r.blockStorageMappingList),
    createdAt: toIsoUtc(str(r.createDate)),
    sourceServerId: str(r.originalServerInstanceNo) ?? str(r.serverInstanceNo),
  };
  const sharedWithIds = loginIds(r.sharedLoginIdList);
  const sharedWith = sharedWithIds.length;
  const lifecycle = code(r.serverImageLifeCyclePhase) ?? undefined;
  return lifecycle || sharedWith ? setFacts(image, { lifecycle, sharedWith, ...(sharedWith ? { sharedWithIds } : {}) }) : image;
}

/** sharedLoginIdList's login ids (ServerImage / MemberServerImageInstance, ncp.md §3.1–3.2). */
const loginIds = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string" && x !== "") : []);

export function normalizeNcpMemberImage(raw: unknown, where: { account: string; region: string }): Image {
  const r = rec(raw);
  const providerStatus = code(r.memberServerImageInstanceStatus) ?? "";
  const product = fromProductCode(str(r.originalServerImageProductCode));
  const image: Image = {
    provider: "ncp",
    account: where.account,
    region: where.region,
    id: str(r.memberServerImageInstanceNo) ?? "",
    name: str(r.memberServerImageName) ?? str(r.memberServerImageInstanceNo) ?? "",
    description: str(r.memberServerImageDescription),
    kind: "custom",
    visibility: visibilityOf("custom", r, r.sharedLoginIdList),
    status: statusOf(providerStatus, r.memberServerImageInstanceOperation),
    providerStatus,
    os: osOf(product.family, product.distro, product.version, null),
    architecture: str(r.originalServerImageProductCode)?.includes("64") ? "x86_64" : null,
    sizeBytes:
      Number.isFinite(Number(r.memberServerImageBlockStorageTotalSize)) && r.memberServerImageBlockStorageTotalSize != null
        ? Number(r.memberServerImageBlockStorageTotalSize)
        : null,
    createdAt: toIsoUtc(str(r.createDate)),
    sourceServerId: str(r.originalServerInstanceNo),
  };
  const sharedWithIds = loginIds(r.sharedLoginIdList);
  return sharedWithIds.length ? setFacts(image, { sharedWith: sharedWithIds.length, sharedWithIds }) : image;
}
