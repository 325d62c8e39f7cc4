/**
 * The job runner on its ports (functions/slack/jobs.ts `jobPorts`), with no server: the image
 * functions are small handlers invoked as Lambda reports them (a thrown error is a FunctionError
 * with `{errorType, errorMessage}`), answers and posts are kept in memory, and targets go to an
 * in-memory store. The Lambda port itself meets the real SDK in test/integration/lambda-invoke.test.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ImageOpsError } from "../../shared/model/errors.js";
import type { StoredTarget, TargetStore } from "../../shared/slack/targets.js";
import { allowedResponseUrl, SlackCallError, type SlackPoster } from "../../shared/slack/web.js";

type Handler = (event: unknown) => Promise<unknown>;
const handlers: Record<string, Handler> = {};
const answers: Array<{ url: string; body: { text: string; replace_original?: boolean; response_type?: string } }> = [];
const posts: Array<{ channel: string; text: string }> = [];
const stored = new Map<string, StoredTarget>();
const targets: TargetStore = {
  async put(t) {
    const id = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
    stored.set(id, t);
    return id;
  },
  get: async (id) => stored.get(id),
};
const poster: SlackPoster = {
  post: async (m) => (posts.push(m), { ts: `${posts.length}.0`, channel: m.channel }),
  update: async () => undefined,
  respond: async (url, body) => void answers.push({ url, body: body as (typeof answers)[number]["body"] }),
};
let jobs: typeof import("../../functions/slack/jobs.js");

beforeAll(async () => {
  Object.assign(process.env, {
    CREATE_IMAGE_FUNCTION: "create-image",
    DESCRIBE_IMAGE_FUNCTION: "describe-image",
    AUDIT_IMAGES_FUNCTION: "audit-images",
  });
  jobs = await import("../../functions/slack/jobs.js");
  Object.assign(jobs.jobPorts, {
    // as Lambda answers a RequestResponse invocation (API_Invoke: X-Amz-Function-Error, {errorType, errorMessage})
    async invoke(name: string, payload: string) {
      const handler = handlers[name];
      if (!handler) throw new Error(`ResourceNotFoundException: Function not found: ${name}`);
      try {
        return { payload: JSON.stringify(await handler(JSON.parse(payload))) };
      } catch (err) {
        const e = err as Error;
        return { payload: JSON.stringify({ errorType: e.name, errorMessage: e.message }), functionError: "Unhandled" };
      }
    },
    slack: async () => poster,
    respond: (url: string, body: unknown) => poster.respond(url, body as never),
    targets: () => targets,
  } satisfies typeof jobs.jobPorts);
});

let seq = 0;
const responseUrl = () => `https://hooks.slack.com/commands/T0TEST0001/${++seq}/x`;
const answersTo = (url: string) => answers.filter((a) => a.url === url).map((a) => a.body);

describe("runJob", () => {
  it("reports a failed audit with its code, privately", async () => {
    handlers["audit-images"] = async () => {
      throw new ImageOpsError("INTERNAL", "imageops/credentials is invalid");
    };
    const url = responseUrl();
    await jobs.runJob({ kind: "command", command: "audit", args: { kind: "run" }, responseUrl: url });
    expect(answersTo(url)).toMatchObject([{ text: ":x: INTERNAL: imageops/credentials is invalid", response_type: "ephemeral" }]);
  });

  it("posts the audit summary in the channel when the audit answers", async () => {
    handlers["audit-images"] = async () => ({
      findings: [],
      summary: { images: 3, findings: 0, bySeverity: { critical: 0, warning: 0, info: 0 } },
      errors: [],
    });
    const url = responseUrl();
    await jobs.runJob({ kind: "command", command: "audit", args: { kind: "run" }, responseUrl: url });
    const [answer] = answersTo(url);
    expect(answer!.text).toMatch(/Image audit: 0 finding\(s\) in 3 image\(s\)/);
    expect(answer!.response_type).toBe("in_channel");
  });

  it("reports a typed error of the image function, replacing the confirmation on a failed create", async () => {
    let asked: { notify?: unknown } = {};
    handlers["create-image"] = async (e) => {
      asked = e as typeof asked;
      throw new ImageOpsError("CONFLICT", "the name is taken");
    };
    const url = responseUrl();
    await jobs.runJob({
      kind: "create-confirm",
      responseUrl: url,
      request: { provider: "ncp", serverId: "1", name: "web" },
      channel: "C0TEST0001",
      user: "U0TEST0001",
    });
    // the buttons are replaced at once (nothing looks cancellable while it runs), then the outcome
    const said = answersTo(url);
    expect(said).toHaveLength(2);
    expect(said[0]!.text).toMatch(/<@U0TEST0001> confirmed: creating image \*web\*/);
    expect(said[0]!.replace_original).toBe(true);
    expect(said[1]).toMatchObject({ text: ":x: CONFLICT: the name is taken", replace_original: true });
    // create-image is told only the id of the target the bot stored (issue #23 item 1): the channel,
    // the requester and the response_url stay in the bot's item, for this request only
    expect(asked.notify).toEqual({ target: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(JSON.stringify(asked)).not.toContain(url);
    expect(stored.get((asked.notify as { target: string }).target)).toMatchObject({
      channel: "C0TEST0001",
      requester: "U0TEST0001",
      responseUrl: url,
      responseUses: 2,
      for: { kind: "create-image", provider: "ncp", serverId: "1", name: "web" },
    });
  });

  it("answers by DM when the response_url refuses the answer", async () => {
    handlers["describe-image"] = async () => {
      throw new ImageOpsError("NOT_FOUND", "no ncp image 1 in KR");
    };
    const refusing = jobs.jobPorts.respond;
    jobs.jobPorts.respond = async () => {
      throw new SlackCallError("used_url");
    };
    try {
      const before = posts.length;
      await jobs.runJob({
        kind: "command",
        command: "show",
        args: { provider: "ncp", id: "1" },
        responseUrl: responseUrl(),
        user: "U0TEST0001",
      });
      expect(posts.slice(before)).toMatchObject([{ channel: "U0TEST0001", text: expect.stringContaining("NOT_FOUND") }]);
    } finally {
      jobs.jobPorts.respond = refusing;
    }
  });

  it("never answers a response_url outside Slack", async () => {
    expect(allowedResponseUrl("https://hooks.slack.com/commands/T1/2/x")).toBe(true);
    expect(allowedResponseUrl("http://hooks.slack.com/commands/T1/2/x")).toBe(false);
    expect(allowedResponseUrl("https://evil.example/hooks.slack.com")).toBe(false);
    let called = false;
    handlers["describe-image"] = async () => ((called = true), { image: {} });
    const before = answers.length + posts.length;
    await jobs.runJob({
      kind: "command",
      command: "show",
      args: { provider: "ncp", id: "1" },
      responseUrl: "http://127.0.0.2:9/elsewhere",
    });
    expect(answers.length + posts.length).toBe(before);
    // refused before any work: the image function was never called
    expect(called).toBe(false);
  });
});
