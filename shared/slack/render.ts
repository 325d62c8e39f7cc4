import type { Check } from "../images/create.js";
import type { ProviderErrorEntry } from "../model/errors.js";
import type { Image } from "../model/image.js";
import type { OperationView } from "../operations/describe.js";
import { osDisplayName } from "../model/os.js";
import type { CreateImageInput } from "../model/inputs.js";
import { confirmWords } from "../images/verdict.js";
import { CAPABILITIES } from "../model/capabilities.js";

/** Block Kit for the bot's answers: pure functions from data to messages. */
export interface Message {
  text: string;
  blocks: unknown[];
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
}

/** At most a screenful of rows per message. */
export const PAGE_ROWS = 15;
/** Servers are fewer and shorter: up to this many at once. */
const SERVER_ROWS = 40;

import { BUTTON_VALUE_MAX, FIELD_TEXT_MAX, SECTION_TEXT_MAX } from "./limits.js";

const NAME_MAX = 80;

/**
 * An instant as Slack shows it in the reader's own time zone, with `fallback` for clients that
 * cannot (https://docs.slack.dev/messaging/formatting-message-text#date-formatting).
 */
export function slackDate(ms: number, fallback: string): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

/** One check of a create's or a delete's preflight, as a line: failed, passed, or passed with a warning to read. */
export function checkLine(c: Check): string {
  return `${!c.ok ? ":x:" : c.level === "warning" ? ":warning:" : ":white_check_mark:"} *${c.name}* — ${esc(c.message)}`;
}

/** Cuts text to at most `max` characters, marking the cut with "…". */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.slice(0, max - 1);
  // never leave half of a surrogate pair (an emoji) behind
  return `${/[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** A section field: its label bold above its value, within Slack's field limit. */
export const field = (label: string, value: string) => ({ type: "mrkdwn", text: clip(`*${label}*\n${value}`, FIELD_TEXT_MAX) });

/** The fields every card about one image opens with: its id, status, cloud and kind. */
export const imageFields = (image: Image) => [
  field("Id", `\`${esc(image.id)}\``),
  field("Status", `${image.status} (${esc(image.providerStatus)})`),
  field("Cloud", `${image.provider} / ${esc(image.account)} / ${esc(image.region)}`),
  field("Kind", `${image.kind}, ${image.visibility}`),
];

/** Joins lines into as few mrkdwn sections as Slack's section text limit allows. */
export function sections(lines: string[]): unknown[] {
  const out: unknown[] = [];
  let current = "";
  for (const raw of lines) {
    const line = clip(raw, SECTION_TEXT_MAX);
    if (current && current.length + 1 + line.length > SECTION_TEXT_MAX) {
      out.push({ type: "section", text: { type: "mrkdwn", text: current } });
      current = "";
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push({ type: "section", text: { type: "mrkdwn", text: current } });
  return out;
}

const STATUS_ICON: Record<Image["status"], string> = {
  available: ":large_green_circle:",
  creating: ":hourglass_flowing_sand:",
  failed: ":red_circle:",
  deleting: ":wastebasket:",
  unknown: ":white_circle:",
};

export const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
// as people write them ("Ubuntu 24.04"), else what is known
const osLabel = (i: Image) => osDisplayName(i.os) ?? ([i.os.distro ?? i.os.family, i.os.version].filter(Boolean).join(" ") || "—");
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : "—");

/** One image as a table row: name, id, public or custom, OS, status, created, cloud/region. */
export function imageRow(i: Image): string {
  return `${STATUS_ICON[i.status]} *${esc(clip(i.name, NAME_MAX))}*  \`${esc(clip(i.id, NAME_MAX))}\`  ·  ${i.kind}  ·  ${esc(osLabel(i))}  ·  ${i.status}  ·  ${day(i.createdAt)}  ·  ${i.provider}/${esc(i.region)}`;
}

/** A provider's message without the provider's name in front (it is said beside it). */
const unprefixed = (e: ProviderErrorEntry) =>
  e.message.startsWith(`${e.provider}: `) ? e.message.slice(e.provider.length + 2) : e.message;

/**
 * The clouds that could not be read, said first and in bold: a person must not read an empty or
 * short list before learning that part of it is missing, nor why (a timeout says how long it waited).
 */
export function unreadLines(errors: ProviderErrorEntry[], what = "images"): unknown[] {
  if (!errors.length) return [];
  const lines = errors.map(
    (e) =>
      `:warning: *${e.provider}${e.account ? `/${esc(e.account)}` : ""}/${esc(e.region)} could not be read*: ${e.code} — ${esc(clip(unprefixed(e), 300))}`,
  );
  lines.push(`_Its ${what} are not shown: try again in a moment._`.replace("Its", errors.length > 1 ? "Their" : "Its"));
  return sections(lines);
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
  /** the filters not used yet, that would narrow the list (e.g. `--os`, `--scope custom`) */
  narrow?: string[];
  /** this screen is a Next page: it replaces the screen it came from */
  next?: boolean;
  /** every cloud asked failed: there is no "none match" to say */
  allFailed?: boolean;
}

export function listMessage(page: ListPage): Message {
  const filters = clip(page.filters, 300);
  const blocks: unknown[] = [...unreadLines(page.errors)];
  const title = page.rows.length
    ? `Images${filters ? ` (${filters})` : ""}`
    : `No images match${filters ? ` ${filters}` : ""}${page.errors.length ? " in the clouds that answered" : ""}`;
  if (page.rows.length || !page.allFailed) blocks.push({ type: "section", text: { type: "mrkdwn", text: `*${esc(title)}*` } });
  if (page.rows.length) {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: "status · *name* · `id` · public/custom · OS · state · created · cloud/region" }],
    });
    blocks.push(...sections(page.rows.map(imageRow)));
  }
  if (page.remaining > 0 || page.more) {
    const count = `${page.remaining}${page.more ? "+" : ""}`;
    const narrow = page.narrow?.length ? ` — narrow with ${orList(page.narrow)}` : "";
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `${count} more${narrow}` }] });
    // a value Slack would refuse (over its limit) would lose the whole message: no button then
    if (page.nextValue && page.nextValue.length <= BUTTON_VALUE_MAX) {
      blocks.push({
        type: "actions",
        elements: [{ type: "button", action_id: "images_next", text: { type: "plain_text", text: "Next page" }, value: page.nextValue }],
      });
    }
  }
  const failed = page.errors.length ? `${[...new Set(page.errors.map((e) => e.provider))].join(", ")} could not be read; ` : "";
  const text = `${failed}${page.allFailed && !page.rows.length ? "no images shown" : `${title}: ${page.rows.length} shown`}${page.remaining || page.more ? ", more available" : ""}`;
  // a Next page replaces the screen it came from (a response_url answer without it is posted as a new message)
  return { text, blocks, response_type: "ephemeral", ...(page.next ? { replace_original: true } : {}) };
}

/** "a, b or c" */
export const orList = (items: string[]) => (items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`);

/** The servers of `/images servers`: what can be imaged, by name and id, and how. */
export function serversMessage(
  servers: Array<{ provider: string; account: string; region: string; id: string; name: string; providerStatus: string }>,
  o: { errors: ProviderErrorEntry[]; filters: string; cannotCreate: string[] },
): Message {
  const filters = clip(o.filters, 300);
  const blocks: unknown[] = [...unreadLines(o.errors, "servers")];
  const shown = servers.slice(0, SERVER_ROWS);
  // none shown because clouds failed is not "no servers": the failure, said first, is the headline
  if (shown.length || !o.errors.length)
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*${esc(shown.length ? `Servers${filters ? ` (${filters})` : ""}` : `No servers${filters ? ` match ${filters}` : ""}`)}*`,
      },
    });
  if (shown.length) {
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "*name* · `id` · state · cloud/region" }] });
    blocks.push(
      ...sections(
        shown.map(
          (s) =>
            `:desktop_computer: *${esc(clip(s.name || "(no name)", NAME_MAX))}*  \`${esc(clip(s.id, NAME_MAX))}\`  ·  ${esc(s.providerStatus || "—")}  ·  ${s.provider}/${esc(s.region)}`,
        ),
      ),
    );
  }
  const notes = [
    servers.length > shown.length ? `${servers.length - shown.length} more — narrow with --name` : "",
    "`/images create <provider> <server> <image-name>` makes an image of one, given by its name or id.",
    o.cannotCreate.length ? `${orList(o.cannotCreate)}: the API cannot create images (use the cloud's console).` : "",
  ].filter(Boolean);
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: clip(notes.join("\n"), FIELD_TEXT_MAX) }] });
  return {
    response_type: "ephemeral",
    text: `${shown.length ? `${servers.length} server(s)` : "No servers"}${o.errors.length ? "; some clouds could not be read" : ""}`,
    blocks,
  };
}

/** Whom an image is shared with, as `/images show` and a share's result say it (SCP: with each member's status). */
export function sharedWithText(members: readonly { id: string; status?: string }[]): string {
  if (!members.length) return "nobody";
  return members.map((m) => `\`${esc(m.id)}\`${m.status ? ` (${esc(m.status)})` : ""}`).join(", ");
}

/** `/images show`: one image, and for a shared custom image whom it is shared with (describe-image's `sharedWith`). */
export function imageMessage(i: Image, shares: { sharedWith?: { id: string; status?: string }[]; sharingUnknown?: string } = {}): Message {
  const shared = shares.sharedWith
    ? [field("Shared with", sharedWithText(shares.sharedWith))]
    : shares.sharingUnknown
      ? [field("Shared with", `could not be read (${esc(shares.sharingUnknown)})`)]
      : [];
  return {
    response_type: "ephemeral",
    text: `${i.name} (${i.id}): ${i.status}`,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: clip(`${STATUS_ICON[i.status]} *${esc(i.name)}*${i.description ? `\n${esc(i.description)}` : ""}`, SECTION_TEXT_MAX),
        },
      },
      {
        type: "section",
        fields: [
          ...imageFields(i),
          field("OS", esc([...new Set([i.os.name, osLabel(i)])].filter((x) => x && x !== "—").join(" — ") || "unknown")),
          field("Architecture", i.architecture ?? "—"),
          field("Size", i.sizeBytes === null ? "—" : `${(i.sizeBytes / 2 ** 30).toFixed(1)} GiB`),
          field("Created", i.createdAt ?? "—"),
          field("Source server", i.sourceServerId ? `\`${esc(i.sourceServerId)}\`` : "—"),
          ...shared,
        ],
      },
    ],
  };
}

const OPERATION_ICON: Record<OperationView["state"], string> = {
  claimed: ":hourglass_flowing_sand:",
  sent: ":hourglass_flowing_sand:",
  created: ":hourglass_flowing_sand:",
  available: ":white_check_mark:",
  failed: ":x:",
  stopped: ":warning:",
  accepted: ":wastebasket:",
  deleted: ":wastebasket:",
  shared: ":handshake:",
  unshared: ":white_check_mark:",
};

/** `/images status <operation>`: what anyone holding an operation id may learn of it. */
export function operationMessage(o: OperationView): Message {
  const when = (t?: string) => t ?? "—";
  const fields = [
    field("State", o.state),
    field("Image", o.imageId ? `\`${esc(o.imageId)}\`` : "—"),
    field("Cloud", `${o.provider} / ${esc(o.account)} / ${esc(o.region)}`),
    o.kind === "delete-image" || o.kind === "share-image"
      ? field("Kind", o.kind === "delete-image" ? "delete" : "share")
      : field("From server", `\`${esc(o.serverId ?? "—")}\``),
    field("Claimed / sent", `${when(o.claimedAt)} / ${when(o.sentAt)}`),
    field("Created / ended", `${when(o.createdAt)} / ${when(o.endedAt)}`),
  ];
  const blocks: unknown[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: clip(
          `${OPERATION_ICON[o.state]} Operation \`${esc(o.id)}\`: ${o.kind === "delete-image" ? "deleting " : ""}image *${esc(o.name ?? o.imageName ?? o.imageId ?? "?")}*`,
          SECTION_TEXT_MAX,
        ),
      },
    },
    { type: "section", fields },
  ];
  const notes = [
    o.reason ? `Why: ${esc(o.reason)}` : "",
    o.supersededBy ? `Replaced by operation \`${esc(o.supersededBy)}\` (the same request, made again)` : "",
  ].filter(Boolean);
  if (o.state === "stopped")
    notes.push("Tracking stopped; the image may still be creating: repeating the same `/images create` tracks it again.");
  if (notes.length) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: clip(notes.join("\n"), SECTION_TEXT_MAX) }] });
  return { response_type: "ephemeral", text: `Operation ${o.id}: ${o.state}${o.imageId ? ` (image ${o.imageId})` : ""}`, blocks };
}

/** What a Confirm button carries: the request, and the operation id it will have (for a late Cancel). */
export function confirmValue(request: object, operation?: string): string {
  return JSON.stringify(operation ? { ...request, op: operation } : request);
}

/**
 * The checks a card shows: all of them while they pass, the operation check in Confirm's words;
 * while one fails, not the operation check (the card's title and note say what happens instead).
 */
export function checkLines(checks: Check[]): string[] {
  const blocked = checks.some((c) => !c.ok && c.name !== "operation");
  return checks
    .filter((c) => !(blocked && c.name === "operation"))
    .map((c) => checkLine(c.name === "operation" ? { ...c, message: confirmWords(c.message) } : c));
}

/** How a card that offers no Confirm ends: a refusal nothing lifts is said to be final; any other, what to do. */
export function refusalNote(checks: Check[], nothing: string, instead?: string): string {
  const final = checks.filter((c) => !c.ok && c.final);
  if (final.length)
    return `:no_entry: *This is final:* ${final.map((c) => esc(c.message)).join("; ")}. ${nothing}, and running the command again gets the same answer.${instead ? ` ${instead}` : ""}`;
  return `${nothing}: fix the failed check(s) and run the command again.`;
}

/** Whether the checks refuse for good (a final failed check). */
export const refusedForGood = (checks: Check[]) => checks.some((c) => !c.ok && c.final);

export function confirmMessage(
  request: Pick<CreateImageInput, "provider" | "serverId" | "name" | "description">,
  checks: Check[],
  value: string,
  cancelValue = "cancel",
): Message {
  const fits = value.length <= BUTTON_VALUE_MAX;
  const passed = checks.every((c) => c.ok);
  const ok = passed && fits;
  const what = `image *${esc(request.name)}* from ${request.provider} server \`${esc(request.serverId)}\``;
  const title = passed
    ? `Create ${what}?`
    : refusedForGood(checks)
      ? `:no_entry: ${capital(what)} cannot be created`
      : `:warning: ${capital(what)} cannot be created yet`;
  const blocks: unknown[] = [
    {
      type: "section",
      text: { type: "mrkdwn", text: clip(`${title}${request.description ? `\n_${esc(request.description)}_` : ""}`, SECTION_TEXT_MAX) },
    },
    ...sections(checkLines(checks)),
  ];
  if (ok) {
    blocks.push({
      type: "actions",
      elements: [
        { type: "button", action_id: "images_create_confirm", style: "primary", text: { type: "plain_text", text: "Confirm" }, value },
        { type: "button", action_id: "images_create_cancel", text: { type: "plain_text", text: "Cancel" }, value: cancelValue },
      ],
    });
  } else if (!passed) {
    const cannot = checks.some((c) => c.name === "provider" && !c.ok && c.final);
    const instead = cannot ? `Create it in ${CAPABILITIES[request.provider].console}.` : undefined;
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: clip(refusalNote(checks, "Nothing was created", instead), FIELD_TEXT_MAX) }],
    });
  } else {
    blocks.push({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: `The request is too long for Slack's Confirm button (${value.length} of ${BUTTON_VALUE_MAX} characters): shorten the name or description.`,
        },
      ],
    });
  }
  return {
    response_type: "ephemeral",
    text: ok
      ? `Confirm creating ${request.name}`
      : refusedForGood(checks)
        ? `${request.name} cannot be created`
        : `Cannot create ${request.name} yet: a check failed`,
    blocks,
  };
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Who made an image, as far as its operation says: a person, a policy, or just the operation. */
export interface MadeBy {
  operation: string;
  user?: string;
  policy?: string;
  /** when the cloud took the create (the image's own date when it has none) */
  at?: string;
}

const byWhom = (m: MadeBy) => (m.user ? `<@${m.user}>` : m.policy ? `policy *${esc(m.policy)}*` : `operation \`${esc(m.operation)}\``);

/**
 * A create whose image exists already (the same request was confirmed before): the image, who
 * made it and when, its card, and no Confirm — nothing new would be created.
 */
export function existsMessage(image: Image, made: MadeBy, extra: Partial<Message> = {}): Message {
  const at = made.at ?? image.createdAt;
  const when = at ? ` ${slackDate(Date.parse(at), at.slice(0, 16).replace("T", " "))}` : "";
  const headline =
    image.status === "available"
      ? `:information_source: Already exists: image *${esc(clip(image.name, NAME_MAX))}* (\`${esc(image.id)}\`), made${when} by ${byWhom(made)}`
      : `:hourglass_flowing_sand: Already being created: image *${esc(clip(image.name, NAME_MAX))}* (\`${esc(image.id)}\`, ${image.status}), asked for${when} by ${byWhom(made)}`;
  const card = imageMessage(image);
  return {
    response_type: "ephemeral",
    text: `${image.status === "available" ? "Already exists" : "Already being created"}: ${image.name} (${image.id})`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: clip(headline, SECTION_TEXT_MAX) } },
      ...card.blocks.slice(1),
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `Operation \`${esc(made.operation)}\`: nothing new is created.${image.status === "available" ? "" : " Its progress card says when it is done."}`,
          },
        ],
      },
    ],
    ...extra,
  };
}

/** What a create or a delete is, for the answers around its Confirm. */
export interface Confirmed {
  kind: "create-image" | "delete-image";
  user: string;
  /** create: the new image's name; delete: the image's name as shown, else its id */
  name: string;
  provider: string;
  /** create: the server; delete: the image id */
  subject: string;
  operation?: string;
}

const opLine = (operation?: string) => (operation ? `\nOperation \`${operation}\`` : "");

/** The Confirm taken: it replaces the buttons at once, so that nothing looks cancellable while it runs. */
export function confirmedMessage(c: Confirmed): Message {
  const what =
    c.kind === "create-image"
      ? `creating image *${esc(c.name)}* from ${c.provider} server \`${esc(c.subject)}\``
      : `deleting image *${esc(c.name)}* (\`${esc(c.subject)}\`) on ${c.provider}`;
  return textMessage(`:hourglass_flowing_sand: <@${c.user}> confirmed: ${what}…${opLine(c.operation)}`, { replace_original: true });
}

/** The operation started, and where its progress card is. */
export function startedMessage(kind: Confirmed["kind"], user: string, image: Image, operation: string, channel: string): Message {
  const verb = kind === "create-image" ? ":rocket: <@USER> started creating" : ":wastebasket: <@USER> started deleting";
  return textMessage(
    `${verb.replace("USER", user)} image *${esc(image.name)}* (\`${esc(image.id)}\`) on ${image.provider}. Its progress card goes to <#${channel}>, or comes to you here if I can't post there.${opLine(operation)}`,
    { replace_original: true },
  );
}

/** A Cancel: nothing was done, or too late, said by whom it was confirmed. */
export function cancelMessage(kind: Confirmed["kind"], confirmedBy: string | undefined, operation?: string): Message {
  if (!confirmedBy)
    return textMessage(kind === "create-image" ? "Cancelled: no image was created." : "Cancelled: nothing was deleted.", {
      replace_original: true,
    });
  const op = operation ? ` (operation \`${operation}\`)` : "";
  return textMessage(
    kind === "create-image"
      ? `:warning: Too late to cancel: <@${confirmedBy}> confirmed, and the image is being created${op}. It cannot be stopped from Slack; its progress card says when it is done, and an unwanted image can be deleted then.`
      : `:warning: Too late to cancel: <@${confirmedBy}> confirmed, and the image is being deleted${op}. A deletion cannot be stopped; its progress card says when the image is gone.`,
    { replace_original: false },
  );
}

export function textMessage(text: string, extra: Partial<Message> = {}): Message {
  const blocks = sections(text.split("\n"));
  return {
    response_type: "ephemeral",
    text,
    blocks: blocks.length ? blocks : [{ type: "section", text: { type: "mrkdwn", text: " " } }],
    ...extra,
  };
}

/** Why the bot could not post in a channel and how to fix it, for the requester (said once). */
export function channelHint(reason: string, channel: string, what: string): string {
  const where = `<#${channel}>`;
  if (reason === "not_in_channel")
    return `:information_source: I can't post in ${where}: I'm not a member. \`/invite @imageops\` there to get ${what} in the channel.`;
  if (reason === "channel_not_found")
    return `:information_source: I can't see ${where} (a private channel or a DM I'm not part of). \`/invite @imageops\` there, or use \`/images\` in a channel I'm in.`;
  if (reason === "is_archived") return `:information_source: ${where} is archived: use \`/images\` in a channel I'm in.`;
  return `:information_source: Slack did not take ${what} in ${where} (${reason}), so it is here.`;
}
