import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

/**
 * The built bundles are loaded as they are, without their source maps: Vite would read each map
 * and warn, once per bundle, about the dependencies whose published maps name sources they do not
 * ship (vite's injectSourcesContent; the bundles keep sourcesContent out, scripts/esbuild.config.cjs).
 * A plugin's `load` result is used instead of reading the file, and the map with it (Vite plugin API).
 */
const bundlesWithoutMaps = {
  name: "imageops-bundles-without-maps",
  load(id: string) {
    const file = /^(.*\/dist\/[^/]+\/index\.mjs)(\?.*)?$/.exec(id)?.[1]; // a query makes a fresh container
    if (!file) return null;
    return { code: readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"), map: null };
  },
};

export default defineConfig({
  plugins: [bundlesWithoutMaps],
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
    globalSetup: ["test/support/leak-scan.ts", "test/support/browser-notice.ts", "test/support/cfn-lint.ts"],
  },
});
