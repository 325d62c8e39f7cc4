/**
 * npm start's terminal stays readable: the functions' JSON log lines go to a file, and the
 * terminal gets one short line per function call and per error. The lines are Powertools
 * Logger's (shared/log.ts): one JSON object per write, starting with its "level", written to
 * stdout (debug, info) or stderr (warn, error) through a Console of its own on process.stdout and
 * process.stderr (@aws-lambda-powertools/logger Logger.setConsole), so both streams are routed;
 * and Powertools Metrics' CloudWatch embedded metric format, one JSON object starting with its
 * "_aws" written to stdout through a Console of its own too (@aws-lambda-powertools/metrics
 * Metrics.publishStoredMetrics: `this.console.log(JSON.stringify(emfOutput))`).
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const clock = () => new Date().toTimeString().slice(0, 8);
/** A function's JSON log line: a Logger entry or a metric (EMF). */
const isFunctionLog = (text: string) => text.startsWith('{"level":') || text.startsWith('{"_aws":');

export interface LogRouting {
  /** one short terminal line for a function call through the gateway */
  request(call: { method: string; path: string; status: number; ms: number }): void;
  close(): Promise<void>;
}

export function routeLogs(file: string): LogRouting {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file, { flags: "a" });
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  const terminal = process.stdout.write.bind(process.stdout);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      if (!isFunctionLog(text)) return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      out.write(text);
      // errors are worth a glance; expected refusals (warn) and the rest stay in the file
      const line = parse(text);
      if (line && /^(error|critical)$/i.test(line.level))
        terminal(`  ${clock()}  error: ${line.message.slice(0, 120)} (details in ${file})\n`);
      (rest.find((r) => typeof r === "function") as (() => void) | undefined)?.();
      return true;
    }) as typeof stream.write;
  }
  return {
    request: ({ method, path, status, ms }) =>
      terminal(`  ${clock()}  ${method.padEnd(4)} ${path.length > 100 ? `${path.slice(0, 99)}…` : path}  → ${status}  ${ms} ms\n`),
    close: () =>
      new Promise<void>((resolve) => {
        process.stdout.write = original.stdout;
        process.stderr.write = original.stderr;
        out.end(() => resolve());
      }),
  };
}

function parse(text: string): { level: string; message: string } | undefined {
  try {
    const line = JSON.parse(text) as { level?: unknown; message?: unknown };
    return { level: String(line.level ?? ""), message: String(line.message ?? "") };
  } catch {
    return undefined; // a line cut short: the file has it
  }
}
