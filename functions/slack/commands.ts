import * as z from "zod";
import { ACK_DEFAULT, ACK_REASON_MAX, ackDuration, FINDING_ID } from "../../shared/audit/ack-input.js";
import { CAPABILITIES, cloudsThat } from "../../shared/model/capabilities.js";
import { PROVIDERS } from "../../shared/model/image.js";
import { didYouMean, nearest } from "../../shared/model/nearest.js";
import { canonicalDistro, KNOWN_DISTROS } from "../../shared/model/os.js";
import { type Grammar, helpText as grammarHelp, parseWords, tokenize } from "../../shared/slack/grammar.js";
import { BUTTON_VALUE_MAX } from "../../shared/slack/limits.js";
import { confirmValue } from "../../shared/slack/render.js";

/**
 * Every `/images` command, one record each, registered once: its words (the grammar the parser
 * and the help read), what it makes of them, who may run it, and what the ack says. Its job is
 * `runners[<name>]` in ./jobs.ts (loaded only by the job's invocation: the ack path never imports
 * it), which the compiler holds to one runner per command taking these arguments. The ack path
 * (./handler.ts) and the job both read this table; nothing else names a command.
 */

/** What the help says of who may do what (IMAGE_CREATORS, read by ./guard.ts). */
export interface HelpContext {
  creators: readonly string[];
}

/** Where a command's answer goes, and who asked. */
export interface CommandContext {
  responseUrl: string;
  user?: string;
  channel?: string;
}

export interface Command<A> extends Grammar {
  /** its arguments from its words, or what is wrong (answered at once, with this command's usage) */
  read(words: Record<string, string>): A | { error: string };
  /** what the requester must be allowed to do (IMAGE_CREATORS: ./guard.ts), when it changes something */
  needs?(args: A): string | undefined;
  /** answered in the ack itself, with no job */
  answer?(args: A, help: HelpContext): string;
  /** what `help <command>` says besides the usage and options (rules, who may) */
  notes?(help: HelpContext): string[];
  /** what the ack says while its job runs */
  ack: string | ((args: A) => string);
}

const command = <A>(c: Command<A>): Command<A> => c;

/** A command's arguments as a zod object reads its words: the first problem, or the typed arguments. */
const fromSchema =
  <S extends z.ZodType>(schema: S) =>
  (words: Record<string, string>): z.infer<S> | { error: string } => {
    const r = schema.safeParse(words);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    return { error: `${issue.path.join(".") || "the command"}: ${issue.message}` };
  };

const where = { account: z.string().optional(), region: z.string().optional() };
const provider = z.enum(PROVIDERS);
const WHERE_FLAGS = { account: "account name", region: "region or zone" } as const;
/** the longest operation id a create's Confirm button may carry besides the request (img-<provider>-<40 hex>-<generation>) */
const LONGEST_OPERATION = `img-${"x".repeat(5)}-${"0".repeat(40)}-999`;

/** a distro people write ("Ubuntu", "rocky linux"), as the list filters on it; anything else names the known ones */
const os = z.string().refine((v) => KNOWN_DISTROS.includes(canonicalDistro(v) ?? ""), {
  error: (i) =>
    `"${String(i.input).slice(0, 40)}" is not a distro imageops knows${didYouMean(String(i.input), KNOWN_DISTROS)} (it knows ${KNOWN_DISTROS.join(", ")})`,
});
const SCOPES = ["public", "custom", "all"] as const;
const STATUSES = ["creating", "available", "failed", "deleting", "unknown"] as const;
const ListArgs = z.object({
  provider: provider.optional(),
  os: os.optional(),
  name: z.string().optional(),
  scope: z.enum(SCOPES).optional(),
  status: z.enum(STATUSES).optional(),
  ...where,
});
export type ListQuery = z.infer<typeof ListArgs>;
/** a list, and where its Next page resumes (carried by the button) */
export type ListArgs = { query: ListQuery; cursor?: string; offset?: number };

const ImageArgs = z.object({ provider, id: z.string(), ...where });
const ServersArgs = z.object({ provider: provider.optional(), name: z.string().optional(), ...where });
export type ServersArgs = z.infer<typeof ServersArgs>;
const CreateArgs = z.object({ provider, serverId: z.string(), name: z.string(), description: z.string().optional(), ...where });
export type CreateArgs = z.infer<typeof CreateArgs>;

const ShareArgs = z.object({
  provider,
  id: z.string(),
  targets: z
    .string()
    .transform((t) => [...new Set(t.split(/[\s,]+/).filter(Boolean))])
    .pipe(z.array(z.string()).min(1, "at least one target").max(20, "at most 20 targets")),
  ...where,
});
export type ShareArgs = z.infer<typeof ShareArgs> & { action: "share" | "unshare" };
/** share and unshare: the same words, the Confirm button carrying them all */
const shareCommand = (action: "share" | "unshare") =>
  command<ShareArgs>({
    usage: `/images ${action} <provider> <id> <target…>`,
    summary:
      action === "share"
        ? "share a custom image with other accounts: NCP login ids, SCP account ids (asks to confirm, then says who has it and who must accept)"
        : "stop sharing a custom image with the accounts named (asks to confirm)",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "id", required: true },
      { name: "targets", required: true, rest: true },
    ],
    flags: WHERE_FLAGS,
    read: (w) => {
      const args = fromSchema(ShareArgs)(w);
      if ("error" in args) return args;
      const request: ShareArgs = { ...args, action };
      const size = JSON.stringify({ ...request, op: LONGEST_OPERATION }).length;
      if (size > BUTTON_VALUE_MAX)
        return {
          error: `the request is too long for Slack's Confirm button (${size} of ${BUTTON_VALUE_MAX} characters): name fewer targets`,
        };
      return request;
    },
    needs: () => CHANGE.share,
    ack: ":clipboard: Looking up the image and whom it is shared with…",
  });

export type AuditArgs = { kind: "run" } | { kind: "acks" } | { kind: "ack"; finding: string; for: string; reason: string };
export type PolicyArgs = { action: "list" } | { action: "run"; name: string };

/** Who may, as `help <command>` says it. */
const whoMay = (what: string, h: HelpContext) =>
  h.creators.length
    ? `*Who may ${what}:* ${h.creators.map((u) => `<@${u}>`).join(", ")} (IMAGE_CREATORS)`
    : `*Who may ${what}:* nobody here yet: IMAGE_CREATORS is not set`;
const cannot = (what: "creates" | "deletes") =>
  PROVIDERS.filter((p) => !CAPABILITIES[p][what])
    .map((p) => `${p}'s API cannot ${what === "creates" ? "create" : "delete"} images (use ${CAPABILITIES[p].console})`)
    .join("; ");

const CHANGE = {
  create: "create images",
  delete: "delete images",
  share: "share images",
  runPolicies: "run policies",
  acknowledge: "acknowledge audit findings",
};

export const COMMANDS = {
  list: command<ListArgs>({
    usage: `/images list [${PROVIDERS.join("|")}] [--os ubuntu] [--name web] [--scope custom] [--account a] [--region r]`,
    summary: "list images across the clouds (a screenful at a time)",
    args: [{ name: "provider", required: false, choices: PROVIDERS }],
    flags: {
      os: "distro, e.g. ubuntu, rocky, windows",
      name: "part of the name",
      scope: "public | custom | all",
      status: "creating | available | failed | deleting | unknown",
      ...WHERE_FLAGS,
    },
    values: { scope: SCOPES, status: STATUSES },
    read: (w) => {
      const query = fromSchema(ListArgs)(w);
      return "error" in query ? query : { query };
    },
    ack: ":mag: Looking up images…",
  }),
  show: command<z.infer<typeof ImageArgs>>({
    usage: "/images show <provider> <id or name>",
    summary: "one image's details (a custom image may be named by its name)",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "id", required: true },
    ],
    flags: WHERE_FLAGS,
    read: fromSchema(ImageArgs),
    ack: ":mag: Looking up the image…",
  }),
  create: command<CreateArgs>({
    usage: '/images create <provider> <server> <name> [--description "…"]',
    summary: "make an image from a server, given by its id or name (asks to confirm, then reports progress here)",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "serverId", required: true },
      { name: "name", required: true },
    ],
    flags: { description: "free text", ...WHERE_FLAGS },
    read: (w) => {
      const args = fromSchema(CreateArgs)(w);
      if ("error" in args) return args;
      // the Confirm button carries the request and its operation id, and Slack caps a button's value
      const size = confirmValue(args, LONGEST_OPERATION).length;
      if (size > BUTTON_VALUE_MAX)
        return {
          error: `the request is too long for Slack's Confirm button (${size} of ${BUTTON_VALUE_MAX} characters): shorten the name or --description`,
        };
      return args;
    },
    needs: () => CHANGE.create,
    notes: (h) => [
      "*Image names*",
      ...cloudsThat("creates").map((p) => `• ${p}: ${CAPABILITIES[p].names}`),
      `• ${cannot("creates")}`,
      "A name must be free: no other custom image of the account may have it.",
      whoMay("create images", h),
      "`/images servers <provider>` lists the servers to image.",
    ],
    ack: ":clipboard: Checking whether the image can be created…",
  }),
  servers: command<ServersArgs>({
    usage: `/images servers [${PROVIDERS.join("|")}] [--name web] [--account a] [--region r]`,
    summary: "the servers an image can be made from, with their ids and states",
    args: [{ name: "provider", required: false, choices: PROVIDERS }],
    flags: { name: "part of the server's name", ...WHERE_FLAGS },
    read: fromSchema(ServersArgs),
    ack: ":mag: Looking up the servers…",
  }),
  status: command<{ operation: string }>({
    usage: "/images status <operation>",
    summary: "where a create or delete operation stands: state, image, timings, why it ended",
    args: [{ name: "operation", required: true }],
    flags: {},
    read: fromSchema(z.object({ operation: z.string() })),
    ack: ":mag: Looking up the operation…",
  }),
  delete: command<z.infer<typeof ImageArgs>>({
    usage: "/images delete <provider> <id or name>",
    summary: "delete a custom image (shows it and asks to confirm that exact image, then reports progress here)",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "id", required: true },
    ],
    flags: WHERE_FLAGS,
    read: fromSchema(ImageArgs),
    needs: () => CHANGE.delete,
    notes: (h) => [`Custom images only, never a cloud's public ones; ${cannot("deletes")}.`, whoMay("delete images", h)],
    ack: ":clipboard: Looking up the image and whether it can be deleted…",
  }),
  share: shareCommand("share"),
  unshare: shareCommand("unshare"),
  policy: command<PolicyArgs>({
    usage: "/images policy list | /images policy run <name>",
    summary: "scheduled images: the policies with their next run and last result, or run one now",
    args: [
      { name: "action", required: true, choices: ["list", "run"] },
      { name: "name", required: false },
    ],
    flags: {},
    read: ({ action, name }) => {
      if (action === "run") return name ? { action, name } : { error: "policy run needs <name> (see /images policy list)" };
      return name ? { error: `policy list takes no name; "${name.slice(0, 40)}" is one too many` } : { action: "list" };
    },
    needs: (a) => (a.action === "run" ? CHANGE.runPolicies : undefined),
    ack: (a) => (a.action === "run" ? ":gear: Starting the policy…" : ":mag: Looking up the policies…"),
  }),
  audit: command<AuditArgs>({
    usage: '/images audit [ack <finding> --for 30d --reason "…" | acks]',
    summary:
      "run the image audit now and post what changed; `ack` hides a finding (image creators only), `acks` lists the acknowledged ones",
    args: [
      { name: "action", required: false, choices: ["ack", "acks"] },
      { name: "finding", required: false },
    ],
    flags: { for: "ack: how long, e.g. 12h, 30d, 8w (default 30d, at most 365d)", reason: "ack: why it needs no action (required)" },
    read: auditArgs,
    needs: (a) => (a.kind === "ack" ? CHANGE.acknowledge : undefined),
    ack: (a) =>
      a.kind === "ack"
        ? ":pushpin: Acknowledging the finding…"
        : a.kind === "acks"
          ? ":mag: Looking up the acknowledged findings…"
          : ":mag: Running the audit…",
  }),
  help: command<{ command?: string }>({
    usage: "/images help [command]",
    summary: "this help, or one command's options",
    args: [{ name: "command", required: false }],
    flags: {},
    read: ({ command: c }): { command?: string } | { error: string } => {
      if (c === undefined) return {};
      const name = c.toLowerCase();
      return isCommand(name)
        ? { command: name }
        : {
            error: `<command> must be one of ${Object.keys(COMMANDS).join(", ")}, not "${c.slice(0, 40)}"${didYouMean(c, Object.keys(COMMANDS))}`,
          };
    },
    answer: (a, h): string => helpText(undefined, a.command, h),
    ack: "",
  }),
};

export type CommandName = keyof typeof COMMANDS;
export type ArgsOf<K extends CommandName> = (typeof COMMANDS)[K] extends Command<infer A> ? A : never;
function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** A command as the ack path reads it: its name and arguments, typed together. */
export type Parsed =
  | { [K in CommandName]: { ok: true; command: K; args: ArgsOf<K> } }[CommandName]
  | { ok: false; error: string; command?: CommandName };

export function parseCommand(text: string): Parsed {
  const tokens = tokenize(text.trim());
  if (!Array.isArray(tokens)) {
    // the words before the bad quote still say which command it was
    const first = text.trim().split(/\s+/, 1)[0]!.toLowerCase();
    return isCommand(first) ? { ok: false, error: tokens.error, command: first } : { ok: false, error: tokens.error };
  }
  const [word, ...rest] = tokens;
  if (!word) return { ok: true, command: "help", args: {} };
  const name = word.toLowerCase();
  if (!isCommand(name)) {
    // the usage shown is the one of the command it was most likely meant to be
    const [meant] = nearest(name, Object.keys(COMMANDS), 1) as CommandName[];
    return { ok: false, error: `"${word.slice(0, 40)}" is not a command${meant ? ` — did you mean \`${meant}\`?` : ""}`, command: meant };
  }
  // each record reads its own words into its own arguments: name and arguments stay paired (Parsed)
  const c = COMMANDS[name] as unknown as Command<unknown>;
  const words = parseWords(name, c, rest);
  if ("error" in words) return { ok: false, error: words.error, command: name };
  const args = c.read(words.words);
  if (args && typeof args === "object" && "error" in args) return { ok: false, error: (args as { error: string }).error, command: name };
  return { ok: true, command: name, args } as Parsed;
}

/**
 * The help text: one command's usage, options and notes when a command is in question (a
 * problem with it, `help <command>`); every command's usage for `/images help`; for a word that
 * is no command and near none, the command names in one line.
 */
export function helpText(problem?: string, command?: string, help: HelpContext = { creators: [] }): string {
  if (problem && !command)
    return `:warning: ${problem}\n\nCommands: ${Object.keys(COMMANDS)
      .map((c) => `\`${c}\``)
      .join(", ")}. \`/images help\` says what each does, \`/images help <command>\` its options.`;
  const c = command && isCommand(command) ? (COMMANDS[command] as unknown as Command<unknown>) : undefined;
  // the notes (rules, who may) are help's: a usage error stays short
  return grammarHelp(COMMANDS, problem, command, problem ? [] : (c?.notes?.(help) ?? []));
}

/** What `/images audit` asks for, its words checked: run it, acknowledge a finding, or list the acknowledged ones. */
function auditArgs(w: Record<string, string>): AuditArgs | { error: string } {
  const ackFlags = w.for !== undefined || w.reason !== undefined;
  if (w.action !== "ack") {
    if (w.finding !== undefined)
      return { error: `audit takes a finding id only after ack: \`/images audit ack ${w.finding.slice(0, 20)} --reason "…"\`` };
    if (ackFlags) return { error: '--for and --reason go with ack: `/images audit ack <finding> --for 30d --reason "…"`' };
    return { kind: w.action === "acks" ? "acks" : "run" };
  }
  if (!w.finding) return { error: "ack needs <finding>: the id (f-…) shown beside the finding in the audit summary or its thread" };
  const finding = w.finding.toLowerCase();
  if (!FINDING_ID.test(finding))
    return {
      error: `"${w.finding.slice(0, 40)}" is not a finding id: copy the f-… id shown beside the finding (f- and 12 characters 0–9, a–f)`,
    };
  const duration = ackDuration(w.for ?? ACK_DEFAULT);
  if ("error" in duration) return { error: duration.error };
  const reason = w.reason?.trim();
  if (!reason) return { error: 'ack needs --reason "…": why the finding needs no action (it is shown with the acknowledgement)' };
  if (reason.length > ACK_REASON_MAX) return { error: `--reason is at most ${ACK_REASON_MAX} characters (this one has ${reason.length})` };
  return { kind: "ack", finding, for: (w.for ?? ACK_DEFAULT).trim().toLowerCase(), reason };
}
