/** Block Kit as readable plain text, for terminals and logs (the bot's messages without Slack). */
type Block = {
  type?: string;
  text?: { text?: string };
  fields?: Array<{ text?: string }>;
  elements?: Array<{ text?: string | { text?: string }; type?: string; value?: string }>;
};

export function blocksToText(blocks: unknown[] | undefined, fallback = ""): string {
  if (!blocks?.length) return fallback;
  const lines: string[] = [];
  for (const b of blocks as Block[]) {
    if (b.type === "section") {
      if (b.text?.text) lines.push(b.text.text);
      if (b.fields) lines.push(b.fields.map((f) => (f.text ?? "").replace("\n", ": ")).join("   "));
    } else if (b.type === "context") {
      lines.push(...(b.elements ?? []).map((e) => `  ${typeof e.text === "string" ? e.text : (e.text?.text ?? "")}`));
    } else if (b.type === "actions") {
      lines.push((b.elements ?? []).map((e) => `[ ${typeof e.text === "string" ? e.text : (e.text?.text ?? "")} ]`).join(" "));
    } else if (b.type === "divider") lines.push("────────");
  }
  // a date Slack formats for its reader: its fallback text here
  return lines.join("\n").replace(/<!date\^\d+\^[^|>]*\|([^>]*)>/g, "$1");
}
