/** The one image model every function returns (CONTRACT.md section 2). */
export const PROVIDERS = ["ncp", "scp", "iwinv"] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export type ImageStatus = "creating" | "available" | "failed" | "deleting" | "unknown";
export type Visibility = "public" | "private" | "shared" | "community";

export interface OsInfo {
  family: "linux" | "windows" | "unknown";
  distro: string | null;
  version: string | null;
  name: string | null;
}

export interface Image {
  provider: ProviderName;
  account: string;
  region: string;
  id: string;
  name: string;
  description: string | null;
  kind: "public" | "custom";
  visibility: Visibility;
  status: ImageStatus;
  providerStatus: string;
  os: OsInfo;
  architecture: "x86_64" | "arm64" | null;
  sizeBytes: number | null;
  createdAt: string | null;
  sourceServerId: string | null;
}

/**
 * An image the cloud could not (yet) say anything of: what we know of it (where, its id, its
 * name), and nothing invented — status `unknown` unless the caller knows better.
 */
export function unknownImage(
  known: Pick<Image, "provider" | "account" | "region" | "id" | "name"> &
    Partial<Pick<Image, "status" | "providerStatus" | "sourceServerId">>,
): Image {
  return {
    description: null,
    kind: "custom",
    visibility: "private",
    status: "unknown",
    providerStatus: "",
    os: { family: "unknown", distro: null, version: null, name: null },
    architecture: null,
    sizeBytes: null,
    createdAt: null,
    sourceServerId: null,
    ...known,
  };
}
