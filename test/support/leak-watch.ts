import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../dev/local-stack.js";
import { SECRETS } from "./leak-scan.js";
import { tapOutput } from "./tap-output.js";

/**
 * Captures everything the process writes (the bundles log to stdout/stderr) so a suite can
 * assert at its end that no secret — secret keys, access keys unmasked, Slack signing secret,
 * bot token, or any request signature a simulator received — appeared in a log line, an
 * answer, or a Slack message.
 */
export class LeakWatch {
  readonly output: string[] = [];
  readonly answers: string[] = [];
  private untap?: () => void;

  start(): this {
    this.untap = tapOutput((chunk) => this.output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")));
    return this;
  }

  stop(): void {
    this.untap?.();
    this.untap = undefined;
  }

  record(answer: unknown): void {
    this.answers.push(typeof answer === "string" ? answer : JSON.stringify(answer));
  }

  /** The secrets that must never show, including every signature the simulators saw. */
  static secrets(stack: LocalStack): string[] {
    const signatures = [stack.ncp, stack.scp, stack.iwinv].flatMap((sim) =>
      sim.requests.flatMap((r) =>
        ["x-ncp-apigw-signature-v1", "x-ncp-apigw-signature-v2", "scp-signature", "x-iwinv-signature"]
          .map((h) => r.headers[h])
          .filter((v): v is string => typeof v === "string"),
      ),
    );
    return [...SECRETS, ...signatures];
  }

  assertClean(stack: LocalStack): void {
    const texts = [
      ...this.output,
      ...this.answers,
      ...stack.slackApi.messages.flatMap((m) => m.history.map((h) => JSON.stringify(h))),
      ...stack.slackApi.responses.map((r) => JSON.stringify(r.body)),
    ];
    const haystack = texts.join("\n");
    expect(haystack.length).toBeGreaterThan(0);
    for (const secret of LeakWatch.secrets(stack)) {
      expect(haystack.includes(secret), `a secret (${secret.slice(0, 4)}…) leaked into output`).toBe(false);
    }
  }
}

/**
 * A suite's local stack, watched: everything printed from its start is captured, every fault is
 * cleared before each test, and at the end no log line, answer or Slack message may hold a secret.
 * `ready` receives the stack (and may seed it) once it runs.
 */
export function watchLocalStack(options: LocalStackOptions, ready: (stack: LocalStack) => void): LeakWatch {
  const leaks = new LeakWatch();
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    leaks.start();
    stack = await startLocalStack(options);
    ready(stack);
  }, 60_000);
  afterAll(async () => {
    leaks.stop();
    if (stack) leaks.assertClean(stack);
    await stack?.stop();
  });
  beforeEach(() => {
    for (const sim of [stack!.ncp, stack!.scp, stack!.iwinv, stack!.secrets]) sim.setFaults({});
  });
  return leaks;
}
