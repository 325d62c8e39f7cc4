import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
  ackMessage,
  acksMessage,
  auditSummaryMessage,
  parseRemedyValue,
  postAuditReport,
  remedyMessage,
} from "../../shared/audit/report.js";
import type { AuditResult } from "../../shared/audit/run.js";
import { correlationId, log } from "../../shared/log.js";
import { asImageOpsError, ImageOpsError } from "../../shared/model/errors.js";
import { CAPABILITIES } from "../../shared/model/capabilities.js";
import { PROVIDERS, type ProviderName } from "../../shared/model/image.js";
import { deleteConfirmMessage, policyListMessage } from "../../shared/slack/lifecycle.js";
import { shareConfirmMessage, shareResultMessage } from "../../shared/slack/share.js";
import { RESPONSE_URL_USES } from "../../shared/slack/limits.js";
import {
  cancelMessage,
  channelHint,
  confirmedMessage,
  confirmMessage,
  existsMessage,
  confirmValue,
  imageMessage,
  listMessage,
  type MadeBy,
  type Message,
  operationMessage,
  PAGE_ROWS,
  serversMessage,
  startedMessage,
  textMessage,
} from "../../shared/slack/render.js";
import { DynamoTargetStore, type TargetRequest, type TargetStore } from "../../shared/slack/targets.js";
import {
  allowedResponseUrl,
  lazySlackPoster,
  NOT_POSTABLE,
  respondTo,
  type SlackPoster,
  toSlackCallError,
} from "../../shared/slack/web.js";
import { type Answer, Answers, checkAnswer, fromInvokeError } from "./answers.js";
import type {
  ArgsOf,
  AuditArgs,
  CommandContext,
  CommandName,
  CreateArgs,
  ListArgs,
  ListQuery,
  PolicyArgs,
  ServersArgs,
  ShareArgs,
} from "./commands.js";
import { required } from "../../shared/config.js";

/**
 * The work behind a Slack command or button, run in an asynchronous invocation of the slack
 * function (never in the 3-second ack path). It calls the image functions and answers through
 * the interaction's response_url, or by DM when Slack refuses that. A job never throws once it
 * has answered: Lambda would run it again and the user would read the answer twice; its failures
 * are logged (and the function has no retries, serverless.yml).
 */

/** What a delete's Confirm button carries: the image, and the name shown (refused if it is not that image any more). */
export type DeleteConfirmation = ArgsOf<"delete"> & { name?: string };
export type { ListQuery };

/** A command's job: which one, and its arguments as it read them (functions/slack/commands.ts). */
export type CommandJob = { [K in CommandName]: CommandContext & { kind: "command"; command: K; args: ArgsOf<K> } }[CommandName];
/** A button's job, beyond a command's (Next page is the list command again). */
export type ButtonJob = CommandContext &
  (
    | { kind: "create-confirm"; request: CreateArgs; channel: string; user: string; operation?: string; at?: number }
    | { kind: "cancel"; confirmedBy?: string; operation?: string }
    | { kind: "notice"; text: string }
    | { kind: "audit-remedy"; value: string }
    | { kind: "delete-confirm"; request: DeleteConfirmation; channel: string; user: string; operation?: string; at?: number }
    | { kind: "delete-cancel"; confirmedBy?: string; operation?: string }
    | { kind: "share-confirm"; request: ShareArgs; channel: string; user: string; operation?: string; at?: number }
    | { kind: "share-cancel"; confirmedBy?: string; operation?: string }
  );
export type Job = CommandJob | ButtonJob;

/** the variable each invoked function's name is in (infra/functions.cjs sets them; the template test compares) */
export const FUNCTION_ENV = {
  "list-images": "LIST_IMAGES_FUNCTION",
  "describe-image": "DESCRIBE_IMAGE_FUNCTION",
  "create-image": "CREATE_IMAGE_FUNCTION",
  "describe-operation": "DESCRIBE_OPERATION_FUNCTION",
  "audit-images": "AUDIT_IMAGES_FUNCTION",
  "delete-image": "DELETE_IMAGE_FUNCTION",
  "share-image": "SHARE_IMAGE_FUNCTION",
  "run-policy": "RUN_POLICY_FUNCTION",
} as const;

/**
 * What a job reaches beyond itself: the image functions, Slack, and the bot's store of progress
 * targets. Deployed, these are Lambda, Slack's Web API and DynamoDB; a test gives its own
 * (test/unit/slack-jobs.test.ts), so the jobs run without any server.
 */
export interface JobPorts {
  /** a RequestResponse invocation of `functionName`: its payload, and Lambda's FunctionError when the function threw */
  invoke(functionName: string, payload: string): Promise<{ payload: string; functionError?: string }>;
  /** the bot's poster (chat.postMessage, chat.update), its token read on first use */
  slack(): Promise<SlackPoster>;
  /** an answer through an interaction's response_url */
  respond(url: string, message: Message): Promise<void>;
  targets(): TargetStore;
}

let lambda: LambdaClient | undefined;
let targetStore: TargetStore | undefined;
export const jobPorts: JobPorts = {
  async invoke(functionName, payload) {
    lambda ??= new LambdaClient({ maxAttempts: 2 });
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: Buffer.from(payload) }),
    );
    return { payload: out.Payload ? Buffer.from(out.Payload).toString("utf8") : "null", functionError: out.FunctionError };
  },
  slack: lazySlackPoster(),
  respond: (url, message) => respondTo(url, message),
  targets: () => (targetStore ??= new DynamoTargetStore()),
};
const slack = () => jobPorts.slack();

/**
 * Calls an image function in its direct-invocation form and answers what it answered, checked
 * against `answer` (its type is the answer's); its typed error comes back as the ImageOpsError it was.
 */
export async function call<T>(fn: keyof typeof FUNCTION_ENV, payload: object, answer: Answer<T>): Promise<T> {
  const name = required(FUNCTION_ENV[fn]);
  // the Slack request's correlation id rides along (shared/events.ts reads it off a direct invocation)
  const body = { ...payload, correlationId: correlationId() };
  const out = await jobPorts.invoke(name, JSON.stringify(body));
  const text = out.payload;
  if (out.functionError) {
    let reported: { errorType?: string; errorMessage?: string } = {};
    try {
      reported = JSON.parse(text);
    } catch {
      /* keep the defaults */
    }
    throw fromInvokeError(fn, reported);
  }
  return checkAnswer(fn, answer, JSON.parse(text));
}

/** Whether the operation a Cancel names was confirmed and started (its record exists and is not over). */
async function begun(operation: string): Promise<boolean> {
  try {
    const { operation: op } = await call("describe-operation", { operation }, Answers.operation);
    return !op.supersededBy && op.state !== "failed";
  } catch (err) {
    // no record: nothing was started; any other failure: say nothing was created only when sure
    return !(err instanceof ImageOpsError && err.code === "NOT_FOUND");
  }
}

/**
 * A not-found image gets what to try next, as commands: a list filtered by part of the name, and
 * the servers (a server's name is not an image's). The function's message already names the closest.
 */
const withNextSteps =
  (args: { provider: ProviderName; id: string }) =>
  (err: unknown): never => {
    const e = asImageOpsError(err);
    // the image's not-found (shared/images/named.ts), not an account's: a direct invocation keeps the code and message only
    if (e.code !== "NOT_FOUND" || !e.message.startsWith(`no ${args.provider} image `)) throw err;
    const part = /^[\p{L}]{2,}/u.exec(args.id)?.[0] ?? args.id.slice(0, 20);
    throw new ImageOpsError(
      "NOT_FOUND",
      `${e.message}.\nTry \`/images list ${args.provider} --name ${part}\` (images whose name has it) or \`/images servers ${args.provider}\` (the servers images are made from).`,
      { field: "id", provider: e.provider },
    );
  };

/** Who made an existing operation's image and when, from its record; the operation alone when it cannot be read. */
async function madeBy(operation: string): Promise<MadeBy> {
  try {
    const { operation: o } = await call("describe-operation", { operation }, Answers.operation);
    return { operation, user: o.requestedBy, policy: o.policy, at: o.sentAt ?? o.claimedAt };
  } catch (err) {
    log("warn", "could not read who made an existing image", { operation, error: asImageOpsError(err).message });
    return { operation };
  }
}

const describeFilters = (q: ListQuery | ServersArgs) =>
  Object.entries(q)
    .filter(([, v]) => v)
    .map(([k, v]) => (k === "provider" ? v : `--${k} ${v}`))
    .join(" ");

/** Uses of a confirmation's response_url before tracking gets it: the "confirmed" and the "started" answers. */
const CONFIRM_ANSWERS = 2;
/** Images of a remedy put through the delete guard at once: with the list, all but one of the response_url's answers. */
const REMEDY_CONFIRMS = RESPONSE_URL_USES - 2;

/**
 * Where a confirmed operation's progress goes, stored by the bot (shared/slack/targets.ts) for
 * that one request: the channel, the requester and the response_url stay in the bot's item, and
 * create-image and delete-image are given only its id.
 */
async function storeTarget(
  job: CommandContext & { kind: string; channel: string; user: string; at?: number },
  request: TargetRequest,
): Promise<{ target: string }> {
  try {
    const target = await jobPorts.targets().put({
      channel: job.channel,
      requester: job.user,
      responseUrl: job.responseUrl,
      responseUrlAt: job.at ?? Date.now(),
      responseUses: CONFIRM_ANSWERS,
      for: request,
    });
    return { target };
  } catch (err) {
    log("error", "could not store a progress target", { kind: job.kind, error: (err as Error).message });
    throw new ImageOpsError("INTERNAL", `${(err as Error).message}: nothing was started; confirm again in a moment`);
  }
}

/** The commands' jobs, one per command of functions/slack/commands.ts (`help` is answered in the ack), each taking what its command read. */
export const runners = {
  async list({ query, cursor, offset = 0 }: ListArgs): Promise<Message> {
    // One batch of up to 1000 serves several screens: exact "N more" and cheap next pages.
    const out = await call("list-images", { ...query, limit: 1000, cursor }, Answers.list);
    const rows = out.images.slice(offset, offset + PAGE_ROWS);
    const after = offset + PAGE_ROWS;
    const remaining = Math.max(0, out.images.length - after);
    const next: ListArgs | undefined =
      remaining > 0 ? { query, cursor, offset: after } : out.nextCursor ? { query, cursor: out.nextCursor, offset: 0 } : undefined;
    // the filters not given yet that narrow a long list; --scope custom leaves the clouds' own public images out
    const narrow = [...(["os", "name"] as const).filter((f) => !query[f]).map((f) => `--${f}`), ...(query.scope ? [] : ["--scope custom"])];
    const failed = new Set(out.errors.map((e) => e.provider));
    return listMessage({
      rows,
      remaining,
      more: out.nextCursor !== null,
      nextValue: next ? JSON.stringify(next) : undefined,
      errors: out.errors,
      filters: describeFilters(query),
      narrow,
      next: cursor !== undefined || offset > 0,
      allFailed: query.provider !== undefined && failed.has(query.provider),
    });
  },

  async servers(args: ServersArgs): Promise<Message> {
    const { provider, ...rest } = args;
    const out = await call("list-images", { resource: "servers", ...(provider ? { provider } : {}), ...rest }, Answers.servers);
    const shown = new Set(out.servers.map((s) => s.provider));
    return serversMessage(out.servers, {
      errors: out.errors,
      filters: describeFilters(args),
      cannotCreate: [...shown].filter((p) => !CAPABILITIES[p].creates),
    });
  },

  async show(args: ArgsOf<"show">): Promise<Message> {
    const { image, sharedWith, sharingUnknown } = await call("describe-image", args, Answers.image).catch(withNextSteps(args));
    return imageMessage(image, { sharedWith, sharingUnknown });
  },

  async status({ operation }: ArgsOf<"status">): Promise<Message> {
    return operationMessage((await call("describe-operation", { operation }, Answers.operation)).operation);
  },

  async create(request: CreateArgs): Promise<Message> {
    const { checks, operation, image, serverId } = await call("create-image", { ...request, dryRun: true }, Answers.dryRun);
    const op = operation?.id;
    // the same request made this image already: Confirm would only answer it, so no Confirm
    if (op && image?.status === "available" && operation?.state === "available") return existsMessage(image, await madeBy(op));
    // Confirm carries the server's id as the dry run resolved it (a name given for it is not looked up again)
    const confirmed = serverId ? { ...request, serverId } : request;
    return confirmMessage(request, checks, confirmValue(confirmed, op), op ? JSON.stringify({ op }) : undefined);
  },

  async delete(args: ArgsOf<"delete">): Promise<Message> {
    const { provider, id, account, region } = args;
    const out = await call("delete-image", { provider, id, account, region, dryRun: true }, Answers.dryRun).catch(withNextSteps(args));
    const op = out.operation?.id;
    // the button carries the exact image: its id (a name given resolved to it), and the name shown here
    const exact = out.image?.id ?? id;
    const value = JSON.stringify({ provider, id: exact, account, region, name: out.image?.name, ...(op ? { op } : {}) });
    return deleteConfirmMessage(out.image, { ...args, id: exact }, out.checks, value, op ? JSON.stringify({ op }) : undefined);
  },

  share: (args: ShareArgs) => shareDry(args),
  unshare: (args: ShareArgs) => shareDry(args),

  async policy(args: PolicyArgs, ctx: CommandContext): Promise<Message> {
    if (args.action === "list") return policyListMessage((await call("run-policy", { action: "list" }, Answers.policies)).policies);
    const { started } = await call(
      "run-policy",
      { action: "start", policy: args.name, ...(ctx.user ? { requestedBy: ctx.user } : {}) },
      Answers.policyStarted,
    );
    return textMessage(
      `:gear: <@${ctx.user ?? "?"}> started policy *${started.policy}* now (run of ${started.scheduledAt}). It creates each server's image, applies retention once the new images are available, and posts its summary in <#${started.channel}>.`,
    );
  },

  async audit(args: AuditArgs, ctx: CommandContext): Promise<Message | undefined> {
    if (args.kind === "ack") {
      const { ack } = await call(
        "audit-images",
        { ack: { finding: args.finding, for: args.for, reason: args.reason, by: ctx.user } },
        Answers.ack,
      );
      const m = ackMessage(ack);
      return textMessage(m.lines.join("\n"), { text: m.text, response_type: "in_channel" });
    }
    if (args.kind === "acks") {
      const m = acksMessage(await call("audit-images", { acks: true }, Answers.acks));
      return textMessage(m.lines.join("\n"), { text: m.text });
    }
    return audit(ctx, await call("audit-images", {}, Answers.audit));
  },
} satisfies { [K in Exclude<CommandName, "help">]: (args: ArgsOf<K>, ctx: CommandContext) => Promise<Message | undefined> };

/** A share's or an unshare's dry run, and its Confirm carrying the request. */
async function shareDry(args: ShareArgs): Promise<Message> {
  const { provider, id, account, region, action, targets } = args;
  const out = await call("share-image", { provider, id, account, region, action, targets, dryRun: true }, Answers.shareDry);
  const value = JSON.stringify({ ...args, op: out.operation.id });
  return shareConfirmMessage(out.image, args, out, value);
}

/** A command's job: its runner, with the arguments its command read. */
function runCommand(job: CommandJob): Promise<Message | undefined> {
  const { command, args, ...ctx } = job;
  if (command === "help") return Promise.resolve(undefined);
  // the name and its arguments were typed together when the job was made (CommandJob)
  const run = runners[command] as (a: typeof args, c: CommandContext) => Promise<Message | undefined>;
  return run(args, ctx);
}

async function build(job: Job): Promise<Message | undefined> {
  switch (job.kind) {
    case "command":
      return runCommand(job);
    case "create-confirm": {
      const r = job.request;
      await answer(
        job,
        confirmedMessage({
          kind: "create-image",
          user: job.user,
          name: r.name,
          provider: r.provider,
          subject: r.serverId,
          operation: job.operation,
        }),
      );
      const { provider, serverId, name, account, region } = r;
      const notify = await storeTarget(job, { kind: "create-image", provider, serverId, name, account, region });
      const out = await call("create-image", { ...r, notify }, Answers.started);
      // a Confirm of a request made before (a twin card, the same command again): its image, not "started"
      if (out.existing) return existsMessage(out.image, await madeBy(out.operation.id), { replace_original: true });
      return startedMessage("create-image", job.user, out.image, out.operation.id, job.channel);
    }
    case "cancel": {
      // a Confirm seen by another container: the operation record says whether creation began
      const confirmedBy = job.confirmedBy ?? (job.operation && (await begun(job.operation)) ? (job.user ?? "someone") : undefined);
      return cancelMessage("create-image", confirmedBy, job.operation);
    }
    case "notice":
      return textMessage(job.text, { replace_original: false });
    case "delete-confirm": {
      const r = job.request;
      await answer(
        job,
        confirmedMessage({
          kind: "delete-image",
          user: job.user,
          name: r.name ?? r.id,
          provider: r.provider,
          subject: r.id,
          operation: job.operation,
        }),
      );
      const { provider, id, account, region } = r;
      const notify = await storeTarget(job, { kind: "delete-image", provider, id, account, region });
      const out = await call(
        "delete-image",
        { provider, id, account, region, ...(r.name ? { expectName: r.name } : {}), notify },
        Answers.started,
      );
      return startedMessage("delete-image", job.user, out.image, out.operation.id, job.channel);
    }
    case "delete-cancel":
      return cancelMessage("delete-image", job.confirmedBy, job.operation);
    case "share-confirm": {
      const { provider, id, account, region, action, targets } = job.request;
      const out = await call("share-image", { provider, id, account, region, action, targets }, Answers.shared);
      return shareResultMessage(job.user, action, out);
    }
    case "share-cancel":
      return job.confirmedBy
        ? textMessage(
            `:warning: Too late to cancel: <@${job.confirmedBy}> confirmed${job.operation ? ` (operation \`${job.operation}\`)` : ""}; run the opposite command to undo it.`,
          )
        : textMessage("Cancelled: nothing was shared or unshared.", { replace_original: true });
    case "audit-remedy": {
      // The list, then the first images each through the delete guard (its checks and a Confirm for
      // that exact image); the rest as commands: a response_url takes 5 answers
      const value = parseRemedyValue(job.value);
      if (!value) return textMessage(":warning: That button is out of date; run `/images audit` again.", { replace_original: false });
      const guarded = value.images.filter(([provider]) => (PROVIDERS as readonly string[]).includes(provider)).slice(0, REMEDY_CONFIRMS);
      const m = remedyMessage(value, guarded.length);
      await answer(job, textMessage(m.lines.join("\n"), { text: m.text, replace_original: false }));
      let last: Message | undefined;
      for (const [provider, account, region, id] of guarded) {
        // the summary the button is on stays: each confirmation is a message of its own
        const confirmation = await runners
          .delete({ provider: provider as ProviderName, id, account, region })
          .then((c) => ({ ...c, replace_original: false }))
          .catch((err: unknown) => textMessage(`:x: ${provider} \`${id}\`: ${asImageOpsError(err).message}`, { replace_original: false }));
        if (last) await answer(job, last);
        last = confirmation;
      }
      return last;
    }
  }
}

/**
 * `/images audit`: the summary and its full list (a thread) in the command's channel, run by
 * the requester. When the bot cannot post there: the summary through the response_url for the
 * channel, the full list to the requester by DM, and how to fix it.
 */
async function audit(job: CommandContext, result: AuditResult): Promise<Message | undefined> {
  const budgetMs = 120_000;
  if (job.channel) {
    const poster = await slack();
    try {
      const r = await postAuditReport(poster, job.channel, result, { requester: job.user, budgetMs });
      return textMessage(`:white_check_mark: The audit is posted in <#${job.channel}>${r.parts ? ", its full list in the thread" : ""}.`, {
        replace_original: true,
      });
    } catch (err) {
      const e = toSlackCallError(err);
      if (!NOT_POSTABLE.has(e.error)) log("error", "could not post the audit in the channel", { channel: job.channel, error: e.error });
      let fullList: string | undefined;
      if (job.user) {
        fullList = await postAuditReport(poster, job.user, result, { requester: job.user, budgetMs })
          .then((r) => (r.parts ? `Full list sent to <@${job.user}> by direct message.` : undefined))
          .catch((dmErr) => (log("error", "could not send the audit by DM", { error: toSlackCallError(dmErr).error }), undefined));
      }
      const summary = auditSummaryMessage(result, { requester: job.user, fullList });
      const hint = {
        type: "context",
        elements: [{ type: "mrkdwn", text: channelHint(e.error, job.channel, "the audit and its full list") }],
      };
      return { text: summary.text, blocks: [...summary.blocks, hint], response_type: "in_channel" };
    }
  }
  const summary = auditSummaryMessage(result, { requester: job.user });
  return { ...summary, response_type: "in_channel" };
}

/**
 * Answers through the response_url; when Slack refuses it (expired, used up), by DM to the
 * requester. A timeout is not sent again: Slack may have shown it already.
 */
async function answer(job: CommandContext & { kind: string }, message: Message): Promise<void> {
  try {
    await jobPorts.respond(job.responseUrl, message);
    return;
  } catch (err) {
    const e = toSlackCallError(err);
    if (e.ambiguous || !job.user) return log("warn", "no answer through the response_url", { kind: job.kind, error: e.error });
    log("warn", "the response_url refused the answer; sending it by DM", { kind: job.kind, error: e.error });
  }
  try {
    await (await slack()).post({ channel: job.user, text: message.text, blocks: message.blocks });
  } catch (err) {
    log("error", "the answer reached nobody", { kind: job.kind, error: toSlackCallError(err).error });
  }
}

export async function runJob(job: Job): Promise<void> {
  // checked before any work: an answer nobody may receive is not worth computing
  if (!allowedResponseUrl(job.responseUrl)) {
    log("warn", "refused to answer a response_url outside Slack", { kind: job.kind });
    return;
  }
  let message: Message | undefined;
  try {
    message = await build(job);
  } catch (err) {
    const e = asImageOpsError(err);
    if (!(err instanceof ImageOpsError)) log("error", "slack job failed", { kind: job.kind, error: err });
    message = textMessage(`:x: ${e.code}: ${e.message}`, {
      replace_original: job.kind === "create-confirm" || job.kind === "delete-confirm" || job.kind === "share-confirm",
    });
  }
  try {
    if (message) await answer(job, message);
  } catch (err) {
    log("error", "slack job could not answer", { kind: job.kind, error: err });
  }
}
