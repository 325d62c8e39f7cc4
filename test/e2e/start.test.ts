/**
 * `npm start` as a new user runs it: start the local stack, run every curl example it prints,
 * and stop it with Ctrl-C (SIGINT), which must end every process cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../support/ports.js";

let child: ChildProcess;
let output = "";

beforeAll(async () => {
  const port = await closedPort();
  child = spawn("npm", ["start", "--silent"], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const started = Date.now();
  while (!output.includes("Ctrl-C stops everything")) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() - started > 90_000) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, 120_000);

afterAll(() => {
  if (child && child.exitCode === null) process.kill(-child.pid!, "SIGKILL");
});

/** `curl -s [-X M] URL [-H 'k: v'] [-d 'body']` → a fetch. */
function parseCurl(line: string): { url: string; init: RequestInit } {
  const tokens = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  const init: RequestInit & { headers: Record<string, string> } = { method: "GET", headers: {} };
  let url = "";
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === "-s") continue;
    if (t === "-X") init.method = tokens[++i]!;
    else if (t === "-H") {
      const [k, ...v] = tokens[++i]!.split(":");
      init.headers[k!.trim()] = v.join(":").trim();
    } else if (t === "-d") {
      init.body = tokens[++i]!;
      if (init.method === "GET") init.method = "POST";
    } else url = t;
  }
  return { url, init };
}

describe("npm start", () => {
  it("prints the URLs and serves every printed example", async () => {
    expect(output).toMatch(/functions \(function URL events\)\s+http:\/\/127\.0\.0\.1:\d+\/<function-name>/);
    const examples = output.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("curl -s") && !l.includes("/__sim/"));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const line of examples) {
      const { url, init } = parseCurl(line);
      expect(new URL(url).hostname).toBe("127.0.0.1");
      const res = await fetch(url, init);
      const body = await res.json();
      expect([200, 202], `${line} → ${res.status} ${JSON.stringify(body)}`).toContain(res.status);
      expect(body.error).toBeUndefined();
    }
  }, 60_000);

  it("stops everything on Ctrl-C", async () => {
    const gateway = /functions \(function URL events\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const sims = [...output.matchAll(/simulator\s+(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    process.kill(-child.pid!, "SIGINT"); // what Ctrl-C sends to the terminal's process group
    const { code, signal } = await exited;
    // npm re-raises the signal its child stopped on; the stack itself exits 0
    expect(code === 0 || signal === "SIGINT", `code ${code} signal ${signal}`).toBe(true);
    expect(output).not.toMatch(/Error|Unhandled/);
    await new Promise((r) => setTimeout(r, 300));
    for (const url of [gateway, ...sims]) await expect(fetch(url), url).rejects.toThrow();
  }, 30_000);
});
