import type { ProviderName } from "../model/image.js";

/**
 * Where an operation reports its progress (shared/slack/progress-delivery.ts): the Slack channel
 * the request came from, and what reaches the requester when the bot cannot post there.
 */
export interface ProgressTarget {
  channel: string;
  threadTs?: string;
  /** the Slack user id who asked (named on the card; the last resort is a DM to them) */
  requester?: string;
  /** the server the image is made from (named on the card) */
  serverId?: string;
  /** the interaction's response_url: Slack honours it for 30 minutes and 5 uses */
  responseUrl?: string;
  /** when responseUrl was issued (epoch ms) */
  responseUrlAt?: number;
  /** uses of responseUrl so far */
  responseUses?: number;
}

/** ProgressTarget plus where the card was delivered; carried from one tracking step to the next. */
export interface ProgressState extends ProgressTarget {
  /** the card in the channel, once posted */
  messageTs?: string;
  lastStatus?: string;
  lastUpdate?: number;
  /** where the card is shown once the channel could not be used */
  via?: "channel" | "response_url" | "dm";
  /** the card in the app's DM with the requester */
  dmChannel?: string;
  dmTs?: string;
  /** why the channel could not be used (Slack's error), told to the requester once */
  fallback?: string;
  /** where that was told (the card there keeps saying it; the other way does not repeat it) */
  hintVia?: "response_url" | "dm";
}

/** What one tracking step needs; also the state machine's input (CONTRACT.md section 3, track-image). */
export interface TrackInput {
  operation: string;
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  startedAt: string;
  notify?: ProgressState;
}

/**
 * Where operations live: Step Functions in AWS (the execution name is the operation id, so a
 * duplicate start is refused by Step Functions itself), an in-process runner locally.
 */
export interface Tracker {
  /** the operation's input if it was started before */
  find(operation: string): Promise<TrackInput | undefined>;
  /** starts tracking; "exists" when an operation with this id was already started */
  start(input: TrackInput): Promise<"started" | "exists">;
}
