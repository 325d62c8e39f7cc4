/**
 * The response_url a Slack job's event carries, sealed (shared/slack/sealed.ts): Lambda keeps a
 * failed asynchronous invocation's event in its on-failure destination
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html), and a
 * response_url lets its holder post as the app.
 */
import { describe, expect, it } from "vitest";
import { seal, unseal } from "../../shared/slack/sealed.js";

const URL_ = "https://hooks.slack.com/actions/T0/123/abcDEF";

describe("a sealed response_url", () => {
  it("opens with the signing secret it was sealed under, and shows nothing of the URL", () => {
    const sealed = seal("signing-secret-1", URL_);
    expect(sealed).not.toContain("hooks.slack.com");
    expect(sealed).not.toContain("abcDEF");
    expect(unseal("signing-secret-1", sealed)).toBe(URL_);
    // a fresh IV each time: two seals of one URL differ
    expect(seal("signing-secret-1", URL_)).not.toBe(sealed);
  });

  it("does not open under another secret, altered, or in another form", () => {
    const sealed = seal("signing-secret-1", URL_);
    expect(unseal("signing-secret-2", sealed)).toBeUndefined();
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0]! ^= 1;
    expect(unseal("signing-secret-1", [...parts.slice(0, 3), body.toString("base64url")].join("."))).toBeUndefined();
    expect(unseal("signing-secret-1", URL_)).toBeUndefined();
    expect(unseal("signing-secret-1", "")).toBeUndefined();
  });
});
