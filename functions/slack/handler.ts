import { InvokeCommand } from "@aws-sdk/client-lambda";
import type { APIGatewayProxyResult, Context } from "aws-lambda";
import { log } from "../../shared/log.js";
import { slackSecret } from "../../shared/secrets.js";
import { helpText, parseCommand } from "../../shared/slack/commands.js";
import { textMessage } from "../../shared/slack/render.js";
import { verifySlackRequest } from "../../shared/slack/signature.js";
import type { Job, ListQuery } from "./jobs.js";

/**
 * The Slack bot: a Bolt app on AwsLambdaReceiver for `/images`. The listener only validates and
 * acknowledges (Slack allows 3 s); the work is dispatched to an asynchronous invocation of this
 * same function, which runs it (./jobs.ts) and answers through the response_url.
 */
type UrlEvent = { headers?: Record<string, string | undefined>; body?: string; isBase64Encoded?: boolean; requestContext?: unknown };
type BoltHandler = (event: unknown, context: unknown, callback: () => void) => Promise<APIGatewayProxyResult>;

const secret = slackSecret();
let bolt: Promise<BoltHandler> | undefined;

/** Slack ids only: never display names. Unset IMAGE_CREATORS means nobody may create. */
const creators = () => new Set((process.env.IMAGE_CREATORS ?? "").split(",").map((s) => s.trim()).filter(Boolean));
const teamAllowed = (team: string | undefined) => !process.env.SLACK_TEAM_ID || team === process.env.SLACK_TEAM_ID;

/** Slack retries and double clicks, seen recently in this container. */
const seen = new Map<string, number>();
function firstTime(key: string | undefined): boolean {
  if (!key) return true;
  const now = Date.now();
  for (const [k, at] of seen) if (now - at > 15 * 60_000) seen.delete(k);
  if (seen.has(key)) return false;
  seen.set(key, now);
  return true;
}

async function dispatch(job: Job): Promise<void> {
  const name = process.env.SLACK_FUNCTION_NAME;
  if (!name) throw new Error("SLACK_FUNCTION_NAME is not set");
  const { lambdaClient } = await import("./jobs.js");
  await lambdaClient().send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify({ imageopsJob: job })) }));
}

const ACK: Record<Job["kind"], string> = {
  list: ":mag: Looking up images…",
  show: ":mag: Looking up the image…",
  create: ":clipboard: Checking whether the image can be created…",
  "create-confirm": ":rocket: Starting…",
  audit: ":mag: Running the audit…",
};

async function createBolt(): Promise<BoltHandler> {
  const { App, AwsLambdaReceiver, LogLevel } = await import("@slack/bolt");
  const { signingSecret, botToken } = await secret.get();
  const receiver = new AwsLambdaReceiver({ signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    token: botToken,
    receiver,
    // no auth.test call before the first event: the ack path must not wait on Slack
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
    clientOptions: {
      slackApiUrl: process.env.SLACK_API_URL || "https://slack.com/api/",
      timeout: 5_000,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 },
      rejectRateLimitedCalls: true,
    },
  });

  app.command("/images", async ({ command, ack }) => {
    if (!teamAllowed(command.team_id)) return ack(textMessage(":no_entry: This Slack workspace is not allowed to use imageops."));
    if (!firstTime(`cmd:${command.trigger_id}`)) return ack();
    const parsed = parseCommand(command.text ?? "");
    if (!parsed.ok) return ack(textMessage(helpText(parsed.error)));
    const responseUrl = command.response_url;
    let job: Job;
    switch (parsed.command) {
      case "help":
        return ack(textMessage(helpText()));
      case "list":
        job = { kind: "list", responseUrl, query: parsed.args };
        break;
      case "show":
        job = { kind: "show", responseUrl, ...parsed.args };
        break;
      case "create":
        if (!creators().has(command.user_id)) {
          const why = creators().size === 0 ? "nobody may create images from Slack (IMAGE_CREATORS is empty)" : `<@${command.user_id}> is not allowed to create images (ask to be added to IMAGE_CREATORS)`;
          return ack(textMessage(`:no_entry: ${why}.`));
        }
        job = { kind: "create", responseUrl, request: parsed.args };
        break;
      case "audit":
        job = { kind: "audit", responseUrl, channel: command.channel_id };
        break;
    }
    await dispatch(job);
    await ack(textMessage(ACK[job.kind]));
  });

  app.action("images_next", async ({ ack, body, action }) => {
    await ack();
    const b = body as { team?: { id?: string }; response_url?: string };
    if (!teamAllowed(b.team?.id) || !b.response_url) return;
    const value = JSON.parse((action as { value?: string }).value ?? "{}") as { query?: ListQuery; cursor?: string; offset?: number };
    await dispatch({ kind: "list", responseUrl: b.response_url, query: value.query ?? {}, cursor: value.cursor, offset: value.offset });
  });

  app.action("images_create_confirm", async ({ ack, body, action, respond }) => {
    await ack();
    const b = body as { team?: { id?: string }; user: { id: string }; channel?: { id?: string }; response_url?: string; container?: { message_ts?: string } };
    if (!teamAllowed(b.team?.id) || !b.response_url || !b.channel?.id) return;
    if (!creators().has(b.user.id)) return void (await respond(textMessage(`:no_entry: <@${b.user.id}> is not allowed to create images.`, { replace_original: false })));
    const value = (action as { value?: string }).value ?? "{}";
    // a double click sends two actions for the same confirmation: run it once
    if (!firstTime(`confirm:${b.user.id}:${b.container?.message_ts ?? ""}:${value}`)) return;
    await dispatch({ kind: "create-confirm", responseUrl: b.response_url, request: JSON.parse(value), channel: b.channel.id, user: b.user.id });
  });

  app.action("images_create_cancel", async ({ ack, respond }) => {
    await ack();
    await respond(textMessage("Cancelled: no image was created.", { replace_original: true }));
  });

  app.error(async (error) => {
    log("error", "slack listener failed", { error: error?.message });
  });
  return receiver.start() as Promise<BoltHandler>;
}

const reply = (statusCode: number, body = ""): APIGatewayProxyResult => ({ statusCode, headers: { "content-type": "application/json" }, body });

export async function handler(event: unknown, context?: Context): Promise<APIGatewayProxyResult | void> {
  const job = (event as { imageopsJob?: Job })?.imageopsJob;
  if (job) return (await import("./jobs.js")).runJob(job);

  const e = (event ?? {}) as UrlEvent;
  const headers = Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  // Bolt decodes base64 bodies as ASCII and throws on Korean text: decode as UTF-8 first.
  const body = e.isBase64Encoded ? Buffer.from(e.body ?? "", "base64").toString("utf8") : (e.body ?? "");
  try {
    const { signingSecret } = await secret.get();
    // Bolt checks signatures and stale timestamps but accepts future-dated ones: check both ways here.
    const verdict = verifySlackRequest(signingSecret, { timestamp: headers["x-slack-request-timestamp"], signature: headers["x-slack-signature"] }, body);
    if (!verdict.ok) {
      log("warn", "refused a Slack request", { reason: verdict.reason });
      return reply(401, JSON.stringify({ error: "invalid request" }));
    }
    // Slack retries what it thinks timed out; the first attempt already did the work.
    if (headers["x-slack-retry-num"]) return reply(200);
    bolt ??= createBolt();
    return await (await bolt)({ ...e, headers, body, isBase64Encoded: false }, context ?? {}, () => {});
  } catch (err) {
    log("error", "slack handler failed", { error: (err as Error)?.message });
    return reply(200, JSON.stringify(textMessage(":x: imageops could not handle that; try again in a moment.")));
  }
}
