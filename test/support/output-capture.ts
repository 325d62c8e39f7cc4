/**
 * Runs in every test worker (vitest setupFiles): keeps a copy of everything the worker prints —
 * the bundles' JSON log lines, SDK and Bolt warnings, console output — in
 * test-artifacts/output/<pid>.log, which test/support/leak-scan.ts scans when the run ends.
 *
 * What is written straight to process.stdout/stderr (shared/log.ts does) is then handed to the
 * worker's console, which vitest attributes to the running test and shows only when it fails
 * (`silent: "passed-only"`). vitest's worker console writes to its own streams and never to
 * process.stdout (node_modules/vitest/dist/chunks/console.*.js createCustomConsole), so nothing
 * written here comes back around.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { OUTPUT_DIR } from "./leak-scan.js";

mkdirSync(OUTPUT_DIR, { recursive: true });
const file = join(OUTPUT_DIR, `${process.pid}.log`);
const keep = (chunk: string | Uint8Array) => appendFileSync(file, chunk);

const toConsole = { stdout: console.log.bind(console), stderr: console.error.bind(console) };
for (const [name, stream] of [
  ["stdout", process.stdout],
  ["stderr", process.stderr],
] as const) {
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    keep(chunk);
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    toConsole[name](text.endsWith("\n") ? text.slice(0, -1) : text);
    (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
    return true;
  }) as typeof stream.write;
}
// console output goes to vitest's console directly: keep it too
for (const method of ["log", "info", "warn", "error", "debug"] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    keep(`${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`);
    original(...args);
  };
}
