/**
 * The jobs' Lambda port against the local Lambda endpoint: the real @aws-sdk/client-lambda and
 * LambdaSim, image functions played by small handlers. What Lambda answers for an invocation
 * (202 for Event; the payload, or `X-Amz-Function-Error` with `{errorType, errorMessage}` for
 * RequestResponse: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) comes back as
 * the jobs read it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import * as z from "zod";
import { ImageOpsError } from "../../shared/model/errors.js";
import { unknownImage } from "../../shared/model/image.js";
import { LambdaSim } from "../../dev/sim/lambda.js";
import { type Answer, Answers } from "../../functions/slack/answers.js";

type Handler = (event: unknown) => Promise<unknown>;
const handlers: Record<string, Handler> = {};
const lambda = new LambdaSim((name) => (handlers[name] ? { handler: (e) => handlers[name]!(e), context: () => ({}) as never } : undefined));
let jobs: typeof import("../../functions/slack/jobs.js");

beforeAll(async () => {
  await lambda.start();
  Object.assign(process.env, {
    AWS_REGION: "ap-northeast-2",
    AWS_ACCESS_KEY_ID: "AKIAUNITTEST00000000",
    AWS_SECRET_ACCESS_KEY: "unit-test-not-a-secret",
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    DESCRIBE_IMAGE_FUNCTION: "describe-image",
  });
  jobs = await import("../../functions/slack/jobs.js");
});
afterAll(() => lambda.close());

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
