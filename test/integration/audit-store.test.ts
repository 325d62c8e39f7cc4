/**
 * The audit's store against dynalite, with the operations table as serverless.yml defines it:
 * snapshots in parts, the conditional head that decides between two runs at once, the old parts
 * removed, acknowledgements, and keys that cannot meet an operation record.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { identify, type Remembered, type SnapshotData } from "../../shared/audit/history.js";
import { recall } from "../../shared/audit/compare.js";
import type { AuditResult } from "../../shared/audit/run.js";
import { DynamoAuditStore, StaleSnapshot, toParts } from "../../shared/audit/store.js";
import { DynamoSim } from "../../dev/sim/dynamodb.js";

const dynamo = new DynamoSim("audit-store-test");
let store: DynamoAuditStore;
beforeAll(async () => {
  await dynamo.start();
  store = new DynamoAuditStore(dynamo.tableName, dynamo.clientConfig());
});
afterAll(() => dynamo.close());

async function keys(): Promise<Array<{ pk: string; sk: string }>> {
  const client = new DynamoDBClient(dynamo.clientConfig());
  const out = await client.send(new ScanCommand({ TableName: dynamo.tableName }));
  client.destroy();
  return (out.Items ?? []).map((i) => ({ pk: i.pk!.S!, sk: i.sk!.S! }));
}

const remembered = (i: number): Remembered => ({
  id: `f-${i.toString(16).padStart(12, "0")}`,
  fp: "0123456789abcdef",
  rule: "stale-custom",
  severity: "info",
  provider: "scp",
  account: "demo",
  region: "kr-west1",
  imageId: `4c8e2a6b-1d3f-4a5b-9c7d-${String(i).padStart(12, "0")}`,
  imageName: `${"매우-긴-이미지-이름-".repeat(25)}${i}`.slice(0, 255),
  firstSeen: "2026-11-24T01:00:00.000Z",
});
const snapshot = (scope: string, n: number, at = "2026-11-24T01:00:00.000Z"): SnapshotData => ({
  scope,
  stream: "scheduled",
  at,
  findings: Array.from({ length: n }, (_, i) => remembered(i)),
  sinceDigest: { from: at, runs: 1, new: n, resolved: 0 },
});

describe("audit snapshots in the operations table", () => {
  it("stores a snapshot larger than one item in parts and reads it back whole; the old parts go", async () => {
    const big = snapshot("big/*", 3000);
    expect(toParts(big.findings).length).toBeGreaterThan(3);
    await store.write(big, undefined);
    const read = await store.read("big/*", "scheduled");
    expect(read!.findings).toEqual(big.findings);
    expect(read).toMatchObject({ version: 1, chunks: toParts(big.findings).length, at: big.at });

    await store.write(snapshot("big/*", 10, "2026-11-25T01:00:00.000Z"), read);
    const again = await store.read("big/*", "scheduled");
    expect(again).toMatchObject({ version: 2, chunks: 1 });
    expect(again!.findings).toHaveLength(10);
    expect((await keys()).filter((k) => k.pk === "audit#scope#big/*")).toHaveLength(2); // the head and its one part
  });

  it("of two runs writing at once, one wins; the other is told (StaleSnapshot) and leaves nothing behind", async () => {
    await store.write(snapshot("race/*", 5), undefined);
    const seen = (await store.read("race/*", "scheduled"))!;
    const results = await Promise.allSettled([store.write(snapshot("race/*", 6), seen), store.write(snapshot("race/*", 7), seen)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(StaleSnapshot);
    const now = (await store.read("race/*", "scheduled"))!;
    expect(now.version).toBe(2);
    expect([6, 7]).toContain(now.findings.length);
    expect((await keys()).filter((k) => k.pk === "audit#scope#race/*")).toHaveLength(2);
  });

  it("two audits at once: the second to store builds on the first, and both are stored", async () => {
    const image = {
      provider: "scp",
      account: "demo",
      region: "kr-west1",
      name: "x",
      description: null,
      kind: "custom",
      visibility: "public",
      status: "available",
      providerStatus: "active",
      os: { family: "linux", distro: null, version: null, name: null },
      architecture: null,
      sizeBytes: null,
      createdAt: null,
      sourceServerId: null,
    } as const;
    const result = (ids: string[]): AuditResult => ({
      findings: ids.map((id) =>
        identify(
          {
            rule: "over-shared",
            severity: "critical",
            provider: "scp",
            account: "demo",
            region: "kr-west1",
            imageId: id,
            imageName: id,
            message: "m",
          },
          { ...image, id },
        ),
      ),
      summary: { images: ids.length, findings: ids.length, bySeverity: { critical: ids.length, warning: 0, info: 0 } },
      errors: [],
    });
    const ctx = { scope: "twin/*", stream: "on-demand" as const, now: Date.parse("2026-11-24T01:00:00Z"), timeZone: "Asia/Seoul" };
    const [one, two] = await Promise.all([recall(store, result(["a", "b"]), ctx), recall(store, result(["a", "c"]), ctx)]);
    expect(one.result.changes!.since).toBeNull();
    expect(two.result.changes!.since).toBeNull();
    await Promise.all([one.commit(), two.commit()]);
    expect(one.result.changes!.notSaved).toBeUndefined();
    expect(two.result.changes!.notSaved).toBeUndefined();
    const stored = (await store.read("twin/*", "on-demand"))!;
    expect(stored.version).toBe(2);
  });

  it("keeps acknowledgements; an end is recorded only on the acknowledgement it was read from", async () => {
    const ack = {
      finding: "f-aaaaaaaaaaaa",
      rule: "over-shared",
      provider: "scp" as const,
      account: "demo",
      region: "kr-west1",
      imageId: "i",
      imageName: "n",
      fingerprint: "fp",
      reason: "r",
      by: "U1",
      at: "2026-11-24T01:00:00.000Z",
      until: "2026-12-24T01:00:00.000Z",
    };
    await store.putAck(ack);
    await store.putAck({ ...ack, finding: "f-bbbbbbbbbbbb" });
    // renewed meanwhile (a new `at`): the stale end is not written over it
    await store.putAck({ ...ack, at: "2026-11-25T01:00:00.000Z" });
    await store.endAck(ack, { at: "2026-11-26T00:00:00.000Z", because: "image changed" });
    const acks = await store.acks();
    expect(acks.map((a) => a.finding).sort()).toEqual(["f-aaaaaaaaaaaa", "f-bbbbbbbbbbbb"]);
    expect(acks.find((a) => a.finding === "f-aaaaaaaaaaaa")!.ended).toBeUndefined();
    await store.endAck({ ...ack, at: "2026-11-25T01:00:00.000Z" }, { at: "2026-11-26T00:00:00.000Z", because: "image changed" });
    expect((await store.acks()).find((a) => a.finding === "f-aaaaaaaaaaaa")!.ended).toMatchObject({ because: "image changed" });
  });

  it("every key it writes starts audit#, which no operation record's can (img-<provider>-<hex> / operation)", async () => {
    const all = await keys();
    expect(all.length).toBeGreaterThan(0);
    for (const k of all) {
      expect(k.pk.startsWith("audit#"), k.pk).toBe(true);
      expect(k.sk).not.toBe("operation");
    }
  });
});
