import type { Image, ProviderName } from "../model/image.js";
import type { OperationKind } from "../operations/record.js";

/**
 * Where an operation reports its progress (shared/slack/progress-delivery.ts): the Slack channel
 * the request came from, and what reaches the requester when the bot cannot post there. Only the
 * Slack bot names a thread or a requester, through a target it stored (./targets.ts); a
 * function-URL caller names at most a channel the deployment allows.
 */
export interface ProgressTarget {
  channel: string;
  threadTs?: string;
  /** the Slack user id who asked (named on the card; the last resort is a DM to them) */
  requester?: string;
  /** the server the image is made from (named on the card) */
  serverId?: string;
  /** the image's name, for a card that outlives the image (a delete) */
  imageName?: string;
  /**
   * the id of the progress target the bot stored (./targets.ts): where the interaction's
   * response_url is kept for its life. The URL itself is never carried: this object is the
   * tracking execution's input, which Step Functions keeps in its history.
   */
  target?: string;
}

/** ProgressTarget plus where the card was delivered; carried from one tracking step to the next. */
export interface ProgressState extends ProgressTarget {
  /** uses of the target's response_url so far (absent: as many as the bot had made when it stored it) */
  responseUses?: number;
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
  /**
   * the outcome reached the requester, but Slack rate-limited the channel card's update past the
   * step's wait: the next step updates the channel card once more after this many seconds (Retry-After)
   */
  channelOwed?: number;
}

/** What one tracking step needs; also the state machine's input (CONTRACT.md section 3, track-image). */
export interface TrackInput {
  operation: string;
  /** what is followed: a create until the image is available (absent: a create), a delete until it is gone */
  kind?: OperationKind;
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  /** when the create was sent (elapsed time and the wait schedule count from here) */
  startedAt: string;
  /** when this tracking run gives up and records the operation as stopped (ISO) */
  limitAt?: string;
  /** transient failures in a row (each one lengthens the wait) */
  failures?: number;
  /** of the request that started the operation, on every log line of every step */
  correlationId?: string;
  notify?: ProgressState;
}

/** How a tracking run ended without an outcome from the cloud: stopped for a reason, or out of time (a delete's "gone" is an outcome). */
export type TrackEnd = { kind: "stopped"; reason: string } | { kind: "timed-out" };

/** Where a tracking step reports progress (the Slack card); a port so tracking imports nothing of Slack. */
export interface ProgressReporter {
  /** reports one step (final: the outcome, which must arrive); answers the notify state for the next step */
  report(input: TrackInput, update: { image?: Image; now: number; final: boolean; end?: TrackEnd }): Promise<ProgressState>;
}

/**
 * Where tracking runs: Step Functions in AWS (one execution per tracking run, named by the
 * operation record, so a duplicate start is refused by Step Functions itself).
 */
export interface Tracker {
  /** starts a run named `execution`; "exists" when a run of that name was already started */
  start(input: TrackInput, execution: string): Promise<"started" | "exists">;
  /**
   * whether the run of that name is still going: running; ended (succeeded, failed, timed out or
   * aborted: whatever it recorded is on the operation record); missing (never started). Throws
   * when it cannot be asked.
   */
  status(execution: string): Promise<"running" | "ended" | "missing">;
}
