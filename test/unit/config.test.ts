/**
 * The one table of environment variables (shared/config.ts): every variable the code reads is in
 * it and read through it; every variable the deployment sets for a function is in it;
 * docs/environment.md lists exactly it; and a missing or bad value is the one configuration fault.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { ENVIRONMENT, list, positive, required, seconds, text } from "../../shared/config.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const names = Object.keys(ENVIRONMENT);

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((f) => {
    const p = join(dir, f);
    return statSync(join(root, p)).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("the environment table", () => {
  it("is how the product reads the environment: no other process.env read, and every name it reads is in the table", () => {
    const code = [...sources("shared"), ...sources("functions")];
    for (const file of code.filter((f) => f !== "shared/config.ts")) {
      const src = readFileSync(join(root, file), "utf8");
      // a reader may take another source for tests (`= process.env` as a default), never read one itself
      expect(src.replace(/=\s*process\.env\b/g, ""), file).not.toMatch(/process\.env\b/);
      for (const m of src.matchAll(/\b(?:text|required|list|positive|seconds)\("([A-Z_]+)"/g))
        expect(names, `${file} reads ${m[1]}`).toContain(m[1]);
    }
  });

  it("has every variable the deployment sets for a function", () => {
    const sls = parseYaml(readFileSync(join(root, "serverless.yml"), "utf8")) as {
      provider: { environment?: Record<string, unknown> };
      functions: Record<string, { environment?: Record<string, unknown> }>;
    };
    const set = new Set([
      ...Object.keys(sls.provider.environment ?? {}),
      ...Object.values(sls.functions).flatMap((f) => Object.keys(f.environment ?? {})),
    ]);
    // and the names of the functions each invokes (infra/functions.cjs: `nameEnv`, else <NAME>_FUNCTION)
    const { FUNCTIONS } = createRequire(import.meta.url)("../../infra/functions.cjs") as {
      FUNCTIONS: Record<string, { invokes?: string[]; nameEnv?: string }>;
    };
    for (const f of Object.values(FUNCTIONS))
      for (const i of f.invokes ?? []) set.add(FUNCTIONS[i]?.nameEnv ?? `${i.toUpperCase().replace(/-/g, "_")}_FUNCTION`);
    set.delete("NODE_OPTIONS"); // Node's own (source maps), not the product's
    for (const n of set) expect(names, `serverless.yml sets ${n}`).toContain(n);
  });

  it("is docs/environment.md, row for row, defaults included", () => {
    const doc = readFileSync(join(root, "docs/environment.md"), "utf8");
    const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| .* \| (.*) \| .* \|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows.map(([n]) => n)).toEqual(names);
    for (const [n, d] of rows) {
      const v = ENVIRONMENT[n as keyof typeof ENVIRONMENT] as { default?: string };
      expect(d, n).toBe(v.default === undefined ? "—" : `\`${v.default}\``);
    }
  });
});

describe("reading it", () => {
  it("trims, treats empty as unset, splits lists, and turns seconds into milliseconds", () => {
    const env = { SLACK_TEAM_ID: "  T0HOME  ", AUDIT_CHANNEL: "", IMAGE_CREATORS: " U1, ,U2 ", POLICY_POLL_SECONDS: "0.5" };
    expect(text("SLACK_TEAM_ID", env)).toBe("T0HOME");
    expect(text("AUDIT_CHANNEL", env)).toBeUndefined();
    expect(list("IMAGE_CREATORS", env)).toEqual(["U1", "U2"]);
    expect(seconds("POLICY_POLL_SECONDS", env)).toBe(500);
    expect(positive("AUDIT_STALE_DAYS", 180, env)).toBe(180);
  });

  it("answers a missing or bad value with the one configuration fault: INTERNAL naming the variable and what sets it", () => {
    expect(() => required("OPERATIONS_TABLE", {})).toThrow(
      expect.objectContaining({
        code: "INTERNAL",
        message: "OPERATIONS_TABLE is not set: the deployment sets it (serverless.yml; docs/environment.md)",
      }),
    );
    expect(() => positive("AUDIT_STALE_DAYS", 180, { AUDIT_STALE_DAYS: "soon" })).toThrow(
      expect.objectContaining({
        code: "INTERNAL",
        field: "AUDIT_STALE_DAYS",
        message: expect.stringMatching(/must be a positive number, not "soon"/),
      }),
    );
  });
});
