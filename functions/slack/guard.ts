import { list, text } from "../../shared/config.js";

/**
 * Who may do what from Slack, keyed on Slack ids only (`U…`, `T…`), never display names, and the
 * Confirms taken in this container (for a late Cancel). Requests already handled:
 * shared/slack/dedup.ts.
 */
export type Verdict = { ok: true } | { ok: false; reason: string };

export class SlackGuard {
  private readonly confirmations = new Map<string, { at: number; user: string; operation?: string }>();

  constructor(
    private readonly env: Record<string, string | undefined> = process.env,
    private readonly now: () => number = Date.now,
    private readonly rememberMs = 15 * 60_000,
  ) {}

  /** IMAGE_CREATORS, read at each call; unset or empty means nobody may create from Slack. */
  creators(): Set<string> {
    return new Set(list("IMAGE_CREATORS", this.env));
  }

  /**
   * The one permission check: whether `user` may do `what` (create or delete images, run
   * policies, acknowledge audit findings: each changes something, and each is IMAGE_CREATORS').
   */
  may(user: string | undefined, what: string): Verdict {
    const creators = this.creators();
    if (creators.size === 0) return { ok: false, reason: `nobody may ${what} from Slack here (IMAGE_CREATORS is not set)` };
    if (!user || !creators.has(user))
      return { ok: false, reason: `<@${user ?? "?"}> is not allowed to ${what} (ask to be added to IMAGE_CREATORS)` };
    return { ok: true };
  }

  /**
   * The workspace: SLACK_TEAM_ID only. Unset serves nobody (as IMAGE_CREATORS): the app's signing
   * secret is the same for every workspace it is installed in, so no request can say which is ours.
   */
  teamAllowed(team: string | undefined): boolean {
    const expected = text("SLACK_TEAM_ID", this.env);
    return !!team && !!expected && team === expected;
  }

  /** Why a workspace is refused, for the requester (their own team id, which a signed request carries) and the log. */
  teamRefusal(team: string | undefined): string {
    if (text("SLACK_TEAM_ID", this.env)) return ":no_entry: This Slack workspace is not allowed to use imageops.";
    return `:no_entry: imageops serves no Slack workspace yet: SLACK_TEAM_ID is not set. To serve this one, set the slackTeamId deploy parameter to ${team ?? "its team id (T…)"} and deploy again (docs/operations.md).`;
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
