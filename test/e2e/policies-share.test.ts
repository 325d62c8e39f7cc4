/**
 * A policy's `share:` through the built bundles (run-policy built with test/fixtures/policies-share.yaml):
 * each new image is shared with the policy's targets once it is available, once per image; retention
 * removes an image's shares before it deletes the image, so the delete finds it shared with nobody.
 */
import { describe, expect, it } from "vitest";
import type { LocalStack, LocalStackOptions } from "../../dev/local-stack.js";
import { watchLocalStack } from "../support/leak-watch.js";
import { withPolicies } from "../support/policy-bundle.js";

let stack: LocalStack;
const options: LocalStackOptions = withPolicies(
  { createDelayMs: 1_000, waitScale: 0.02, env: { PROVIDER_TIMEOUT_MS: "2000", POLICY_POLL_SECONDS: "0.2" } },
  "test/fixtures/policies-share.yaml",
);
const leaks = watchLocalStack(options, (s) => (stack = s));
const day = 86_400_000;
const T = (n: number) => new Date(Date.parse("2026-11-01T21:00:00Z") + n * day).toISOString().replace(/\.000Z$/, "Z");
const deliver = async (policy: string, at: string) => {
  const d = await stack.scheduler.deliver(policy, at);
  leaks.record(d.result ?? d.error);
  return d.result as any;
};
const TARGETS = ["workload-a@example.com", "workload-b@example.com"];
const calls = (action: string, image: string) =>
  stack.ncp.requests.flatMap((r, i) =>
    r.url.pathname.endsWith(`/${action}`) &&
    new URLSearchParams(r.body).get(action.startsWith("delete") ? "serverImageNoList.1" : "serverImageNo") === image
      ? [i]
      : [],
  );

describe("a policy's share:", () => {
  it("shares each new image once available, once; unshares an image before retention deletes it", async () => {
    const first = await deliver("e2e-share", T(0));
    const firstImage = first.run.items[0].imageId as string;
    expect(first.run.summary.shared).toEqual([
      { server: "1234567", imageId: firstImage, targets: TARGETS, operation: expect.stringMatching(/^shr-ncp-/) },
    ]);
    expect(stack.ncp.images.get(firstImage)!.raw.sharedLoginIdList).toEqual(TARGETS);
    expect(calls("addServerImageSharingPermission", firstImage)).toHaveLength(1);
    // the same delivery again: nothing shared twice
    await deliver("e2e-share", T(0));
    expect(calls("addServerImageSharingPermission", firstImage)).toHaveLength(1);

    const second = await deliver("e2e-share", T(1));
    const secondImage = second.run.items[0].imageId as string;
    expect(second.run.summary.deleted.map((d: any) => d.imageId)).toEqual([firstImage]);
    expect(stack.ncp.images.get(secondImage)!.raw.sharedLoginIdList).toEqual(TARGETS);
    // the shares of the old image went first, then its delete
    const [removed] = calls("removeServerImageSharingPermission", firstImage);
    const [deleted] = calls("deleteServerImage", firstImage);
    expect(removed).toBeDefined();
    expect(removed!).toBeLessThan(deleted!);
    const body = new URLSearchParams(stack.ncp.requests[removed!]!.body);
    expect([body.get("targetLoginIdList.1"), body.get("targetLoginIdList.2")]).toEqual(TARGETS);
    expect(stack.slackApi.messages.filter((m) => m.channel === "C0POLICY05").at(-1)!.text).toMatch(/1 made, 1 kept, 1 deleted, 0 failed/);
  });
});
