/**
 * The vectors in test/fixtures/provider-vectors.ts are a copy of docs/providers/{scp,iwinv}.md:
 * the copy must equal those research notes.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { IWINV_VECTORS, SCP_VECTORS } from "../fixtures/provider-vectors.js";

// the repository's copy of the research notes (docs/providers/), so the check runs on every clone
const notes = (name: string) => fileURLToPath(new URL(`../../docs/providers/${name}`, import.meta.url));

describe("provider vectors are the research notes' own", () => {
  it.skipIf(!existsSync(notes("scp.md")))("SCP: the JSON block of scp.md §2", () => {
    const md = readFileSync(notes("scp.md"), "utf8");
    const block = /```json\n(\{\n {2}"provider": "scp-v2[\s\S]*?)\n```/.exec(md)?.[1];
    expect(block).toBeDefined();
    const doc = JSON.parse(block!);
    for (const k of ["accessKey", "secretKey", "timestamp", "endpoint", "headersToSend"] as const) expect(SCP_VECTORS[k]).toEqual(doc[k]);
    for (const group of ["vectors", "extraVectors", "negativeVectors"] as const) {
      expect(SCP_VECTORS[group].map((v) => v.id)).toEqual(doc[group].map((v: { id: string }) => v.id));
      for (const v of SCP_VECTORS[group])
        expect(v).toEqual(
          expect.objectContaining({
            ...pick(
              doc[group].find((d: { id: string }) => d.id === v.id),
              Object.keys(v),
            ),
          }),
        );
    }
    for (const [k, v] of Object.entries(SCP_VECTORS.fixtures)) expect(v, k).toEqual(doc.fixtures[k]);
  });

  it.skipIf(!existsSync(notes("iwinv.md")))("iwinv: the tables of iwinv.md §1.4", () => {
    const md = readFileSync(notes("iwinv.md"), "utf8");
    expect(md).toContain(`Access key \`${IWINV_VECTORS.accessKey}\``);
    expect(md).toContain(`Secret \`${IWINV_VECTORS.secretKey}\``);
    for (const v of IWINV_VECTORS.vectors) expect(md).toContain(`| \`${v.signed}\` | \`${v.signature}\` |`);
    for (const v of IWINV_VECTORS.negativeVectors) expect(md).toContain(`\`${v.signature}\``);
  });
});

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}
