/**
 * Every relative link of the docs resolves: README.md, CHANGELOG.md and docs/**.md, each link to
 * a file or folder of the repository that exists and each `#anchor` to a heading of the page it
 * names (GitHub's slugs) or an explicit `<a id>`. Links to other sites are not followed (no
 * network). Links inside code are not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The pages checked, relative to the root. */
function pages(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((f) => {
      const p = join(dir, f);
      return statSync(join(root, p)).isDirectory() ? docs(p) : p.endsWith(".md") ? [p] : [];
    });
  return ["README.md", "CHANGELOG.md", ...docs("docs")];
}

/** The text as rendered prose: fenced code blocks blanked (lines kept, for line numbers), inline code spans emptied. */
function prose(md: string): string[] {
  let fence: string | undefined;
  return md.split("\n").map((line) => {
    const f = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (f && f[0] === fence[0] && f.length >= fence.length) fence = undefined;
      return "";
    }
    if (f) {
      fence = f;
      return "";
    }
    return line.replace(/(`+)[^`]*?\1/g, "");
  });
}

/**
 * GitHub's anchor for a heading's text, as github-slugger emulates it (its README: "Generate a
 * slug just like GitHub does for markdown headings"): lower case, every character but letters,
 * marks, digits, `_`, `-` and spaces removed, each space a `-`; a repeated slug gets `-1`, `-2`.
 * The text is the heading as rendered: code spans keep their content, links their text, emphasis
 * loses its markers.
 */
function slugs(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const add = (s: string) => {
    const n = seen.get(s);
    seen.set(s, (n ?? -1) + 1);
    out.add(n === undefined ? s : `${s}-${n + 1}`);
  };
  let fence: string | undefined;
  for (const line of md.split("\n")) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (f && f[0] === fence[0] && f.length >= fence.length) fence = undefined;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(a[1]!);
    const h = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!h) continue;
    const text = h[1]!
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/`([^`]*)`/g, "$1")
      .replace(/(\*\*|__|\*)(.+?)\1/g, "$2")
      .replace(/(^|\W)_(.+?)_(?=\W|$)/g, "$1$2");
    add(
      text
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, "")
        .replace(/ /g, "-"),
    );
  }
  return out;
}

type Link = { page: string; line: number; target: string };

/** Every link of a page whose target is in this repository: inline links and images, and reference definitions. */
function links(page: string, md: string): Link[] {
  const out: Link[] = [];
  prose(md).forEach((line, i) => {
    const found = [
      ...[...line.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/g)].map((m) => m[1]!),
    ];
    for (const target of found) if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) out.push({ page, line: i + 1, target });
  });
  return out;
}

/** What is wrong with a link from a page of the repository at `base`, or undefined when it resolves. */
function broken(base: string, { page, target }: Link): string | undefined {
  const [path, anchor] = target.split("#", 2) as [string, string | undefined];
  const file = path === "" ? join(base, page) : join(base, dirname(page), decodeURIComponent(path));
  const inRepo = relative(base, file);
  if (inRepo.startsWith("..") || isAbsolute(inRepo)) return "points outside the repository";
  if (!existsSync(file)) return `no such file: ${relative(base, file)}`;
  if (anchor === undefined || anchor === "") return undefined;
  if (!file.endsWith(".md")) return "an anchor into a file that is not Markdown";
  const known = slugs(readFileSync(file, "utf8"));
  return known.has(decodeURIComponent(anchor)) ? undefined : `no heading #${anchor} in ${relative(base, file)}`;
}

describe("the docs' relative links", () => {
  const all = pages().flatMap((p) => links(p, readFileSync(join(root, p), "utf8")));

  it("checks the front page, the changelog and every page of docs/", () => {
    const checked = new Set(all.map((l) => l.page));
    for (const p of ["README.md", "CHANGELOG.md", "docs/operations.md", "docs/CONTRACT.md", "docs/providers/README.md"])
      expect(checked, p).toContain(p);
    expect(all.filter((l) => l.target.includes("#")).length).toBeGreaterThan(10);
  });

  it("every one resolves to a file of the repository, and every #anchor to a heading of its page", () => {
    const wrong = all.flatMap((l) => {
      const why = broken(root, l);
      return why ? [`${l.page}:${l.line} (${l.target}): ${why}`] : [];
    });
    expect(wrong).toEqual([]);
  });
});

describe("the checker", () => {
  it("makes GitHub's slugs (github-slugger's README examples), numbering repeats", () => {
    const s = slugs("# foo\n## foo\n### bar\n# foo\n## Привет non-latin 你好\n## 😄 emoji\n");
    expect([...s]).toEqual(["foo", "foo-1", "bar", "foo-2", "привет-non-latin-你好", "-emoji"]);
  });

  it("reads a heading as rendered: code, links and emphasis by their text, punctuation dropped", () => {
    const s = slugs("### 2. The stage's parameters: one home, `params.<stage>` in `serverless.yml`\n## *What* [is](x.md) __it__?\n");
    expect(s).toEqual(new Set(["2-the-stages-parameters-one-home-paramsstage-in-serverlessyml", "what-is-it"]));
  });

  it("ignores headings and links inside code, and links to other sites", () => {
    const md = "```sh\n# not a heading\n[x](missing.md)\n```\n`[y](missing.md)` [z](https://example.com/missing.md)\n";
    expect(slugs(md)).toEqual(new Set());
    expect(links("docs/a.md", md)).toEqual([]);
  });

  it("finds a missing file, a missing heading and a link out of the repository", () => {
    const page = "docs/runbook.md";
    const md = "[a](nope.md) [b](architecture.md#no-such-heading) [c](../../elsewhere.md) [d](#alarms) [e](../README.md) [f](providers/)";
    const found = links(page, md);
    expect(found.map((l) => l.target)).toEqual([
      "nope.md",
      "architecture.md#no-such-heading",
      "../../elsewhere.md",
      "#alarms",
      "../README.md",
      "providers/",
    ]);
    expect(found.map((l) => broken(root, l))).toEqual([
      "no such file: docs/nope.md",
      "no heading #no-such-heading in docs/architecture.md",
      "points outside the repository",
      undefined,
      undefined,
      undefined,
    ]);
  });
});
