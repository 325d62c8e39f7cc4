/** The audit's memory as pure functions: ids, fingerprints, the week, acknowledgements and the plan. */
import { describe, expect, it } from "vitest";
import type { Finding } from "../../shared/audit/finding.js";
import {
  type Ack,
  applyAcks,
  type AuditedFinding,
  findingId,
  identify,
  imageFingerprint,
  plan,
  type PlanContext,
  weekOf,
} from "../../shared/audit/history.js";
import { parseRemedyValue, remedyMessage, remedyValue } from "../../shared/audit/report.js";
import { setFacts } from "../../shared/model/facts.js";
import type { Image } from "../../shared/model/image.js";
import { parseCommand } from "../../functions/slack/commands.js";

const image = (over: Partial<Image> = {}): Image => ({
  provider: "scp",
  account: "demo",
  region: "kr-west1",
  id: "img-1",
  name: "web",
  description: null,
  kind: "custom",
  visibility: "private",
  status: "available",
  providerStatus: "active",
  os: { family: "linux", distro: "ubuntu", version: "24.04", name: "Ubuntu 24.04" },
  architecture: "x86_64",
  sizeBytes: 1024,
  createdAt: "2025-01-01T00:00:00.000Z",
  sourceServerId: null,
  ...over,
});
const finding = (imageId: string, rule = "stale-custom", over: Partial<Finding> = {}): AuditedFinding =>
  identify(
    {
      rule,
      severity: "info",
      provider: "scp",
      account: "demo",
      region: "kr-west1",
      imageId,
      imageName: `n-${imageId}`,
      message: "m",
      ...over,
    },
    image({ id: imageId }),
  );
const ctx = (now: string, over: Partial<PlanContext> = {}): PlanContext => ({
  scope: "*/*",
  stream: "scheduled",
  now: Date.parse(now),
  timeZone: "Asia/Seoul",
  unread: [],
  ...over,
});

describe("finding ids and fingerprints", () => {
  it("an id a user can copy, stable across runs, different for another rule, region or image", () => {
    const base = { rule: "stale-custom", provider: "scp" as const, account: "demo", region: "kr-west1", imageId: "img-1" };
    expect(findingId(base)).toMatch(/^f-[0-9a-f]{12}$/);
    expect(findingId({ ...base })).toBe(findingId(base));
    for (const other of [{ rule: "failed" }, { region: "kr-east1" }, { account: "prod" }, { imageId: "img-2" }])
      expect(findingId({ ...base, ...other })).not.toBe(findingId(base));
  });

  it("the fingerprint follows the image's state, not the audit's clock", () => {
    const fp = imageFingerprint(image());
    expect(imageFingerprint(image())).toBe(fp);
    expect(imageFingerprint(image({ name: "web-2" }))).not.toBe(fp);
    expect(imageFingerprint(image({ visibility: "public" }))).not.toBe(fp);
    expect(imageFingerprint(setFacts(image(), { sharedWith: 2 }))).not.toBe(fp);
  });
});

describe("the week of the digest", () => {
  it("starts Monday 00:00 in the schedule's time zone (Asia/Seoul is UTC+9)", () => {
    expect(weekOf(Date.parse("2026-11-29T14:59:00Z"), "Asia/Seoul")).toBe("2026-11-23"); // Sunday 23:59 in Seoul
    expect(weekOf(Date.parse("2026-11-29T15:00:00Z"), "Asia/Seoul")).toBe("2026-11-30"); // Monday 00:00 in Seoul
    expect(weekOf(Date.parse("2026-11-29T15:00:00Z"), "UTC")).toBe("2026-11-23");
    expect(weekOf(Date.parse("2027-01-03T16:00:00Z"), "Asia/Seoul")).toBe("2027-01-04"); // across a year
  });
});

describe("acknowledgements", () => {
  const f = finding("img-1");
  const ack = (over: Partial<Ack> = {}): Ack => ({
    finding: f.id,
    rule: f.rule,
    provider: "scp",
    account: "demo",
    region: "kr-west1",
    imageId: "img-1",
    imageName: "web",
    fingerprint: f.fingerprint,
    reason: "kept",
    by: "U1",
    at: "2026-11-01T00:00:00.000Z",
    until: "2026-12-01T00:00:00.000Z",
    ...over,
  });
  it("hide a finding while they last and the image is unchanged; end when they expire or the image changes", () => {
    const now = Date.parse("2026-11-15T00:00:00Z");
    expect(applyAcks([f], [ack()], now).findings[0]!.acknowledged).toMatchObject({ by: "U1", reason: "kept" });
    expect(applyAcks([f], [ack()], Date.parse("2026-12-01T00:00:00Z")).findings[0]).toMatchObject({ ackEnded: "expired" });
    const changed = applyAcks([f], [ack({ fingerprint: "0000000000000000" })], now);
    expect(changed.findings[0]).toMatchObject({ ackEnded: "image changed" });
    expect(changed.findings[0]!.acknowledged).toBeUndefined();
    expect(changed.endedByChange.map((a) => a.finding)).toEqual([f.id]);
  });
});

describe("the plan: one run against the last", () => {
  it("first run: everything new, the digest due; then new, resolved, still open; then nothing changed", () => {
    const [a, b, c] = [finding("a"), finding("b"), finding("c")];
    const one = plan(undefined, [a, b], ctx("2026-11-24T01:00:00Z"));
    expect(one.changes).toMatchObject({
      since: null,
      new: [a.id, b.id],
      resolved: [],
      changed: true,
      digest: { week: "2026-11-23", runs: 1, new: 2 },
    });
    const two = plan(one.next, [b, c], ctx("2026-11-25T01:00:00Z"));
    expect(two.changes).toMatchObject({ since: "2026-11-24T01:00:00.000Z", new: [c.id], stillOpen: [b.id], changed: true });
    expect(two.changes.resolved.map((r) => r.id)).toEqual([a.id]);
    expect(two.changes.digest).toBeUndefined();
    expect(two.next.findings.find((r) => r.id === b.id)!.firstSeen).toBe("2026-11-24T01:00:00.000Z");
    const three = plan(two.next, [b, c], ctx("2026-11-26T01:00:00Z"));
    expect(three.changes).toMatchObject({ new: [], resolved: [], changed: false });
    // next Monday in Seoul: the digest, with what the week's runs saw
    const four = plan(three.next, [b, c], ctx("2026-11-30T00:00:00Z"));
    expect(four.changes.digest).toMatchObject({ week: "2026-11-30", from: "2026-11-24T01:00:00.000Z", runs: 3, new: 1, resolved: 1 });
    expect(plan(four.next, [b, c], ctx("2026-11-30T03:00:00Z")).changes.digest).toBeUndefined();
    // on-demand runs never owe a digest
    expect(plan(undefined, [a], ctx("2026-11-30T00:00:00Z", { stream: "on-demand" })).changes.digest).toBeUndefined();
  });

  it("keeps what it could not re-check: a cloud that failed, and a duplicate name whose twin may be there", () => {
    const a = finding("a");
    const dup = finding("d", "duplicate-name", { region: "kr-east1" });
    const before = plan(undefined, [a, dup], ctx("2026-11-24T01:00:00Z")).next;
    const after = plan(before, [], ctx("2026-11-25T01:00:00Z", { unread: [{ provider: "scp", account: "demo", region: "kr-west1" }] }));
    expect(after.changes.resolved).toEqual([]);
    expect(after.changes.unverified.sort()).toEqual([a.id, dup.id].sort());
    expect(after.next.findings.map((r) => r.id).sort()).toEqual([a.id, dup.id].sort());
    expect(after.changes.changed).toBe(true);
  });

  it("an acknowledged finding is neither new nor resolved; reported again as new when its acknowledgement ends", () => {
    const a = finding("a");
    const one = plan(undefined, [a], ctx("2026-11-24T01:00:00Z")).next;
    const acked = plan(one, [{ ...a, acknowledged: { until: "x", by: "U1", reason: "r" } }], ctx("2026-11-25T01:00:00Z"));
    expect(acked.changes).toMatchObject({
      new: [],
      resolved: [],
      stillOpen: [],
      newlyAcknowledged: [a.id],
      acknowledged: 1,
      changed: false,
    });
    const back = plan(acked.next, [{ ...a, ackEnded: "expired" }], ctx("2026-11-26T01:00:00Z"));
    expect(back.changes).toMatchObject({ new: [a.id], changed: true });
  });
});

describe("the remedy button", () => {
  it("carries as many stale images as Slack's 2,000-character value allows, and says how many there are", () => {
    const many = Array.from({ length: 200 }, (_, i) => finding(`4c8e2a6b-1d3f-4a5b-9c7d-${String(i).padStart(12, "0")}`));
    const value = remedyValue("stale-custom", many)!;
    expect(value.length).toBeLessThanOrEqual(2000);
    const parsed = parseRemedyValue(value)!;
    expect(parsed.total).toBe(200);
    expect(parsed.images.length).toBeGreaterThan(10);
    expect(parsed.images.length).toBeLessThan(200);
    expect(remedyMessage(parsed).lines.at(-1)).toMatch(/of the 200 stale images/);
    expect(remedyValue("stale-custom", [finding("a", "failed")])).toBeUndefined();
    expect(parseRemedyValue('{"rule":"rm -rf","total":1,"images":[["a","b","c","d","e"]]}')).toBeUndefined();
  });
});

describe("/images audit words", () => {
  // what the audit command makes of its words: its arguments, or what is wrong
  const req = (text: string) => {
    const p = parseCommand(text);
    if (p.ok && p.command !== "audit") throw new Error(`not an audit command: ${text}`);
    return p.ok ? p.args : { error: p.error };
  };
  it("run, ack with a finding id, a duration and a reason, and acks", () => {
    expect(req("audit")).toEqual({ kind: "run" });
    expect(req("audit acks")).toEqual({ kind: "acks" });
    expect(req('audit ack f-0123456789ab --for 2w --reason "kept for the migration"')).toEqual({
      kind: "ack",
      finding: "f-0123456789ab",
      for: "2w",
      reason: "kept for the migration",
    });
    expect(req('audit ack F-0123456789AB --reason "x"')).toMatchObject({ kind: "ack", finding: "f-0123456789ab", for: "30d" });
    expect(req("audit ack f-0123456789ab")).toMatchObject({ error: expect.stringMatching(/needs --reason/) });
    expect(req('audit ack f-0123 --reason "x"')).toMatchObject({ error: expect.stringMatching(/not a finding id/) });
    expect(req('audit ack f-0123456789ab --for 400d --reason "x"')).toMatchObject({ error: expect.stringMatching(/at most 365 days/) });
    expect(req('audit ack f-0123456789ab --for soon --reason "x"')).toMatchObject({ error: expect.stringMatching(/12h, 30d or 8w/) });
    expect(req("audit ack")).toMatchObject({ error: expect.stringMatching(/needs <finding>/) });
    expect(req('audit --reason "x"')).toMatchObject({ error: expect.stringMatching(/go with ack/) });
  });
});
