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
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text = text.replace(" ", "T") + "Z";
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}
