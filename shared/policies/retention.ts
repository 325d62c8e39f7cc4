/**
 * Which of a server's images a policy keeps. Pure, so it is tested alone. Only images this
 * policy made and that are available are candidates (the caller has checked each one against its
 * create record); the newest is always kept, so a policy never leaves a server with none.
 *
 *   keep: N     the newest N are kept
 *   days: D     those younger than D days are kept
 *   both        an image is kept when either says so
 */
export interface Candidate {
  imageId: string;
  name: string;
  /** the scheduled time of the run that made it (ISO) */
  scheduledAt: string;
}

export function retain<C extends Candidate>(
  candidates: readonly C[],
  rule: { keep?: number; days?: number },
  now: number,
): { keep: C[]; remove: C[] } {
  const newestFirst = [...candidates].sort(
    (a, b) => Date.parse(b.scheduledAt) - Date.parse(a.scheduledAt) || (a.imageId < b.imageId ? 1 : -1),
  );
  const keep: C[] = [];
  const remove: C[] = [];
  newestFirst.forEach((c, i) => {
    const byCount = rule.keep !== undefined && i < rule.keep;
    const byAge = rule.days !== undefined && now - Date.parse(c.scheduledAt) < rule.days * 86_400_000;
    (i === 0 || byCount || byAge ? keep : remove).push(c);
  });
  return { keep, remove };
}
