/**
 * Audits that remember, through the built bundles against dynalite (the operations table as
 * serverless.yml defines it): new / resolved / still open across runs, a scheduled run that stays
 * quiet when nothing changed, the weekly digest (the first scheduled run of each week, Monday in
 * Asia/Seoul), acknowledgements from Slack that hide a finding until they expire or the image
 * changes, the list of them, a non-creator refused, and the "Delete stale images…" remedy.
 * Each run's instant is set with AUDIT_AS_OF, which the bundle reads at every invocation.
 */
import { describe, expect, it } from "vitest";
import { LOCAL_SLACK, type LocalStack } from "../../dev/local-stack.js";
import type { AuditChanges, AuditedFinding } from "../../shared/audit/history.js";
import { DynamoAuditStore } from "../../shared/audit/store.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { buttons, slackSession } from "../support/slack-session.js";
import { scpImage } from "../support/scp-image.js";

type Out = { findings: AuditedFinding[]; changes: AuditChanges; summary: { acknowledged?: number } };

let stack: LocalStack;
const leaks = watchLocalStack({ providers: ["scp"] }, (s) => {
  stack = s;
  seed();
});
const { slash, click, responsesTo } = slackSession(() => stack, leaks);

const T1 = "2026-11-24T01:00:00.000Z"; // Tuesday 10:00 in Seoul
const T2 = "2026-11-25T00:00:00.000Z"; // Wednesday 09:00
const T3 = "2026-11-26T00:00:00.000Z"; // Thursday
const T3b = "2026-11-26T03:00:00.000Z"; // Thursday noon: the acknowledgements are given
const T4 = "2026-11-27T00:00:00.000Z"; // Friday
const T5 = "2026-11-29T00:00:00.000Z"; // Sunday 09:00 in Seoul (Saturday in UTC): the one-day ack has expired
const T6 = "2026-11-30T00:00:00.000Z"; // Monday 09:00 in Seoul: the week's digest
const T6b = "2026-11-30T03:00:00.000Z"; // Monday noon: the digest was posted already

const ID = {
  public: "b0000000-0000-4000-8000-000000000001",
  killed: "b0000000-0000-4000-8000-000000000002",
  staleA: "b0000000-0000-4000-8000-000000000003",
  staleB: "b0000000-0000-4000-8000-000000000004",
  fresh: "b0000000-0000-4000-8000-000000000005",
};

/** this suite's SCP images, made at one time unless said otherwise */
const image = (id: string, name: string, over: Record<string, unknown>) => scpImage(id, name, "2026-11-20T00:00:00Z", over);

function seed(): void {
  stack.scp.addImage(image(ID.public, "mem-public", { visibility: "public" }));
  stack.scp.addImage(image(ID.killed, "mem-killed", { status: "killed" }));
  stack.scp.addImage(image(ID.staleA, "mem-stale-a", { created_at: "2025-01-10T00:00:00" }));
  stack.scp.addImage(image(ID.staleB, "mem-stale-b", { created_at: "2025-01-11T00:00:00" }));
}

async function audit(at: string, event: unknown = { scheduled: true }) {
  process.env.AUDIT_AS_OF = at;
  const before = stack.slackApi.messages.length;
  const out = (await stack.invoke("audit-images", event)) as Out;
  return { out, posted: stack.slackApi.messages.slice(before) };
}
const mine = (out: Out, imageId: string, rule?: string) => out.findings.find((f) => f.imageId === imageId && (!rule || f.rule === rule))!;
const text = (x: unknown) => JSON.stringify(x);

describe("audits that remember", () => {
  let first: Out;

  it("the first run: every finding is new, posted with the finding ids a user copies, and the remedy offered", async () => {
    const { out, posted } = await audit(T1);
    first = out;
    expect(out.changes).toMatchObject({ memory: "ok", stream: "scheduled", since: null, posted: "digest", resolved: [], stillOpen: [] });
    expect(out.changes.new).toHaveLength(out.findings.length);
    const publicFinding = mine(out, ID.public, "over-shared");
    expect(publicFinding.id).toMatch(/^f-[0-9a-f]{12}$/);
    expect(posted[0]!.text).toMatch(
      /^Image audit: \d+ finding\(s\) in \d+ image\(s\) .*; first run: every finding is new \(weekly digest\)$/,
    );
    // the id is in the summary (critical findings are shown) and every id is in the summary or its thread
    expect(text(posted[0]!.blocks)).toContain(`\`${publicFinding.id}\``);
    const all = text(posted.map((m) => m.blocks));
    for (const f of out.findings) expect(all, f.imageName).toContain(f.id);

    // "Delete stale images…" carries the stale images; its answer is the list, then each image
    // through the delete guard: its checks and a Confirm for that exact image (never the summary replaced)
    const remedy = buttons(posted[0] as { blocks: unknown[] }).images_audit_remedy!;
    expect(remedy.value.length).toBeLessThanOrEqual(2000);
    expect(remedy.value).toContain(ID.staleA);
    const { ack, responseUrl } = await click(remedy, { channel: LOCAL_SLACK.channel, messageTs: posted[0]!.ts });
    expect(ack.statusCode).toBe(200);
    const [list, ...confirmations] = await responsesTo(responseUrl, 2);
    for (const m of [list, ...confirmations]) expect(m!.replace_original).toBe(false);
    expect(text(list!.blocks)).toContain("mem-stale-b");
    expect(text(list!.blocks)).toMatch(/come below, each with its checks and a Confirm for that exact image|comes below/);
    // the first images of the list, in its order, each with a Confirm carrying that exact image
    const listed = (JSON.parse(remedy.value) as { images: string[][] }).images.map((i) => i[3]);
    // never an image the cloud cannot delete (iwinv): those are said to go to its console
    expect((JSON.parse(remedy.value) as { images: string[][] }).images.every((i) => i[0] !== "iwinv")).toBe(true);
    // (the simulator's copy of the docs' example image is another account's, owner a8f1…: the guard
    // refuses it, its card the failed "own" check and no Delete button)
    const OTHER_ACCOUNTS = "70a599e0-31e7-49b7-b260-868f441e862b";
    const confirmed = confirmations.map((c) => {
      const confirm = buttons(c!).images_delete_confirm;
      if (!confirm) expect(text(c!.blocks)).toMatch(/:x: \*own\* — owner a8f10467\w+ \(AccountName\) is not this account/);
      return confirm ? (JSON.parse(confirm.value).id as string) : OTHER_ACCOUNTS;
    });
    expect(confirmed).toEqual(listed.slice(0, Math.min(3, listed.length)));
    // nothing is deleted until a Confirm
    for (const id of confirmed) expect(stack.scp.images.has(id), id).toBe(true);
    // and only the delete guard's users may use the remedy
    const other = await click(remedy, { channel: LOCAL_SLACK.channel, messageTs: posted[0]!.ts, user: "U0NOTCREATOR" });
    const [refused] = await responsesTo(other.responseUrl);
    expect(refused!.text).toMatch(/no_entry/);
  });

  it("the next run says what is new, what was resolved and what is still open", async () => {
    stack.scp.images.delete(ID.killed);
    stack.scp.addImage(image(ID.fresh, "mem-public-new", { visibility: "public" }));
    const { out, posted } = await audit(T2);
    const fresh = mine(out, ID.fresh, "over-shared");
    const gone = mine(first, ID.killed, "failed");
    expect(out.changes.new).toEqual([fresh.id]);
    expect(out.changes.resolved.map((r) => r.id)).toEqual([gone.id]);
    expect(out.changes.stillOpen).toHaveLength(out.findings.length - 1);
    expect(out.changes).toMatchObject({ since: T1, changed: true, posted: "summary" });
    expect(out.changes.digest).toBeUndefined();
    const summary = posted[0]!;
    expect(summary.text).toMatch(/; 1 new, 1 resolved, \d+ still open$/);
    expect(text(summary.blocks)).toContain("*New (1)*");
    expect(text(summary.blocks)).toContain(fresh.id);
    expect(text(summary.blocks)).toContain("*Resolved (1)*");
    expect(text(summary.blocks)).toContain(gone.id);
    expect(text(summary.blocks)).toMatch(/Still open \(\d+\)/);
  });

  it("a scheduled run stays quiet when nothing changed", async () => {
    const { out, posted } = await audit(T3);
    expect(posted).toEqual([]);
    expect(out.changes).toMatchObject({ changed: false, posted: "quiet", new: [], resolved: [] });
    expect(leaks.output.join("")).toContain("nothing changed since the last scheduled audit: not posted");
  });

  it("acknowledgements from Slack: only image creators, with a reason; listed on request", async () => {
    process.env.AUDIT_AS_OF = T3b;
    const publicId = mine(first, ID.public, "over-shared").id;
    const staleB = mine(first, ID.staleB, "stale-custom").id;

    const refused = await slash(`audit ack ${publicId} --for 30d --reason "shared on purpose"`, { user: "U0NOTCREATOR" });
    expect(refused.ackBody.text).toMatch(/is not allowed to acknowledge audit findings \(ask to be added to IMAGE_CREATORS\)/);
    const noReason = await slash(`audit ack ${publicId} --for 30d`);
    expect(noReason.ackBody.text).toMatch(/ack needs --reason/);
    const badId = await slash(`audit ack img-123 --reason "x"`);
    expect(badId.ackBody.text).toMatch(/is not a finding id/);

    const ok = await slash(`audit ack ${publicId} --for 30d --reason "shared on purpose with the partner"`);
    expect(ok.ackBody.text).toMatch(/Acknowledging/);
    const [answer] = await responsesTo(ok.responseUrl);
    expect(answer!.response_type).toBe("in_channel");
    expect(text(answer!.blocks)).toContain(`<@${LOCAL_SLACK.user}> acknowledged \`${publicId}\``);
    expect(text(answer!.blocks)).toContain("shared on purpose with the partner");
    const short = await slash(`audit ack ${staleB} --for 1d --reason "kept for the migration"`);
    await responsesTo(short.responseUrl);
    const unknown = await slash(`audit ack f-000000000000 --reason "x"`);
    expect(text(await responsesTo(unknown.responseUrl))).toMatch(/NOT_FOUND: no open finding f-000000000000/);

    const list = await slash("audit acks");
    const [acks] = await responsesTo(list.responseUrl);
    expect(text(acks!.blocks)).toContain("Acknowledged findings (2)");
    expect(text(acks!.blocks)).toContain(publicId);
    expect(text(acks!.blocks)).toContain("kept for the migration");
    // the refused one stored nothing: the one acknowledgement stands, by the creator
    const stored = await new DynamoAuditStore(stack.dynamo.tableName, stack.dynamo.clientConfig()).acks();
    expect(stored.map((a) => [a.finding, a.by]).sort()).toEqual(
      [
        [publicId, LOCAL_SLACK.user],
        [staleB, LOCAL_SLACK.user],
      ].sort(),
    );
  });

  it("an acknowledged finding is not reported: not in the summary, counted as acknowledged, and no change by itself", async () => {
    const publicId = mine(first, ID.public, "over-shared").id;
    const { out, posted } = await audit(T4);
    expect(posted).toEqual([]);
    expect(out.changes).toMatchObject({ posted: "quiet", acknowledged: 2, changed: false });
    expect(out.changes.newlyAcknowledged.sort()).toEqual([publicId, mine(first, ID.staleB, "stale-custom").id].sort());
    expect(mine(out, ID.public, "over-shared").acknowledged).toMatchObject({
      by: LOCAL_SLACK.user,
      reason: "shared on purpose with the partner",
    });
    expect(out.summary.acknowledged).toBe(2);

    // /images audit now: the summary and its thread leave it out and say how many are hidden
    process.env.AUDIT_AS_OF = T4;
    const before = stack.slackApi.messages.length;
    const run = await slash("audit");
    await responsesTo(run.responseUrl);
    const report = stack.slackApi.messages.slice(before);
    expect(report[0]!.channel).toBe(LOCAL_SLACK.channel);
    expect(text(report.map((m) => m.blocks))).not.toContain(publicId);
    expect(text(report[0]!.blocks)).toContain("2 acknowledged findings not shown");
  });

  it("an acknowledgement ends when it expires or when the image changes: the finding is reported again", async () => {
    const publicId = mine(first, ID.public, "over-shared").id;
    const staleB = mine(first, ID.staleB, "stale-custom").id;
    const img = stack.scp.images.get(ID.public)!;
    img.raw = { ...img.raw, name: "mem-public-renamed" };
    const { out, posted } = await audit(T5);
    expect(out.changes.new.sort()).toEqual([publicId, staleB].sort());
    expect(mine(out, ID.public).ackEnded).toBe("image changed");
    expect(mine(out, ID.staleB, "stale-custom").ackEnded).toBe("expired");
    expect(out.changes.acknowledged).toBe(0);
    expect(posted[0]!.text).toMatch(/; 2 new, 0 resolved/);
    expect(text(posted[0]!.blocks)).toContain("acknowledgement ended: the image changed");
    expect(text(posted.map((m) => m.blocks))).toContain("acknowledgement expired");

    const list = await slash("audit acks");
    const [acks] = await responsesTo(list.responseUrl);
    expect(text(acks!.blocks)).toContain("Acknowledged findings (0)");
    expect(text(acks!.blocks)).toContain("Ended in the last 30 days (2)");
    expect(text(acks!.blocks)).toMatch(/the image changed/);
  });

  it("the weekly digest: the first scheduled run of the week (Monday in Asia/Seoul) posts even when nothing changed, once", async () => {
    const { out, posted } = await audit(T6);
    expect(out.changes).toMatchObject({ changed: false, posted: "digest" });
    // since the last digest (the first run): Wednesday's 1 new and 1 resolved, Sunday's 2 back, in 5 scheduled runs
    expect(out.changes.digest).toMatchObject({ week: "2026-11-30", timeZone: "Asia/Seoul", from: T1, runs: 5, new: 3, resolved: 1 });
    expect(posted[0]!.text).toMatch(/; nothing changed since the last run \(weekly digest\)$/);
    expect(text(posted[0]!.blocks)).toContain("*Weekly digest*");
    expect(text(posted[0]!.blocks)).toContain("Nothing changed since the last run.");
    // the whole open list is still there, in the thread
    expect(posted.length).toBeGreaterThan(1);

    const again = await audit(T6b);
    expect(again.posted).toEqual([]);
    expect(again.out.changes).toMatchObject({ posted: "quiet" });
  });

  it("a finding in a cloud that could not be read is kept, not resolved", async () => {
    stack.scp.setFaults({ status: 503 });
    const { out, posted } = await audit("2026-11-30T05:00:00.000Z");
    stack.scp.setFaults({});
    expect(out.changes.resolved).toEqual([]);
    expect(out.changes.unverified.length).toBeGreaterThan(0);
    // a cloud that could not be audited is a change worth posting
    expect(out.changes).toMatchObject({ changed: true, posted: "summary" });
    expect(text(posted[0]!.blocks)).toMatch(/not re-checked/);
    const back = await audit("2026-11-30T06:00:00.000Z");
    expect(back.out.changes.new).toEqual([]);
    expect(back.out.changes.resolved).toEqual([]);
  });
});
