/**
 * How every function is bundled, in one place for `npm run build` (scripts/build.ts: what the
 * tests and the bench run) and `osls package` (serverless-esbuild's `config:` loads this file
 * with require, hence CommonJS): the bundles tested are built exactly as the ones deployed.
 */

/**
 * Bolt's index pulls in every receiver (Express, Socket Mode, HTTP) and OAuth — express, ws,
 * undici, iconv-lite, mime-db — although a Lambda app only ever uses AwsLambdaReceiver. Those
 * modules become a stub that throws if anything ever constructs them.
 */
const UNUSED_BOLT_PARTS =
  /^(\.\/receivers\/(ExpressReceiver|SocketModeReceiver|HTTPReceiver|SocketModeFunctions|HTTPModuleFunctions|HTTPResponseAck|custom-routes)|@slack\/oauth)$/;

/** @type {import("esbuild").Plugin} */
const dropUnusedBoltParts = {
  name: "drop-unused-bolt-parts",
  setup(b) {
    b.onResolve({ filter: UNUSED_BOLT_PARTS }, (args) =>
      args.importer.includes("@slack/bolt") ? { path: args.path, namespace: "bolt-stub" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "bolt-stub" }, (args) => ({
      contents: [
        `const where = ${JSON.stringify(args.path)};`,
        "const fail = (name) => class { constructor() { throw new Error(name + ' from ' + where + ' is not bundled: only AwsLambdaReceiver is'); } };",
        "module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? false : fail(String(key))) });",
      ].join("\n"),
      loader: "js",
    }));
  },
};

/**
 * `import policies from "imageops:policies"` (functions/run-policy): the policies file, read and
 * validated now (shared/policies/schema.ts, run through tsx: the same schema the bundle checks
 * with), in the bundle as JSON. A problem fails the build and names the policy and the field.
 * The file is IMAGEOPS_POLICIES_FILE, else policies.yaml at the repository's root (infra/policies.cjs
 * makes the schedules from the same file).
 */
const path = require("node:path");
const policiesFile = () => path.resolve(__dirname, "..", process.env.IMAGEOPS_POLICIES_FILE || "policies.yaml");

/** @type {import("esbuild").Plugin} */
const bundledPolicies = {
  name: "imageops-policies",
  setup(b) {
    b.onResolve({ filter: /^imageops:policies$/ }, () => ({ path: policiesFile(), namespace: "imageops-policies" }));
    b.onLoad({ filter: /.*/, namespace: "imageops-policies" }, (args) => {
      const { loadPoliciesFile } = require("tsx/cjs/api").require("../shared/policies/load.ts", __filename);
      try {
        return { contents: JSON.stringify({ policies: loadPoliciesFile(args.path) }), loader: "json", watchFiles: [args.path] };
      } catch (err) {
        return { errors: [{ text: err?.message ? err.message : String(err) }], watchFiles: [args.path] };
      }
    });
  },
};

const bundleOptions = {
  bundle: true,
  minify: true,
  // ESM (Lambda loads .mjs as a module with no package.json in the zip), for the deployed runtime
  format: "esm",
  platform: "node",
  target: "node22",
  mainFields: ["module", "main"],
  // Bolt and some AWS SDK parts are CommonJS and require() Node built-ins: give the ESM bundle a require
  banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
  legalComments: "none",
  // a stack trace names our source files and lines (Lambda runs with --enable-source-maps, serverless.yml);
  // the map stays beside the bundle and is read only when a stack is formatted
  sourcemap: "linked",
  sourcesContent: false,
  plugins: [dropUnusedBoltParts, bundledPolicies],
};

/** serverless-esbuild's config: the same options, plus how it packages them. */
module.exports = () => ({
  ...bundleOptions,
  outputFileExtension: ".mjs",
  // bundle everything, the AWS SDK v3 included (do not rely on the runtime's SDK version)
  exclude: [],
  concurrency: 6,
});
module.exports.bundleOptions = bundleOptions;
