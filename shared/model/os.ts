import type { OsInfo } from "./image.js";

/**
 * Canonical lower-case distro names across providers ("Rocky Linux", "ROCKYLINUX", "rocky" → "rocky").
 * Checked in order; the first pattern found anywhere in the text wins.
 */
const DISTROS: Array<[RegExp, string]> = [
  [/ubuntu|ubnt|ubd|ubs/, "ubuntu"],
  [/rocky/, "rocky"],
  [/alma/, "alma"],
  [/cent|cnt/, "centos"],
  [/red ?hat|rhel/, "rhel"],
  [/oracle|ol\d/, "oracle"],
  [/debian/, "debian"],
  [/fedora/, "fedora"],
  [/opensuse|suse|sles/, "opensuse"],
  [/freebsd/, "freebsd"],
  [/coreos/, "coreos"],
  [/mint/, "mint"],
  [/hamonikr/, "hamonikr"],
  [/windows|win(dows)?[ _-]?server|wnd|^win/, "windows"],
];

/** Canonical distro for a provider's text; unknown non-empty values are kept, lower-cased. */
export function canonicalDistro(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const text = raw.trim().toLowerCase();
  if (!text) return null;
  for (const [re, name] of DISTROS) if (re.test(text)) return name;
  return text;
}

/** Each canonical distro as people write it ("Rocky Linux 9", not "rocky 9.X"). */
const DISPLAY: Record<string, string> = {
  ubuntu: "Ubuntu",
  rocky: "Rocky Linux",
  alma: "AlmaLinux",
  centos: "CentOS",
  rhel: "RHEL",
  oracle: "Oracle Linux",
  debian: "Debian",
  fedora: "Fedora",
  opensuse: "openSUSE",
  freebsd: "FreeBSD",
  coreos: "CoreOS",
  mint: "Linux Mint",
  hamonikr: "HamoniKR",
  windows: "Windows",
};

/** The distros imageops knows by name, canonical (what `canonicalDistro` answers for them). */
export const KNOWN_DISTROS: readonly string[] = Object.keys(DISPLAY);

/**
 * An OS as people write it, from the canonical distro and version: "Ubuntu 24.04", "Rocky Linux 9"
 * (a wildcard minor such as iwinv's "9.X" is dropped), "Windows Server 2022 Standard"; null when
 * the distro is unknown.
 */
export function osDisplayName(os: Pick<OsInfo, "distro" | "version">): string | null {
  if (!os.distro) return null;
  let name = DISPLAY[os.distro] ?? os.distro.charAt(0).toUpperCase() + os.distro.slice(1);
  const version = os.version?.trim().replace(/\.[xX*]$/, "") || null;
  // server editions go by year (2019, 2022); desktops by number (10, 11)
  if (os.distro === "windows" && version && /^20\d\d\b/.test(version)) name = "Windows Server";
  return version ? `${name} ${version}` : name;
}

export function osFamily(distro: string | null, hint?: string | null): OsInfo["family"] {
  const h = (hint ?? "").toLowerCase();
  if (distro === "windows" || h.includes("windows") || h === "wnd") return "windows";
  if (h.includes("linux") || h === "lnx") return "linux";
  if (distro && distro !== "windows") return "linux";
  return "unknown";
}

/** Provider dates → ISO 8601 UTC. Zone-less timestamps are UTC (as SCP's SDK treats them). */
export function toIsoUtc(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let text = raw.trim();
  // "+0900" → "+09:00" (NCP); a date-time with no zone gets "Z"
  text = text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = `${text.replace(" ", "T")}Z`;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
