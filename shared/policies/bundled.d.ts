// The policies file, parsed and validated at build time: scripts/esbuild.config.cjs resolves this
// module to its JSON ({policies: [...]}) in the run-policy bundle.
declare module "imageops:policies" {
  const doc: unknown;
  export default doc;
}
