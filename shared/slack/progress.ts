import type { Image } from "../model/image.js";

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

/** The progress card of an image creation, one message updated in place. */
export function progressMessage(image: Image, startedAt: string, now: number, failure?: string): { text: string; blocks: unknown[] } {
  const elapsed = formatElapsed(now - Date.parse(startedAt));
  const where = `${image.provider}/${image.account}/${image.region}`;
  const headline =
    image.status === "available" ? `Image *${image.name}* is available` :
    image.status === "failed" ? `Image *${image.name}* failed` :
    `Creating image *${image.name}*`;
  const reason = failure ?? (image.status === "failed" ? `the cloud reports ${image.providerStatus}` : undefined);
  const text = `${ICON[image.status]} ${headline} — ${image.status} (${image.providerStatus}), ${elapsed} elapsed${reason ? ` — ${reason}` : ""}`;
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `${ICON[image.status]} ${headline}` } },
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Status*\n${image.status} (${image.providerStatus})` },
        { type: "mrkdwn", text: `*Elapsed*\n${elapsed}` },
        { type: "mrkdwn", text: `*Image id*\n\`${image.id}\`` },
        { type: "mrkdwn", text: `*Cloud*\n${where}` },
      ],
    },
  ];
  if (reason) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `Reason: ${reason}` }] });
  return { text, blocks };
}
