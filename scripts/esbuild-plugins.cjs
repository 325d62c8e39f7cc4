/**
 * esbuild plugins shared by `npm run build` (scripts/build.ts) and `osls package`
 * (serverless-esbuild's `plugins:` option loads this file with require, hence CommonJS).
 */

/**
 * Bolt's index pulls in every receiver (Express, Socket Mode, HTTP) and OAuth — express, ws,
 * undici, iconv-lite, mime-db — although a Lambda app only ever uses AwsLambdaReceiver. Those
 * modules become a stub that throws if anything ever constructs them.
 */
const UNUSED_BOLT_PARTS = /^(\.\/receivers\/(ExpressReceiver|SocketModeReceiver|HTTPReceiver|SocketModeFunctions|HTTPModuleFunctions|HTTPResponseAck|custom-routes)|@slack\/oauth)$/;

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

module.exports = [dropUnusedBoltParts];
