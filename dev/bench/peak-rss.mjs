/** The process's peak resident set (VmHWM) in KiB, for the bench's child processes; maxRSS where /proc is not there. */
import { readFileSync } from "node:fs";

export function peakRssKiB() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) return Number(m[1]);
  } catch {}
  return process.resourceUsage().maxRSS;
}
