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
    // neither Logger's lines nor Metrics' embedded metric format ({"_aws":…}): no JSON at all
    expect(output).not.toMatch(/^\{"/m);
    expect(existsSync(file!)).toBe(true);
    const logged = readFileSync(file!, "utf8");
    expect(logged).toMatch(/^\{"level":"INFO","message":"image creation started"/m);
    // the metric of the create above: in the file, one line of its own
    expect(logged).toMatch(/^\{"_aws":\{"Timestamp":\d+,"CloudWatchMetrics":.*"ImagesCreated":1\}$/m);
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
      expect(cut.output).toContain(
        "(stopped waiting after 1 s with 1 job(s) still running; --timeout 600 or SLACK_TIMEOUT_SECONDS=600 waits longer)",
      );
      expect(cut.output).not.toMatch(/^response:/m);
    } finally {
      await fetch(`${ncp}/__sim/faults`, { method: "POST", body: "{}" });
    }
  }, 60_000);

  it("npm run slack -- --help says its options and sends nothing; an unknown option is refused, not sent as a command", async () => {
    const port = /functions \(function URL events\)\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    const env = { ...process.env, PORT: port };
    for (const flag of ["--help", "-h"]) {
      const help = await runToEnd("npm", ["run", "--silent", "slack", "--", flag], env);
      expect(help.code, help.output).toBe(0);
      expect(help.output).toMatch(/^usage: npm run slack -- \[options\] "\/images <command>"$/m);
      for (const option of ["--user <id|name>", "--channel <id|name>", "--click <button>", "--timeout <seconds>"])
        expect(help.output).toContain(option);
      expect(help.output).not.toMatch(/^ack /m);
    }
    const wrong = await runToEnd("npm", ["run", "--silent", "slack", "--", "--usr", "sam", "/images list"], env);
    expect(wrong.code, wrong.output).toBe(2);
    expect(wrong.output).toContain("unknown option --usr; npm run slack -- --help says the options");
    expect(wrong.output).not.toMatch(/^ack /m);
  }, 60_000);

  it("npm run slack --click of a button that never comes exits 1, naming the buttons that came", async () => {
    const port = /functions \(function URL events\)\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    // a list of ncp has more than a screenful: it offers Next page, never Confirm
    const run = await runToEnd("npm", ["run", "--silent", "slack", "--", "--click", "Confirm", "/images list ncp"], {
      ...process.env,
      PORT: port,
    });
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/^response:\n/m);
    expect(run.output).toContain("(no [ Confirm ] button was offered: the buttons offered were [ Next page ])");
  }, 60_000);

  it("npm run slack --user acts as another user of the local workspace, shown by name", async () => {
    const port = /functions \(function URL events\)\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]!;
    // sam (U0LOCAL002) is not in the local stack's IMAGE_CREATORS: the bot refuses, naming sam as Slack shows <@U0LOCAL002>
    const run = await runToEnd("npm", ["run", "--silent", "slack", "--", "--user", "sam", "/images create ncp web-01 sam-golden"], {
      ...process.env,
      PORT: port,
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/@sam is not allowed to create images/);
    expect(run.output).not.toMatch(/<@U/);
  }, 60_000);

  it("the banner's create example, followed with --click Confirm in another channel (--channel general), creates its own image", async () => {
    const line = output
      .split("\n")
      .map((l) => l.trim())
      .find((l) => /npm run slack -- "\/images create /.test(l))!;
    const m = /^(?:PORT=(\d+) )?npm run slack -- "(.*)"$/.exec(line)!;
    const name = m[2]!.split(" ")[4]!;
    const run = await runToEnd("npm", ["run", "--silent", "slack", "--", "--channel", "general", "--click", "Confirm", m[2]!], {
      ...process.env,
      PORT: m[1] ?? "3000",
    });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain("clicked [ Confirm ]");
    // a name of its own: the curl example's image (web-golden) is not answered instead
    expect(run.output).toContain(`no other image is named "${name}"`);
    expect(run.output).not.toContain("nothing new is created");
    // the command came from #general: the progress card is there, people and channels by name
    expect(run.output).toMatch(/^(posted|updated) in #general \(C0LOCAL002, ts [\d.]+\):\n.*is available/ms);
    expect(run.output).not.toMatch(/<[@#][UC]/);
  }, 90_000);

  it("every image the banner's and the README's examples create has a name of its own", () => {
    const readme = readFileSync("README.md", "utf8");
    const names = [
      // curl examples that create (not the dry runs)
      ...[...output.matchAll(/create-image .*-d '(\{[^']*\})'/g)]
        .map((c) => JSON.parse(c[1]!) as { name: string; dryRun?: boolean })
        .filter((b) => !b.dryRun)
        .map((b) => b.name),
      // npm run slack examples, the banner's and the README's
      ...[...`${output}\n${readme}`.matchAll(/npm run slack -- .*["']\/images create \S+ \S+ ([a-z0-9-]+)/g)].map((c) => c[1]!),
    ];
    expect(names.length).toBeGreaterThanOrEqual(4);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

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
