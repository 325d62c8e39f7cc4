/** A 400 names the field and says what was expected and what came — never "is required" for a value that came. */
import { describe, expect, it } from "vitest";
import { validate } from "../../shared/events.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { AuditImagesInput, CreateImageInput, DescribeImageInput, ListImagesInput } from "../../shared/model/inputs.js";

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
    [ListImagesInput, { provider: "ncp,aws" }, "provider.1", 'provider.1: expected one of ncp | scp | iwinv, got "aws"'],
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
    [AuditImagesInput, { scheduled: false }, "scheduled", "scheduled: expected true, got false"],
  ])("%#: says what was expected and what came", (schema, raw, field, message) => {
    const r = refusal(schema, raw);
    expect(r.field).toBe(field);
    expect(r.message.startsWith(message)).toBe(true);
    expect(r.message).not.toMatch(/is required/);
  });

  it("names every missing required field of an empty request at once", () => {
    expect(refusal(CreateImageInput, {})).toEqual({ field: "provider", message: "provider, serverId and name are required" });
    expect(refusal(DescribeImageInput, {})).toEqual({ field: "provider", message: "provider and id are required" });
  });

  it("says a single missing field is required, with its help text", () => {
    expect(refusal(DescribeImageInput, { provider: "ncp" })).toEqual({ field: "id", message: "id: is required — the provider's image id" });
  });

  it("names an unknown field and the fields there are", () => {
    const r = refusal(ListImagesInput, { colour: "blue" });
    expect(r.field).toBe("colour");
    expect(r.message).toBe("colour: unknown field; expected one of provider, account, region, scope, os, name, status, limit, cursor");
  });

  it("cuts long values it echoes", () => {
    const r = refusal(ListImagesInput, { scope: "s".repeat(500) });
    expect(r.message.length).toBeLessThan(120);
    expect(r.message).toContain("…");
  });
});
