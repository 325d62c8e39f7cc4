/** A 400 names the field and says what was expected and what came — never "is required" for a value that came. */
import { describe, expect, it } from "vitest";
import { validate } from "../../shared/events.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import {
  AuditImagesInput,
  CreateImageInput,
  DeleteImageInput,
  DescribeImageInput,
  ListImagesInput,
  TrackImageInput,
} from "../../shared/model/inputs.js";

function refusal(schema: Parameters<typeof validate>[0], raw: unknown): { field?: string; message: string } {
  try {
    validate(schema, raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ImageOpsError);
    const e = err as ImageOpsError;
    expect(e.code).toBe("INVALID_ARGUMENT");
    return { field: e.field, message: e.message };
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
}

describe("validate", () => {
  it.each([
    [ListImagesInput, { limit: "abc" }, "limit", 'limit: expected a number, got "abc" — 1–1000, default 100'],
    [ListImagesInput, { limit: "0" }, "limit", 'limit: expected at least 1, got "0" — 1–1000, default 100'],
    [ListImagesInput, { limit: 5000 }, "limit", "limit: expected at most 1000, got 5000 — 1–1000, default 100"],
    [ListImagesInput, { scope: "mine" }, "scope", 'scope: expected one of public | custom | all, got "mine"'],
    [ListImagesInput, { provider: "ncp,aws" }, "provider", 'provider: expected one of ncp | scp | iwinv, got "aws" (item 2 of 2)'],
    [ListImagesInput, { provider: "nccp" }, "provider", 'provider: expected one of ncp | scp | iwinv, got "nccp" — did you mean "ncp"?'],
    [
      ListImagesInput,
      { account: " " },
      "account",
      'account: expected at least 1 character, got " " — account name from the credentials secret',
    ],
    [CreateImageInput, { provider: "ncp", serverId: 5, name: "web-golden" }, "serverId", "serverId: expected a string, got 5"],
    [
      CreateImageInput,
      { provider: "ncp", serverId: "1", name: "x".repeat(300) },
      "name",
      "name: expected at most 255 characters, got 300 characters",
    ],
    [CreateImageInput, { provider: "ncp", serverId: "1", name: "n", dryRun: "yes" }, "dryRun", 'dryRun: expected true or false, got "yes"'],
    [
      CreateImageInput,
      { provider: "ncp", serverId: "1", name: "n", notify: { channel: "general" } },
      "notify.channel",
      'notify.channel: expected a Slack channel id (C…, D…, G…), got "general"',
    ],
    [CreateImageInput, { provider: "ncp", serverId: "1", name: "n", notify: "C0123" }, "notify", 'notify: expected an object, got "C0123"'],
    // issue #23: a caller names a channel or the bot's target, never a message, a thread or a user
    [
      CreateImageInput,
      { provider: "ncp", serverId: "1", name: "n", notify: { channel: "C0AAA", messageTs: "1.2" } },
      "notify.messageTs",
      "notify.messageTs: unknown field",
    ],
    [
      DeleteImageInput,
      { provider: "ncp", id: "1", notify: { channel: "C0AAA", requester: "U0AAA" } },
      "notify.requester",
      "notify.requester: unknown field",
    ],
    [
      CreateImageInput,
      { provider: "ncp", serverId: "1", name: "n", notify: { channel: "C0AAA", target: "a".repeat(32) } },
      "notify",
      "notify: give either channel or target, not both or neither",
    ],
    [
      CreateImageInput,
      { provider: "ncp", serverId: "1", name: "n", notify: { target: "https://hooks.slack.com/x" } },
      "notify.target",
      "notify.target: expected the id of a progress target the Slack bot issued",
    ],
    [AuditImagesInput, { scheduled: false }, "scheduled", "scheduled: expected true, got false"],
  ])("%#: says what was expected and what came", (schema, raw, field, message) => {
    const r = refusal(schema, raw);
    expect(r.field).toBe(field);
    expect(r.message.startsWith(message)).toBe(true);
    expect(r.message).not.toMatch(/is required/);
  });

  /** a tracking step as the state machine's Task hands it over */
  const step = { operation: "img-x", provider: "ncp", account: "demo", region: "KR", imageId: "1", startedAt: "2026-11-23T00:00:00.000Z" };

  it("drops a tracking step's retired response_url fields (an execution started before targets were stored) rather than pass them on", () => {
    const notify = { channel: "C0AAA", messageTs: "1.2", responseUrl: "https://hooks.slack.com/actions/T/1/x", responseUrlAt: 1 };
    const parsed = TrackImageInput.parse({ ...step, notify });
    expect(parsed.notify).toEqual({ channel: "C0AAA", messageTs: "1.2" });
  });

  it("takes a tracking step as the state machine's Task payload names it, and nothing besides (one filter: the payload)", () => {
    expect(TrackImageInput.safeParse({ ...step, failures: 2, limitAt: "2026-11-23T06:00:00.000Z" }).success).toBe(true);
    // a loop field the Task's payload does not pick (infra/state-machine.asl.json) is refused, not carried
    expect(TrackImageInput.safeParse({ ...step, waitSeconds: 30 }).success).toBe(false);
  });

  it("names every missing required field of an empty request at once", () => {
    expect(refusal(CreateImageInput, {})).toEqual({ field: "provider", message: "provider, serverId and name are required" });
    expect(refusal(DescribeImageInput, {})).toEqual({ field: "provider", message: "provider and id are required" });
  });

  it("says a single missing field is required, with its help text", () => {
    expect(refusal(DescribeImageInput, { provider: "ncp" })).toEqual({
      field: "id",
      message: "id: is required — the provider's image id, or a custom image's name",
    });
  });

  it("names an unknown field and the fields there are", () => {
    const r = refusal(ListImagesInput, { colour: "blue" });
    expect(r.field).toBe("colour");
    expect(r.message).toBe(
      "colour: unknown field; expected one of provider, account, region, scope, os, name, status, limit, cursor, resource",
    );
    // a field near one it knows is named (issue #26 item 6)
    expect(refusal(ListImagesInput, { limits: "5" }).message).toMatch(/^limits: unknown field — did you mean limit\?; expected one of/);
  });

  it("cuts long values it echoes", () => {
    const r = refusal(ListImagesInput, { scope: "s".repeat(500) });
    expect(r.message.length).toBeLessThan(120);
    expect(r.message).toContain("…");
  });
});
