import { describe, expect, it } from "vitest";
import { auditConfig } from "../../shared/audit/config.js";
import { auditSummaryMessage, auditThread, needsFullList } from "../../shared/audit/report.js";
import { duplicateName, eolFromTable, eolOs, failed, overShared, staleCustom, stuckCreating } from "../../shared/audit/rules.js";
import { setFacts } from "../../shared/model/facts.js";
import type { Image } from "../../shared/model/image.js";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const config = { now: NOW, staleDays: 180, stuckMinutes: 60 };
const minutesAgo = (m: number) => new Date(NOW - m * 60_000).toISOString();
const daysAgo = (d: number) => new Date(NOW - d * 86_400_000).toISOString();

function image(over: Partial<Image> = {}): Image {
  return {
    provider: "ncp",
    account: "prod",
    region: "KR",
    id: "1",
    name: "web",
    description: null,
    kind: "custom",
    visibility: "private",
    status: "available",
    providerStatus: "CREAT",
    os: { family: "linux", distro: "ubuntu", version: "24.04", name: "Ubuntu 24.04" },
    architecture: "x86_64",
    sizeBytes: 1,
    createdAt: daysAgo(1),
    sourceServerId: null,
    ...over,
  };
}
const ids = (findings: { imageId: string }[]) => findings.map((f) => f.imageId);

describe("audit rules", () => {
  it("stuck-creating: only past the threshold, not at it", () => {
    const images = [
      image({ id: "at", status: "creating", createdAt: minutesAgo(60) }),
      image({ id: "past", status: "creating", createdAt: minutesAgo(61) }),
      image({ id: "done", status: "available", createdAt: minutesAgo(500) }),
      image({ id: "nodate", status: "creating", createdAt: null }),
    ];
    const out = stuckCreating(images, config);
    expect(ids(out)).toEqual(["past"]);
    expect(out[0]).toMatchObject({ rule: "stuck-creating", severity: "critical" });
    expect(ids(stuckCreating(images, { ...config, stuckMinutes: 30 }))).toEqual(["at", "past"]);
  });

  it("says how long in words a person reads: minutes, hours or days, with the limit's unit", () => {
    const message = (createdAt: string) => stuckCreating([image({ status: "creating", createdAt })], config)[0]!.message;
    expect(message(minutesAgo(95))).toBe("creating for 95 min (limit 60 min)");
    expect(message(minutesAgo(5 * 60 + 10))).toBe("creating for 5 hours (limit 60 min)");
    expect(message(minutesAgo(747_929))).toBe("creating for 519 days (limit 60 min)");
    expect(staleCustom([image({ createdAt: daysAgo(181) })], config)[0]!.message).toBe("custom image is 181 days old (limit 180 days)");
    expect(overShared([setFacts(image(), { sharedWith: 1 })], config)[0]!.message).toMatch(/shared with 1 other login$/);
  });

  it("names the OS as people write it, not as a provider code", () => {
    const raw = image({ os: { family: "linux", distro: "ubuntu", version: "16.04", name: "UBUNTU" } });
    expect(eolOs([raw], config)[0]!.message).toBe("Ubuntu 16.04 reached end of life on 2021-04-30 (per the distro's published dates)");
  });

  it("failed: every failed image, as a warning", () => {
    const out = failed([image({ id: "a", status: "failed", providerStatus: "CREFL" }), image({ id: "b" })], config);
    expect(out).toEqual([expect.objectContaining({ imageId: "a", severity: "warning", message: expect.stringContaining("CREFL") })]);
  });

  it("stale-custom: custom images older than the threshold only", () => {
    const out = staleCustom(
      [
        image({ id: "at", createdAt: daysAgo(180) }),
        image({ id: "old", createdAt: daysAgo(181) }),
        image({ id: "public-old", kind: "public", createdAt: daysAgo(900) }),
      ],
      config,
    );
    expect(ids(out)).toEqual(["old"]);
    expect(out[0]!.severity).toBe("info");
  });

  it("over-shared: custom images beyond the account, by visibility or share list", () => {
    const sharedByList = setFacts(image({ id: "list" }), { sharedWith: 2 });
    const out = overShared(
      [
        image({ id: "private" }),
        image({ id: "pub", visibility: "public" }),
        image({ id: "comm", visibility: "community" }),
        image({ id: "shr", visibility: "shared" }),
        sharedByList,
        image({ id: "cloud", kind: "public", visibility: "public" }),
      ],
      config,
    );
    expect(ids(out)).toEqual(["pub", "comm", "shr", "list"]);
    expect(out.every((f) => f.severity === "critical")).toBe(true);
  });

  it("over-shared names whom an image was shared with by hand, when the audit could tell, and says when imageops shared them all", () => {
    const ids2 = ["a@example.com", "b@example.com"];
    const [hand, ours, unread] = overShared(
      [
        setFacts(image({ id: "hand" }), { sharedWith: 2, sharedWithIds: ids2, sharedByHand: ["b@example.com"] }),
        setFacts(image({ id: "ours" }), { sharedWith: 2, sharedWithIds: ids2, sharedByHand: [] }),
        setFacts(image({ id: "unread" }), { sharedWith: 2, sharedWithIds: ids2 }),
      ],
      config,
    );
    expect(hand!.message).toBe(
      "custom image is visible beyond the account: shared with 2 other logins; shared by hand (no policy or share operation recorded it): b@example.com",
    );
    expect(ours!.message).toBe(
      "custom image is visible beyond the account: shared with 2 other logins; every one shared by imageops (a@example.com, b@example.com)",
    );
    expect(unread!.message).toBe("custom image is visible beyond the account: shared with 2 other logins");
  });

  it("eol-os: the provider's date or phase first, the distro table otherwise, boundary exclusive", () => {
    const providerPast = setFacts(image({ id: "iw-past", os: { family: "linux", distro: "rocky", version: "9.X", name: "Rocky 9" } }), {
      eolDate: "2026-01-31",
    });
    const providerFuture = setFacts(image({ id: "iw-future", os: { family: "linux", distro: "centos", version: "7", name: "CentOS 7" } }), {
      eolDate: "2030-01-01",
    });
    const phase = setFacts(image({ id: "phase" }), { lifecycle: "END_OF_SERVICE" });
    const out = eolOs(
      [
        providerPast,
        providerFuture,
        phase,
        image({ id: "u18", os: { family: "linux", distro: "ubuntu", version: "18.04", name: "Ubuntu 18.04" } }),
        image({ id: "u24", os: { family: "linux", distro: "ubuntu", version: "24.04", name: "Ubuntu 24.04" } }),
        image({ id: "c7", os: { family: "linux", distro: "centos", version: "7.9", name: "CentOS 7.9" } }),
        image({ id: "w2012", os: { family: "windows", distro: "windows", version: null, name: "Windows Server 2012 R2" } }),
        image({ id: "mystery", os: { family: "unknown", distro: "plan9", version: "4", name: null } }),
      ],
      config,
    );
    expect(ids(out).sort()).toEqual(["c7", "iw-past", "phase", "u18", "w2012"]);
    const exactly = setFacts(image({ id: "today" }), { eolDate: new Date(NOW).toISOString() });
    expect(eolOs([exactly], config)).toEqual([]);
  });

  it("eol table keys: Ubuntu by release, others by major, Windows by year", () => {
    expect(eolFromTable(image({ os: { family: "linux", distro: "ubuntu", version: "Ubuntu 22.04 LTS", name: null } }))).toBe("2027-06-30");
    expect(eolFromTable(image({ os: { family: "linux", distro: "rocky", version: "8.8", name: null } }))).toBe("2029-05-31");
    expect(eolFromTable(image({ os: { family: "windows", distro: "windows", version: null, name: "Windows Server 2019" } }))).toBe(
      "2029-01-09",
    );
    expect(eolFromTable(image({ os: { family: "linux", distro: "ubuntu", version: null, name: null } }))).toBeUndefined();
  });

  it("duplicate-name: a custom name in more than one account/region of one provider", () => {
    const out = duplicateName(
      [
        image({ id: "a", name: "web", account: "prod" }),
        image({ id: "b", name: "web", account: "stage" }),
        image({ id: "c", name: "web", provider: "scp", region: "kr-west1" }),
        image({ id: "d", name: "db", account: "prod" }),
        image({ id: "e", name: "db", account: "prod" }),
      ],
      config,
    );
    expect(ids(out).sort()).toEqual(["a", "b"]);
    expect(out[0]!.message).toMatch(/also used in ncp|also used in (prod|stage)\/KR/);
  });
});

describe("audit configuration and report", () => {
  it("reads thresholds from the environment and names a bad one", () => {
    expect(auditConfig({}, NOW)).toEqual({ now: NOW, staleDays: 180, stuckMinutes: 60 });
    expect(auditConfig({ AUDIT_STALE_DAYS: "30", AUDIT_STUCK_MINUTES: "15" }, NOW)).toMatchObject({ staleDays: 30, stuckMinutes: 15 });
    expect(() => auditConfig({ AUDIT_STALE_DAYS: "soon" }, NOW)).toThrow(/AUDIT_STALE_DAYS/);
  });

  it("summarizes by severity and cloud, lists criticals, threads the full list when long", () => {
    const f = (i: number, severity: "critical" | "info") => ({
      rule: severity === "critical" ? "over-shared" : "stale-custom",
      severity,
      provider: "ncp" as const,
      account: "prod",
      region: "KR",
      imageId: String(i),
      imageName: `img-${i}`,
      message: "m",
    });
    const findings = [...Array.from({ length: 12 }, (_, i) => f(i, "critical")), f(99, "info")];
    const result = {
      findings,
      summary: { images: 50, findings: 13, bySeverity: { critical: 12, warning: 0, info: 1 } },
      errors: [{ provider: "scp" as const, account: "prod", region: "kr-west1", code: "PROVIDER_UNAVAILABLE" as const, message: "down" }],
    };
    const msg = auditSummaryMessage(result);
    expect(msg.text).toBe("Image audit: 13 finding(s) in 50 image(s) — 12 critical, 0 warning, 1 info");
    const all = JSON.stringify(msg.blocks);
    expect(all).toContain("By cloud: ncp 13");
    expect(all).toContain("img-9");
    expect(all).not.toContain("img-11");
    expect(all).toContain("2 more critical");
    expect(all).toContain("stale-custom 1");
    expect(all).toContain("not audited: scp/prod/kr-west1");
    expect(needsFullList(result)).toBe(true);
    expect(JSON.stringify(auditThread(result))).toContain("img-11");
    expect(
      needsFullList({
        findings: [f(1, "critical")],
        summary: { images: 1, findings: 1, bySeverity: { critical: 1, warning: 0, info: 0 } },
        errors: [],
      }),
    ).toBe(false);
  });
});
