import { ACK_DEFAULT, ACK_REASON_MAX, ackDuration, FINDING_ID } from "../audit/ack-input.js";
import { PROVIDERS, type ProviderName } from "../model/image.js";

/**
 * The `/images` grammar: one table drives the parser and the help text. Values may be quoted
 * ("…", '…', or Slack's smart quotes “…”), and may hold Korean text.
 */
interface CommandSpec {
  usage: string;
  summary: string;
  /** positional arguments in order; `choices` restricts a value */
  args: Array<{ name: string; required: boolean; choices?: readonly string[] }>;
  flags: Record<string, string>;
}

export const COMMANDS = {
  list: {
    usage: `/images list [${PROVIDERS.join("|")}] [--os ubuntu] [--name web] [--scope custom] [--account a] [--region r]`,
    summary: "list images across the clouds (a screenful at a time)",
    args: [{ name: "provider", required: false, choices: PROVIDERS }],
    flags: {
      os: "distro, e.g. ubuntu, rocky, windows",
      name: "part of the name",
      scope: "public | custom | all",
      account: "account name",
      region: "region or zone",
      status: "creating | available | failed",
    },
  },
  show: {
    usage: "/images show <provider> <id>",
    summary: "one image's details",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "id", required: true },
    ],
    flags: { account: "account name", region: "region or zone" },
  },
  create: {
    usage: '/images create <provider> <serverId> <name> [--description "…"]',
    summary: "make an image from a server (asks to confirm, then reports progress here)",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "serverId", required: true },
      { name: "name", required: true },
    ],
    flags: { description: "free text", account: "account name", region: "region or zone" },
  },
  status: {
    usage: "/images status <operation>",
    summary: "where a create operation stands: state, image, timings, why it ended",
    args: [{ name: "operation", required: true }],
    flags: {},
  },
  delete: {
    usage: "/images delete <provider> <id>",
    summary: "delete a custom image (shows it and asks to confirm that exact image, then reports progress here)",
    args: [
      { name: "provider", required: true, choices: PROVIDERS },
      { name: "id", required: true },
    ],
    flags: { account: "account name", region: "region or zone" },
  },
  policy: {
    usage: "/images policy list | /images policy run <name>",
    summary: "scheduled images: the policies with their next run and last result, or run one now",
    args: [
      { name: "action", required: true, choices: ["list", "run"] },
      { name: "name", required: false },
    ],
    flags: {},
  },
  audit: {
    usage: '/images audit [ack <finding> --for 30d --reason "…" | acks]',
    summary:
      "run the image audit now and post what changed; `ack` hides a finding (image creators only), `acks` lists the acknowledged ones",
    args: [
      { name: "action", required: false, choices: ["ack", "acks"] },
      { name: "finding", required: false },
    ],
    flags: { for: "ack: how long, e.g. 12h, 30d, 8w (default 30d, at most 365d)", reason: "ack: why it needs no action (required)" },
  },
  help: {
    usage: "/images help [command]",
    summary: "this help, or one command's options",
    args: [{ name: "command", required: false, choices: ["list", "show", "create", "status", "delete", "policy", "audit", "help"] }],
    flags: {},
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export type Parsed =
  | {
      ok: true;
      command: "list";
      args: { provider?: ProviderName; os?: string; name?: string; scope?: string; account?: string; region?: string; status?: string };
    }
  | { ok: true; command: "show"; args: { provider: ProviderName; id: string; account?: string; region?: string } }
  | {
      ok: true;
      command: "create";
      args: { provider: ProviderName; serverId: string; name: string; description?: string; account?: string; region?: string };
    }
  | { ok: true; command: "status"; args: { operation: string } }
  | { ok: true; command: "audit"; args: { action?: "ack" | "acks"; finding?: string; for?: string; reason?: string } }
  | { ok: true; command: "delete"; args: { provider: ProviderName; id: string; account?: string; region?: string } }
  | { ok: true; command: "policy"; args: { action: "list" } | { action: "run"; name: string } }
  | { ok: true; command: "help"; args: { command?: CommandName } }
  | { ok: false; error: string; command?: CommandName };

/** Splits on spaces, keeping quoted runs whole ("…", '…', “…”, ‘…’). */
export function tokenize(text: string): string[] | { error: string } {
  const tokens: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|“([^”]*)”|‘([^’]*)’|(\S+)/g;
  let m: RegExpExecArray | null;
  let consumed = "";
  while ((m = re.exec(text))) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5]!);
    consumed += m[0];
  }
  const stray = text.replace(/\s+/g, "").length - consumed.replace(/\s+/g, "").length;
  if (stray !== 0 || /^["'“‘]/.test(tokens.at(-1) ?? "")) return { error: "a quote is not closed" };
  return tokens;
}

export function parseCommand(text: string): Parsed {
  const tokens = tokenize(text.trim());
  if (!Array.isArray(tokens)) return { ok: false, error: tokens.error };
  const [word, ...rest] = tokens;
  if (!word) return { ok: true, command: "help", args: {} };
  const name = word.toLowerCase();
  if (!Object.hasOwn(COMMANDS, name)) return { ok: false, error: `"${word.slice(0, 40)}" is not a command` };
  const spec: CommandSpec = COMMANDS[name as CommandName];
  const fail = (error: string): Parsed => ({ ok: false, error, command: name as CommandName });
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i]!;
    if (t.startsWith("--")) {
      const [flag, inline] = t.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
      if (!Object.hasOwn(spec.flags, flag))
        return fail(
          `${name} has no option --${flag.slice(0, 30)}${
            Object.keys(spec.flags).length
              ? ` (it takes ${Object.keys(spec.flags)
                  .map((f) => `--${f}`)
                  .join(", ")})`
              : ""
          }`,
        );
      const value = inline ?? rest[++i];
      if (value === undefined || value === "") return fail(`--${flag} needs a value`);
      if (Object.hasOwn(flags, flag)) return fail(`--${flag} is given twice`);
      flags[flag] = value;
    } else positional.push(t);
  }
  if (positional.length > spec.args.length)
    return fail(`${name} takes ${spec.args.length || "no"} argument(s); "${positional[spec.args.length]!.slice(0, 40)}" is one too many`);
  const args: Record<string, string> = {};
  for (const [i, arg] of spec.args.entries()) {
    const value = positional[i];
    if (value === undefined) {
      if (arg.required) return fail(`${name} needs <${arg.name}>`);
      continue;
    }
    const v = arg.choices ? value.toLowerCase() : value;
    if (arg.choices && !arg.choices.includes(v))
      return fail(`<${arg.name}> must be one of ${arg.choices.join(", ")}, not "${value.slice(0, 40)}"`);
    args[arg.name] = v;
  }
  if (name === "policy" && (args.action === "run") !== (args.name !== undefined)) {
    return fail(
      args.action === "run"
        ? "policy run needs <name> (see /images policy list)"
        : `policy list takes no name; "${args.name!.slice(0, 40)}" is one too many`,
    );
  }
  return { ok: true, command: name, args: { ...args, ...flags } } as Parsed;
}

/**
 * The help text, with what was wrong first when there was something, and the options of the
 * command in question (from the same table the parser reads).
 */
export function helpText(problem?: string, command?: CommandName): string {
  const lines = Object.values(COMMANDS).map((c: CommandSpec) => `• \`${c.usage}\` — ${c.summary}`);
  const spec: CommandSpec | undefined = command ? COMMANDS[command] : undefined;
  const options =
    spec && Object.keys(spec.flags).length
      ? `\n\n*Options of ${command}*\n${Object.entries(spec.flags)
          .map(([f, d]) => `• \`--${f}\` — ${d}`)
          .join("\n")}`
      : "";
  return `${problem ? `:warning: ${problem}\n\n` : ""}*Usage*\n${lines.join("\n")}${options}\nQuote values with spaces: \`--description "웹 서버 골든 이미지"\``;
}

export type AuditRequest = { kind: "run" } | { kind: "acks" } | { kind: "ack"; finding: string; for: string; reason: string };

/** What `/images audit` asks for, its words checked: run it, acknowledge a finding, or list the acknowledged ones. */
export function auditRequest(args: Extract<Parsed, { command: "audit" }>["args"]): AuditRequest | { error: string } {
  const ackFlags = args.for !== undefined || args.reason !== undefined;
  if (args.action !== "ack") {
    if (args.finding !== undefined)
      return { error: `audit takes a finding id only after ack: \`/images audit ack ${args.finding.slice(0, 20)} --reason "…"\`` };
    if (ackFlags) return { error: '--for and --reason go with ack: `/images audit ack <finding> --for 30d --reason "…"`' };
    return { kind: args.action === "acks" ? "acks" : "run" };
  }
  if (!args.finding) return { error: "ack needs <finding>: the id (f-…) shown beside the finding in the audit summary or its thread" };
  const finding = args.finding.toLowerCase();
  if (!FINDING_ID.test(finding))
    return {
      error: `"${args.finding.slice(0, 40)}" is not a finding id: copy the f-… id shown beside the finding (f- and 12 characters 0–9, a–f)`,
    };
  const duration = ackDuration(args.for ?? ACK_DEFAULT);
  if ("error" in duration) return { error: duration.error };
  const reason = args.reason?.trim();
  if (!reason) return { error: 'ack needs --reason "…": why the finding needs no action (it is shown with the acknowledgement)' };
  if (reason.length > ACK_REASON_MAX) return { error: `--reason is at most ${ACK_REASON_MAX} characters (this one has ${reason.length})` };
  return { kind: "ack", finding, for: (args.for ?? ACK_DEFAULT).trim().toLowerCase(), reason };
}
