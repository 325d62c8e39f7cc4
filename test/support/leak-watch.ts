import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import { type LocalStack, type LocalStackOptions, startLocalStack } from "../../dev/local-stack.js";
import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { RESPONSE_URL, SECRETS } from "./leak-scan.js";
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

  async assertClean(stack: LocalStack): Promise<void> {
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
    // A response_url lets its holder post as the app (issue #23 item 4): in no log, answer or
    // message, no tracking execution's input (Step Functions keeps it in the history), and no item
    // of the table but the Slack bot's own progress targets, which expire with it
    const urls = stack.slackApi.issuedResponseUrls();
    const executions = [...stack.stepFunctions.executions.values()].map((e) => JSON.stringify(e.input)).join("\n");
    // an asynchronous invocation's event is what Lambda's on-failure destination keeps (the failed-jobs queue)
    const events = stack.lambda.invocations.map((i) => JSON.stringify(i.event ?? null)).join("\n");
    const items = (await tableItems(stack)).filter((i) => !String(i.pk?.S).startsWith("slack#target#")).map((i) => JSON.stringify(i));
    for (const [where, text] of [
      ["output", haystack],
      ["a tracking execution's input", executions],
      ["an asynchronous invocation's event", events],
      ["the operations table", items.join("\n")],
    ] as const) {
      const leaked = urls.find((u) => text.includes(u)) ?? RESPONSE_URL.exec(text)?.[0];
      expect(leaked, `a Slack response_url is in ${where}`).toBeUndefined();
    }
  }
}

/** Every item of the local stack's table, as stored. */
async function tableItems(stack: LocalStack): Promise<Record<string, AttributeValue>[]> {
  const client = new DynamoDBClient(stack.dynamo.clientConfig());
  try {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: stack.dynamo.tableName, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  } finally {
    client.destroy();
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
    if (stack) await leaks.assertClean(stack);
    await stack?.stop();
  });
  beforeEach(() => {
    for (const sim of [stack!.ncp, stack!.scp, stack!.iwinv, stack!.secrets]) sim.setFaults({});
  });
  return leaks;
}
