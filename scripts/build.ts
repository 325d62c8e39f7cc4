/**
 * One minified, self-contained ESM bundle per function at dist/<name>/index.mjs, with its
 * metafile (dist/<name>/meta.json) so bundle contents can be inspected and measured.
 */
import { build, type BuildOptions } from "esbuild";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import plugins from "./esbuild-plugins.cjs";

const root = fileURLToPath(new URL("..", import.meta.url));
/** How every function is bundled (the bench builds its baseline with the same settings). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Bolt and some AWS SDK parts are CommonJS and require() Node built-ins: give the ESM bundle a require.
  banner: { js: `import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);` },
  legalComments: "none",
  plugins,
} satisfies BuildOptions;

export async function buildFunctions(names?: string[]): Promise<Record<string, number>> {
  const all = (await readdir(join(root, "functions"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  const sizes: Record<string, number> = {};
  await Promise.all(
    (names ?? all).map(async (name) => {
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
      sizes[name] = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
    }),
  );
  return sizes;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await buildFunctions();
  for (const [name, bytes] of Object.entries(sizes).sort()) console.log(`dist/${name}/index.mjs  ${(bytes / 1024).toFixed(0)} KiB`);
}
