import type { Check } from "../images/checks.js";
import type { Acceptance } from "../images/share.js";
import type { Image } from "../model/image.js";
import type { ShareMember } from "../providers/types.js";
import { BUTTON_VALUE_MAX } from "./limits.js";
import { checkLine, clip, esc, imageFields, type Message, sections, sharedWithText, textMessage } from "./render.js";

/** Block Kit for shares: pure functions from data to messages (as ./render.ts for the rest). */

const list = (targets: readonly string[]) => targets.map((t) => `\`${esc(t)}\``).join(", ");

/**
 * The confirmation of a share or an unshare: the image, the targets and what the cloud already
 * shows (reported, not sent), the checks, and a button whose own dialog names the image and the
 * targets; the button carries the request.
 */
export function shareConfirmMessage(
  image: Image | undefined,
  request: { provider: string; id: string; action: "share" | "unshare"; targets: string[] },
  out: { checks: Check[]; send: string[]; already: string[] },
  value: string,
): Message {
  const sharing = request.action === "share";
  const fits = value.length <= BUTTON_VALUE_MAX;
  const ok = out.checks.every((c) => c.ok) && fits && image !== undefined && out.send.length > 0;
  const what = image
    ? `image *${esc(clip(image.name, 80))}* (\`${esc(image.id)}\`) of ${image.provider}`
    : `${request.provider} image \`${esc(request.id)}\``;
  const title = sharing
    ? `Share ${what} with ${list(out.send.length ? out.send : request.targets)}?`
    : `Stop sharing ${what} with ${list(out.send.length ? out.send : request.targets)}?`;
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: clip(title, 3000) } }];
  if (image)
    blocks.push({
      type: "section",
      fields: imageFields(image),
    });
  blocks.push(...sections(out.checks.map(checkLine)));
  if (ok) {
    const verb = sharing ? "Share" : "Unshare";
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: "images_share_confirm",
          style: sharing ? "primary" : "danger",
          text: { type: "plain_text", text: verb },
          value,
          confirm: {
            title: { type: "plain_text", text: sharing ? "Share this image?" : "Stop sharing this image?" },
            text: {
              type: "plain_text",
              text: clip(
                `${image.name} (${image.id}) on ${image.provider}/${image.account}/${image.region} ${sharing ? "is shared with" : "is no longer shared with"} ${out.send.join(", ")}.`,
                300,
              ),
            },
            confirm: { type: "plain_text", text: verb },
            deny: { type: "plain_text", text: "Cancel" },
          },
        },
        { type: "button", action_id: "images_share_cancel", text: { type: "plain_text", text: "Cancel" }, value: "cancel" },
      ],
    });
  } else {
    const why = !fits
      ? `The request is too long for Slack's button (${value.length} of ${BUTTON_VALUE_MAX} characters).`
      : out.send.length === 0 && out.checks.every((c) => c.ok)
        ? sharing
          ? "Nothing to send: the cloud already shows it shared with every target."
          : "Nothing to send: it is shared with none of these targets."
        : "Nothing is sent: fix the failed check(s) and run the command again.";
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: why }] });
  }
  const name = image?.name ?? request.id;
  return {
    response_type: "ephemeral",
    text: ok ? `Confirm ${request.action} of ${name}` : `Nothing to ${request.action} for ${name}`,
    blocks,
  };
}

/** The result of a confirmed share: whom it is shared with now, and at SCP who accepted and who must. */
export function shareResultMessage(
  user: string,
  action: "share" | "unshare",
  out: { image: Image; operation: { id: string }; send: string[]; already: string[]; sharedWith: ShareMember[]; accept?: Acceptance[] },
): Message {
  const i = out.image;
  const lines = [
    `:handshake: <@${user}> ${action === "share" ? "shared" : "stopped sharing"} image *${esc(i.name)}* (\`${esc(i.id)}\`, ${i.provider}/${esc(i.account)}/${esc(i.region)})${out.send.length ? ` ${action === "share" ? "with" : "with"} ${list(out.send)}` : ""} — operation \`${esc(out.operation.id)}\`.`,
  ];
  if (out.already.length)
    lines.push(
      action === "share"
        ? `Already shared with ${list(out.already)}: not sent again.`
        : `Not shared with ${list(out.already)}: nothing to remove.`,
    );
  lines.push(`Shared with: ${sharedWithText(out.sharedWith)}`);
  for (const a of out.accept ?? []) {
    if ("by" in a) lines.push(`:white_check_mark: \`${esc(a.target)}\` accepted (with the keys of account "${esc(a.by)}").`);
    else if ("pending" in a) lines.push(`:hourglass_flowing_sand: \`${esc(a.target)}\` has not accepted yet: ${esc(a.pending)}`);
  }
  return textMessage(lines.join("\n"), { response_type: "in_channel", replace_original: true });
}
