import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll } from "vitest";
import type { LocalStackOptions } from "../../dev/local-stack.js";
import { BUNDLE_OPTIONS } from "../../scripts/build.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The run-policy bundle built as `npm run build` builds it (the same options and plugins) but with
 * the policies of `file` in it, so a suite runs its own policies, not whatever policies.yaml holds.
 */
export async function buildRunPolicy(file: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "imageops-run-policy-"));
  const before = process.env.IMAGEOPS_POLICIES_FILE;
  process.env.IMAGEOPS_POLICIES_FILE = file;
  try {
    await build({
      entryPoints: [join(root, "functions", "run-policy", "handler.ts")],
      outfile: join(dir, "index.mjs"),
      ...BUNDLE_OPTIONS,
      logLevel: "silent",
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  } finally {
    if (before === undefined) delete process.env.IMAGEOPS_POLICIES_FILE;
    else process.env.IMAGEOPS_POLICIES_FILE = before;
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
