import { expect } from "vitest";
import type { LocalStack } from "../../dev/local-stack.js";
import type { LeakWatch } from "./leak-watch.js";
import { blockActionBody, signedEvent, slashCommandBody, type SignedOptions } from "../../dev/slack-sign.js";

export const FORM = "application/x-www-form-urlencoded";
export type Ack = { statusCode: number; body: string };
export type Answer = { text: string; blocks: unknown[]; replace_original?: boolean; response_type?: string };
export type Button = { action_id: string; value: string };

/**
 * Slack's side of a conversation with the local stack's slack function: signed slash commands
 * and button clicks (each with its own response_url, issued now), and what came back.
 */
export function slackSession(stack: () => LocalStack, leaks?: LeakWatch) {
  let responseSeq = 0;
  let messageSeq = 0;
  const newResponseUrl = () => stack().slackApi.responseUrl(`r${++responseSeq}`);
  return {
    newResponseUrl,
    /** Each message the bot's buttons are on has its own ts, as in Slack. */
    nextMessageTs: () => `1700000${String(++messageSeq).padStart(4, "0")}.000100`,

    async slash(text: string, o: SignedOptions & { user?: string; team?: string; channel?: string } = {}) {
      const responseUrl = newResponseUrl();
      const started = Date.now();
      const ack = (await stack().invoke(
        "slack",
        signedEvent(slashCommandBody(text, { responseUrl, user: o.user, team: o.team, channel: o.channel }), FORM, o),
      )) as Ack;
      const ms = Date.now() - started;
      leaks?.record(ack);
      return { ack, ms, ackBody: ack.body ? JSON.parse(ack.body) : {}, responseUrl };
    },

    async click(
      button: Button,
      o: SignedOptions & { user?: string; team?: string; channel?: string; messageTs?: string; responseUrl?: string } = {},
    ) {
      const responseUrl = o.responseUrl ?? newResponseUrl();
      const started = Date.now();
      const ack = (await stack().invoke("slack", signedEvent(blockActionBody(button, { ...o, responseUrl }), FORM, o))) as Ack;
      return { ack, ms: Date.now() - started, responseUrl };
    },

    /** What Slack accepted on a response_url, once no job is running; at least `count`. */
    async responsesTo(url: string, count = 1): Promise<Answer[]> {
      await stack().lambda.idle();
      const found = stack().slackApi.responses.filter((r) => r.url === url);
      expect(found.length).toBeGreaterThanOrEqual(count);
      return found.map((r) => r.body as Answer);
    },

    /** What Slack accepted on a response_url so far. */
    seenAt: (url: string): Answer[] =>
      stack()
        .slackApi.responses.filter((r) => r.url === url)
        .map((r) => r.body as Answer),
  };
}

/** The buttons of a message, by action id. */
export function buttons(answer: { blocks: unknown[] }): Record<string, Button> {
  const all = (answer.blocks as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === "actions")
    .flatMap((b) => b.elements ?? []);
  return Object.fromEntries(all.map((e) => [e.action_id, e]));
}
