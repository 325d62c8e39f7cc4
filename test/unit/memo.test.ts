import { describe, expect, it } from "vitest";
import { memoAsync } from "../../shared/memo.js";

describe("memoAsync", () => {
  it("makes the value once for concurrent and later callers", async () => {
    let made = 0;
    const get = memoAsync(async () => ++made);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
  });

  it("forgets a failure: the next call tries again", async () => {
    let calls = 0;
    const get = memoAsync(async () => {
      if (++calls === 1) throw new Error("secret unreadable");
      return "client";
    });
    await expect(get()).rejects.toThrow("secret unreadable");
    expect(await get()).toBe("client");
    expect(calls).toBe(2);
  });
});
