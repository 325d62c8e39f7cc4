/**
 * A policy at the largest settings its schema allows (20 servers, keep 100, a name template of
 * 255 characters), run for more scheduled times than it keeps, against the
 * operations table in memory with DynamoDB's 400 KB item limit (test/support/memory-store.ts)
 * and a cloud model: every write succeeds, every run ends done, and retention holds exactly 100
 * images a server. And the largest run item the schema allows, built field by field at every
 * bound, is under the limit.
 */
import { describe, expect, it } from "vitest";
import { trackStep } from "../../../shared/images/track.js";
import { type Policy, validatePolicies } from "../../../shared/policies/schema.js";
import {
  KEPT_LISTED_PER_SERVER,
  LEDGER_PREFIX,
  type LedgerEntry,
  MAX_DELETES_PER_RUN,
  type PolicyRun,
  policyKey,
  REASON_MAX,
  runSort,
} from "../../../shared/policies/record.js";
import { runPolicy } from "../../../shared/policies/run.js";
import type { Runtime } from "../../../shared/runtime.js";
import type { Tracker } from "../../../shared/tracking/types.js";
import { adapterOf, Clock, CloudModel, Life, T0 } from "../../support/engine-world.js";
import { dynamoItemSize, MAX_ITEM_BYTES, MemoryStore } from "../../support/memory-store.js";

const SERVER_IDS = Array.from({ length: 20 }, (_, i) => String(2_000_001 + i));
const DAY = 86_400_000;

/** The schema's maxima: 20 servers, keep 100, a name template of 255 characters (its names 250: SCP allows 255, scp.md D7). */
function largestPolicy(): Policy {
  const pad = "x".repeat(255 - "{serverId}-{yyyyMMdd-HHmm}-".length);
  return validatePolicies(
    {
      policies: [
        {
          name: "largest-policy",
          provider: "scp",
          servers: SERVER_IDS,
          schedule: "cron(0 3 * * ? *)",
          image: `{serverId}-{yyyyMMdd-HHmm}-${pad}`,
          retention: { keep: 100 },
          channel: "C0LARGEST1",
        },
      ],
    },
    "the test's policies",
  )[0]!;
}

describe("a policy's items stay bounded", () => {
  it("at 20 servers × keep 100 with 250-character names, 105 runs: every write succeeds and each server keeps 100", async () => {
    const policy = largestPolicy();
    const clock = new Clock();
    const store = new MemoryStore();
    const cloud = new CloudModel(clock, {
      lagMs: 0,
      createMs: 0,
      duplicateNames: "accept",
      serverShown: true,
      account: "max",
      region: "kr-west1",
    });
    const adapter = adapterOf(cloud, new Life(undefined, async () => undefined), "none", "scp");
    const account = { provider: "scp", name: "max", regions: ["kr-west1"], accessKey: "AKMODEL", secretKey: "model", endpoint: "" };
    const creds = { get: async () => ({ accounts: [account] }), refresh: async () => ({ accounts: [account] }) };
    const rt = (): Runtime =>
      ({ credentials: creds, now: clock.now, deadline: clock.now() + 900_000, adapters: { scp: adapter } }) as unknown as Runtime;
    // tracking as the state machine would carry it, to its end at once: the cloud model's images are ready when made
    const tracker: Tracker = {
      start: async (input) => {
        for (let step = 0; step < 10; step++) {
          const out = await trackStep(rt(), input, { store, read: async (_rt, i) => cloud.describe(i.imageId) });
          if (out.done) break;
        }
        return "started";
      },
      status: async () => "ended",
    };

    const runs = 105;
    for (let n = 0; n < runs; n++) {
      clock.t = T0 + n * DAY;
      const scheduledAt = new Date(clock.t).toISOString().replace(/\.000Z$/, "Z");
      const out = await runPolicy(rt(), { store, tracker, pollMs: 1 }, policy, { scheduledAt, trigger: "schedule" });
      expect(out.status, `run ${n}`).toBe("done");
      const run = await store.get<PolicyRun>(policyKey(policy.name), runSort(scheduledAt));
      expect(run?.state, `run ${n}`).toBe("done");
      expect(run!.summary!.failed, `run ${n}`).toEqual([]);
      expect(run!.summary!.keptCount).toBe(20 * Math.min(n + 1, 100));
      expect(run!.summary!.kept.length).toBeLessThanOrEqual(20 * KEPT_LISTED_PER_SERVER);
    }
    // the images not deleted nor being deleted (the last run's deletes are marked deleting until the next run)
    const live = (await store.query<LedgerEntry>(policyKey(policy.name), LEDGER_PREFIX)).filter((e) => !e.deleted && !e.deleting);
    expect(live).toHaveLength(20 * 100);
    for (const id of SERVER_IDS) expect(live.filter((e) => e.serverId === id)).toHaveLength(100);
    // 5 runs beyond keep: 5 × 20 deleted, exactly the oldest
    expect(cloud.deletes.filter((d) => d.took)).toHaveLength(5 * 20);
    expect(store.largest).toBeLessThan(MAX_ITEM_BYTES);
  }, 120_000);

  it("the largest run item the schema allows (every field at its bound) is under DynamoDB's 400 KB", () => {
    const long = (n: number) => "y".repeat(n);
    const server = long(128); // a server named by a name of the schema's 128 characters
    const name = long(255);
    const imageId = "3f3c8d2e-1b2a-4c5d-9e8f-0a1b2c3d4e5f";
    const operation = `img-scp-${"a".repeat(40)}-99`;
    const reason = long(REASON_MAX);
    const run: PolicyRun = {
      key: policyKey("p".repeat(32)),
      sort: runSort("2026-12-01T03:00:00Z"),
      version: 99,
      claimedAt: "2026-12-01T03:00:00.000Z",
      kind: "policy-run",
      policy: "p".repeat(32),
      scheduledAt: "2026-12-01T03:00:00Z",
      trigger: "manual",
      requestedBy: "U0123456789",
      state: "done",
      claimId: "0626ee4f-d6f2-40aa-b174-1f5f3631cf04",
      leaseUntil: 1_796_083_835_000,
      startedAt: "2026-12-01T03:00:00.000Z",
      endedAt: "2026-12-01T03:14:00.000Z",
      items: Array.from({ length: 20 }, () => ({ server, serverId: imageId, name, operation, imageId, state: "stopped" as const, reason })),
      summary: {
        made: Array.from({ length: 20 }, () => ({ server, name, imageId, state: "available" as const })),
        keptCount: 2000,
        kept: Array.from({ length: 20 * KEPT_LISTED_PER_SERVER }, () => ({ server, name, imageId })),
        deleted: Array.from({ length: MAX_DELETES_PER_RUN }, () => ({ server, name, imageId, operation })),
        failed: Array.from({ length: 20 + MAX_DELETES_PER_RUN }, () => ({ what: `image ${name} (${imageId}) of ${server}`, reason })),
        deferred: Array.from({ length: 40 }, () => ({ server, reason: "1999 more beyond retention: the next run deletes them" })),
      },
      posted: { channel: "C0123456789", error: reason },
    };
    const bytes = dynamoItemSize({ pk: run.key, sk: run.sort, expiresAt: 1_803_859_200, ...run });
    expect(bytes).toBeLessThan(MAX_ITEM_BYTES);
  });
});
