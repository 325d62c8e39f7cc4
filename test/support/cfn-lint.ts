/**
 * cfn-lint, AWS's CloudFormation linter (a Python package: pip or pipx, not npm), which
 * test/e2e/template.test.ts runs on the packaged template when it is on PATH, and the notice that
 * says it was skipped otherwise. vitest globalSetup: the notice is printed when the run ends, in
 * vitest's own process (the workers' output is kept for failing tests only, vitest.config.ts).
 */
import { spawnSync } from "node:child_process";

export const hasCfnLint = (): boolean => spawnSync("cfn-lint", ["--version"], { encoding: "utf8" }).status === 0;

export const CFN_LINT_SKIPPED =
  "template lint skipped: cfn-lint is not on PATH.\n  To run it (test/e2e/template.test.ts lints the packaged template): pipx install cfn-lint, or pip install cfn-lint.";

export function setup(): () => void {
  return () => {
    if (!hasCfnLint()) console.log(CFN_LINT_SKIPPED);
  };
}
