/**
 * The audit's Slack report (shared/audit/report.ts) with the real @slack/web-api client against
 * the Slack stand-in, which refuses what Slack refuses:
 * - Block Kit: ≤ 50 blocks, section text ≤ 3000 characters, ≤ 10 context elements
 *   (https://docs.slack.dev/reference/block-kit/blocks), else `invalid_blocks`
 *   (https://docs.slack.dev/reference/methods/chat.postMessage#errors);
 * - chat.postMessage: about one message per second per channel with short bursts, then HTTP
 *   429 with Retry-After (https://docs.slack.dev/apis/web-api/rate-limits).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../shared/audit/finding.js";
import { auditSummaryMessage, postAuditReport } from "../../shared/audit/report.js";
import type { AuditReport } from "../../shared/audit/report.js";
import { slackWebClient, type SlackPoster, webPoster } from "../../shared/slack/web.js";
import { blockKitProblem, SLACK_LIMITS, SlackApiSim } from "../../dev/sim/slack-api.js";

const sim = new SlackApiSim("xoxb-audit-test");
let poster: SlackPoster;

beforeAll(async () => {
  await sim.start();
  poster = webPoster(slackWebClient(sim.botToken, sim.apiUrl));
});
afterAll(() => sim.close());

/** n findings with names and messages at their longest (image names up to 255 characters). */
function result(n: number, critical = 30): AuditReport {
  const findings: Finding[] = Array.from({ length: n }, (_, i) => ({
    rule: i < critical ? "over-shared" : "stale-custom",
    severity: i < critical ? "critical" : "info",
    provider: "ncp",
    account: "production-account",
    region: "KR",
    imageId: `img-${String(i).padStart(5, "0")}`,
    imageName: `${"매우-긴-이미지-이름-".repeat(25)}${i}`.slice(0, 255),
    message: `shared with ${"other-account ".repeat(20)}`,
  }));
  return {
    findings,
    summary: { images: n, findings: n, bySeverity: { critical: Math.min(critical, n), warning: 0, info: Math.max(0, n - critical) } },
    errors: [{ provider: "scp", account: "x".repeat(64), region: "kr-west1", code: "PROVIDER_UNAVAILABLE", message: "y".repeat(3000) }],
  };
}
const inThread = (channel: string, ts: string) => sim.messages.filter((m) => m.channel === channel && m.threadTs === ts);

describe("audit report in Slack", () => {
  it("offers to delete only the stale images of clouds that can delete them, and says where the rest go (issue #26 item 5)", () => {
    const stale = (provider: "ncp" | "scp" | "iwinv", i: number): Finding => ({
      rule: "stale-custom",
      severity: "info",
      provider,
      account: "demo",
      region: provider === "iwinv" ? "KR1" : "KR",
      imageId: `${provider}-img-${i}`,
      imageName: `old-${provider}-${i}`,
      message: "not used for 200 days",
    });
    const findings = [stale("iwinv", 1), stale("ncp", 1), stale("iwinv", 2), stale("scp", 1), stale("iwinv", 3)];
    const msg = auditSummaryMessage({
      findings,
      summary: { images: 5, findings: 5, bySeverity: { critical: 0, warning: 0, info: 5 } },
      errors: [],
    });
    expect(blockKitProblem(msg.blocks)).toBeUndefined();
    const blocks = msg.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string; text?: unknown }> }>;
    const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === "images_audit_remedy")!;
    const offered = JSON.parse(button.value!) as { total: number; images: string[][] };
    expect(offered.images.map((e) => e[0])).toEqual(["ncp", "scp"]);
    expect(offered.total).toBe(2);
    expect(JSON.stringify(msg.blocks)).toContain(
      "Not offered to delete: 3 stale images on iwinv (its API cannot delete images: delete them in the iwinv console).",
    );
    // only iwinv's: no button at all, and still where they go
    const only = auditSummaryMessage({
      findings: [stale("iwinv", 1)],
      summary: { images: 1, findings: 1, bySeverity: { critical: 0, warning: 0, info: 1 } },
      errors: [],
    });
    expect(JSON.stringify(only.blocks)).not.toContain("images_audit_remedy");
    expect(JSON.stringify(only.blocks)).toContain("1 stale image on iwinv (its API cannot delete images: delete it in the iwinv console)");
  });

  it("keeps the summary within Block Kit's limits with long names (a section was 3,839 characters)", () => {
    const msg = auditSummaryMessage(result(40, 40), { requester: "U0AUDITOR1", fullList: "Full list (40 findings) in the thread." });
    expect(blockKitProblem(msg.blocks)).toBeUndefined();
    expect(JSON.stringify(msg.blocks).length).toBeLessThan(12_000);
    expect(JSON.stringify(msg.blocks)).toContain("run by <@U0AUDITOR1>");
  });

  it("posts the summary, then all 1,200 findings in its thread, paced by Slack's 429s and Retry-After", async () => {
    const channel = "C0AUDIT0001";
    const r = result(1200);
    // Slack's sustained 1/s would make this a minute; the pacing follows whatever Retry-After
    // Slack answers, so a faster budget (still 429 past a burst) tests the same thing in seconds
    sim.limits = { ...SLACK_LIMITS, postBurst: 20, postPerSecond: 20 };
    const out = await postAuditReport(poster, channel, r, { budgetMs: 60_000 }).finally(() => (sim.limits = { ...SLACK_LIMITS }));
    const [summary] = sim.messages.filter((m) => m.channel === channel && !m.threadTs);
    expect(summary!.ts).toBe(out.ts);
    expect(JSON.stringify(summary!.blocks)).toContain("Full list (1200 findings) in the thread.");
    const thread = inThread(channel, out.ts);
    expect(thread).toHaveLength(out.parts);
    expect(out.posted).toBe(out.parts);
    // every finding is in the thread, once
    const text = thread.map((m) => JSON.stringify(m.blocks)).join("");
    for (const f of r.findings) expect(text.split(`(${f.imageId})`).length - 1, f.imageId).toBe(1);
    // Slack said 429 on the way, and each retry came no sooner than its Retry-After
    const posts = sim.callsTo("chat.postMessage").filter((c) => c.channel === channel);
    const limited = posts.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    for (const c of limited) {
      const next = posts.find((p) => p.at > c.at && p.status === 200)!;
      expect(next.at - c.at).toBeGreaterThanOrEqual(c.retryAfter! * 1000 - 5);
    }
    // and nothing Slack would refuse was sent
    expect(posts.filter((c) => c.error && c.error !== "ratelimited")).toEqual([]);
  }, 60_000);

  it("never loses the summary because the details failed: a thread cut short says so on the summary", async () => {
    const channel = "C0AUDIT0002";
    // the summary and the first reply go through; then Slack fails every post
    sim.setSlackFaults({ methods: { "chat.postMessage": { error: "internal_error", after: 2 } } });
    const r = await postAuditReport(poster, channel, result(300), { budgetMs: 5_000 });
    sim.setSlackFaults({});
    expect(r.posted).toBe(1);
    expect(r.parts).toBeGreaterThan(1);
    const summary = sim.messages.find((m) => m.ts === r.ts)!;
    expect(summary.history).toHaveLength(2);
    expect(JSON.stringify(summary.blocks)).toMatch(
      /Full list incomplete: 1 of \d+ part\(s\) posted in the thread \(Slack: internal_error\)/,
    );
    expect(JSON.stringify(summary.blocks)).not.toContain('in the thread."');
  });

  it("with the audit's memory, at its longest (new, resolved, still open, acknowledged, the digest, the remedy), stays within Block Kit's limits and threads every finding", async () => {
    const r = result(120, 60);
    r.findings = r.findings.map((f, i) => ({
      ...f,
      id: `f-${String(i).padStart(12, "0")}`,
      fingerprint: "0".repeat(16),
      ...(i % 10 === 9 ? { acknowledged: { until: "2026-12-01T00:00:00.000Z", by: "U1", reason: "r" } } : {}),
    }));
    const ids = r.findings.map((f) => f.id!);
    const resolved = r.findings.slice(0, 40).map((f) => ({
      id: `f-9${f.id!.slice(3)}`,
      fp: "0".repeat(16),
      rule: f.rule,
      severity: f.severity,
      provider: f.provider,
      account: f.account,
      region: f.region,
      imageId: `gone-${f.imageId}`,
      imageName: f.imageName,
      firstSeen: "2026-11-01T00:00:00.000Z",
    }));
    r.changes = {
      memory: "ok",
      stream: "scheduled",
      since: "2026-11-23T00:00:00.000Z",
      new: ids.filter((_, i) => i % 2 === 0),
      resolved,
      stillOpen: ids.filter((_, i) => i % 2 === 1),
      unverified: [],
      newlyAcknowledged: [],
      acknowledged: 12,
      changed: true,
      digest: { from: "2026-11-16T00:00:00.000Z", runs: 7, new: 70, resolved: 40, week: "2026-11-23", timeZone: "Asia/Seoul" },
    };
    const msg = auditSummaryMessage(r, { requester: "U0AUDITOR1", fullList: "Full list (108 findings) in the thread." });
    expect(blockKitProblem(msg.blocks)).toBeUndefined();
    expect(JSON.stringify(msg.blocks).length).toBeLessThan(12_000);
    expect(JSON.stringify(msg.blocks)).toContain("images_audit_remedy");
    expect(JSON.stringify(msg.blocks)).toContain("12 acknowledged findings not shown");
    const channel = "C0AUDIT0005";
    sim.limits = { ...SLACK_LIMITS, postBurst: 50, postPerSecond: 50 };
    const out = await postAuditReport(poster, channel, r, { budgetMs: 20_000 }).finally(() => (sim.limits = { ...SLACK_LIMITS }));
    const text = inThread(channel, out.ts)
      .map((m) => JSON.stringify(m.blocks))
      .join("");
    for (const f of r.findings) expect(text.includes(f.id!), f.id).toBe(!f.acknowledged);
    for (const g of resolved) expect(text).toContain(g.id);
  });

  it("throws when the summary itself cannot be posted (nothing was posted): the caller makes it an error", async () => {
    sim.setSlackFaults({ channels: { C0AUDIT0004: "not_in_channel" } });
    await expect(postAuditReport(poster, "C0AUDIT0004", result(5))).rejects.toMatchObject({ error: "not_in_channel" });
    expect(sim.messages.filter((m) => m.channel === "C0AUDIT0004")).toHaveLength(0);
    sim.setSlackFaults({});
  });
});
