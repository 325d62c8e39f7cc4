import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import type { Ack } from "../../shared/audit/memory.js";
import {
  ackMessage,
  acksMessage,
  auditSummaryMessage,
  parseRemedyValue,
  postAuditReport,
  remedyMessage,
} from "../../shared/audit/report.js";
import type { AuditResult } from "../../shared/audit/run.js";
import type { Check } from "../../shared/images/create.js";
import type { ListOutput } from "../../shared/images/list.js";
import { correlationId, log } from "../../shared/log.js";
import type { Image } from "../../shared/model/image.js";
import type { OperationView } from "../../shared/operations/describe.js";
import type { PolicyView } from "../../shared/policies/list.js";
import { deleteConfirmMessage, policyListMessage } from "../../shared/slack/lifecycle.js";
import {
  channelHint,
  confirmMessage,
  confirmValue,
  imageMessage,
  listMessage,
  type Message,
  operationMessage,
  PAGE_ROWS,
  textMessage,
} from "../../shared/slack/render.js";
import { allowedResponseUrl, lazySlackPoster, NOT_POSTABLE, respondTo, toSlackCallError } from "../../shared/slack/web.js";
import type * as z from "zod";
import { Answers } from "../../shared/model/answers.js";
import { DynamoTargetStore, type TargetRequest, type TargetStore } from "../../shared/tracking/targets.js";

/**
 * The work behind a Slack command, run in an asynchronous invocation of the slack function
 * (never in the 3-second ack path). It calls the image functions and answers through the
 * command's response_url, or by DM when Slack refuses that. A job never throws once it has
 * answered: Lambda would run it again and the user would read the answer twice; its failures
 * are logged (and the function has no retries, serverless.yml).
 */
export type { CreateRequest, DeleteRequest } from "../../shared/model/inputs.js";
import type { CreateRequest, DeleteRequest } from "../../shared/model/inputs.js";
import type { Parsed } from "../../shared/slack/commands.js";
import { PROVIDERS, type ProviderName } from "../../shared/model/image.js";
/** a list's filter as `/images list` parses it (one provider), carried by the Next page button */
export type ListQuery = Extract<Parsed, { command: "list" }>["args"];

/** Every job answers to the requester: the interaction's response_url, and their id for a DM. */
type Base = { responseUrl: string; user?: string };
export type Job = Base &
  (
    | { kind: "list"; query: ListQuery; cursor?: string; offset?: number }
    | { kind: "show"; provider: string; id: string; account?: string; region?: string }
    | { kind: "status"; operation: string }
    | { kind: "create"; request: CreateRequest }
    | { kind: "create-confirm"; request: CreateRequest; channel: string; user: string; operation?: string; at?: number }
    | { kind: "cancel"; confirmedBy?: string; operation?: string }
    | { kind: "notice"; text: string }
    | { kind: "audit"; channel?: string }
    | { kind: "audit-ack"; user: string; finding: string; for: string; reason: string }
    | { kind: "audit-acks" }
    | { kind: "audit-remedy"; value: string }
    | { kind: "delete"; request: DeleteRequest }
    | { kind: "delete-confirm"; request: DeleteRequest; channel: string; user: string; operation?: string; at?: number }
    | { kind: "delete-cancel"; confirmedBy?: string; operation?: string }
    | { kind: "policy-list" }
    | { kind: "policy-run"; name: string; channel?: string }
  );

/** the variable each invoked function's name is in (infra/functions.cjs sets them; the template test compares) */
export const FUNCTION_ENV = {
  "list-images": "LIST_IMAGES_FUNCTION",
  "describe-image": "DESCRIBE_IMAGE_FUNCTION",
  "create-image": "CREATE_IMAGE_FUNCTION",
  "describe-operation": "DESCRIBE_OPERATION_FUNCTION",
  "audit-images": "AUDIT_IMAGES_FUNCTION",
  "delete-image": "DELETE_IMAGE_FUNCTION",
  "run-policy": "RUN_POLICY_FUNCTION",
} as const;

class FunctionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let lambda: LambdaClient | undefined;
const lambdaClient = () => (lambda ??= new LambdaClient({ maxAttempts: 2 }));
const slack = lazySlackPoster();

/** Calls an image function in its direct-invocation form; its typed error comes back as FunctionError. */
export async function call<T>(fn: keyof typeof FUNCTION_ENV, payload: unknown, shape: z.ZodType): Promise<T> {
  const name = process.env[FUNCTION_ENV[fn]];
  if (!name) throw new FunctionError("INTERNAL", `${FUNCTION_ENV[fn]} is not set`);
  // the Slack request's correlation id rides along (shared/events.ts reads it off a direct invocation)
  const body = { ...(payload as object), correlationId: correlationId() };
  const out = await lambdaClient().send(
    new InvokeCommand({ FunctionName: name, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(body)) }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "null";
  if (out.FunctionError) {
    let err: { errorType?: string; errorMessage?: string } = {};
    try {
      err = JSON.parse(text);
    } catch {
      /* keep the defaults */
    }
    throw new FunctionError(err.errorType ?? "INTERNAL", err.errorMessage ?? `${fn} failed`);
  }
  // checked at the boundary (shared/model/answers.ts): a shape we did not expect is said, not rendered
  const answer = shape.safeParse(JSON.parse(text));
  if (!answer.success) {
    const issue = answer.error.issues[0]!;
    throw new FunctionError("INTERNAL", `${fn} answered an unexpected shape (${issue.path.join(".") || "answer"}: ${issue.message})`);
  }
  return answer.data as T;
}

/** Whether the operation a Cancel names was confirmed and started (its record exists and is not over). */
async function begun(operation: string): Promise<boolean> {
  try {
    const { operation: op } = await call<{ operation: OperationView }>("describe-operation", { operation }, Answers.operation);
    return !op.supersededBy && op.state !== "failed";
  } catch (err) {
    // no record: nothing was started; any other failure: say nothing was created only when sure
    return !(err instanceof FunctionError && err.code === "NOT_FOUND");
  }
}

const describeFilters = (q: ListQuery) =>
  Object.entries(q)
    .filter(([, v]) => v)
    .map(([k, v]) => (k === "provider" ? v : `--${k} ${v}`))
    .join(" ");

/** Images of a remedy put through the delete guard at once: with the list, 4 of the response_url's 5 answers. */
const REMEDY_CONFIRMS = 3;

/** Uses of a confirmation's response_url before tracking gets it: the "confirmed" and the "started" answers. */
const CONFIRM_ANSWERS = 2;

let targets: TargetStore | undefined;

/**
 * Where a confirmed operation's progress goes, stored by the bot (shared/tracking/targets.ts) for
 * that one request: the channel, the requester and the response_url stay in the bot's item, and
 * create-image and delete-image are given only its id.
 */
async function storeTarget(job: Job & { channel: string; user: string; at?: number }, request: TargetRequest): Promise<{ target: string }> {
  targets ??= new DynamoTargetStore();
  try {
    const target = await targets.put({
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
    throw new FunctionError("INTERNAL", `${(err as Error).message}: nothing was started; confirm again in a moment`);
  }
}

async function build(job: Job): Promise<Message | undefined> {
  switch (job.kind) {
    case "list": {
      // One batch of up to 1000 serves several screens: exact "N more" and cheap next pages.
      const offset = job.offset ?? 0;
      const out = await call<ListOutput>("list-images", { ...job.query, limit: 1000, cursor: job.cursor }, Answers.list);
      const rows = out.images.slice(offset, offset + PAGE_ROWS);
      const after = offset + PAGE_ROWS;
      const remaining = Math.max(0, out.images.length - after);
      const next =
        remaining > 0
          ? { query: job.query, cursor: job.cursor, offset: after }
          : out.nextCursor
            ? { query: job.query, cursor: out.nextCursor, offset: 0 }
            : undefined;
      return listMessage({
        rows,
        remaining,
        more: out.nextCursor !== null,
        nextValue: next ? JSON.stringify(next) : undefined,
        errors: out.errors,
        filters: describeFilters(job.query),
      });
    }
    case "show": {
      const { image } = await call<{ image: Image }>(
        "describe-image",
        {
          provider: job.provider,
          id: job.id,
          account: job.account,
          region: job.region,
        },
        Answers.image,
      );
      return imageMessage(image);
    }
    case "status": {
      const { operation } = await call<{ operation: OperationView }>("describe-operation", { operation: job.operation }, Answers.operation);
      return operationMessage(operation);
    }
    case "create": {
      const { checks, operation } = await call<{ checks: Check[]; operation?: { id: string } }>(
        "create-image",
        {
          ...job.request,
          dryRun: true,
        },
        Answers.dryRun,
      );
      const op = operation?.id;
      return confirmMessage(job.request, checks, confirmValue(job.request, op), op ? JSON.stringify({ op }) : undefined);
    }
    case "create-confirm": {
      const r = job.request;
      // the buttons go at once: while the image is being created nothing may look cancellable
      await answer(
        job,
        textMessage(
          `:hourglass_flowing_sand: <@${job.user}> confirmed: creating image *${r.name}* from ${r.provider} server \`${r.serverId}\`…${job.operation ? `\nOperation \`${job.operation}\`` : ""}`,
          { replace_original: true },
        ),
      );
      const { provider, serverId, name, account, region } = r;
      const notify = await storeTarget(job, { kind: "create-image", provider, serverId, name, account, region });
      const out = await call<{ image: Image; operation: { id: string } }>("create-image", { ...r, notify }, Answers.started);
      return textMessage(
        `:rocket: <@${job.user}> started creating image *${out.image.name}* (\`${out.image.id}\`) on ${out.image.provider}. Progress is posted in <#${job.channel}>.\nOperation \`${out.operation.id}\``,
        { replace_original: true },
      );
    }
    case "cancel":
      // a Confirm seen by another container: the operation record says whether creation began
      if (!job.confirmedBy && job.operation && (await begun(job.operation))) job = { ...job, confirmedBy: job.user ?? "someone" };
      if (!job.confirmedBy) return textMessage("Cancelled: no image was created.", { replace_original: true });
      return textMessage(
        `:warning: Too late to cancel: <@${job.confirmedBy}> confirmed, and the image is being created${job.operation ? ` (operation \`${job.operation}\`)` : ""}. It cannot be stopped from Slack; its progress card says when it is done, and an unwanted image can be deleted then.`,
        { replace_original: false },
      );
    case "notice":
      return textMessage(job.text, { replace_original: false });
    case "delete": {
      const { provider, id, account, region } = job.request;
      const out = await call<{ checks: Check[]; image?: Image; operation?: { id: string } }>(
        "delete-image",
        {
          provider,
          id,
          account,
          region,
          dryRun: true,
        },
        Answers.dryRun,
      );
      const op = out.operation?.id;
      // the button carries the exact image: its id, and the name shown here
      const value = JSON.stringify({ provider, id, account, region, name: out.image?.name, ...(op ? { op } : {}) });
      return deleteConfirmMessage(out.image, job.request, out.checks, value, op ? JSON.stringify({ op }) : undefined);
    }
    case "delete-confirm": {
      const r = job.request;
      const shown = r.name ?? r.id;
      await answer(
        job,
        textMessage(
          `:hourglass_flowing_sand: <@${job.user}> confirmed: deleting image *${shown}* (\`${r.id}\`) on ${r.provider}…${job.operation ? `\nOperation \`${job.operation}\`` : ""}`,
          { replace_original: true },
        ),
      );
      const notify = await storeTarget(job, { kind: "delete-image", provider: r.provider, id: r.id, account: r.account, region: r.region });
      const out = await call<{ image: Image; operation: { id: string } }>(
        "delete-image",
        {
          provider: r.provider,
          id: r.id,
          account: r.account,
          region: r.region,
          ...(r.name ? { expectName: r.name } : {}),
          notify,
        },
        Answers.started,
      );
      return textMessage(
        `:wastebasket: <@${job.user}> started deleting image *${out.image.name}* (\`${out.image.id}\`) on ${out.image.provider}. Progress is posted in <#${job.channel}>.\nOperation \`${out.operation.id}\``,
        { replace_original: true },
      );
    }
    case "delete-cancel":
      if (!job.confirmedBy) return textMessage("Cancelled: nothing was deleted.", { replace_original: true });
      return textMessage(
        `:warning: Too late to cancel: <@${job.confirmedBy}> confirmed, and the image is being deleted${job.operation ? ` (operation \`${job.operation}\`)` : ""}. A deletion cannot be stopped; its progress card says when the image is gone.`,
        { replace_original: false },
      );
    case "policy-list": {
      const { policies } = await call<{ policies: PolicyView[] }>("run-policy", { action: "list" }, Answers.policies);
      return policyListMessage(policies);
    }
    case "policy-run": {
      const { started } = await call<{ started: { policy: string; scheduledAt: string; channel: string } }>(
        "run-policy",
        {
          action: "start",
          policy: job.name,
          ...(job.user ? { requestedBy: job.user } : {}),
        },
        Answers.policyStarted,
      );
      return textMessage(
        `:gear: <@${job.user ?? "?"}> started policy *${started.policy}* now (run of ${started.scheduledAt}). It creates each server's image, applies retention once the new images are available, and posts its summary in <#${started.channel}>.`,
      );
    }
    case "audit":
      return audit(job, await call<AuditResult>("audit-images", {}, Answers.audit));
    case "audit-ack": {
      const { ack } = await call<{ ack: Ack }>(
        "audit-images",
        {
          ack: { finding: job.finding, for: job.for, reason: job.reason, by: job.user },
        },
        Answers.ack,
      );
      const m = ackMessage(ack);
      return textMessage(m.lines.join("\n"), { text: m.text, response_type: "in_channel" });
    }
    case "audit-acks": {
      const m = acksMessage(await call<{ acks: Ack[]; ended: Ack[] }>("audit-images", { acks: true }, Answers.acks));
      return textMessage(m.lines.join("\n"), { text: m.text });
    }
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
        const request = { provider: provider as ProviderName, id, account, region };
        // the summary the button is on stays: each confirmation is a message of its own
        const confirmation = await build({ kind: "delete", responseUrl: job.responseUrl, user: job.user, request })
          .then((c) => c && { ...c, replace_original: false })
          .catch((err: unknown) => textMessage(`:x: ${provider} \`${id}\`: ${(err as Error).message}`, { replace_original: false }));
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
async function audit(job: Job & { kind: "audit" }, result: AuditResult): Promise<Message | undefined> {
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
async function answer(job: Job, message: Message): Promise<void> {
  try {
    await respondTo(job.responseUrl, message);
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
    const e = err instanceof FunctionError ? err : new FunctionError("INTERNAL", "something went wrong");
    if (!(err instanceof FunctionError)) log("error", "slack job failed", { kind: job.kind, error: err });
    message = textMessage(`:x: ${e.code}: ${e.message}`, {
      replace_original: job.kind === "create-confirm" || job.kind === "delete-confirm",
    });
  }
  try {
    if (message) await answer(job, message);
  } catch (err) {
    log("error", "slack job could not answer", { kind: job.kind, error: err });
  }
}
