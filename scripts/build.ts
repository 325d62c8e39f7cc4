/**
 * One minified, self-contained ESM bundle per function at dist/<name>/index.mjs, with its
 * metafile (dist/<name>/meta.json) so bundle contents can be inspected and measured.
 */
import { build } from "esbuild";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import config from "./esbuild.config.cjs";

const root = fileURLToPath(new URL("..", import.meta.url));
/** How every function is bundled (scripts/esbuild.config.cjs, shared with `osls package`). */
export const BUNDLE_OPTIONS = config.bundleOptions;

export async function buildFunctions(): Promise<Record<string, number>> {
  const all = (await readdir(join(root, "functions"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  const sizes: Record<string, number> = {};
  await Promise.all(
    all.map(async (name) => {
      const outdir = join(root, "dist", name);
      await mkdir(outdir, { recursive: true });
      const result = await build({
        entryPoints: [join(root, "functions", name, "handler.ts")],
        outfile: join(outdir, "index.mjs"),
        ...BUNDLE_OPTIONS,
        metafile: true,
        logLevel: "warning",
      });
      await writeFile(join(outdir, "meta.json"), JSON.stringify(result.metafile));
      // the bundle, not its source map
      sizes[name] = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith(".mjs"))?.[1].bytes ?? 0;
    }),
  );
  return sizes;
}

/**
 * The run-policy bundle as `buildFunctions` builds it (the same options and plugins) but with the
 * policies of `policiesFile` in it (the policies plugin reads IMAGEOPS_POLICIES_FILE): a test
 * suite's or the bench's own policies, not whatever policies.yaml holds.
 */
export async function buildRunPolicyWith(policiesFile: string, outfile: string): Promise<void> {
  const before = process.env.IMAGEOPS_POLICIES_FILE;
  process.env.IMAGEOPS_POLICIES_FILE = policiesFile;
  try {
    await build({ entryPoints: [join(root, "functions", "run-policy", "handler.ts")], outfile, ...BUNDLE_OPTIONS, logLevel: "silent" });
  } finally {
    if (before === undefined) delete process.env.IMAGEOPS_POLICIES_FILE;
    else process.env.IMAGEOPS_POLICIES_FILE = before;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await buildFunctions();
  // --quiet (npm test): the test summary is what that run is for
  if (!process.argv.includes("--quiet"))
    for (const [name, bytes] of Object.entries(sizes).sort()) console.log(`dist/${name}/index.mjs  ${(bytes / 1024).toFixed(0)} KiB`);
}
