import { RESPONSE_URL_LIFE_MS } from "./limits.js";
import { randomBytes } from "node:crypto";
import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoTable, dynamoUnavailable } from "../dynamo.js";
import { ImageOpsError } from "../model/errors.js";
import type { ProviderName } from "../model/image.js";
import type { NotifyRequest } from "../model/inputs.js";
import type { ProgressTarget } from "../tracking/types.js";
import { list, text } from "../config.js";

/**
 * Progress targets: where the Slack bot wants an operation's progress, stored by the bot itself
 * (`slack#target#<id>` items; only the slack function's role may write `slack#` keys, infra/functions.cjs)
 * and named by id — so a target cannot be forged by a function-URL caller, and the interaction's
 * response_url stays here, out of every request, execution input, record and log.
 *
 * Slack honours a response_url "up to 5 times within 30 minutes"
 * (https://docs.slack.dev/interactivity/handling-user-interaction#message_responses): the item
 * expires (DynamoDB TTL, and every read checks it, TTL deletion being lazy) at that end of life.
 * A target is issued for one request (the Confirm's): another request naming it is refused, so an
 * id seen in an execution history cannot send another operation's progress to the same people.
 */
export { RESPONSE_URL_LIFE_MS };

/** The request a target was issued for: what the Confirm button carried. */
export type TargetRequest =
  | { kind: "create-image"; provider: ProviderName; serverId: string; name: string; account?: string; region?: string }
  | { kind: "delete-image"; provider: ProviderName; id: string; account?: string; region?: string };

export interface StoredTarget {
  channel: string;
  threadTs?: string;
  requester?: string;
  responseUrl: string;
  /** when Slack issued the response_url (epoch ms) */
  responseUrlAt: number;
  /** its uses before tracking got it */
  responseUses: number;
  for: TargetRequest;
}

/** Where targets are kept: DynamoDB in AWS and locally, behind this port. */
export interface TargetStore {
  /** stores a target until its response_url's end of life; answers its id */
  put(target: StoredTarget): Promise<string>;
  /** the target, or undefined when there is none of that id or its response_url's life is over */
  get(id: string): Promise<StoredTarget | undefined>;
}

const keyOf = (id: string) => ({ pk: `slack#target#${id}`, sk: "target" });

export class DynamoTargetStore extends DynamoTable implements TargetStore {
  constructor(
    table = text("OPERATIONS_TABLE") ?? "",
    config: DynamoDBClientConfig = {},
    private readonly now: () => number = Date.now,
  ) {
    super(table, config);
  }

  async put(target: StoredTarget): Promise<string> {
    const id = randomBytes(16).toString("hex");
    const expiresAt = Math.ceil((target.responseUrlAt + RESPONSE_URL_LIFE_MS) / 1000);
    try {
      await this.db().send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keyOf(id), ...target, expiresAt },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (err) {
      throw dynamoUnavailable("could not store where progress goes", err);
    }
    return id;
  }

  async get(id: string): Promise<StoredTarget | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.db().send(new GetCommand({ TableName: this.table, Key: keyOf(id), ConsistentRead: true }))).Item;
    } catch (err) {
      throw dynamoUnavailable(`could not read progress target ${id}`, err);
    }
    // DynamoDB's TTL deletes late: the response_url's own end of life decides
    if (!item || typeof item.responseUrlAt !== "number" || item.responseUrlAt + RESPONSE_URL_LIFE_MS <= this.now()) return undefined;
    const { pk: _pk, sk: _sk, expiresAt: _e, ...target } = item;
    return target as unknown as StoredTarget;
  }
}

/** The channels a function-URL caller may name in `notify.channel` (NOTIFY_CHANNELS; unset: none). */
export function allowedChannels(env: Record<string, string | undefined> = process.env): Set<string> {
  return new Set(list("NOTIFY_CHANNELS", env));
}

const same = (a: string | undefined, b: string | undefined) => (a ?? "") === (b ?? "");

function issuedFor(t: TargetRequest, r: TargetRequest): boolean {
  if (t.kind !== r.kind || t.provider !== r.provider || !same(t.account, r.account) || !same(t.region, r.region)) return false;
  if (t.kind === "create-image" && r.kind === "create-image") return t.serverId === r.serverId && t.name === r.name;
  return t.kind === "delete-image" && r.kind === "delete-image" && t.id === r.id;
}

/**
 * The progress target a request's `notify` names: a channel the deployment allows, or a target
 * the bot stored for this very request. Everything else is refused, naming the field.
 */
export async function progressTarget(
  notify: NotifyRequest | undefined,
  request: TargetRequest,
  deps: { targets: () => TargetStore; channels?: Set<string> },
): Promise<ProgressTarget | undefined> {
  if (!notify) return undefined;
  if (notify.channel !== undefined) {
    const channels = deps.channels ?? allowedChannels();
    if (channels.has(notify.channel)) return { channel: notify.channel };
    const allowed = channels.size ? `only ${[...channels].join(", ")}` : "none (NOTIFY_CHANNELS is not set)";
    throw new ImageOpsError(
      "FORBIDDEN",
      `notify.channel: ${notify.channel} is not a channel this deployment posts progress to for function-URL callers; allowed: ${allowed} (the notifyChannels deploy parameter)`,
      { field: "notify.channel" },
    );
  }
  const stored = await deps.targets().get(notify.target);
  if (!stored)
    throw new ImageOpsError(
      "FORBIDDEN",
      "notify.target: no progress target of that id: only the Slack bot issues them, and each lasts as long as its response_url (30 minutes)",
      { field: "notify.target" },
    );
  if (!issuedFor(stored.for, request))
    throw new ImageOpsError("FORBIDDEN", "notify.target: that progress target was issued for another request", { field: "notify.target" });
  const out: ProgressTarget = { channel: stored.channel, target: notify.target };
  if (stored.threadTs) out.threadTs = stored.threadTs;
  if (stored.requester) out.requester = stored.requester;
  return out;
}

let store: DynamoTargetStore | undefined;
/** The deployment's target store, made on first use. */
export const targetStore = (): TargetStore => (store ??= new DynamoTargetStore());
