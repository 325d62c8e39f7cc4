import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import type { LocalStackOptions } from "../../dev/local-stack.js";
import { buildRunPolicyWith } from "../../scripts/build.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The run-policy bundle with the policies of `file` (scripts/build.ts), in a directory of its own. */
export async function buildRunPolicy(file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "imageops-run-policy-"));
  try {
    await buildRunPolicyWith(file, join(dir, "index.mjs"));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return dir;
}

/** Registers, before the stack starts, the build of a run-policy bundle of `file` into `options`. */
export function withPolicies(options: LocalStackOptions, file = "test/fixtures/policies.yaml"): LocalStackOptions {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await buildRunPolicy(join(root, file));
    options.bundles = { ...options.bundles, "run-policy": dir };
    options.policiesFile = join(root, file);
  }, 60_000);
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));
  return options;
}
