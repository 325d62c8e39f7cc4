/**
 * The operation engine's waits and proofs, with the in-memory world (test/support/engine-world.ts):
 * a twin waits on the winner as long as its own invocation allows and answers the winner's
 * operation; past that it says who holds the claim; an interrupted send with nothing to show is
 * not sent again until the cloud's grace has passed.
 */
import { describe, expect, it } from "vitest";
import { createOnTarget } from "../../../shared/images/create.js";
import { ImageOpsError } from "../../../shared/model/errors.js";
import { adapterOf, Clock, CloudModel, CTX, type Death, Life, ModelTracker, processOf, SERVERS } from "../../support/engine-world.js";
import { MemoryStore } from "../../support/memory-store.js";

const GRACE_MS = 60_000;

function world(graceMs = GRACE_MS) {
  const clock = new Clock();
  const store = new MemoryStore();
  const tracker = new ModelTracker();
  const cloud = new CloudModel(clock, { lagMs: 0, createMs: 60_000, duplicateNames: "accept", serverShown: false });
  const env = { clock, store, tracker, graceMs };
  /** one create request as one process, its port calls passing `yieldPoint` */
  const create = async (yieldPoint: (l: string) => Promise<unknown> = async () => undefined, death?: Death) => {
    const life = new Life(death, yieldPoint, clock.now);
    const { rt, deps } = processOf(env, life, yieldPoint);
    return createOnTarget(rt, deps, CTX, adapterOf(cloud, life, "none"), { provider: "ncp", serverId: SERVERS[0], name: "golden-a" });
  };
  return { clock, cloud, create };
}

/** Holds a process at its first port call `at` matches until `open()`. */
function gate(at: (label: string) => boolean) {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  let reached!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  let held = false;
  const point = async (label: string) => {
    if (held || !at(label)) return;
    held = true;
    reached();
    await opened;
  };
  return { point, open, atGate };
}

describe("a twin", () => {
  it("waits on the winner's claim while its own invocation allows, then answers the winner's operation; one create", async () => {
    const w = world();
    const winner = gate((l) => l.startsWith("create "));
    const first = w.create(winner.point);
    await winner.atGate;
    // the twin sleeps on the claim; after some 10 s of its waiting, the winner's create goes out and is answered
    let sleeps = 0;
    const twin = w.create(async (l) => {
      if (l.startsWith("sleep") && ++sleeps === 20) winner.open();
    });
    const [a, b] = await Promise.all([first, twin]);
    if (a.dryRun || b.dryRun) throw new Error("not dry runs");
    expect(b.operation.id).toBe(a.operation.id);
    expect(b.image.id).toBe(a.image.id);
    expect(w.cloud.creates).toHaveLength(1);
    expect(sleeps).toBeGreaterThanOrEqual(20);
  });

  it("whose checks ran while the winner made the image (its name now taken) answers the winner's operation, not the name conflict", async () => {
    const w = world();
    // the twin reads no record, then is held at its check of the name: meanwhile the winner claims, creates, records
    const twinAt = gate((l) => l.startsWith("list "));
    const twin = w.create(twinAt.point);
    await twinAt.atGate;
    const first = await w.create();
    twinAt.open();
    const second = await twin;
    if (first.dryRun || second.dryRun) throw new Error("not dry runs");
    expect(second.operation.id).toBe(first.operation.id);
    expect(w.cloud.creates).toHaveLength(1);
  });

  it("whose invocation ends while the winner still holds the claim answers CONFLICT naming the operation", async () => {
    const w = world();
    const winner = gate((l) => l.startsWith("create "));
    void w.create(winner.point);
    await winner.atGate;
    const err = await w.create().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageOpsError);
    expect(err).toMatchObject({
      code: "CONFLICT",
      field: "name",
      message: expect.stringMatching(/is being created by another request since/),
    });
    // it waited until two seconds before its deadline (30 s), not a fixed few seconds
    expect(w.clock.now() - Date.parse("2026-12-01T00:00:00Z")).toBeGreaterThanOrEqual(27_500);
    winner.open();
  });
});

describe("an attempt that died after marking its create sent", () => {
  const T0 = Date.parse("2026-12-01T00:00:00Z");

  it("is not sent again until the cloud's grace has passed: the next request waits it out, then makes the image once", async () => {
    const w = world();
    // dies at its create call, before the cloud is asked: nothing was made
    await w.create(undefined, { atCall: 9, afterEffect: false }).catch(() => undefined);
    expect(w.cloud.creates).toHaveLength(0);
    w.clock.advance(36_000); // past the dead attempt's lease, within the grace
    const later = await w.create();
    if (later.dryRun) throw new Error("not a dry run");
    expect(w.cloud.creates).toHaveLength(1);
    expect(w.cloud.creates[0]!.at).toBeGreaterThanOrEqual(T0 + GRACE_MS);
    expect(later.image.id).toBe(w.cloud.creates[0]!.made);
  });

  it("a request whose invocation ends before the grace does says when to repeat, and sends nothing", async () => {
    const w = world(10 * 60_000);
    await w.create(undefined, { atCall: 9, afterEffect: false }).catch(() => undefined);
    w.clock.advance(36_000);
    const early = await w.create().catch((e: unknown) => e);
    expect(early).toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/sent its create at .* repeat the same request after 2026-12-01T00:10:00\.000Z/),
    });
    expect(w.cloud.creates).toHaveLength(0);
  });
});
