import type {
  AllMiddlewareArgs,
  BlockAction,
  ButtonAction,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
} from "@slack/bolt";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { APIGatewayProxyResult, Context } from "aws-lambda";
import { correlationId, log, logger } from "../../shared/log.js";
import { slackSecret } from "../../shared/secrets.js";
import { slackClientOptions } from "../../shared/slack/client-options.js";
import { textMessage } from "../../shared/slack/render.js";
import { seal, unseal } from "../../shared/slack/sealed.js";
import { verifySlackRequest } from "../../shared/slack/signature.js";
import { DynamoSeenStore, HandledRequests } from "../../shared/slack/dedup.js";
import { SlackGuard } from "./guard.js";
import { type Command, COMMANDS, type CreateArgs, helpText, type ListArgs, parseCommand, type ShareArgs } from "./commands.js";
import type { CommandJob, DeleteConfirmation, Job } from "./jobs.js";
import { memoAsync } from "../../shared/memo.js";
import { required, text } from "../../shared/config.js";

/**
 * The Slack bot: a Bolt app on AwsLambdaReceiver for `/images`. The listener only validates and
 * acknowledges (Slack allows 3 s); the work is dispatched to an asynchronous invocation of this
 * same function, which runs it (./jobs.ts) and answers through the response_url. Nothing before
 * the ack talks to Slack: AwsLambdaReceiver answers the HTTP request only when the listener has
 * returned, so a Slack call in a listener (respond(), Bolt's auth.test) would delay the ack by
 * as long as Slack takes. Answers to buttons are jobs too.
 */
type UrlEvent = { headers?: Record<string, string | undefined>; body?: string; isBase64Encoded?: boolean; requestContext?: unknown };
type BoltHandler = (event: unknown, context: unknown, callback: () => void) => Promise<APIGatewayProxyResult>;

const secret = slackSecret();
// a failed start (e.g. the secret could not be read) is retried by the next request
const bolt = memoAsync(() => createBolt());

/** Authorization on Slack ids. */
const guard = new SlackGuard();
/** The requests already handled, in every container (a conditional put each, shared/slack/dedup.ts). */
let seenStore: DynamoSeenStore | undefined;
const handled = new HandledRequests(() => (text("OPERATIONS_TABLE") ? (seenStore ??= new DynamoSeenStore()) : undefined));

/**
 * The ack path's own client: sharing the jobs' client would queue a dispatch behind the long
 * synchronous calls a job makes on it in a warm container (measured: p99 ack ×20).
 */
let dispatcher: LambdaClient | undefined;

async function dispatch(job: Job): Promise<void> {
  const name = required("SLACK_FUNCTION_NAME");
  dispatcher ??= new LambdaClient({ maxAttempts: 2 });
  // the request's correlation id goes with the job, and from it to every function the job calls;
  // its response_url sealed: Lambda keeps the event of a job that fails (shared/slack/sealed.ts)
  const sealed = { ...job, responseUrl: seal((await secret.get()).signingSecret, job.responseUrl) };
  const payload = { imageopsJob: sealed, correlationId: correlationId() };
  await dispatcher.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(payload)) }));
}

/** Dispatches, or says why not: a job that never started must be retryable. */
async function tryDispatch(job: Job, dedupeKey?: string): Promise<boolean> {
  try {
    await dispatch(job);
    return true;
  } catch (err) {
    if (dedupeKey) await handled.forget(dedupeKey);
    log("error", "could not dispatch a Slack job", { kind: job.kind, error: (err as Error)?.message });
    return false;
  }
}

const NOT_STARTED = ":x: imageops could not start that just now; try again in a moment.";
const STALE_LIST = ":warning: That button is out of date; run `/images list` again.";
const STALE_CONFIRM = ":warning: That confirmation is out of date; run `/images create` again.";
const STALE_SHARE = ":warning: That confirmation is out of date; run `/images share` or `/images unshare` again.";
const STALE_DELETE = ":warning: That confirmation is out of date; run `/images delete` again.";

function parseValue<T>(value: string | undefined): T | undefined {
  try {
    const v = JSON.parse(value ?? "") as unknown;
    return v && typeof v === "object" ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

/** A workspace refused: the log says what to set when none is set (the requester's answer says it too). */
function refusedTeam(team: string | undefined): void {
  if (text("SLACK_TEAM_ID")) log("warn", "refused a Slack request from another workspace", { team });
  else
    log(
      "error",
      "SLACK_TEAM_ID is not set: imageops serves no Slack workspace; set the slackTeamId deploy parameter to your team id (T…)",
      {
        team,
      },
    );
}

/** A button click, as Bolt types it. */
type Click = SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

async function createBolt(): Promise<BoltHandler> {
  const { App, AwsLambdaReceiver, LogLevel } = await import("@slack/bolt");
  const { signingSecret } = await secret.get();
  // the handler below has verified the signature (both time directions) before Bolt sees a request
  const receiver = new AwsLambdaReceiver({ signingSecret, signatureVerification: false, logLevel: LogLevel.ERROR });
  const app = new App({
    // The token straight from the secret, never a Slack call: given a `token` without botId and
    // botUserId, Bolt 5 calls auth.test on every event, even with tokenVerificationEnabled false
    // (node_modules/@slack/bolt/dist/App.js, singleAuthorization), and a slow, rate-limited or
    // failing auth.test delays or drops the command. The listeners need no bot ids (ignoreSelf
    // only filters Events API messages, which this app does not subscribe to).
    authorize: async () => ({ botToken: (await secret.get()).botToken }),
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: slackClientOptions(),
  });

  /** The command's guard: another workspace (or any, while SLACK_TEAM_ID is unset) is answered in the ack and goes no further. */
  const workspace: Middleware<SlackCommandMiddlewareArgs> = async ({ command, ack, next }) => {
    if (!guard.teamAllowed(command.team_id)) {
      refusedTeam(command.team_id);
      return ack(textMessage(guard.teamRefusal(command.team_id)));
    }
    await next();
  };

  app.command("/images", workspace, async ({ command, ack }) => {
    const key = command.trigger_id ? `cmd:${command.trigger_id}` : undefined;
    if (!(await handled.first(key))) return ack();
    const parsed = parseCommand(command.text ?? "");
    if (!parsed.ok) return ack(textMessage(helpText(parsed.error, parsed.command)));
    // one record drives the rest (./commands.ts): who may, an answer of its own, or its job and the ack's words
    const c = COMMANDS[parsed.command] as unknown as Command<typeof parsed.args>;
    const needs = c.needs?.(parsed.args);
    const may = needs ? guard.may(command.user_id, needs) : undefined;
    if (may && !may.ok) return ack(textMessage(`:no_entry: ${may.reason}.`));
    if (c.answer) return ack(textMessage(c.answer(parsed.args, { creators: [...guard.creators()] })));
    const job = {
      kind: "command",
      command: parsed.command,
      args: parsed.args,
      responseUrl: command.response_url,
      user: command.user_id,
      channel: command.channel_id,
    } as CommandJob;
    if (!(await tryDispatch(job, key))) return ack(textMessage(NOT_STARTED));
    await ack(textMessage(typeof c.ack === "function" ? c.ack(parsed.args) : c.ack));
  });

  /** The message the buttons are on (an ephemeral message is the requester's alone). */
  const messageOf = (b: Click["body"]) => `${b.user.id}:${b.channel?.id ?? ""}:${b.container?.message_ts ?? ""}`;
  /** An answer to a click, by a job: the ack itself carries nothing for block actions. */
  const notice = (b: Click["body"], text: string) => tryDispatch({ kind: "notice", responseUrl: b.response_url, user: b.user.id, text });
  /**
   * The one guard of every button, before its listener: acknowledged at once (nothing before the
   * ack talks to Slack), this workspace only, an answer URL to reply on, and a click Slack delivers
   * again (by trigger id and action time) run once.
   */
  const click: Middleware<Click> = async ({ ack, body, action, next }) => {
    await ack();
    if (!guard.teamAllowed(body.team?.id)) return refusedTeam(body.team?.id);
    if (!body.response_url || !(await handled.first(`action:${body.trigger_id}:${action.action_ts}`))) return;
    await next();
  };
  const button = (id: string, listener: Middleware<Click>) => app.action<BlockAction<ButtonAction>>(id, click, listener);

  button("images_next", async ({ body, action }) => {
    const value = parseValue<Partial<ListArgs>>(action.value);
    if (!value) return void (await notice(body, STALE_LIST));
    const args: ListArgs = { query: value.query ?? {}, cursor: value.cursor, offset: value.offset };
    await tryDispatch({ kind: "command", command: "list", args, responseUrl: body.response_url, user: body.user.id });
  });

  /**
   * Confirm of a create or a delete: allowed users only, the request the button carries, once per
   * confirmation however often it is clicked (the functions are exactly-once per request too, for
   * clicks that land in different containers), remembered for a late Cancel.
   */
  const confirm =
    (
      kind: "create-confirm" | "delete-confirm" | "share-confirm",
      needs: string,
      valid: (r: Partial<CreateArgs & DeleteConfirmation & ShareArgs>) => boolean,
      stale: string,
    ) =>
    async ({ body, action }: Click & AllMiddlewareArgs) => {
      if (!body.channel?.id) return;
      const allowed = guard.may(body.user.id, needs);
      if (!allowed.ok) return void (await notice(body, `:no_entry: ${allowed.reason}.`));
      const value = action.value ?? "";
      const parsed = parseValue<(CreateArgs | DeleteConfirmation | ShareArgs) & { op?: string }>(value);
      if (!parsed || !valid(parsed)) return void (await notice(body, stale));
      const { op, ...request } = parsed;
      const key = `confirm:${body.user.id}:${body.container?.message_ts ?? ""}:${value}`;
      if (!(await handled.first(key))) {
        // a twin click (the first is being answered; the key is per user and message): said, so it is not taken for a lost click
        return void (await notice(
          body,
          `:information_source: You confirmed this already: this click adds nothing; the answer to the first follows${op ? ` (operation \`${op}\`)` : ""}.`,
        ));
      }
      const common = { responseUrl: body.response_url, channel: body.channel.id, user: body.user.id, operation: op, at: Date.now() };
      const job: Job =
        kind === "create-confirm"
          ? { kind, request: request as CreateArgs, ...common }
          : kind === "share-confirm"
            ? { kind, request: request as ShareArgs, ...common }
            : { kind, request: request as DeleteConfirmation, ...common };
      if (await tryDispatch(job, key)) guard.noteConfirmed(messageOf(body), { user: body.user.id, operation: op });
    };

  /** Cancel of a create or a delete: after a Confirm (the buttons were still showing) it must not say nothing was done. */
  const cancel =
    (kind: "cancel" | "delete-cancel" | "share-cancel") =>
    async ({ body, action }: Click & AllMiddlewareArgs) => {
      const confirmed = guard.confirmed(messageOf(body));
      const operation = parseValue<{ op?: string }>(action.value)?.op ?? confirmed?.operation;
      await tryDispatch({ kind, responseUrl: body.response_url, user: body.user.id, confirmedBy: confirmed?.user, operation });
    };

  button(
    "images_create_confirm",
    confirm("create-confirm", "create images", () => true, STALE_CONFIRM),
  );
  button("images_create_cancel", cancel("cancel"));
  button(
    "images_delete_confirm",
    confirm("delete-confirm", "delete images", (r) => Boolean(r.provider && "id" in r && r.id), STALE_DELETE),
  );
  button("images_delete_cancel", cancel("delete-cancel"));
  // the targets are checked again by share-image; a button carrying anything else is out of date
  const shareRequest = (r: Partial<ShareArgs>) =>
    Boolean(r.provider && r.id && (r.action === "share" || r.action === "unshare") && Array.isArray(r.targets) && r.targets.length);
  button("images_share_confirm", confirm("share-confirm", "share images", shareRequest, STALE_SHARE));
  button("images_share_cancel", cancel("share-cancel"));
  // the audit summary's remedy ("Delete stale images…"): its value is the image list
  button("images_audit_remedy", async ({ body, action }) => {
    // it leads to deletes: the delete guard's users only
    const may = guard.may(body.user.id, "delete images");
    if (!may.ok) return void (await notice(body, `:no_entry: ${may.reason}.`));
    await tryDispatch({ kind: "audit-remedy", responseUrl: body.response_url, user: body.user.id, value: action.value ?? "" });
  });

  app.error(async (error) => {
    log("error", "slack listener failed", { error: error?.message });
  });
  return receiver.start() as Promise<BoltHandler>;
}

const reply = (statusCode: number, body = ""): APIGatewayProxyResult => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body,
});

/**
 * Slack's ssl_check: an unsigned POST `ssl_check=1&token=…` that Slack sends to test the
 * certificate of a slash command's URL (https://api.slack.com/interactivity/slash-commands);
 * answered 200 before any check, with nothing else done, as Bolt's receivers do
 * (node_modules/@slack/bolt/dist/receivers/AwsLambdaReceiver.js).
 */
function isSslCheck(contentType: string | undefined, body: string): boolean {
  return (contentType ?? "").startsWith("application/x-www-form-urlencoded") && new URLSearchParams(body).has("ssl_check");
}

/** After a signature failure the Slack secret is read again (a rotated signing secret), at most this often. */
const SECRET_REREAD_MS = 60_000;
let lastReread = 0;

/**
 * Slack's signature (both time directions: Bolt accepts future-dated timestamps). A bad
 * signature may mean the signing secret was rotated: the secret is read again, at most once a
 * minute (so forged requests cannot make every request read it), before refusing.
 */
async function verify(headers: Record<string, string | undefined>, body: string) {
  const signed = { timestamp: headers["x-slack-request-timestamp"], signature: headers["x-slack-signature"] };
  const verdict = verifySlackRequest((await secret.get()).signingSecret, signed, body);
  if (verdict.ok || verdict.reason !== "bad signature" || Date.now() - lastReread < SECRET_REREAD_MS) return verdict;
  lastReread = Date.now();
  const again = verifySlackRequest((await secret.refresh()).signingSecret, signed, body);
  log("info", "re-read the Slack secret after a bad signature", { accepted: again.ok });
  return again;
}

/** A job's response_url, unsealed with the signing secret (read again once, for a secret rotated since). */
async function unsealed(sealedUrl: string): Promise<string | undefined> {
  return unseal((await secret.get()).signingSecret, sealedUrl) ?? unseal((await secret.refresh()).signingSecret, sealedUrl);
}

export async function handler(event: unknown, context?: Context): Promise<APIGatewayProxyResult | undefined> {
  const { imageopsJob: job, correlationId: carried } = (event ?? {}) as { imageopsJob?: Job; correlationId?: string };
  const e = (event ?? {}) as UrlEvent & { requestContext?: { requestId?: string } };
  if (context) logger.addContext(context);
  logger.setCorrelationId(carried ?? e.requestContext?.requestId ?? context?.awsRequestId);
  if (job) {
    const responseUrl = await unsealed(job.responseUrl);
    if (responseUrl === undefined) {
      log(
        "error",
        "a Slack job's response_url could not be unsealed (the signing secret changed since it was dispatched): nobody can be answered",
        {
          kind: job.kind,
        },
      );
      return undefined;
    }
    await (await import("./jobs.js")).runJob({ ...job, responseUrl });
    return undefined;
  }

  const headers = Object.fromEntries(Object.entries(e.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  // Bolt decodes base64 bodies as ASCII and throws on Korean text: decode as UTF-8 first.
  const body = e.isBase64Encoded ? Buffer.from(e.body ?? "", "base64").toString("utf8") : (e.body ?? "");
  if (isSslCheck(headers["content-type"], body)) return reply(200);
  try {
    const verdict = await verify(headers, body);
    if (!verdict.ok) {
      log("warn", "refused a Slack request", { reason: verdict.reason });
      return reply(401, JSON.stringify({ error: "invalid request" }));
    }
    // A retry of what Slack thinks timed out (X-Slack-Retry-Num) goes through like the first attempt:
    // the claims on Slack's ids (shared/slack/dedup.ts) answer it without running again when an
    // attempt already ran, and run it when none did.
    return await (await bolt())({ ...e, headers, body, isBase64Encoded: false }, context ?? {}, () => {});
  } catch (err) {
    log("error", "slack handler failed", { error: (err as Error)?.message });
    return reply(200, JSON.stringify(textMessage(":x: imageops could not handle that; try again in a moment.")));
  }
}
