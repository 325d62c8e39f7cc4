/**
 * The job runner and the local Lambda endpoint together: the real @aws-sdk/client-lambda against
 * LambdaSim, image functions played by small handlers, answers caught by the Slack sink.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import { ImageOpsError } from "../../shared/model/errors.js";
import { unknownImage } from "../../shared/model/image.js";
import { LambdaSim } from "../../dev/sim/lambda.js";
import { DynamoSim } from "../../dev/sim/dynamodb.js";
import { DynamoTargetStore } from "../../shared/slack/targets.js";
import { allowedResponseUrl } from "../../shared/slack/web.js";
import { SlackApiSim } from "../../dev/sim/slack-api.js";
import * as z from "zod";
import { type Answer, Answers } from "../../functions/slack/answers.js";

type Handler = (event: unknown) => Promise<unknown>;
const handlers: Record<string, Handler> = {};
const lambda = new LambdaSim((name) => (handlers[name] ? { handler: (e) => handlers[name]!(e), context: () => ({}) as never } : undefined));
const slack = new SlackApiSim("xoxb-test");
const dynamo = new DynamoSim();
let jobs: typeof import("../../functions/slack/jobs.js");

beforeAll(async () => {
  await Promise.all([lambda.start(), slack.start(), dynamo.start()]);
  Object.assign(process.env, {
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "AKIAUNITTEST00000000",
    AWS_SECRET_ACCESS_KEY: "unit-test-not-a-secret",
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    OPERATIONS_TABLE: dynamo.tableName,
    SLACK_API_URL: slack.apiUrl,
    LIST_IMAGES_FUNCTION: "list-images",
    DESCRIBE_IMAGE_FUNCTION: "describe-image",
    CREATE_IMAGE_FUNCTION: "create-image",
    AUDIT_IMAGES_FUNCTION: "audit-images",
  });
  jobs = await import("../../functions/slack/jobs.js");
});
afterAll(async () => {
  await Promise.all([lambda.close(), slack.close(), dynamo.close()]);
});

const answersTo = (url: string) =>
  slack.responses.filter((r) => r.url === url).map((r) => r.body as { text: string; replace_original?: boolean; response_type?: string });

describe("LambdaSim speaks the Invoke API to the real SDK", () => {
  it("Event: 202 at once, the handler runs in the background", async () => {
    let release!: () => void;
    const ran = new Promise<void>((r) => (release = r));
    handlers.slow = async () => {
      await new Promise((r) => setTimeout(r, 200));
      release();
    };
    const client = new LambdaClient({ endpoint: lambda.url });
    const started = Date.now();
    const out = await client.send(new InvokeCommand({ FunctionName: "slow", InvocationType: "Event", Payload: Buffer.from("{}") }));
    expect(out.StatusCode).toBe(202);
    expect(Date.now() - started).toBeLessThan(200);
    await ran;
    await lambda.idle();
  });

  it("RequestResponse: the result, or the error as Lambda reports it; an unknown function is refused", async () => {
    handlers.ok = async (e) => ({ echo: e });
    handlers.bad = async () => {
      throw new ImageOpsError("NOT_FOUND", "no such image");
    };
    // describe-image is not played here: Lambda's own error comes back
    const echo = { shape: z.looseObject({ echo: z.unknown() }) } as Answer<{ echo: unknown }>;
    await expect(jobs.call("describe-image", {}, echo)).rejects.toMatchObject({ message: expect.stringMatching(/describe-image/) });
    handlers["describe-image"] = handlers.ok!;
    expect(await jobs.call("describe-image", { id: "한글" }, echo)).toEqual({ echo: { id: "한글" } });
    handlers["describe-image"] = handlers.bad!;
    await expect(jobs.call("describe-image", {}, echo)).rejects.toMatchObject({ code: "NOT_FOUND", message: "no such image" });
  });

  it("checks an answer's shape at the boundary: another shape is an error naming the field, never rendered", async () => {
    // an Image in every field the messages read, but for its id
    handlers["describe-image"] = async () => ({
      image: { ...unknownImage({ provider: "ncp", account: "a", region: "KR", id: "1", name: "x" }), id: 42 },
    });
    await expect(jobs.call("describe-image", {}, Answers.image)).rejects.toMatchObject({
      code: "INTERNAL",
      message: expect.stringMatching(/^describe-image answered an unexpected shape \(image\.id: /),
    });
  });
});

describe("runJob", () => {
  it("reports a failed audit with its code, privately", async () => {
    handlers["audit-images"] = async () => {
      throw new ImageOpsError("INTERNAL", "imageops/credentials is invalid");
    };
    const url = slack.responseUrl("audit-1");
    await jobs.runJob({ kind: "command", command: "audit", args: { kind: "run" }, responseUrl: url });
    expect(answersTo(url)).toMatchObject([{ text: ":x: INTERNAL: imageops/credentials is invalid", response_type: "ephemeral" }]);
  });

  it("posts the audit summary in the channel when the audit answers", async () => {
    handlers["audit-images"] = async () => ({
      findings: [],
      summary: { images: 3, findings: 0, bySeverity: { critical: 0, warning: 0, info: 0 } },
      errors: [],
    });
    const url = slack.responseUrl("audit-2");
    await jobs.runJob({ kind: "command", command: "audit", args: { kind: "run" }, responseUrl: url });
    const [answer] = answersTo(url);
    expect(answer!.text).toMatch(/Image audit: 0 finding\(s\) in 3 image\(s\)/);
    expect(answer!.response_type).toBe("in_channel");
  });

  it("reports a typed error of the image function, replacing the confirmation on a failed create", async () => {
    let asked: { notify?: unknown } = {};
    handlers["create-image"] = async (e) => {
      asked = e as typeof asked;
      throw new ImageOpsError("CONFLICT", "the name is taken");
    };
    const url = slack.responseUrl("create-1");
    await jobs.runJob({
      kind: "create-confirm",
      responseUrl: url,
      request: { provider: "ncp", serverId: "1", name: "web" },
      channel: "C0TEST0001",
      user: "U0TEST0001",
    });
    // the buttons are replaced at once (nothing looks cancellable while it runs), then the outcome
    const answers = answersTo(url);
    expect(answers).toHaveLength(2);
    expect(answers[0]!.text).toMatch(/<@U0TEST0001> confirmed: creating image \*web\*/);
    expect(answers[0]!.replace_original).toBe(true);
    expect(answers[1]).toMatchObject({ text: ":x: CONFLICT: the name is taken", replace_original: true });
    // create-image is told only the id of the target the bot stored (issue #23 item 1): the channel,
    // the requester and the response_url stay in the bot's item, for this request only
    expect(asked.notify).toEqual({ target: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(JSON.stringify(asked)).not.toContain(url);
    const stored = await new DynamoTargetStore(dynamo.tableName).get((asked.notify as { target: string }).target);
    expect(stored).toMatchObject({
      channel: "C0TEST0001",
      requester: "U0TEST0001",
      responseUrl: url,
      responseUses: 2,
      for: { kind: "create-image", provider: "ncp", serverId: "1", name: "web" },
    });
  });

  it("never answers a response_url outside Slack", async () => {
    expect(allowedResponseUrl("https://hooks.slack.com/commands/T1/2/x")).toBe(true);
    expect(allowedResponseUrl("http://hooks.slack.com/commands/T1/2/x")).toBe(false);
    expect(allowedResponseUrl("https://evil.example/hooks.slack.com")).toBe(false);
    expect(allowedResponseUrl(slack.responseUrl("x"))).toBe(true);
    let called = false;
    handlers["describe-image"] = async () => ((called = true), { image: {} });
    const before = slack.requests.length;
    await jobs.runJob({
      kind: "command",
      command: "show",
      args: { provider: "ncp", id: "1" },
      responseUrl: "http://127.0.0.2:9/elsewhere",
    });
    expect(slack.requests.length).toBe(before);
    // refused before any work: the image function was never called
    expect(called).toBe(false);
  });
});
