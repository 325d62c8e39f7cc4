import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // everything the workers print is kept and scanned for secrets when the run ends
    setupFiles: ["test/support/output-capture.ts"],
    globalSetup: ["test/support/leak-scan.ts"],
  },
});
