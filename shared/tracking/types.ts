import type { ProviderName } from "../model/image.js";

/** What one tracking step needs; also the state machine's input (CONTRACT.md section 3, track-image). */
export interface TrackInput {
  operation: string;
  provider: ProviderName;
  account: string;
  region: string;
  imageId: string;
  startedAt: string;
  notify?: { channel: string; threadTs?: string; messageTs?: string; lastStatus?: string; lastUpdate?: number };
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
