/**
 * What a person probably meant: the known words nearest to one mistyped ("lsit" → list, "nccp" →
 * ncp, "ubunto" → ubuntu), and the names nearest to one not found. Case is ignored.
 */

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment): "lsit" is 1 from "list". */
export function editDistance(a: string, b: string): number {
  const x = [...a.toLowerCase()];
  const y = [...b.toLowerCase()];
  // three rows of the table are enough for transpositions
  let before: number[] = [];
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[y.length]!;
}

/** How many edits still read as a typo of a word this long: 1 up to 4 characters, 2 up to 8, then a third of it. */
const tolerance = (length: number) => (length <= 4 ? 1 : length <= 8 ? 2 : Math.floor(length / 3));

/**
 * The candidates nearest to `given`, closest first, at most `max`: those within a typo's
 * distance, then those that contain it or that it starts with (a part of a name). None when
 * nothing is near: a guess is worse than no guess.
 */
export function nearest(given: string, candidates: Iterable<string>, max = 3): string[] {
  const g = given.trim().toLowerCase();
  if (!g) return [];
  const scored: Array<{ c: string; score: number }> = [];
  for (const c of new Set(candidates)) {
    const l = c.toLowerCase();
    if (l === g) continue;
    const d = editDistance(g, l);
    if (d <= tolerance(Math.max(g.length, 1))) scored.push({ c, score: d });
    else if (g.length >= 3 && (l.includes(g) || g.startsWith(l) || l.startsWith(g.slice(0, Math.max(3, g.length - 2)))))
      scored.push({ c, score: 10 + Math.abs(l.length - g.length) });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((s) => s.c);
}

/** " — did you mean `x`?" (or "`x` or `y`"), or nothing when nothing is near. */
export function didYouMean(given: string, candidates: Iterable<string>, quote = (s: string) => `\`${s}\``): string {
  const near = nearest(given, candidates, 2);
  return near.length ? ` — did you mean ${near.map(quote).join(" or ")}?` : "";
}
