/**
 * npm start's terminal stays readable: the functions' JSON log lines (shared/log.ts, one line per
 * write) go to a file, and the terminal gets one short line per function call and per error.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const clock = () => new Date().toTimeString().slice(0, 8);

export interface LogRouting {
  /** one short terminal line for a function call through the gateway */
  request(call: { method: string; path: string; status: number; ms: number }): void;
  close(): Promise<void>;
}

export function routeLogs(file: string): LogRouting {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file, { flags: "a" });
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (!text.startsWith('{"level":')) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    out.write(text);
    // errors are worth a glance; expected refusals (warn) and the rest stay in the file
    if (text.startsWith('{"level":"error"')) {
      let message = "";
      try {
        message = String((JSON.parse(text) as { message?: unknown }).message ?? "");
      } catch {
        /* a line cut short: the file has it */
      }
      write(`  ${clock()}  error: ${message.slice(0, 120)} (details in ${file})\n`);
    }
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    request: ({ method, path, status, ms }) => write(`  ${clock()}  ${method.padEnd(4)} ${path.length > 100 ? `${path.slice(0, 99)}…` : path}  → ${status}  ${ms} ms\n`),
    close: () =>
      new Promise<void>((resolve) => {
        process.stdout.write = write;
        out.end(() => resolve());
      }),
  };
}
