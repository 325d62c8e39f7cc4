import type { Image } from "../model/image.js";
import { FIELD_TEXT_MAX, SECTION_TEXT_MAX } from "./limits.js";
import { clip, esc, field } from "./render.js";

/** "4m 05s", "1h 02m" */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, "0")}m`;
  return `${m}m ${String(sec).padStart(2, "0")}s`;
}

const ICON: Record<Image["status"], string> = {
  creating: ":hourglass_flowing_sand:",
  available: ":white_check_mark:",
  failed: ":x:",
  deleting: ":wastebasket:",
  unknown: ":grey_question:",
};

/** Who and what a card is about, so the people who see it in a channel know (the requester, the source). */
export interface CardContext {
  requester?: string;
  serverId?: string;
  /** the operation the card follows: named on every card, so anyone can ask `/images status` about it */
  operation: string;
  /** a delete's card (absent: a create's) */
  kind?: "create-image" | "delete-image";
  /** a delete's outcome: the image is gone */
  gone?: boolean;
}

/**
 * How tracking ended without the image becoming available, when the cloud did not say "failed":
 * tracking stopped (the image vanished, the cloud kept failing, …) or ran out of time.
 */
export type TrackingEnd = { kind: "stopped"; reason: string } | { kind: "timed-out" };

function outcome(image: Image, elapsed: string, end?: TrackingEnd): { icon: string; headline: string; reason?: string; next?: string } {
  const name = `*${esc(clip(image.name, 80))}*`;
  const show = `\`/images show ${image.provider} ${esc(image.id)}\``;
  if (end?.kind === "stopped") {
    return {
      icon: ":warning:",
      headline: `Tracking of image ${name} stopped`,
      reason: end.reason,
      next: `Nobody is watching it any more: the image may still be creating. Check it with ${show}; repeating the same \`/images create\` tracks it again.`,
    };
  }
  if (end?.kind === "timed-out") {
    return {
      icon: ":warning:",
      headline: `Image ${name} is still ${image.status} after ${elapsed}: tracking timed out`,
      reason: "tracking timed out",
      next: `Check it with ${show}; repeating the same \`/images create\` tracks it again. If it stays ${image.status}, look at it in the ${image.provider} console.`,
    };
  }
  if (image.status === "available") return { icon: ICON.available, headline: `Image ${name} is available` };
  if (image.status === "failed") {
    return {
      icon: ICON.failed,
      headline: `Image ${name} failed`,
      reason: `the cloud reports ${image.providerStatus}`,
      next: `Check the server in the ${image.provider} console, delete the failed image, then run \`/images create\` again.`,
    };
  }
  return { icon: ICON[image.status], headline: `Creating image ${name}` };
}

/** The same moments of a deletion: deleting, gone, or tracking stopped or out of time with the image still there. */
function deletionOutcome(
  image: Image,
  elapsed: string,
  gone: boolean,
  end?: TrackingEnd,
): { icon: string; headline: string; reason?: string; next?: string } {
  const name = `*${esc(clip(image.name, 80))}*`;
  const show = `\`/images show ${image.provider} ${esc(image.id)}\``;
  const again = `repeating the same \`/images delete\` follows it again`;
  if (gone) return { icon: ":white_check_mark:", headline: `Image ${name} is deleted` };
  if (end?.kind === "stopped")
    return {
      icon: ":warning:",
      headline: `Tracking of the deletion of image ${name} stopped`,
      reason: end.reason,
      next: `The image may still be going. Check it with ${show}; ${again}.`,
    };
  if (end?.kind === "timed-out") {
    return {
      icon: ":warning:",
      headline: `Image ${name} still exists after ${elapsed}: tracking timed out`,
      reason: "tracking timed out",
      next: `Check it with ${show}; ${again}. If it stays, look at it in the ${image.provider} console.`,
    };
  }
  return { icon: ICON.deleting, headline: `Deleting image ${name}` };
}

/**
 * The progress card of an image creation or deletion, one message updated in place: what is made
 * from what (or deleted), where, for whom, how long it has taken, and, when it ended without
 * success, why and what to do.
 */
export function progressMessage(
  image: Image,
  startedAt: string,
  now: number,
  o: CardContext & { end?: TrackingEnd },
): { text: string; blocks: unknown[] } {
  const elapsed = formatElapsed(now - Date.parse(startedAt));
  const { icon, headline, reason, next } =
    o.kind === "delete-image" ? deletionOutcome(image, elapsed, o.gone === true, o.end) : outcome(image, elapsed, o.end);
  const status = o.gone ? "deleted" : `${image.status}${image.providerStatus ? ` (${esc(image.providerStatus)})` : ""}`;
  const text = clip(
    `${icon} ${headline} — ${o.gone ? "deleted" : `${image.status} (${image.providerStatus})`}, ${elapsed} elapsed${reason ? ` — ${reason}` : ""}`,
    SECTION_TEXT_MAX,
  );
  const fields = [
    field("Status", o.kind === "delete-image" ? status : `${image.status} (${esc(image.providerStatus)})`),
    field("Elapsed", elapsed),
    field("Image id", `\`${esc(image.id)}\``),
    field("Cloud", `${image.provider} / ${esc(image.account)} / ${esc(image.region)}`),
  ];
  if (o.serverId) fields.push(field("Source server", `\`${esc(o.serverId)}\``));
  if (o.requester) fields.push(field("Requested by", `<@${o.requester}>`));
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: clip(`${icon} ${headline}`, SECTION_TEXT_MAX) } },
    { type: "section", fields },
  ];
  const notes = [
    reason && `Reason: ${esc(reason)}`,
    next && `What to do: ${next}`,
    `Operation \`${esc(o.operation)}\` · \`/images status ${esc(o.operation)}\``,
  ].filter(Boolean) as string[];
  blocks.push({ type: "context", elements: notes.map((n) => ({ type: "mrkdwn", text: clip(n, FIELD_TEXT_MAX) })) });
  return { text, blocks };
}
