import { describe, expect, it } from "vitest";
import { trackStep } from "../../shared/images/track.js";
import type { Image } from "../../shared/model/image.js";
import { keyOfOperation, type OperationRecord } from "../../shared/operations/record.js";
import type { Runtime } from "../../shared/runtime.js";
import type { ProgressReporter, ProgressState, TrackInput } from "../../shared/tracking/types.js";
import { MemoryStore } from "../support/memory-store.js";

/**
 * A final card whose channel update Slack rate-limited past the step's wait (Retry-After,
 * https://docs.slack.dev/apis/web-api/rate-limits): the requester was told (progress delivery),
 * and tracking takes one more step after Retry-After so the channel card does not stay "creating".
 */
describe("tracking with the channel card owed its outcome", () => {
  const operation = `img-ncp-${"a".repeat(40)}`;
  const image = { id: "50000001", name: "owed", status: "available", providerStatus: "CREAT" } as Image;
  const input: TrackInput = {
    operation,
    provider: "ncp",
    account: "demo",
    region: "KR",
    imageId: "50000001",
    startedAt: new Date(Date.now() - 60_000).toISOString(),
    notify: { channel: "C0OWED0001", messageTs: "1700000000.000100" },
  };
  const rt = { now: () => Date.now() } as unknown as Runtime;

  it("answers not done with Retry-After as the wait, then ends once the channel card is updated, the end written once", async () => {
    const store = new MemoryStore();
    await store.put(
      { key: keyOfOperation(operation), id: operation, state: "created", version: 1, claimedAt: input.startedAt } as never,
      undefined,
    );
    const reports: Array<{ final: boolean; notify: ProgressState }> = [];
    let owed = true;
    const progress: ProgressReporter = {
      async report(i, u) {
        reports.push({ final: u.final, notify: i.notify! });
        if (i.notify!.channelOwed !== undefined) return { ...i.notify!, channelOwed: undefined };
        return owed ? { ...i.notify!, channelOwed: 30 } : i.notify!;
      },
    };
    const deps = { store, progress, read: async () => image };
    const first = await trackStep(rt, input, deps);
    expect(first).toMatchObject({ done: false, waitSeconds: 30, notify: { channelOwed: 30 } });
    const writes = store.writes.length;
    expect((await store.get<OperationRecord>(keyOfOperation(operation)))!.state).toBe("available");
    owed = false;
    // past the run's time limit by then: the recorded outcome stands (it is not recorded as stopped)
    const second = await trackStep(rt, { ...input, limitAt: new Date(Date.now() - 1).toISOString(), notify: first.notify }, deps);
    expect(second).toMatchObject({ done: true, outcome: "available" });
    expect((await store.get<OperationRecord>(keyOfOperation(operation)))!.state).toBe("available");
    expect(second.notify?.channelOwed).toBeUndefined();
    // the record said it already: not written (nor logged and counted) a second time
    expect(store.writes.length).toBe(writes);
    expect(reports.map((r) => [r.final, r.notify.channelOwed])).toEqual([
      [true, undefined],
      [true, 30],
    ]);
  });
});
