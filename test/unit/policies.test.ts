/**
 * The policies file's schema (errors that name the policy and the field), Scheduler's expressions
 * read as Scheduler reads them (next runs in a time zone, rate spelling), the image name
 * template, and retention's choice of what to keep.
 */
import { describe, expect, it } from "vitest";
import { retain } from "../../shared/policies/retention.js";
import { formatTime, nextRun, parseSchedule, renderImageName, ScheduleError, twoRuns } from "../../shared/policies/schedule.js";
import { MAX_POLICIES, PolicyFileError, validatePolicies } from "../../shared/policies/schema.js";
import { loadPoliciesFile } from "../../shared/policies/load.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildRunPolicy } from "../support/policy-bundle.js";

const valid = {
  name: "web-golden",
  provider: "ncp",
  servers: ["1234567"],
  schedule: "cron(0 3 * * ? *)",
  image: "{server}-{yyyyMMdd-HHmm}",
  retention: { keep: 3 },
  channel: "C0123ABCD",
};
const problems = (policy: Record<string, unknown>, extra: Record<string, unknown>[] = []) => {
  try {
    validatePolicies({ policies: [policy, ...extra] });
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyFileError);
    return (err as PolicyFileError).problems;
  }
  return [];
};

describe("the policies file", () => {
  it("takes a valid policy, with the time zone defaulting to Asia/Seoul and enabled", () => {
    expect(validatePolicies({ policies: [valid] })).toEqual([{ ...valid, timezone: "Asia/Seoul", enabled: true }]);
    expect(validatePolicies({})).toEqual([]);
    expect(validatePolicies({ policies: [{ ...valid, share: ["workload-a@example.com"] }] })[0]!.share).toEqual(["workload-a@example.com"]);
    expect(loadPoliciesFile("test/fixtures/policies-share.yaml")[0]!.share).toHaveLength(2);
  });

  it("the repository's own policies.yaml is valid", () => {
    expect(loadPoliciesFile("policies.yaml").length).toBeGreaterThan(0);
    expect(loadPoliciesFile("test/fixtures/policies.yaml").length).toBeGreaterThan(0);
  });

  it(`holds at most ${MAX_POLICIES} policies (each is a resource of the stack: CloudFormation's 500 a stack), and says so`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ ...valid, name: `web-golden-${i}` }));
    expect(validatePolicies({ policies: many(MAX_POLICIES) })).toHaveLength(MAX_POLICIES);
    expect(() => validatePolicies({ policies: many(MAX_POLICIES + 1) })).toThrow(
      new RegExp(`policies: at most ${MAX_POLICIES} policies: each is one resource of the stack, which CloudFormation limits to 500`),
    );
  });

  it.each([
    [{ provider: "iwinv" }, /field provider: iwinv's API has no image-creation call: a policy cannot make its images/],
    [{ schedule: "cron(0 3 * * * *)" }, /field schedule: .*exactly one of day-of-month and day-of-week must be "\?"/],
    [{ schedule: "cron(0 25 * * ? *)" }, /field schedule: hours "25" is outside 0–23/],
    [{ schedule: "rate(1 hours)" }, /field schedule: .*write rate\(1 hour\)/],
    [{ schedule: "every day" }, /field schedule: "every day" is neither cron/],
    [{ timezone: "Mars/Olympus" }, /field timezone: "Mars\/Olympus" is not an IANA time zone/],
    [{ image: "{server}-golden" }, /field image: needs a time token/],
    [{ image: "{server}-{yyyyMMdd}", schedule: "rate(6 hours)" }, /field image: two runs of rate\(6 hours\) would both name their image/],
    [{ image: "{serverId}-{yyyyMMdd-HHmm}" }, /field image: "1234567-\d{8}-\d{4}" .*breaks ncp's image name rule/],
    [{ image: "{host}-{yyyyMMdd}" }, /field image: unknown token\(s\) \{host\}/],
    [{ servers: ["1", "2"], image: "web-{yyyyMMdd-HHmm}" }, /field image: with several servers the name needs \{server\}/],
    [{ servers: ["1", "1"] }, /field servers: a server is listed twice/],
    [{ retention: {} }, /field retention: needs keep/],
    [{ retention: { keep: 0 } }, /field retention.keep:/],
    [{ channel: "#general" }, /field channel: a Slack channel id/],
    [{ name: "Web_Golden" }, /policy "Web_Golden" \(policies\[0\]\) field name:/],
    [{ colour: "red" }, /unknown field\(s\) colour/],
    [{ share: ["a+b@example.com"] }, /field share: "a\+b@example.com" is not an NCP login id/],
    [
      { provider: "scp", servers: ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"], share: ["partner@example.com"] },
      /field share: .*is not an SCP account id/,
    ],
    [{ share: [] }, /field share:/],
  ])("names the policy and the field: %j", (change, problem) => {
    const found = problems({ ...valid, ...change });
    expect(found.join("\n")).toMatch(problem);
    for (const p of found) expect(p).toMatch(/^policy "[^"]+" \(policies\[0\]\)/);
  });

  it("fails the build of the run-policy bundle (the one npm run build makes) on a bad policy, naming it and the field", async () => {
    const dir = mkdtempSync(join(tmpdir(), "imageops-bad-policy-"));
    try {
      writeFileSync(
        join(dir, "policies.yaml"),
        "policies:\n  - name: nightly-web\n    provider: scp\n    servers: [a]\n    schedule: cron(0 3 * * ? *)\n    timezone: Seoul\n    image: '{server}-{yyyyMMdd}'\n    retention: { keep: 2 }\n    channel: C0123\n",
      );
      await expect(buildRunPolicy(join(dir, "policies.yaml"))).rejects.toThrow(
        /policy "nightly-web" \(policies\[0\]\) field timezone: "Seoul" is not an IANA time zone/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("refuses two policies of one name, naming the second", () => {
    expect(problems(valid, [valid])).toEqual([
      expect.stringMatching(/^policy "web-golden" \(policies\[1\]\) field name: "web-golden" names two policies/),
    ]);
  });
});

describe("schedules as EventBridge Scheduler reads them", () => {
  const at = (iso: string) => Date.parse(iso);
  const next = (expr: string, tz: string, after: string) => new Date(nextRun(parseSchedule(expr), tz, at(after))!).toISOString();

  it("runs a cron at its wall-clock time in the time zone", () => {
    expect(next("cron(0 3 * * ? *)", "Asia/Seoul", "2026-12-02T00:00:00Z")).toBe("2026-12-02T18:00:00.000Z"); // 03:00 KST
    expect(next("cron(30 9 ? * MON-FRI *)", "Asia/Seoul", "2026-12-05T00:00:00Z")).toBe("2026-12-07T00:30:00.000Z"); // Saturday → Monday
    expect(next("cron(0 2 L * ? *)", "UTC", "2026-02-02T00:00:00Z")).toBe("2026-02-28T02:00:00.000Z");
    expect(next("cron(0 2 ? * 2#1 *)", "America/New_York", "2026-03-02T12:00:00Z")).toBe("2026-04-06T06:00:00.000Z"); // first Monday, EDT
    expect(next("cron(0/15 * * * ? *)", "UTC", "2026-12-02T00:07:00Z")).toBe("2026-12-02T00:15:00.000Z");
    expect(next("cron(0 0 1 JAN ? 2027)", "UTC", "2026-12-02T00:00:00Z")).toBe("2027-01-01T00:00:00.000Z");
  });

  it("counts a rate from its last run, and knows none before it", () => {
    const rate = parseSchedule("rate(12 hours)");
    expect(nextRun(rate, "UTC", at("2026-12-02T00:00:00Z"))).toBeUndefined();
    expect(nextRun(rate, "UTC", at("2026-12-02T13:00:00Z"), at("2026-12-02T00:00:00Z"))).toBe(at("2026-12-03T00:00:00Z"));
    expect(twoRuns(rate, "UTC", 0)).toEqual([0, 12 * 3_600_000]);
    expect(() => parseSchedule("rate(5 minute)")).toThrow(ScheduleError);
    expect(parseSchedule("rate(1 day)")).toMatchObject({ kind: "rate", everyMs: 86_400_000 });
  });

  it("formats an image's name in the policy's time zone", () => {
    const t = at("2026-12-01T18:00:00Z");
    expect(formatTime(t, "Asia/Seoul", "yyyyMMdd-HHmm")).toBe("20261202-0300");
    expect(
      renderImageName("{server}-{yyyyMMdd-HHmm}-{policy}", { server: "web-01", serverId: "1234567", policy: "p", at: t, tz: "UTC" }),
    ).toBe("web-01-20261201-1800-p");
  });
});

describe("retention", () => {
  const day = 86_400_000;
  const NOW = Date.parse("2026-12-20T00:00:00Z");
  const images = [1, 2, 3, 4, 5].map((d) => ({ imageId: `i${d}`, name: `n${d}`, scheduledAt: new Date(NOW - d * day).toISOString() }));
  const ids = (l: { imageId: string }[]) => l.map((i) => i.imageId);

  it("keeps the newest N", () => {
    const r = retain(images, { keep: 2 }, NOW);
    expect(ids(r.keep)).toEqual(["i1", "i2"]);
    expect(ids(r.remove)).toEqual(["i3", "i4", "i5"]);
  });

  it("keeps those younger than D days", () => {
    expect(ids(retain(images, { days: 3 }, NOW).remove)).toEqual(["i3", "i4", "i5"]);
  });

  it("keeps what either rule keeps", () => {
    expect(ids(retain(images, { keep: 4, days: 2 }, NOW).remove)).toEqual(["i5"]);
    expect(ids(retain(images, { keep: 1, days: 4 }, NOW).remove)).toEqual(["i4", "i5"]);
  });

  it("always keeps the newest, however old", () => {
    expect(ids(retain(images, { days: 0.5 }, NOW).keep)).toEqual(["i1"]);
    expect(retain([], { keep: 1 }, NOW)).toEqual({ keep: [], remove: [] });
  });
});
