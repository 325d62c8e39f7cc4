/**
 * The built audit-images bundle against simulators seeded with images that trigger each rule
 * and some that must not (exactly at a threshold), run as EventBridge would run it.
 */
import { watchLocalStack } from "../support/leak-watch.js";
import { describe, expect, it } from "vitest";
import { LOCAL_SLACK, type LocalStack } from "../../dev/local-stack.js";
import type { Finding } from "../../shared/audit/finding.js";
import { scpImage } from "../support/scp-image.js";

const AS_OF = Date.parse("2026-11-23T12:00:00.000Z");
const minutesBefore = (m: number) => new Date(AS_OF - m * 60_000).toISOString();
const daysBefore = (d: number) => new Date(AS_OF - d * 86_400_000).toISOString();
const scheduled = {
  version: "0",
  id: "e1",
  "detail-type": "Scheduled Event",
  source: "aws.events",
  account: "000000000000",
  time: new Date(AS_OF).toISOString(),
  region: "ap-northeast-2",
  resources: [],
  detail: {},
};

let stack: LocalStack;
/** every log line, answer, error and Slack message of this suite is scanned for secrets at the end */
const leaks = watchLocalStack(
  { env: { AUDIT_AS_OF: new Date(AS_OF).toISOString(), AUDIT_STALE_DAYS: "180", AUDIT_STUCK_MINUTES: "60" } },
  (started) => {
    stack = started;
    seed(stack);
  },
);

/** this suite's SCP images, made at one time unless said otherwise */
const image = (id: string, name: string, over: Record<string, unknown>) => scpImage(id, name, daysBefore(1), over);

/** images that trigger each rule, and some exactly at a threshold that must not */
function seed(stack: LocalStack): void {
  const s = stack.scp;
  s.addImage(image("a0000000-0000-4000-8000-000000000001", "audit-stuck", { status: "queued", created_at: minutesBefore(61) }));
  s.addImage(image("a0000000-0000-4000-8000-000000000002", "audit-creating-at-limit", { status: "saving", created_at: minutesBefore(60) }));
  s.addImage(image("a0000000-0000-4000-8000-000000000003", "audit-killed", { status: "killed" }));
  s.addImage(image("a0000000-0000-4000-8000-000000000004", "audit-stale", { created_at: daysBefore(181) }));
  s.addImage(image("a0000000-0000-4000-8000-000000000005", "audit-stale-at-limit", { created_at: daysBefore(180) }));
  s.addImage(image("a0000000-0000-4000-8000-000000000006", "audit-public", { visibility: "public" }));
  s.addImage(image("a0000000-0000-4000-8000-000000000007", "audit-eol", { os_distro: "centos", scp_os_version: "7.9" }));
  s.addImage(image("a0000000-0000-4000-8000-000000000008", "audit-fine", {}));
  stack.iwinv.images.push({
    image_id: "IMAGE-AUDITEOL00000000001",
    visibility: "private",
    name: "audit-iwinv-eol",
    created_at: "2026-11-01 09:00:00",
    os: {
      type: "OS",
      name: "Ubuntu 20.04 LTS",
      status: "available",
      content: ["*EOL 2025 05.31"],
      os_type: "UBUNTU",
      version: "20.04",
      oid: "o1",
    },
    image_type: "os_linux",
    zone: ["kr2-z01"],
  });
}

const mine = (findings: Finding[]) =>
  findings
    .filter((f) => f.imageName.startsWith("audit-"))
    .map((f) => `${f.rule}:${f.severity}:${f.imageName}`)
    .sort();

describe("audit-images", () => {
  it("finds exactly what the seeded images should trigger, on a scheduled run, and posts to Slack", async () => {
    const before = stack.slackApi.messages.length;
    const logged = leaks.output.length;
    const out = (await stack.invoke("audit-images", scheduled)) as {
      findings: Finding[];
      summary: { images: number; findings: number; bySeverity: { critical: number; warning: number; info: number } };
      errors: unknown[];
    };
    expect(out.errors).toEqual([]);
    expect(mine(out.findings)).toEqual([
      "eol-os:warning:audit-eol",
      "eol-os:warning:audit-iwinv-eol",
      "failed:warning:audit-killed",
      "over-shared:critical:audit-public",
      "stale-custom:info:audit-stale",
      "stuck-creating:critical:audit-stuck",
    ]);
    expect(out.summary.findings).toBe(out.findings.length);
    // one structured JSON line per finding, for CloudWatch Logs Insights
    const lines = leaks.output
      .slice(logged)
      .join("")
      .split("\n")
      .filter((l) => l.includes('"type":"audit-finding"'))
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(out.findings.length);
    const stuck = lines.find((l) => l.imageName === "audit-stuck");
    expect(stuck).toMatchObject({
      level: "INFO",
      rule: "stuck-creating",
      severity: "critical",
      provider: "scp",
      service: "imageops",
      function_name: "imageops-local-audit-images",
    });
    // a finding's own message never replaces the line's
    expect(stuck.message).toBe("audit finding");
    expect(stuck.field_message).toMatch(/creating/);
    expect(typeof stuck.correlation_id).toBe("string");
    // and its severity counted as an EMF metric (CloudWatch embedded metric format)
    const emf = leaks.output
      .slice(logged)
      .join("")
      .split("\n")
      .filter((l) => l.includes('"_aws"') && l.includes("AuditFindings"))
      .map((l) => JSON.parse(l));
    expect(emf.find((m) => m.severity === "critical")).toMatchObject({
      AuditFindings: out.summary.bySeverity.critical,
      _aws: { CloudWatchMetrics: [{ Namespace: "imageops" }] },
    });
    expect(out.summary.bySeverity.critical + out.summary.bySeverity.warning + out.summary.bySeverity.info).toBe(out.findings.length);
    expect(out.summary.images).toBeGreaterThan(20);

    const posted = stack.slackApi.messages.slice(before);
    expect(posted[0]!.channel).toBe(LOCAL_SLACK.channel);
    expect(posted[0]!.text).toBe(
      `Image audit: ${out.summary.findings} finding(s) in ${out.summary.images} image(s) — ${out.summary.bySeverity.critical} critical, ${out.summary.bySeverity.warning} warning, ${out.summary.bySeverity.info} info; first run: every finding is new (weekly digest)`,
    );
    expect(JSON.stringify(posted[0]!.blocks)).toContain("audit-stuck");
    // the full list, when it does not fit (non-critical findings are only summarized), goes to the thread
    expect(posted.length).toBeGreaterThan(1);
    for (const reply of posted.slice(1)) expect(reply.threadTs).toBe(posted[0]!.ts);
  });

  it("treats the input of the deployed schedule rule ({scheduled: true}) as a scheduled run", async () => {
    const before = stack.slackApi.messages.length;
    // something new since the last scheduled run: a scheduled run posts only what changed (test/e2e/audit-memory.test.ts)
    stack.scp.addImage(image("a0000000-0000-4000-8000-000000000009", "audit-public-2", { visibility: "public" }));
    const out = (await stack.invoke("audit-images", { scheduled: true })) as { findings: Finding[] };
    expect(mine(out.findings)).toContain("stuck-creating:critical:audit-stuck");
    expect(stack.slackApi.messages.slice(before)[0]?.channel).toBe(LOCAL_SLACK.channel);
    // on demand, with no notify, nothing is posted
    const quiet = stack.slackApi.messages.length;
    await stack.invoke("audit-images", {});
    expect(stack.slackApi.messages.length).toBe(quiet);
  });

  it("refuses an account that is not configured instead of reporting it all clear", async () => {
    await expect(stack.invoke("audit-images", { account: "prod" })).rejects.toMatchObject({ name: "NOT_FOUND", field: "account" });
    const res = await fetch(`${stack.url}/audit-images?provider=scp&account=prod`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "NOT_FOUND", field: "account", message: 'no scp account named "prod" (there are scp/demo)' },
    });
  });

  it("keeps auditing the other clouds when one is down", async () => {
    stack.scp.setFaults({ down: true });
    try {
      const out = (await stack.invoke("audit-images", {})) as { findings: Finding[]; errors: Array<{ provider: string }> };
      expect(out.errors.map((e) => e.provider)).toEqual(["scp"]);
      expect(mine(out.findings)).toEqual(["eol-os:warning:audit-iwinv-eol"]);
    } finally {
      stack.scp.setFaults({});
    }
  });
});
