/**
 * `npm start` as a new user runs it: start the local stack on a port of its own (PORT), run every
 * curl and `npm run slack` example it prints exactly as printed, and stop it with Ctrl-C (SIGINT),
 * which must end every process cleanly. A port already taken is said plainly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../support/ports.js";

let child: ChildProcess;
let output = "";

beforeAll(async () => {
  const port = await closedPort();
  child = spawn("npm", ["start", "--silent"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
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
  // still running (a test failed before Ctrl-C): end its whole process group
  if (child && child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
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
    const examples = output
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("curl -s") && !l.includes("/__sim/"));
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

  it("keeps the terminal readable: one line per call, the functions' JSON logs in the file it names", async () => {
    const file = /function logs \(JSON lines\)\s+(\S+)/.exec(output)?.[1];
    expect(file).toBe("local-stack.log");
    // the examples above ran: each is one short line, and no JSON log line reached the terminal
    expect(output).toMatch(/ GET {2}\/list-images\?os=ubuntu&limit=5 {2}→ 200 {2}\d+ ms\n/);
    expect(output).toMatch(/ POST \/create-image {2}→ 202 {2}\d+ ms\n/);
    expect(output).not.toMatch(/^\{"level"/m);
    expect(existsSync(file!)).toBe(true);
    expect(readFileSync(file!, "utf8")).toMatch(/^\{"level":"INFO","message":"image creation started"/m);
    // the AWS SDK's Node version warning: once at most, not once per bundle
    expect(output.split("NodeVersionSupportWarning").length - 1).toBeLessThanOrEqual(1);
  });

  it("lists the demo servers of every cloud, by name and id", () => {
    const section = output.slice(output.indexOf("Demo servers"), output.indexOf("Try:"));
    expect(section).toMatch(/^ {2}ncp +web-01 +1234567 +RUN$/m);
    expect(section).toMatch(/^ {2}scp +web-01 +6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b +ACTIVE$/m);
    expect(section).toMatch(/^ {2}iwinv +demo-web-01 +IWVM-demo-0001 +active +\(iwinv's API cannot create images\)$/m);
  });

  it("serves every npm run slack example as printed, from a shell without PORT, ending when the answer is complete", async () => {
    const examples = output
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => /^(PORT=\d+ )?npm run slack -- /.test(l));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const line of examples) {
      const m = /^(?:PORT=(\d+) )?npm run slack -- "(.*)"$/.exec(line);
      expect(m, line).not.toBeNull();
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.PORT;
      if (m![1]) env.PORT = m![1];
      const started = Date.now();
      const run = await runToEnd("npm", ["run", "--silent", "slack", "--", m![2]!], env);
      expect(run.code, `${line}\n${run.output}`).toBe(0);
      expect(run.output).toMatch(/^response:\n/m);
      // it ends when the bot has answered, not after a fixed watch
      expect(Date.now() - started).toBeLessThan(8_000);
    }
  }, 60_000);

  it("npm run slack waits for a slow cloud, and says what still runs when its timeout ends the wait", async () => {
    const ncp = /NCP simulator\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const port = /functions \(function URL events\)\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    // on a call only a list makes: the tracking of the image created above polls NCP too
    const fault = (f: object) =>
      fetch(`${ncp}/__sim/faults`, { method: "POST", body: JSON.stringify({ ...f, pathIncludes: "getMemberServerImageInstanceList" }) });
    const env = { ...process.env, PORT: port };
    try {
      await fault({ latencyMs: 3_000, count: 1 });
      const started = Date.now();
      const slow = await runToEnd("npm", ["run", "--silent", "slack", "--", "/images list ncp"], env);
      expect(slow.code, slow.output).toBe(0);
      expect(slow.output).toMatch(/^response:\n/m);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);

      await fault({ latencyMs: 5_000, count: 1 });
      const cut = await runToEnd("npm", ["run", "--silent", "slack", "--", "/images list ncp"], { ...env, SLACK_TIMEOUT_SECONDS: "1" });
      expect(cut.code, cut.output).toBe(1);
      expect(cut.output).toContain("(stopped waiting after 1 s with 1 job(s) still running; SLACK_TIMEOUT_SECONDS=600 waits longer)");
      expect(cut.output).not.toMatch(/^response:/m);
    } finally {
      await fetch(`${ncp}/__sim/faults`, { method: "POST", body: "{}" });
    }
  }, 60_000);

  it("stops everything on Ctrl-C", async () => {
    const gateway = /functions \(function URL events\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    const sims = [...output.matchAll(/simulator\s+(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]!);
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    process.kill(-child.pid!, "SIGINT"); // what Ctrl-C sends to the terminal's process group
    const { code, signal } = await exited;
    // npm re-raises the signal its child stopped on; the stack itself exits 0
    expect(code === 0 || signal === "SIGINT", `code ${code} signal ${signal}`).toBe(true);
    expect(output).not.toMatch(/Error|Unhandled/);
    await new Promise((r) => setTimeout(r, 300));
    for (const url of [gateway, ...sims]) await expect(fetch(url), url).rejects.toThrow();
  }, 30_000);
});

describe("npm start on a port that is taken", () => {
  it("says which port, that another stack may run there, and how to choose another", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runToEnd("npm", ["start", "--silent"], { ...process.env, PORT: String(port) });
      expect(run.code).toBe(1);
      expect(run.output).toContain(`Port ${port} on 127.0.0.1 is already in use — another imageops stack (npm start) may be running.`);
      expect(run.output).toContain(`PORT=${port + 1} npm start`);
      expect(run.output).not.toMatch(/EADDRINUSE|\n\s+at /);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  }, 60_000);

  it("refuses a PORT that is not a port number, saying what it got", async () => {
    const run = await runToEnd("npm", ["start", "--silent"], { ...process.env, PORT: "30x0" });
    expect(run.code).toBe(2);
    expect(run.output.trim()).toBe('PORT must be a port number from 1 to 65535, got "30x0"; e.g. PORT=3100 npm start');
  }, 60_000);
});

/** Runs a command to its end: exit code and everything it printed. */
function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const p = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, output: out }));
  });
}
