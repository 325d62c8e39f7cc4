import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // A test's output (the bundles' JSON logs of expected refusals, SDK warnings, console calls)
    // is printed only when that test, its suite or its file fails (vitest 3.2: "Use 'passed-only'
    // to see logs from failing tests only", node_modules/vitest/dist/chunks/reporters.d.*.ts).
    silent: "passed-only",
    // everything the workers print is kept in test-artifacts/output/ and scanned for secrets when the run ends
    setupFiles: ["test/support/output-capture.ts"],
    globalSetup: ["test/support/leak-scan.ts", "test/support/browser-notice.ts"],
  },
});
