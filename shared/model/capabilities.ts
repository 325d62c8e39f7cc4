import type { ProviderName } from "./image.js";

/**
 * What each cloud's API lets imageops do, in words the Slack bot can use without loading the
 * adapters (shared/providers/ say it as their optional `creator`/`deleter` parts, `unsupported`
 * reasons and `validateImageName`: test/unit/capabilities.test.ts holds this table to them, with its examples).
 */
export interface Capability {
  creates: boolean;
  deletes: boolean;
  /** the image-name rule of its create call, as its docs give it */
  names?: string;
  /** names the rule accepts and refuses (checked against the adapter) */
  examples?: { valid: string[]; invalid: string[] };
  /** where a person does what the API cannot */
  console: string;
}

export const CAPABILITIES: Record<ProviderName, Capability> = {
  ncp: {
    creates: true,
    deletes: true,
    names:
      "3–30 characters: Latin letters, digits, `-` and `_`, starting with a lowercase letter and ending with a lowercase letter or digit (an image of a XEN server: lowercase letters, digits and `-` only)",
    examples: { valid: ["web-golden", "web_Golden-2"], invalid: ["Web-golden", "ab", "web-golden-", "웹-골든"] },
    console: "the NCP console",
  },
  scp: {
    creates: true,
    deletes: true,
    names: "1–255 characters: Latin letters, digits, `-`, `_` and spaces, no space first or last",
    examples: { valid: ["web golden", "Web_Golden-2"], invalid: [" web", "web.golden", "웹*"] },
    console: "the SCP console",
  },
  iwinv: { creates: false, deletes: false, console: "the iwinv console" },
};

/** The clouds that can do `what`, in registry order. */
export const cloudsThat = (what: "creates" | "deletes"): ProviderName[] =>
  (Object.keys(CAPABILITIES) as ProviderName[]).filter((p) => CAPABILITIES[p][what]);
