/**
 * Runs in every test worker (vitest setupFiles): keeps a copy of everything the worker prints —
 * the bundles' JSON log lines, SDK and Bolt warnings, console output — in
 * test-artifacts/output/<pid>.log, which test/support/leak-scan.ts scans when the run ends.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { OUTPUT_DIR } from "./leak-scan.js";
import { tapOutput } from "./tap-output.js";

mkdirSync(OUTPUT_DIR, { recursive: true });
const file = join(OUTPUT_DIR, `${process.pid}.log`);
const keep = (chunk: string | Uint8Array) => appendFileSync(file, chunk);

tapOutput(keep);
// vitest routes console output around process.stdout: keep it too
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    keep(`${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`);
    original(...args);
  };
}
