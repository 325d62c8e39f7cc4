/**
 * Who may do what from Slack, keyed on Slack ids only (`U…`, `T…`), never display names, and
 * the in-container memory of requests already handled (Slack retries, double clicks).
 */
export type Verdict = { ok: true } | { ok: false; reason: string };

export class SlackGuard {
  private pinnedTeam: string | undefined;
  private readonly seen = new Map<string, number>();
  private readonly confirmations = new Map<string, { at: number; user: string; operation?: string }>();

  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
    private readonly rememberMs = 15 * 60_000,
  ) {}

  /** IMAGE_CREATORS, read at each call; unset or empty means nobody may create from Slack. */
  creators(): Set<string> {
    return new Set(
      (this.env.IMAGE_CREATORS ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }

  mayCreate(user: string | undefined): Verdict {
    return this.mayChange(user, "create images");
  }

  /** Deleting an image is for the same people as creating one. */
  mayDelete(user: string | undefined): Verdict {
    return this.mayChange(user, "delete images");
  }

  /** A policy's run creates (and deletes) images: the same people again. */
  mayRunPolicies(user: string | undefined): Verdict {
    return this.mayChange(user, "run policies");
  }

  private mayChange(user: string | undefined, what: string): Verdict {
    const creators = this.creators();
    if (creators.size === 0) return { ok: false, reason: `nobody may ${what} from Slack here (IMAGE_CREATORS is not set)` };
    if (!user || !creators.has(user))
      return { ok: false, reason: `<@${user ?? "?"}> is not allowed to ${what} (ask to be added to IMAGE_CREATORS)` };
    return { ok: true };
  }

  /**
   * The workspace: SLACK_TEAM_ID when set; otherwise the team of the first request this container
   * served (signed requests only reach here), so a second workspace sharing the app is refused.
   */
  teamAllowed(team: string | undefined): boolean {
    if (!team) return false;
    const expected = this.env.SLACK_TEAM_ID || (this.pinnedTeam ??= team);
    return team === expected;
  }

  /** True the first time a key is seen within the memory window (Slack retries, double clicks). */
  firstTime(key: string | undefined): boolean {
    if (!key) return true;
    const now = this.now();
    for (const [k, at] of this.seen) if (now - at > this.rememberMs) this.seen.delete(k);
    if (this.seen.has(key)) return false;
    this.seen.set(key, now);
    return true;
  }

  /** Lets a key through again (the first attempt could not be dispatched). */
  forget(key: string): void {
    this.seen.delete(key);
  }

  /** A Confirm on this message (its buttons' message ts) was taken: a Cancel after it is too late. */
  noteConfirmed(message: string, confirmation: { user: string; operation?: string }): void {
    this.confirmations.set(message, { ...confirmation, at: this.now() });
  }

  /** The Confirm taken on this message within the memory window, if any. */
  confirmed(message: string): { user: string; operation?: string } | undefined {
    const c = this.confirmations.get(message);
    if (c && this.now() - c.at > this.rememberMs) this.confirmations.delete(message);
    return this.confirmations.get(message);
  }
}
