import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { type Policy, PolicyFileError, validatePolicies } from "./schema.js";

/**
 * The policies file read and validated: at build time (scripts/esbuild.config.cjs puts the result
 * in the run-policy bundle), at package time (infra/policies.cjs makes one schedule of each) and
 * by the local stack. Never bundled: `yaml` is a build-time dependency.
 */
export function loadPoliciesFile(file: string): Policy[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PolicyFileError([`cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`], file);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new PolicyFileError([`is not valid YAML: ${(err as Error).message.split("\n")[0]}`], file);
  }
  return validatePolicies(doc, file);
}
