/** Words a person reads: OS names as people write them, counts and durations. */
import { describe, expect, it } from "vitest";
import { osDisplayName } from "../../shared/model/os.js";
import { count, duration } from "../../shared/model/words.js";

describe("osDisplayName", () => {
  it.each([
    ["ubuntu", "24.04", "Ubuntu 24.04"],
    ["rocky", "9.X", "Rocky Linux 9"],
    ["alma", "8.x", "AlmaLinux 8"],
    ["centos", "7.9", "CentOS 7.9"],
    ["rhel", "9.4", "RHEL 9.4"],
    ["windows", "2022 Standard", "Windows Server 2022 Standard"],
    ["windows", "11", "Windows 11"],
    ["opensuse", null, "openSUSE"],
    ["gentoo", "2.17", "Gentoo 2.17"],
  ])("%s %s → %s", (distro, version, name) => {
    expect(osDisplayName({ distro, version })).toBe(name);
  });

  it("is null for an unknown distro", () => {
    expect(osDisplayName({ distro: null, version: "1.0" })).toBeNull();
  });
});

describe("count and duration", () => {
  it("counts in the singular for exactly one", () => {
    expect([count(0, "server"), count(1, "server"), count(2, "server"), count(1, "check"), count(3, "match", "matches")]).toEqual([
      "0 servers",
      "1 server",
      "2 servers",
      "1 check",
      "3 matches",
    ]);
  });

  it("uses minutes under two hours, hours under two days, then days, rounded down", () => {
    expect(
      [0, 59_999, 60_000, 119 * 60_000, 120 * 60_000, 47 * 3_600_000 + 59 * 60_000, 48 * 3_600_000, 747_929 * 60_000].map(duration),
    ).toEqual(["0 min", "0 min", "1 min", "119 min", "2 hours", "47 hours", "2 days", "519 days"]);
    expect(duration(-5_000)).toBe("0 min");
  });
});
