import type { Check } from "../images/create.js";
import type { ProviderErrorEntry } from "../model/errors.js";
import type { Image } from "../model/image.js";

/** Block Kit for the bot's answers: pure functions from data to messages. */
export interface Message {
  text: string;
  blocks: unknown[];
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
}

/** At most a screenful of rows per message. */
export const PAGE_ROWS = 15;

const STATUS_ICON: Record<Image["status"], string> = {
  available: ":large_green_circle:",
  creating: ":hourglass_flowing_sand:",
  failed: ":red_circle:",
  deleting: ":wastebasket:",
  unknown: ":white_circle:",
};

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const osLabel = (i: Image) => [i.os.distro ?? i.os.family, i.os.version].filter(Boolean).join(" ") || "—";
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

/** One image as a table row: name, id, OS, status, created, cloud/region. */
export function imageRow(i: Image): string {
  return `${STATUS_ICON[i.status]} *${esc(i.name)}*  \`${esc(i.id)}\`  ·  ${esc(osLabel(i))}  ·  ${i.status}  ·  ${day(i.createdAt)}  ·  ${i.provider}/${esc(i.region)}`;
}

export function errorLines(errors: ProviderErrorEntry[]): unknown[] {
  if (!errors.length) return [];
  return [{ type: "context", elements: [{ type: "mrkdwn", text: errors.map((e) => `:warning: ${e.provider}/${esc(e.account)}/${esc(e.region)}: ${e.code} — ${esc(e.message)}`).join("\n") }] }];
}

export interface ListPage {
  /** the images of this screen */
  rows: Image[];
  /** images after this screen in the fetched batch; `more` true when the cloud has more still */
  remaining: number;
  more: boolean;
  /** what the Next button sends back */
  nextValue?: string;
  errors: ProviderErrorEntry[];
  filters: string;
}

export function listMessage(page: ListPage): Message {
  const title = page.rows.length ? `Images${page.filters ? ` (${page.filters})` : ""}` : `No images match${page.filters ? ` ${page.filters}` : ""}`;
  const blocks: unknown[] = [{ type: "section", text: { type: "mrkdwn", text: `*${esc(title)}*` } }];
  if (page.rows.length) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "status · *name* · `id` · OS · state · created · cloud/region" }] });
    blocks.push({ type: "section", text: { type: "mrkdwn", text: page.rows.map(imageRow).join("\n") } });
  }
  if (page.remaining > 0 || page.more) {
    const count = `${page.remaining}${page.more ? "+" : ""}`;
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${count} more — narrow with --os/--name` }] });
    if (page.nextValue) {
      blocks.push({ type: "actions", elements: [{ type: "button", action_id: "images_next", text: { type: "plain_text", text: "Next page" }, value: page.nextValue }] });
    }
  }
  blocks.push(...errorLines(page.errors));
  const text = `${title}: ${page.rows.length} shown${page.remaining || page.more ? `, more available` : ""}${page.errors.length ? `; ${page.errors.length} cloud(s) failed` : ""}`;
  return { text, blocks, response_type: "ephemeral" };
}

export function imageMessage(i: Image): Message {
  const field = (label: string, value: string) => ({ type: "mrkdwn", text: `*${label}*\n${value}` });
  return {
    response_type: "ephemeral",
    text: `${i.name} (${i.id}): ${i.status}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `${STATUS_ICON[i.status]} *${esc(i.name)}*${i.description ? `\n${esc(i.description)}` : ""}` } },
      {
        type: "section",
        fields: [
          field("Id", `\`${esc(i.id)}\``),
          field("Status", `${i.status} (${esc(i.providerStatus)})`),
          field("Cloud", `${i.provider} / ${esc(i.account)} / ${esc(i.region)}`),
          field("Kind", `${i.kind}, ${i.visibility}`),
          field("OS", esc([i.os.name, osLabel(i)].filter((x) => x && x !== "—").join(" — ") || "unknown")),
          field("Architecture", i.architecture ?? "—"),
          field("Size", i.sizeBytes === null ? "—" : `${(i.sizeBytes / 2 ** 30).toFixed(1)} GiB`),
          field("Created", i.createdAt ?? "—"),
          field("Source server", i.sourceServerId ? `\`${esc(i.sourceServerId)}\`` : "—"),
        ],
      },
    ],
  };
}

export function confirmMessage(request: { provider: string; serverId: string; name: string; description?: string }, checks: Check[], value: string): Message {
  const ok = checks.every((c) => c.ok);
  const lines = checks.map((c) => `${c.ok ? ":white_check_mark:" : ":x:"} *${c.name}* — ${esc(c.message)}`);
  const blocks: unknown[] = [
    { type: "section", text: { type: "mrkdwn", text: `Create image *${esc(request.name)}* from ${request.provider} server \`${esc(request.serverId)}\`?${request.description ? `\n_${esc(request.description)}_` : ""}` } },
    { type: "section", text: { type: "mrkdwn", text: lines.join("\n") } },
  ];
  if (ok) {
    blocks.push({
      type: "actions",
      elements: [
        { type: "button", action_id: "images_create_confirm", style: "primary", text: { type: "plain_text", text: "Confirm" }, value },
        { type: "button", action_id: "images_create_cancel", text: { type: "plain_text", text: "Cancel" }, value: "cancel" },
      ],
    });
  } else {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "Fix the failed check(s) and run the command again." }] });
  }
  return { response_type: "ephemeral", text: ok ? `Confirm creating ${request.name}` : `Cannot create ${request.name}: a check failed`, blocks };
}

export function textMessage(text: string, extra: Partial<Message> = {}): Message {
  return { response_type: "ephemeral", text, blocks: [{ type: "section", text: { type: "mrkdwn", text } }], ...extra };
}
