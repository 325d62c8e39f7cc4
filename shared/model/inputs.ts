import * as z from "zod";
import { PROVIDERS } from "./image.js";

/**
 * One input schema per function: it validates both event forms (a function URL's query string
 * or JSON body, and a direct invocation's object) and it is the source of the help text.
 * Query strings carry only strings, so numbers and booleans also accept their text form.
 */
const provider = z.enum(PROVIDERS).describe(PROVIDERS.join(" | "));
const intFromText = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v), z.number().int().min(min).max(max));
const boolFromText = z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
const text = (max: number) => z.string().trim().min(1).max(max);
/** ids are opaque to us but must not smuggle control characters into a URL */
const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters");

const providerList = z.preprocess(
  (v) =>
    typeof v === "string"
      ? v
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(provider).min(1).max(PROVIDERS.length),
);

export const ListImagesInput = z
  .object({
    provider: providerList.optional().describe("one provider or a comma list (default: every configured account)"),
    account: text(64).optional().describe("account name from the credentials secret"),
    region: text(64).optional().describe("region or zone (default: every region of the account)"),
    scope: z.enum(["public", "custom", "all"]).default("all").describe("public | custom | all"),
    os: text(64).optional().describe("distro, e.g. ubuntu, rocky, windows"),
    name: text(128).optional().describe("case-insensitive substring of the name"),
    status: z.enum(["creating", "available", "failed", "deleting", "unknown"]).optional().describe("image status"),
    limit: intFromText(1, 1000).default(100).describe("1–1000, default 100"),
    cursor: z.string().min(1).max(2048).optional().describe("nextCursor of the previous page"),
    resource: z
      .enum(["images", "servers"])
      .default("images")
      .describe("images | servers: the servers an image can be made from (with provider, account, region and name only)"),
  })
  .strict();

export const DescribeImageInput = z
  .object({
    provider,
    id: id.describe("the provider's image id, or a custom image's name"),
    account: text(64).optional(),
    region: text(64).optional(),
  })
  .strict();

const slackTs = z.string().regex(/^\d+\.\d+$/);
/** A progress target's id (shared/slack/targets.ts): 128 random bits, as hex. */
export const TARGET_ID = /^[0-9a-f]{32}$/;
const slackChannel = z.string().regex(/^[CDG][A-Z0-9]{2,}$/, "must be a Slack channel id (C…, D…, G…)");
/**
 * Where progress goes (shared/slack/targets.ts): a channel the deployment allows
 * (NOTIFY_CHANNELS), or the id of a target the Slack bot stored. Nothing else: a caller can never
 * name a message, a thread or a user.
 */
const notify = z
  .object({
    channel: slackChannel.optional(),
    target: z.string().regex(TARGET_ID, "must be the id of a progress target the Slack bot issued").optional(),
  })
  .strict()
  .refine((n) => (n.channel === undefined) !== (n.target === undefined), "give either channel or target, not both or neither")
  .transform((n) => n as NotifyRequest);
/** What `notify` of a create-image or delete-image request says. */
export type NotifyRequest = { channel: string; target?: undefined } | { target: string; channel?: undefined };
const NOTIFY_HELP = "Slack channel to post progress to: {channel} (one of NOTIFY_CHANNELS); {target} is the Slack bot's";

/** Fields of a tracking run's progress state written before targets were stored: dropped, never passed on. */
const RETIRED_NOTIFY_FIELDS = ["responseUrl", "responseUrlAt"];
/** A tracking step's progress state (shared/tracking/types.ts ProgressState), as track-image's answer carries it to the next step. */
const progressState = z.preprocess(
  (v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).filter(([k]) => !RETIRED_NOTIFY_FIELDS.includes(k)))
      : v,
  z
    .object({
      channel: slackChannel,
      threadTs: slackTs.optional(),
      requester: z
        .string()
        .regex(/^[UW][A-Z0-9]{2,}$/, "must be a Slack user id (U…, W…)")
        .optional(),
      serverId: id.optional(),
      imageName: z.string().max(255).optional(),
      target: z.string().regex(TARGET_ID).optional(),
      /** the progress message, once posted */
      messageTs: slackTs.optional(),
      responseUses: z.number().int().min(0).max(5).optional(),
      lastStatus: z.string().max(32).optional(),
      lastUpdate: z.number().optional(),
      via: z.enum(["channel", "response_url", "dm"]).optional(),
      dmChannel: z
        .string()
        .regex(/^D[A-Z0-9]{2,}$/)
        .optional(),
      dmTs: slackTs.optional(),
      fallback: z.string().max(64).optional(),
      hintVia: z.enum(["response_url", "dm"]).optional(),
      /** the outcome reached the requester but Slack rate-limited the channel card's update: retried after this many seconds */
      channelOwed: z.number().int().min(1).max(300).optional(),
    })
    .strict(),
);

export const CreateImageInput = z
  .object({
    provider,
    serverId: id.describe("the server to image: its id, or its name"),
    name: z.string().min(1).max(255).describe("new image name"),
    description: z.string().max(4000).optional().describe("free text"),
    account: text(64).optional(),
    region: text(64).optional(),
    dryRun: boolFromText.default(false).describe("run the checks only"),
    notify: notify.optional().describe(NOTIFY_HELP),
  })
  .strict();

export const DeleteImageInput = z
  .object({
    provider,
    id: id.describe("the provider's image id, or the image's name (a custom image)"),
    account: text(64).optional(),
    region: text(64).optional(),
    dryRun: boolFromText.default(false).describe("run the checks only"),
    expectName: z.string().min(1).max(255).optional().describe("refuse unless the image still has this name (the one the requester saw)"),
    force: boolFromText
      .default(false)
      .describe("delete even though servers still use the image, or whether they do could not be read (refused otherwise)"),
    notify: notify.optional().describe(NOTIFY_HELP),
  })
  .strict();

export const ShareImageInput = z
  .object({
    provider,
    id: id.describe("the provider's image id (this account's own custom image)"),
    account: text(64).optional(),
    region: text(64).optional(),
    action: z.enum(["share", "unshare"]).default("share").describe("share (the default) or unshare"),
    targets: z
      .preprocess(
        (v) => (typeof v === "string" ? v.split(/[\s,]+/).filter(Boolean) : v),
        z.array(z.string().trim().min(1).max(254)).min(1).max(20),
      )
      .describe("1–20 login ids (NCP) or account ids (SCP): an array, or one string separated by commas or spaces"),
    dryRun: boolFromText.default(false).describe("run the checks only"),
  })
  .strict();

export const TrackImageInput = z
  .object({
    operation: z.string().min(1).max(80),
    kind: z.enum(["create-image", "delete-image", "share-image"]).optional(),
    provider,
    account: text(64),
    region: text(64),
    imageId: id,
    startedAt: z.string().datetime(),
    limitAt: z.string().datetime().optional(),
    failures: z.number().int().min(0).optional(),
    /** set by the state machine's failure branch: record the operation as stopped for this reason */
    stop: z.string().max(2000).optional(),
    notify: progressState.optional(),
  })
  .strict(); // the state machine's Task payload names exactly these (infra/state-machine.asl.json)

export const RunPolicyInput = z
  .object({
    action: z
      .enum(["run", "start", "list"])
      .default("run")
      .describe("run: carry out a run here; start: dispatch one and answer at once; list: the policies, next run and last result"),
    policy: text(64).optional().describe("the policy's name (policies.yaml)"),
    /** EventBridge Scheduler's <aws.scheduler.scheduled-time>, e.g. 2022-03-22T18:59:43Z */
    scheduledAt: z.string().datetime().optional().describe("the run's scheduled time (default: now, to the minute)"),
    trigger: z.enum(["schedule", "manual"]).optional(),
    requestedBy: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/, "must be a Slack user id (U…, W…)")
      .optional(),
    continuation: z.literal(true).optional(),
  })
  .strict();

export const AuditImagesInput = z
  .object({
    provider: provider.optional(),
    account: text(64).optional(),
    scheduled: z.literal(true).optional(),
    notify: boolFromText.optional().describe("post the summary to AUDIT_CHANNEL"),
    ack: z
      .object({
        finding: z.string().regex(/^f-[0-9a-f]{12}$/, "must be a finding id (f-<12 hex>) from an audit summary"),
        for: z
          .string()
          .regex(/^[1-9]\d{0,3}[hdw]$/, "must be hours, days or weeks, e.g. 12h, 30d, 8w")
          .default("30d"),
        reason: text(500),
        by: text(64).describe("who acknowledges (a Slack user id from the bot)"),
      })
      .strict()
      .optional()
      .describe("acknowledge a finding instead of auditing: {finding, for, reason, by}"),
    acks: boolFromText.optional().describe("list the acknowledged findings instead of auditing"),
  })
  .strict();

export const DescribeOperationInput = z
  .object({
    operation: z
      .string()
      .regex(
        /^(img|del|shr)-[a-z]+-[0-9a-f]{40}(-\d+)?$/,
        "must be an operation id (img-<provider>-<40 hex>[-N], del-… for a delete, shr-… for a share)",
      )
      .describe("the operation id create-image, delete-image or share-image answered"),
  })
  .strict();

export type ListImagesInput = z.infer<typeof ListImagesInput>;
export type DescribeImageInput = z.infer<typeof DescribeImageInput>;
export type CreateImageInput = z.infer<typeof CreateImageInput>;
export type TrackImageInput = z.infer<typeof TrackImageInput>;
export type DeleteImageInput = z.infer<typeof DeleteImageInput>;
export type RunPolicyInput = z.infer<typeof RunPolicyInput>;
export type AuditImagesInput = z.infer<typeof AuditImagesInput>;
export type DescribeOperationInput = z.infer<typeof DescribeOperationInput>;

/** "field  description" lines for help text, from the schema itself. */
export function describeFields(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const f = field as z.ZodType;
    const optional = f.safeParse(undefined).success;
    return `${name}${optional ? "" : " (required)"}${f.description ? ` — ${f.description}` : ""}`;
  });
}
