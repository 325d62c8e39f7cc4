/**
 * The decision a create request takes from its operation record: the one place where a retry,
 * a twin, an interrupted attempt, a changed payload and a gone or failed image are told apart.
 */
import { describe, expect, it } from "vitest";
import type { Image } from "../../../shared/model/image.js";
import {
  claimRecord,
  decide,
  deleteKey,
  type DeleteRecord,
  executionName,
  keyOf,
  keyOfOperation,
  operationKey,
  type CreateRecord,
  payloadHash,
  predict,
} from "../../../shared/operations/record.js";

const REQUEST = { provider: "ncp" as const, account: "demo", region: "KR", serverId: "1234567", name: "web-golden" };
const NOW = Date.parse("2026-12-02T00:00:00Z");
const claimed = claimRecord(undefined, REQUEST, { claimId: "c1", now: NOW, leaseUntil: NOW + 65_000 });
const HASH = payloadHash(REQUEST);
const at = (r: Partial<CreateRecord>): CreateRecord => ({ ...claimed, ...r });
const image = (status: Image["status"]) => ({ seen: "present", image: { id: "42", status } as Image }) as const;
const GONE = { seen: "gone" } as const;
const UNSEEN = { seen: "unseen" } as const;

describe("decide", () => {
  it("creates when there is no record", () => {
    expect(decide(undefined, HASH, NOW).action).toBe("start");
  });

  it("waits on a live claim, and takes over one whose lease ran out, knowing whether it was sent", () => {
    expect(decide(claimed, HASH, NOW + 1_000)).toEqual({ action: "wait", until: NOW + 65_000 });
    expect(decide(at({ state: "sent" }), HASH, NOW + 65_000)).toEqual({ action: "take-over", sent: true });
    expect(decide(claimed, HASH, NOW + 65_000)).toEqual({ action: "take-over", sent: false });
  });

  it("answers a created or available operation, and tracks one whose tracking never started or stopped", () => {
    const tracking = { execution: claimed.id, startedAt: "x", runs: 1 };
    expect(decide(at({ state: "created", imageId: "42", tracking }), HASH, NOW, image("creating")).action).toBe("existing");
    expect(decide(at({ state: "available", imageId: "42", tracking }), HASH, NOW, image("available")).action).toBe("existing");
    expect(decide(at({ state: "created", imageId: "42" }), HASH, NOW, image("creating")).action).toBe("track");
    expect(decide(at({ state: "stopped", imageId: "42", tracking, reason: "limit" }), HASH, NOW, image("creating")).action).toBe("track");
  });

  it("starts a new generation when the image is proven gone or failed, or the attempt made none", () => {
    expect(decide(at({ state: "available", imageId: "42" }), HASH, NOW, GONE).action).toBe("start");
    expect(decide(at({ state: "created", imageId: "42" }), HASH, NOW, image("failed")).action).toBe("start");
    expect(decide(at({ state: "failed", reason: "refused" }), HASH, NOW).action).toBe("start");
  });

  it("never starts again for an image that is only not readable yet: it answers the operation", () => {
    const tracking = { execution: claimed.id, startedAt: "x", runs: 1 };
    expect(decide(at({ state: "created", imageId: "42", tracking }), HASH, NOW, UNSEEN, "running").action).toBe("existing");
  });

  it("tracks again when the tracking run is over (or never started) but the record is not final", () => {
    const tracking = { execution: claimed.id, startedAt: "x", runs: 1 };
    const created = at({ state: "created", imageId: "42", tracking });
    expect(decide(created, HASH, NOW, image("creating"), "running").action).toBe("existing");
    expect(decide(created, HASH, NOW, image("creating"), "ended")).toEqual({
      action: "track",
      reason: `tracking run ${claimed.id} ended without recording an outcome`,
    });
    expect(decide(created, HASH, NOW, image("creating"), "missing").action).toBe("track");
    // Step Functions could not be asked: the operation is answered as it is
    expect(decide(created, HASH, NOW, image("creating"), "unknown").action).toBe("existing");
  });

  it("refuses other parameters on a live operation, but not on a dead one", () => {
    const other = payloadHash({ ...REQUEST, description: "other" });
    expect(decide(at({ state: "created", imageId: "42" }), other, NOW, image("creating")).action).toBe("conflict");
    expect(decide(claimed, other, NOW).action).toBe("conflict");
    expect(decide(at({ state: "available", imageId: "42" }), other, NOW, GONE).action).toBe("start");
  });

  it("predicts each decision in words for the dry run", () => {
    expect(predict({ action: "start", reason: "x" }, undefined)).toBe("the request creates the image");
    expect(predict({ action: "existing" }, at({ state: "created", imageId: "42" }))).toMatch(/nothing new is created/);
  });
});

describe("ids", () => {
  it("keeps generation 1 on the key, numbers later generations and tracking runs, and maps ids back to the key", () => {
    const next = claimRecord(at({ state: "failed" }), REQUEST, { claimId: "c2", now: NOW, leaseUntil: NOW });
    expect(claimed.id).toMatch(/^img-ncp-[0-9a-f]{40}$/);
    expect(next.id).toBe(`${claimed.id}-2`);
    expect(next.history[0]).toMatchObject({ id: claimed.id, state: "failed" });
    expect(keyOfOperation(next.id)).toBe(claimed.key);
    expect(executionName(next.id, 1)).toBe(next.id);
    expect(executionName(next.id, 3)).toBe(`${next.id}-t3`);
    expect(executionName(`${next.id}-t3`, 1).length).toBeLessThanOrEqual(80); // Step Functions' name limit
  });
});

describe("a policy's create", () => {
  it("has the scheduled time in its key (a run of another time is another operation); a plain request's key is unchanged", () => {
    const at = (scheduledAt: string) =>
      claimRecord(undefined, { ...REQUEST, origin: { policy: "web", scheduledAt } }, { claimId: "c", now: NOW, leaseUntil: NOW });
    const a = at("2026-12-01T18:00:00Z");
    expect(a.key).not.toBe(claimed.key);
    expect(at("2026-12-01T18:00:00Z").key).toBe(a.key);
    expect(at("2026-12-02T18:00:00Z").key).not.toBe(a.key);
    expect(claimed.key).toBe(operationKey(REQUEST));
    // kept without expiry while the policy may still delete its image; a plain request's record expires
    expect(a.keep).toBe(true);
    expect(claimed.keep).toBeUndefined();
  });
});

describe("a delete's decision", () => {
  const DEL = { provider: "scp" as const, account: "demo", region: "kr-west1", imageId: "img-1" };
  const first = claimRecord(undefined, DEL, { claimId: "d1", now: NOW, leaseUntil: NOW + 65_000 });
  const del = (r: Partial<DeleteRecord>): DeleteRecord => ({ ...first, ...r });
  const { hash } = keyOf(DEL);

  it("is keyed by the image alone, a del- id, with the image on the record from the claim", () => {
    expect(first).toMatchObject({ kind: "delete-image", imageId: "img-1", id: deleteKey(DEL), state: "claimed" });
    expect(first.id).toMatch(/^del-scp-[0-9a-f]{40}$/);
    expect(deleteKey({ ...DEL, imageId: "img-2" })).not.toBe(first.key);
    expect(keyOfOperation(`${first.id}-2`)).toBe(first.key);
  });

  it("waits on a live claim and takes over a lapsed one, as a create does", () => {
    expect(decide(first, hash, NOW + 1_000)).toEqual({ action: "wait", until: NOW + 65_000 });
    expect(decide(del({ state: "sent" }), hash, NOW + 65_000)).toEqual({ action: "take-over", sent: true });
  });

  it("takes the image being gone as the goal, never as a reason to send again", () => {
    const tracking = { execution: first.id, startedAt: "x", runs: 1 };
    expect(decide(del({ state: "accepted", tracking }), hash, NOW, GONE, "running").action).toBe("existing");
    expect(decide(del({ state: "deleted", tracking }), hash, NOW, GONE).action).toBe("existing");
    expect(decide(del({ state: "accepted" }), hash, NOW, GONE).action).toBe("track");
    expect(decide(del({ state: "stopped", tracking }), hash, NOW, image("deleting")).action).toBe("track");
    // a refused delete starts again, and so does one whose tracking stopped with the image there, untouched
    expect(decide(del({ state: "failed", reason: "409" }), hash, NOW, image("available")).action).toBe("start");
    expect(decide(del({ state: "stopped", tracking }), hash, NOW, image("available")).action).toBe("start");
  });

  it("predicts in a delete's words", () => {
    expect(predict({ action: "start", reason: "x" }, undefined, "delete-image")).toBe("the request deletes the image");
    expect(predict({ action: "existing" }, del({ state: "deleted" }))).toMatch(/the image is deleted\); nothing is sent again/);
  });
});

describe("a share's decision", () => {
  const SHARE = {
    provider: "ncp" as const,
    account: "demo",
    region: "KR",
    imageId: "31000001",
    action: "share" as const,
    targets: ["b@example.com", "a@example.com"],
  };
  const first = claimRecord(undefined, SHARE, { claimId: "s1", now: NOW, leaseUntil: NOW + 65_000 });
  const seen = (done: boolean) => ({ seen: "present", image: { id: "31000001", status: "available" } as Image, done }) as const;

  it("has one key per image, action and set of targets, whatever their order or repeats", () => {
    const { key, kind } = keyOf(SHARE);
    expect(kind).toBe("share-image");
    expect(key).toMatch(/^shr-ncp-[0-9a-f]{40}$/);
    expect(keyOf({ ...SHARE, targets: ["a@example.com", "b@example.com", "a@example.com"] }).key).toBe(key);
    expect(keyOf({ ...SHARE, action: "unshare" }).key).not.toBe(key);
    expect(keyOf({ ...SHARE, imageId: "31000002" }).key).not.toBe(key);
    expect(first).toMatchObject({ kind: "share-image", imageId: "31000001", state: "claimed" });
  });

  it("answers a share the cloud still shows; starts again one it no longer shows, or one that was refused", () => {
    const shared = { ...first, state: "shared" as const, tracking: { execution: first.id, startedAt: "x", runs: 1 } };
    expect(decide(shared, first.payloadHash, NOW, seen(true)).action).toBe("existing");
    expect(decide(shared, first.payloadHash, NOW, seen(false))).toMatchObject({
      action: "start",
      reason: expect.stringMatching(/no longer shows/),
    });
    expect(decide({ ...first, state: "failed", reason: "refused" }, first.payloadHash, NOW, seen(false))).toMatchObject({
      action: "start",
    });
    // while it is being sent, what the cloud shows does not start another
    expect(decide({ ...first, state: "sent" }, first.payloadHash, NOW + 1_000, seen(false))).toMatchObject({ action: "wait" });
    expect(predict({ action: "existing" }, shared)).toMatch(/nothing is sent again/);
  });
});
