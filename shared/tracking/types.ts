import type { ProviderName } from "../model/image.js";

/** What one tracking step needs; also the state machine's input (CONTRACT.md section 3, track-image). */
export interface TrackInput {
  operation: string;
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
  notify?: { channel: string; threadTs?: string; messageTs?: string; lastStatus?: string; lastUpdate?: number };
}

/**
 * Where tracking runs: Step Functions in AWS (one execution per tracking run, named by the
 * operation record, so a duplicate start is refused by Step Functions itself).
 */
export interface Tracker {
  /** starts a run named `execution`; "exists" when a run of that name was already started */
  start(input: TrackInput, execution: string): Promise<"started" | "exists">;
}
