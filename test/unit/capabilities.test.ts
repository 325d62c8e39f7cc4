import { describe, expect, it } from "vitest";
import { CAPABILITIES, cloudsThat } from "../../shared/model/capabilities.js";
import { PROVIDERS } from "../../shared/model/image.js";
import { ADAPTERS } from "../../shared/providers/index.js";

/**
 * The Slack bot's words for what each cloud can do (shared/model/capabilities.ts) say what the
 * adapters say (their `creator`/`deleter` parts, `unsupported` reasons and `validateImageName`):
 * the table is words only, and this holds it to the adapters.
 */
describe("CAPABILITIES agrees with the adapters", () => {
  it.each(PROVIDERS)("%s: creates and deletes exactly when its adapter has the part, else says why", (p) => {
    const a = ADAPTERS[p];
    const c = CAPABILITIES[p];
    expect(c.creates).toBe(a.creator !== undefined);
    expect(c.deletes).toBe(a.deleter !== undefined);
    if (!c.creates) {
      expect(a.unsupported?.create?.reason).toBeTruthy();
      // where the help sends a person is where the adapter does
      expect(a.unsupported?.create?.instead).toContain(c.console);
    }
    if (!c.deletes) expect(a.unsupported?.delete?.reason).toBeTruthy();
    // a rule is stated exactly for the clouds that create
    expect(c.names !== undefined).toBe(c.creates);
    expect(c.examples !== undefined).toBe(c.creates);
  });

  it.each(PROVIDERS.filter((p) => CAPABILITIES[p].creates))(
    "%s: the help's name rule examples are what the adapter accepts and refuses",
    (p) => {
      const creator = ADAPTERS[p].creator!;
      const { valid, invalid } = CAPABILITIES[p].examples!;
      expect(valid.length).toBeGreaterThan(0);
      expect(invalid.length).toBeGreaterThan(0);
      for (const name of valid) expect(creator.validateImageName(name), name).toBeNull();
      for (const name of invalid) expect(creator.validateImageName(name), name).toEqual(expect.any(String));
    },
  );

  it("cloudsThat lists the clouds with the part, in registry order", () => {
    expect(cloudsThat("creates")).toEqual(PROVIDERS.filter((p) => ADAPTERS[p].creator));
    expect(cloudsThat("deletes")).toEqual(PROVIDERS.filter((p) => ADAPTERS[p].deleter));
  });
});
