/**
 * Runs in every test worker (vitest setupFiles): keeps a copy of everything the worker prints —
 * the bundles' JSON log lines, SDK and Bolt warnings, console output — in
 * test-artifacts/output/<pid>.log, which test/support/leak-scan.ts scans when the run ends.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { OUTPUT_DIR } from "./leak-scan.js";

mkdirSync(OUTPUT_DIR, { recursive: true });
const file = join(OUTPUT_DIR, `${process.pid}.log`);
const keep = (chunk: unknown) => appendFileSync(file, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array));

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return original(chunk, ...rest);
  }) as typeof stream.write;
}
// vitest routes console output around process.stdout: keep it too
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    keep(`${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`);
    original(...args);
  };
}
