/**
 * The log line contract on top of Powertools Logger: fields never replace the line's own keys,
 * errors carry their stack and cause chain, and registered secrets never reach the output.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { log, registerSecret } from "../../shared/log.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { tapOutput } from "../support/tap-output.js";

let lines: string[];
let untap: () => void;
beforeEach(() => {
  lines = [];
  untap = tapOutput((c) =>
    lines.push(
      ...String(c)
        .split("\n")
        .filter((l) => l.startsWith("{")),
    ),
  );
});
afterEach(() => untap());
const last = () => JSON.parse(lines.at(-1)!);

describe("log", () => {
  it("keeps message, level and timestamp its own: a field of the same name is renamed", () => {
    log("info", "audit finding", { message: "image x is stale", level: "critical", timestamp: "yesterday", rule: "stale" });
    expect(last()).toMatchObject({
      message: "audit finding",
      level: "INFO",
      field_message: "image x is stale",
      field_level: "critical",
      field_timestamp: "yesterday",
      rule: "stale",
    });
    expect(Date.parse(last().timestamp)).toBeGreaterThan(0);
  });

  it("logs an error with its stack and its cause chain, even our errors (whose toJSON is their public shape)", () => {
    const root = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    log("error", "create-image failed", {
      error: new ImageOpsError("INTERNAL", "could not write operation x in DynamoDB", { cause: root }),
    });
    const e = last().error;
    expect(e).toMatchObject({
      name: "INTERNAL",
      message: "could not write operation x in DynamoDB",
      cause: { name: "Error", message: "socket hang up", code: "ECONNRESET" },
    });
    expect(e.stack).toMatch(/at /);
    expect(e.cause.stack).toMatch(/at /);
  });

  it("redacts registered secrets everywhere in a line: messages, fields, nested errors", () => {
    registerSecret("s3cr3t-value-0001", "AKIALOGTEST00009999");
    log("warn", "refused with s3cr3t-value-0001", { key: "AKIALOGTEST00009999", error: new Error("bad s3cr3t-value-0001") });
    const text = lines.at(-1)!;
    expect(text).not.toContain("s3cr3t-value-0001");
    expect(text).not.toContain("AKIALOGTEST00009999");
    expect(last()).toMatchObject({ message: "refused with [REDACTED]", key: "****9999", error: { message: "bad [REDACTED]" } });
  });
});
