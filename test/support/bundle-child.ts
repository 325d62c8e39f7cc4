import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LeakWatch } from "./leak-watch.js";

const BUNDLE_RUNNER = fileURLToPath(new URL("./run-bundle.mjs", import.meta.url));

/**
 * One built function run in a process of its own (./run-bundle.mjs), as another Lambda container
 * would: twins in two processes, or one to kill. Its output goes through the leak watch; `result`
 * is its answer (`{ok, value}` or `{ok: false, error}`), undefined when it died before answering.
 */
export function bundleChild(
  fn: string,
  input: Record<string, unknown>,
  leaks: LeakWatch,
  remainingMs = 30_000,
): { proc: ChildProcess; result: Promise<any> } {
  const proc = spawn(process.execPath, [BUNDLE_RUNNER, fn, String(remainingMs), JSON.stringify(input)], {
    env: process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (c) => (out += c));
  proc.stderr!.on("data", (c) => leaks.record(String(c)));
  const result = new Promise((resolve) => {
    proc.on("exit", () => {
      leaks.record(out);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      resolve(line ? JSON.parse(line.slice(7)) : undefined);
    });
  });
  return { proc, result };
}
