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
        error: `${name} has no option --${flag.slice(0, 30)}${known.length ? ` (it takes ${known.map((f) => `--${f}`).join(", ")})` : ""}`,
      };
    const value = inline ?? words[++i];
    if (value === undefined || value === "") return { error: `--${flag} needs a value` };
    if (Object.hasOwn(flags, flag)) return { error: `--${flag} is given twice` };
    flags[flag] = value;
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
      return { error: `<${arg.name}> must be one of ${arg.choices.join(", ")}, not "${value.slice(0, 40)}"` };
    args[arg.name] = v;
  }
  return { words: { ...args, ...flags } };
}

/**
 * The help text of a set of commands, with what was wrong first when there was something, and
 * the options of the command in question.
 */
export function helpText(grammars: Readonly<Record<string, Grammar>>, problem?: string, command?: string): string {
  const lines = Object.values(grammars).map((c) => `• \`${c.usage}\` — ${c.summary}`);
  const grammar = command ? grammars[command] : undefined;
  const options =
    grammar && Object.keys(grammar.flags).length
      ? `\n\n*Options of ${command}*\n${Object.entries(grammar.flags)
          .map(([f, d]) => `• \`--${f}\` — ${d}`)
          .join("\n")}`
      : "";
  return `${problem ? `:warning: ${problem}\n\n` : ""}*Usage*\n${lines.join("\n")}${options}\nQuote values with spaces: \`--description "웹 서버 골든 이미지"\``;
}
