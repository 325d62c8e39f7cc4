// Runs one built function bundle in a process of its own, as a separate Lambda container would:
//   node run-bundle.mjs <function> <remaining-ms> <event-json>
// The environment is the local stack's (endpoints, table, secrets). The answer, or the thrown
// error, is the last line: "RESULT <json>". Used to run twins in two processes and to kill one.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [name, remaining, event] = process.argv.slice(2);
const root = fileURLToPath(new URL("../..", import.meta.url));
const { handler } = await import(pathToFileURL(join(root, "dist", name, "index.mjs")).href);
const started = Date.now();
const context = {
  functionName: `imageops-local-${name}`,
  awsRequestId: `child-${process.pid}`,
  getRemainingTimeInMillis: () => Math.max(0, Number(remaining) - (Date.now() - started)),
};
let result;
try {
  result = { ok: true, value: await handler(JSON.parse(event), context) };
} catch (err) {
  result = { ok: false, error: { name: err?.name, message: err?.message } };
}
process.stdout.write(`\nRESULT ${JSON.stringify(result)}\n`);
