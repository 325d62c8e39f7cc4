import { startClouds } from "./clouds.js";
import { childEnv, runNode } from "./lib.js";
const clouds = await startClouds({});
const env = childEnv(clouds.env);
for (let i = 0; i < 6; i++) {
  const r = await runNode(["/tmp/child2.mjs", process.argv[2] ?? "/work/main/dist/list-images/index.mjs"], env);
  console.log(r.stdout.split("\n").filter((l) => l.startsWith("RESULT")).join("") || r.stderr.slice(-500));
}
process.exit(0);
