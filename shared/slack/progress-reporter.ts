import type { Image } from "../model/image.js";
import type { ProgressReporter, ProgressState, TrackInput } from "../tracking/types.js";
import { progressMessage } from "./progress.js";
import { deliverProgress, type ResponseUrlOf } from "./progress-delivery.js";
import type { SlackPoster } from "./web.js";
import { unknownImage } from "../model/image.js";

/**
 * Tracking's progress reported as the Slack card: rendered (./progress.ts), then delivered to
 * the channel, else the requester's response_url (read from the bot's stored target), else a DM (./progress-delivery.ts).
 * Slack refusals never throw; only getting the poster (reading the Slack secret) can.
 */
export function slackProgressReporter(poster: () => Promise<SlackPoster>, responseUrlOf?: ResponseUrlOf): ProgressReporter {
  return {
    async report(input, { image, now, final, end }): Promise<ProgressState> {
      const n = input.notify!;
      const deleting = input.kind === "delete-image";
      // a delete ends without an image: the cloud no longer knows it
      const gone = deleting && final && !end && !image;
      const shown = image ?? shownImage(input, deleting ? "deleting" : "unknown");
      const message = progressMessage(shown, input.startedAt, now, {
        requester: n.requester,
        serverId: n.serverId,
        operation: input.operation,
        end,
        // a share's tracking posts no card (share-image answers its result itself)
        kind: input.kind === "share-image" ? undefined : input.kind,
        gone,
      });
      const status = gone ? "deleted" : shown.status;
      const delivered = await deliverProgress(await poster(), n, message, {
        now,
        final,
        changed: n.lastStatus !== status,
        responseUrlOf,
      });
      return { ...delivered, lastStatus: status, lastUpdate: now };
    },
  };
}

/** The card's image when the cloud could not say (it is gone, or tracking stopped before reading it). */
function shownImage(input: TrackInput, status: Image["status"]): Image {
  return unknownImage({
    provider: input.provider,
    account: input.account,
    region: input.region,
    id: input.imageId,
    name: input.notify?.imageName ?? input.imageId,
    status,
    providerStatus: status === "unknown" ? "unknown" : "",
  });
}
