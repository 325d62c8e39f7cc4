import { getNumberFromEnv, getStringFromEnv } from "@aws-lambda-powertools/commons/utils/env";
import { ImageOpsError } from "./model/errors.js";

/**
 * Every environment variable the functions read, in one table: what it means, its default, and
 * who reads it. The deployment sets them (serverless.yml, infra/functions.cjs); docs/environment.md
 * is this table for people (test/unit/config.test.ts holds the two, and the code, to it). Values
 * are read through Powertools' env readers (@aws-lambda-powertools/commons/utils/env: trimmed,
 * defaults, numbers checked) and a missing or bad one is always the same error: INTERNAL naming
 * the variable and what sets it — a configuration fault, never the caller's.
 */
export const ENVIRONMENT = {
  CREDENTIALS_SECRET_ID: {
    about: "the Secrets Manager secret with the cloud keys (docs/CONTRACT.md §4)",
    readBy: "the functions that call the clouds",
  },
  SLACK_SECRET_ID: {
    about: "the Secrets Manager secret with the Slack signing secret and bot token",
    readBy: "slack, track-image, audit-images, run-policy",
  },
  OPERATIONS_TABLE: {
    about: "the DynamoDB table of operation records, policies' runs, the audit's memory, the bot's items",
    readBy: "every function but list-images and describe-image",
  },
  TRACK_STATE_MACHINE_ARN: { about: "the tracking state machine", readBy: "create-image, delete-image, share-image, run-policy" },
  TRACK_LIMIT_SECONDS: {
    about: "how long one tracking run follows an image before it records the operation as stopped",
    default: "21600",
    readBy: "create-image, delete-image, share-image, run-policy",
  },
  VISIBILITY_GRACE_SECONDS: {
    about: "how long a cloud may take to show what it did (a new image readable, a delete taking) before 'not seen' counts as proof",
    default: "300",
    readBy: "create-image, delete-image, share-image, track-image, run-policy",
  },
  PROVIDER_TIMEOUT_MS: { about: "one request's timeout to a cloud", default: "10000", readBy: "the functions that call the clouds" },
  NOTIFY_CHANNELS: {
    about: "the Slack channels a function-URL caller may name in notify.channel (comma list; unset: none)",
    readBy: "create-image, delete-image",
  },
  SLACK_API_URL: {
    about: "Slack's Web API base",
    default: "https://slack.com/api/",
    readBy: "slack, track-image, audit-images, run-policy",
  },
  SLACK_TEAM_ID: { about: "the one Slack workspace served (unset: none)", readBy: "slack" },
  IMAGE_CREATORS: {
    about: "Slack user ids who may create and delete images, run policies and acknowledge findings (comma list; unset: nobody)",
    readBy: "slack",
  },
  SLACK_FUNCTION_NAME: { about: "the slack function's own name (its jobs are asynchronous invocations of it)", readBy: "slack" },
  LIST_IMAGES_FUNCTION: { about: "the function the bot invokes for lists", readBy: "slack" },
  DESCRIBE_IMAGE_FUNCTION: { about: "the function the bot invokes for one image", readBy: "slack" },
  CREATE_IMAGE_FUNCTION: { about: "the function the bot invokes to create", readBy: "slack" },
  DELETE_IMAGE_FUNCTION: { about: "the function the bot invokes to delete", readBy: "slack" },
  SHARE_IMAGE_FUNCTION: { about: "the function the bot invokes to share and unshare", readBy: "slack" },
  DESCRIBE_OPERATION_FUNCTION: { about: "the function the bot invokes for `/images status`", readBy: "slack" },
  AUDIT_IMAGES_FUNCTION: { about: "the function the bot invokes to audit", readBy: "slack" },
  RUN_POLICY_FUNCTION: { about: "run-policy's name (the bot starts runs; a run continues itself)", readBy: "slack, run-policy" },
  POLICY_POLL_SECONDS: { about: "how often a policy's run reads its images' records while it waits", default: "15", readBy: "run-policy" },
  POLICY_WAIT_SECONDS: {
    about: "the longest one run-policy invocation waits for its images",
    default: "until a minute before its deadline",
    readBy: "run-policy",
  },
  POLICIES_DISABLED: { about: "the example policies that do not run in this stage (comma list, set by the package)", readBy: "run-policy" },
  AUDIT_CHANNEL: { about: "where the scheduled audit posts (unset: the schedule is off)", readBy: "audit-images" },
  AUDIT_STALE_DAYS: { about: "an image older than this is stale", default: "180", readBy: "audit-images" },
  AUDIT_STUCK_MINUTES: { about: "an image creating longer than this is stuck", default: "60", readBy: "audit-images" },
  AUDIT_TIMEZONE: { about: "the audit schedule's time zone, and the weekly digest's week", default: "Asia/Seoul", readBy: "audit-images" },
  AUDIT_AS_OF: { about: "evaluate an audit as of another instant (ISO 8601; reproducible reports)", readBy: "audit-images" },
  LOG_LEVEL: { about: "the Powertools Logger's level", default: "INFO", readBy: "every function" },
} as const satisfies Record<string, { about: string; default?: string; readBy: string }>;

export type VariableName = keyof typeof ENVIRONMENT;
type Source = Record<string, string | undefined>;

/** The one error of a configuration fault: which variable, and what sets it. */
export function configFault(name: VariableName, problem: string): ImageOpsError {
  return new ImageOpsError("INTERNAL", `${name} ${problem}: the deployment sets it (serverless.yml; docs/environment.md)`, { field: name });
}

/** A variable's text, trimmed; undefined when unset or empty. */
export function text(name: VariableName, source: Source = process.env): string | undefined {
  const value = source === process.env ? getStringFromEnv({ key: name, defaultValue: "" }) : (source[name] ?? "").trim();
  return value === "" ? undefined : value;
}

/** A variable that must be set. */
export function required(name: VariableName, source: Source = process.env): string {
  const value = text(name, source);
  if (value === undefined) throw configFault(name, "is not set");
  return value;
}

/** A comma list, its items trimmed; empty when unset. */
export function list(name: VariableName, source: Source = process.env): string[] {
  return (text(name, source) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A positive number; `fallback` when unset. */
export function positive(name: VariableName, fallback: number, source?: Source): number;
export function positive(name: VariableName, fallback?: number, source?: Source): number | undefined;
export function positive(name: VariableName, fallback?: number, source: Source = process.env): number | undefined {
  if (text(name, source) === undefined) return fallback;
  let n: number;
  try {
    n = source === process.env ? getNumberFromEnv({ key: name }) : Number(text(name, source));
  } catch {
    n = Number.NaN;
  }
  if (!Number.isFinite(n) || n <= 0) throw configFault(name, `must be a positive number, not "${(text(name, source) ?? "").slice(0, 20)}"`);
  return n;
}

/** A positive number of seconds, in milliseconds; undefined when unset (the reader's own default then holds). */
export function seconds(name: VariableName, source: Source = process.env): number | undefined {
  const s = positive(name, undefined, source);
  return s === undefined ? undefined : s * 1000;
}
