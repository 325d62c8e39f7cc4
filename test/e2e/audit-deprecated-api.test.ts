/** An SCP account pinned to a Virtual Server API version past its Not-Before date. */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../dev/local-stack.js";
import type { Finding } from "../../shared/audit/finding.js";

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ accountFields: { scp: { apiVersion: "1.1" } }, env: { AUDIT_AS_OF: "2026-11-23T12:00:00Z" } });
}, 60_000);
afterAll(() => stack?.stop());

it("reports the deprecated version once per run, next to the error SCP answers", async () => {
  const out = (await stack.invoke("audit-images", { provider: "scp" })) as {
    findings: Finding[];
    errors: Array<{ provider: string; code: string }>;
  };
  const deprecated = out.findings.filter((f) => f.rule === "deprecated-api-version");
  expect(deprecated).toHaveLength(1);
  expect(deprecated[0]).toMatchObject({ severity: "warning", provider: "scp", account: "demo" });
  expect(deprecated[0]!.message).toMatch(/1\.1.*2026-05-31/);
  // SCP no longer serves 1.1: the list fails and says so, the audit still answers
  expect(out.errors).toEqual([expect.objectContaining({ provider: "scp" })]);
});
