import { didYouMean } from "../model/nearest.js";

/**
 * The words of a slash command: one grammar per command (its positional arguments and flags)
 * drives the parser and the help text. Values may be quoted ("…", '…', or Slack's smart quotes
 * “…”), and may hold Korean text. What a command makes of the words it was given (types, rules
 * between fields) is the command's own (functions/slack/commands.ts).
 */
export interface Grammar {
  usage: string;
  summary: string;
  /** positional arguments in order; `choices` restricts a value (matched in lower case) */
  args: ReadonlyArray<{ name: string; required: boolean; choices?: readonly string[]; rest?: boolean }>;
  /** the flags it takes, each with what it means (the help text) */
  flags: Readonly<Record<string, string>>;
  /** flags that take one of a few values (matched in lower case) */
  values?: Readonly<Record<string, readonly string[]>>;
}

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

/** The words after the command's name, by the grammar: each argument and flag by its name, or what is wrong. */
export function parseWords(name: string, grammar: Grammar, words: string[]): { words: Record<string, string> } | { error: string } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  const known = Object.keys(grammar.flags);
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!;
    if (!t.startsWith("--")) {
      positional.push(t);
      continue;
    }
    const [flag, inline] = t.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!Object.hasOwn(grammar.flags, flag))
      return {
        error: `${name} has no option --${flag.slice(0, 30)}${didYouMean(flag, known, (f) => `--${f}`) || (known.length ? ` (it takes ${known.map((f) => `--${f}`).join(", ")})` : "")}`,
      };
    const value = inline ?? words[++i];
    if (value === undefined || value === "") return { error: `--${flag} needs a value` };
    if (Object.hasOwn(flags, flag)) return { error: `--${flag} is given twice` };
    const allowed = grammar.values && Object.hasOwn(grammar.values, flag) ? grammar.values[flag] : undefined;
    if (allowed && !allowed.includes(value.toLowerCase()))
      return { error: `--${flag} is one of ${allowed.join(", ")}, not "${value.slice(0, 40)}"${didYouMean(value, allowed)}` };
    flags[flag] = allowed ? value.toLowerCase() : value;
  }
  // a last argument marked `rest` takes every remaining word, joined by a space (`<target…>`)
  const last = grammar.args.at(-1);
  if (last?.rest && positional.length > grammar.args.length)
    positional.splice(grammar.args.length - 1, positional.length, positional.slice(grammar.args.length - 1).join(" "));
  if (positional.length > grammar.args.length)
    return {
      error: `${name} takes ${grammar.args.length || "no"} argument(s); "${positional[grammar.args.length]!.slice(0, 40)}" is one too many`,
    };
  const args: Record<string, string> = {};
  for (const [i, arg] of grammar.args.entries()) {
    const value = positional[i];
    if (value === undefined) {
      if (arg.required) return { error: `${name} needs <${arg.name}>` };
      continue;
    }
    const v = arg.choices ? value.toLowerCase() : value;
    if (arg.choices && !arg.choices.includes(v))
      return {
        error: `<${arg.name}> must be one of ${arg.choices.join(", ")}, not "${value.slice(0, 40)}"${didYouMean(value, arg.choices)}`,
      };
    args[arg.name] = v;
  }
  return { words: { ...args, ...flags } };
}

/**
 * The help text of a set of commands, with what was wrong first when there was something. For
 * one command (a problem with it, or `help <command>`), that command alone: its usage, options
 * and notes (the full list is one `/images help` away); otherwise every command's usage.
 */
export function helpText(
  grammars: Readonly<Record<string, Grammar>>,
  problem?: string,
  command?: string,
  notes: readonly string[] = [],
): string {
  const head = problem ? `:warning: ${problem}\n\n` : "";
  const quoting = 'Quote values with spaces: `--description "웹 서버 골든 이미지"`';
  const grammar = command ? grammars[command] : undefined;
  if (!grammar) {
    const lines = Object.values(grammars).map((c) => `• \`${c.usage}\` — ${c.summary}`);
    return `${head}*Usage*\n${lines.join("\n")}\n${quoting}`;
  }
  const flags = Object.entries(grammar.flags);
  const options = flags.length ? `\n*Options*\n${flags.map(([f, d]) => `• \`--${f}\` — ${d}`).join("\n")}` : "";
  const more = notes.length ? `\n${notes.join("\n")}` : "";
  const tail = flags.length || /"/.test(grammar.usage) ? `\n${quoting}` : "";
  return `${head}*Usage of ${command}*\n\`${grammar.usage}\` — ${grammar.summary}${options}${more}${tail}\n\`/images help\` lists every command.`;
}
