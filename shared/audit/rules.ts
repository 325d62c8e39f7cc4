import { factsOf } from "../model/facts.js";
import type { Image } from "../model/image.js";
import { osDisplayName } from "../model/os.js";
import { count, duration } from "../model/words.js";
import eolTable from "./eol-dates.json" with { type: "json" };
import { ageMs, DAY_MS, finding, type Finding, type Rule } from "./finding.js";

/** Creating for longer than AUDIT_STUCK_MINUTES (exactly at the threshold is not yet stuck). */
export const stuckCreating: Rule = (images, c) =>
  images.flatMap((i) => {
    const age = ageMs(i, c.now);
    if (i.status !== "creating" || age === undefined || age <= c.stuckMinutes * 60_000) return [];
    return [finding("stuck-creating", "critical", i, `creating for ${duration(age)} (limit ${duration(c.stuckMinutes * 60_000)})`)];
  });

export const failed: Rule = (images) =>
  images
    .filter((i) => i.status === "failed")
    .map((i) => finding("failed", "warning", i, `image is in a failed state (${i.providerStatus})`));

/** Custom images older than AUDIT_STALE_DAYS. */
export const staleCustom: Rule = (images, c) =>
  images.flatMap((i) => {
    const age = ageMs(i, c.now);
    if (i.kind !== "custom" || age === undefined || age <= c.staleDays * DAY_MS) return [];
    return [
      finding(
        "stale-custom",
        "info",
        i,
        `custom image is ${count(Math.floor(age / DAY_MS), "day")} old (limit ${count(c.staleDays, "day")})`,
      ),
    ];
  });

/** Whom an image was shared with by hand (no share operation or policy of imageops recorded it), when the audit could tell. */
function byHand(i: Image): string {
  const { sharedWithIds, sharedByHand } = factsOf(i);
  if (!sharedWithIds?.length || !sharedByHand) return "";
  if (!sharedByHand.length) return `; every one shared by imageops (${sharedWithIds.join(", ")})`;
  return `; shared by hand (no policy or share operation recorded it): ${sharedByHand.join(", ")}`;
}

/** Custom images visible beyond the account. */
export const overShared: Rule = (images) =>
  images.flatMap((i) => {
    if (i.kind !== "custom") return [];
    const sharedWith = factsOf(i).sharedWith ?? 0;
    if (i.visibility === "private" && sharedWith === 0) return [];
    const why = i.visibility !== "private" ? `visibility is ${i.visibility}` : `shared with ${count(sharedWith, "other login")}`;
    return [finding("over-shared", "critical", i, `custom image is visible beyond the account: ${why}${byHand(i)}`)];
  });

const EOL = (eolTable as { eol: Record<string, Record<string, string>> }).eol;

/** The table's key for an OS version: "22.04" for Ubuntu, the major version elsewhere, the year for Windows. */
export function eolFromTable(image: Image): string | undefined {
  const distro = image.os.distro;
  if (!distro || !EOL[distro]) return undefined;
  const text = `${image.os.version ?? ""} ${image.os.name ?? ""}`;
  const versions = EOL[distro]!;
  const key =
    distro === "ubuntu"
      ? text.match(/\b(\d{2}\.\d{2})\b/)?.[1]
      : distro === "windows"
        ? text.match(/\b(20\d{2})\b/)?.[1]
        : text.match(/\b(\d{1,2})(?:\.\w+)?\b/)?.[1];
  return key ? versions[key] : undefined;
}

/** NCP lifecycle phases that mean the OS is no longer supported. */
const ENDED_PHASES = new Set(["END_OF_SERVICE", "END_OF_SUPPORT", "EOS", "EOL", "DEPRECATED"]);

/** OS past end of life: the provider's own statement first, the distro table otherwise. */
export const eolOs: Rule = (images, c) =>
  images.flatMap((i) => {
    const f = factsOf(i);
    if (f.lifecycle && ENDED_PHASES.has(f.lifecycle.toUpperCase())) {
      return [finding("eol-os", "warning", i, `the provider marks this image ${f.lifecycle}`)];
    }
    const eol = f.eolDate ?? eolFromTable(i);
    if (!eol || Date.parse(eol) >= c.now) return [];
    const source = f.eolDate ? "the provider" : "the distro's published dates";
    return [
      finding("eol-os", "warning", i, `${osDisplayName(i.os) ?? i.os.name} reached end of life on ${eol.slice(0, 10)} (per ${source})`),
    ];
  });

/** The same custom image name in more than one account/region of a provider. */
export const duplicateName: Rule = (images) => {
  const groups = new Map<string, Image[]>();
  for (const i of images) {
    if (i.kind !== "custom") continue;
    const key = `${i.provider}\u0000${i.name}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const out: Finding[] = [];
  for (const group of groups.values()) {
    const places = new Set(group.map((i) => `${i.account}/${i.region}`));
    if (places.size < 2) continue;
    for (const i of group)
      out.push(
        finding(
          "duplicate-name",
          "info",
          i,
          `name "${i.name}" is also used in ${[...places].filter((p) => p !== `${i.account}/${i.region}`).join(", ")}`,
        ),
      );
  }
  return out;
};

export const RULES: Record<string, Rule> = {
  "stuck-creating": stuckCreating,
  failed,
  "stale-custom": staleCustom,
  "over-shared": overShared,
  "eol-os": eolOs,
  "duplicate-name": duplicateName,
};
