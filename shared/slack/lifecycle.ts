import type { Check } from "../images/create.js";
import { CAPABILITIES } from "../model/capabilities.js";
import { type Image, PROVIDERS, type ProviderName } from "../model/image.js";
import type { PolicyView } from "../policies/list.js";
import type { RunView } from "../policies/record.js";
import type { PolicyReporter } from "../policies/run.js";
import { formatTime } from "../policies/schedule.js";
import type { Policy } from "../policies/schema.js";
import { BUTTON_VALUE_MAX, FIELD_TEXT_MAX, SECTION_TEXT_MAX } from "./limits.js";
import { checkLines, clip, esc, field, imageFields, type Message, refusalNote, refusedForGood, sections, slackDate } from "./render.js";
import { honouringRetryAfter, NOT_POSTABLE, type SlackPoster, toSlackCallError } from "./web.js";

/** Block Kit for deletes and policies: pure functions from data to messages (as ./render.ts for the rest). */

const isProvider = (p: string): p is ProviderName => (PROVIDERS as readonly string[]).includes(p);

/**
 * The confirmation of a delete: the image itself (so the requester sees what goes), the checks
 * with their warnings (with whom it is shared), and a Delete button whose own confirmation dialog
 * names that exact image; the button carries the id and the name seen, and the delete is refused
 * if the image is not that one any more.
 */
export function deleteConfirmMessage(
  image: Image | undefined,
  request: { provider: string; id: string },
  checks: Check[],
  value: string,
  cancelValue = "cancel",
): Message {
  const fits = value.length <= BUTTON_VALUE_MAX;
  const passed = checks.every((c) => c.ok);
  const ok = passed && fits && image !== undefined;
  const what = image
    ? `image *${esc(clip(image.name, 80))}* (\`${esc(image.id)}\`) from ${image.provider}`
    : `${request.provider} image \`${esc(request.id)}\``;
  // a refusal nothing lifts (a public image, a cloud that cannot delete) never asks "Delete …?"
  const title = passed
    ? `Delete ${what}?`
    : refusedForGood(checks)
      ? `:no_entry: ${what.charAt(0).toUpperCase()}${what.slice(1)} cannot be deleted`
      : `:warning: ${what.charAt(0).toUpperCase()}${what.slice(1)} cannot be deleted yet`;
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: clip(title, SECTION_TEXT_MAX) } }];
  if (image) {
    blocks.push({
      type: "section",
      fields: [
        ...imageFields(image),
        field("Created", image.createdAt ?? "—"),
        field("Source server", image.sourceServerId ? `\`${esc(image.sourceServerId)}\`` : "—"),
      ],
    });
  }
  blocks.push(...sections(checkLines(checks)));
  if (ok) {
    const what = `${clip(image.name, 60)} (${clip(image.id, 60)})`;
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: "images_delete_confirm",
          style: "danger",
          text: { type: "plain_text", text: "Delete" },
          value,
          // Slack's own "are you sure" for this exact image
          confirm: {
            title: { type: "plain_text", text: "Delete this image?" },
            text: {
              type: "plain_text",
              text: clip(`${what} on ${image.provider}/${image.account}/${image.region} is deleted for good.`, 300),
            },
            confirm: { type: "plain_text", text: "Delete it" },
            deny: { type: "plain_text", text: "Keep it" },
            style: "danger",
          },
        },
        { type: "button", action_id: "images_delete_cancel", text: { type: "plain_text", text: "Cancel" }, value: cancelValue },
      ],
    });
  } else if (!fits) {
    blocks.push({
      type: "context",
      elements: [
        { type: "mrkdwn", text: `The request is too long for Slack's button (${value.length} of ${BUTTON_VALUE_MAX} characters).` },
      ],
    });
  } else {
    // a cloud whose API cannot delete: where a person does it instead
    const cannot = checks.some((c) => c.name === "provider" && !c.ok && c.final);
    const instead = cannot && isProvider(request.provider) ? `Delete it in ${CAPABILITIES[request.provider].console}.` : undefined;
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: clip(refusalNote(checks, "Nothing is deleted", instead), FIELD_TEXT_MAX) }],
    });
  }
  const name = image?.name ?? request.id;
  const text = ok
    ? `Confirm deleting ${name}`
    : refusedForGood(checks)
      ? `${name} cannot be deleted`
      : `Cannot delete ${name} yet: a check failed`;
  return { response_type: "ephemeral", text, blocks };
}

/** A time as Slack shows it in the reader's own time zone, with the policy's time zone as the fallback text. */
function when(iso: string, tz: string): string {
  const ms = Date.parse(iso);
  const local = `${formatTime(ms, tz, "yyyy-MM-dd HH:mm")} ${tz}`;
  return slackDate(ms, local);
}

const retentionText = (r: Policy["retention"]) =>
  [r.keep !== undefined && `the newest ${r.keep}`, r.days !== undefined && `those younger than ${r.days} days`]
    .filter(Boolean)
    .join(" and ");

/** The one summary of a policy's run: what was made, kept, deleted and what failed. */
export function policySummaryMessage(policy: Policy, run: RunView): { text: string; blocks: unknown[] } {
  const s = run.summary ?? { made: [], keptCount: 0, kept: [], deleted: [], failed: [], deferred: [] };
  const headline = `${s.failed.length ? ":warning:" : ":white_check_mark:"} Policy *${esc(policy.name)}*: ${s.made.length} made, ${s.keptCount} kept, ${s.deleted.length} deleted, ${s.failed.length} failed`;
  const by = run.trigger === "manual" ? `run on demand${run.requestedBy ? ` by <@${run.requestedBy}>` : ""}` : "scheduled run";
  const lines = [
    ...s.made.map((m) => `:camera_with_flash: made *${esc(m.name)}* \`${esc(m.imageId)}\` from ${esc(m.server)} — ${m.state}`),
    ...(s.shared ?? []).map(
      (x) => `:handshake: shared \`${esc(x.imageId)}\` of ${esc(x.server)} with ${x.targets.map((t) => `\`${esc(t)}\``).join(", ")}`,
    ),
    ...s.deleted.map(
      (d) => `:wastebasket: deleting *${esc(d.name)}* \`${esc(d.imageId)}\` (beyond retention) — operation \`${d.operation}\``,
    ),
    ...s.failed.map((f) => `:x: ${esc(f.what)} — ${esc(clip(f.reason, 400))}`),
    ...s.deferred.map((d) => `:hourglass_flowing_sand: retention of ${esc(d.server)} waits: ${esc(d.reason)}`),
  ];
  const more = s.keptCount - s.kept.length;
  const kept = s.kept.length
    ? `Kept: ${s.kept.map((k) => `${esc(k.name)}`).join(", ")}${more > 0 ? ` and ${more} older` : ""}`
    : "Kept: none";
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: clip(headline, SECTION_TEXT_MAX) } },
    ...sections(lines.length ? lines : ["Nothing was made or deleted."]),
    {
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: clip(
            `${by} of ${when(run.scheduledAt, policy.timezone)} · ${policy.provider}${policy.account ? `/${esc(policy.account)}` : ""}${policy.region ? `/${esc(policy.region)}` : ""} · keeps ${retentionText(policy.retention)} per server`,
            FIELD_TEXT_MAX,
          ),
        },
        { type: "mrkdwn", text: clip(kept, FIELD_TEXT_MAX) },
      ],
    },
  ];
  const text = `Policy ${policy.name}: ${s.made.length} made, ${s.keptCount} kept, ${s.deleted.length} deleted, ${s.failed.length} failed`;
  return { text, blocks };
}

/** Posts a run's summary in the policy's channel (policy runs' PolicyReporter port). */
export function slackPolicyReporter(poster: () => Promise<SlackPoster>): PolicyReporter {
  return {
    async post(policy, run, maxWaitMs) {
      const message = policySummaryMessage(policy, run);
      try {
        const slack = await poster();
        return await honouringRetryAfter(
          () => slack.post({ channel: policy.channel, text: message.text, blocks: message.blocks }),
          maxWaitMs,
        );
      } catch (err) {
        const e = toSlackCallError(err);
        throw Object.assign(new Error(e.error), { error: NOT_POSTABLE.has(e.error) ? `${e.error} (the bot cannot post there)` : e.error });
      }
    },
  };
}

/** `/images policy list`: every policy, its schedule, next run and last result. */
export function policyListMessage(views: PolicyView[]): Message {
  if (!views.length)
    return {
      response_type: "ephemeral",
      text: "No policies",
      blocks: sections(["No policies: declare them in `policies.yaml` and deploy."]),
    };
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: `*Policies* (${views.length})` } }];
  for (const v of views) {
    const next = !v.enabled
      ? "disabled"
      : v.nextRun
        ? when(v.nextRun, v.timezone)
        : "counted from the deploy (a rate before its first run)";
    const last = v.lastRun
      ? `${v.lastRun.state === "done" ? "" : `${v.lastRun.state} · `}${when(v.lastRun.scheduledAt, v.timezone)}${v.lastRun.trigger === "manual" ? " (on demand)" : ""}: ${v.lastRun.made} made, ${v.lastRun.kept} kept, ${v.lastRun.deleted} deleted, ${v.lastRun.failed} failed${v.lastRun.posted && "error" in v.lastRun.posted ? ` — summary not posted (${esc(v.lastRun.posted.error)})` : ""}`
      : "never ran";
    const where = `${v.provider}${v.account ? `/${esc(v.account)}` : ""}${v.region ? `/${esc(v.region)}` : ""}`;
    const lines = [
      `*${esc(v.name)}* — ${where}, servers ${v.servers.map((s) => `\`${esc(s)}\``).join(", ")} → \`${esc(v.image)}\``,
      `\`${esc(v.schedule)}\` in ${esc(v.timezone)} · next: ${next} · keeps ${retentionText(v.retention)} · posts in <#${v.channel}>`,
      `last: ${last}`,
    ];
    blocks.push(...sections([lines.join("\n")]));
  }
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "`/images policy run <name>` runs one now." }] });
  return { response_type: "ephemeral", text: `${views.length} policies`, blocks };
}
