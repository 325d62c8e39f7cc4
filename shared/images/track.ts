import { log } from "../log.js";
import { ImageOpsError } from "../model/errors.js";
import type { Image } from "../model/image.js";
import type { Runtime } from "../runtime.js";
import { progressMessage, type TrackingEnd } from "../slack/progress.js";
import { deliverProgress } from "../slack/progress-delivery.js";
import type { SlackPoster } from "../slack/web.js";
import type { TrackInput } from "../tracking/types.js";
import { describeImage } from "./describe.js";

export interface TrackOutput {
  done: boolean;
  image: Image;
  waitSeconds: number;
  notify?: TrackInput["notify"];
}

/** Poll often at first (small images finish in minutes), then back off for long ones. */
export function nextWait(elapsedMs: number): number {
  const minutes = elapsedMs / 60_000;
  if (minutes < 2) return 10;
  if (minutes < 10) return 20;
  if (minutes < 60) return 30;
  return 60;
}

/** Slack updates only on a change of state or every ≥ 10 s, to stay far from rate limits. */
export const PROGRESS_THROTTLE_MS = 10_000;

/**
 * One step of tracking: fetch the image, decide whether it is done, and post or update the
 * progress message when asked. Slack trouble never fails the step: tracking goes on.
 */
export async function trackStep(rt: Runtime, input: TrackInput, slack?: () => Promise<SlackPoster>): Promise<TrackOutput> {
  const now = rt.now();
  let image: Image;
  try {
    image = await describeImage(rt, { provider: input.provider, id: input.imageId, account: input.account, region: input.region });
  } catch (err) {
    if (err instanceof ImageOpsError && err.code === "NOT_FOUND" && input.notify && slack) {
      await notify(await slack(), input, undefined, now, true, { kind: "stopped", reason: `image ${input.imageId} no longer exists` }).catch(() => undefined);
    }
    throw err;
  }
  const done = image.status === "available" || image.status === "failed" || image.status === "deleting";
  const out: TrackOutput = { done, image, waitSeconds: nextWait(now - Date.parse(input.startedAt)) };
  if (input.notify && slack) {
    const n = input.notify;
    out.notify = n;
    const changed = n.lastStatus !== image.status;
    const due = n.lastUpdate === undefined || now - n.lastUpdate >= PROGRESS_THROTTLE_MS;
    if (!n.messageTs || changed || due || done) {
      try {
        out.notify = await notify(await slack(), input, image, now, done);
      } catch (err) {
        log("warn", "could not update the Slack progress message", { operation: input.operation, error: (err as Error)?.message });
      }
    }
  }
  return out;
}

async function notify(poster: SlackPoster, input: TrackInput, image: Image | undefined, now: number, final: boolean, end?: TrackingEnd): Promise<TrackInput["notify"]> {
  const n = input.notify!;
  const shown: Image = image ?? placeholder(input);
  const message = progressMessage(shown, input.startedAt, now, { requester: n.requester, serverId: n.serverId, operation: input.operation, end });
  // the channel, else the requester's response_url, else a DM (shared/slack/progress-delivery.ts)
  const delivered = await deliverProgress(poster, n, message, { now, final, changed: n.lastStatus !== shown.status });
  return { ...delivered, lastStatus: shown.status, lastUpdate: now };
}

function placeholder(input: TrackInput): Image {
  return {
    provider: input.provider, account: input.account, region: input.region, id: input.imageId, name: input.imageId,
    description: null, kind: "custom", visibility: "private", status: "failed", providerStatus: "NOT_FOUND",
    os: { family: "unknown", distro: null, version: null, name: null }, architecture: null, sizeBytes: null, createdAt: null, sourceServerId: null,
  };
}
