/**
 * Demo credentials and fixtures shared by the simulators, the tests and `npm start`: each cloud's
 * demo account is declared by its simulator (dev/sim/<cloud>.ts) and registered in ./registry.ts.
 * These are fake keys for local simulators only; tests scan all output for them.
 */
import { DEMOS, type Demos, eachCloud } from "./registry.js";

export const DEMO_KEYS = eachCloud((p) => DEMOS[p].keys) as { [P in keyof Demos]: Demos[P]["keys"] };
export const DEMO_REGIONS = eachCloud((p) => DEMOS[p].regions) as { [P in keyof Demos]: Demos[P]["regions"] };
/** Servers seeded in the simulators, by role. */
export const DEMO_SERVERS = eachCloud((p) => DEMOS[p].servers) as { [P in keyof Demos]: Demos[P]["servers"] };

/** The local Slack app: signing secret and bot token of the fake Slack, its workspace, channel and user. */
export const LOCAL_SLACK = {
  signingSecret: "local-signing-secret-5e1f0c9d8b7a",
  botToken: "xoxb-local-demo-bot-token-3c2b1a",
  teamId: "T00000001",
  channel: "C0LOCAL001",
  user: "U0LOCAL001",
};

/**
 * The local workspace's people and channels by id: what <@U…> and <#C…> show as in the console and
 * `npm run slack`, and the names `npm run slack --user/--channel` take. The local user is an image
 * creator (the local stack's IMAGE_CREATORS); the second one is not.
 */
export const LOCAL_WORKSPACE = {
  users: { [LOCAL_SLACK.user]: "alex", U0LOCAL002: "sam", UBOT00001: "imageops" } as Record<string, string>,
  channels: { [LOCAL_SLACK.channel]: "imageops", C0LOCAL002: "general" } as Record<string, string>,
};
