/** `npm start`: build, then run the local stack in the foreground until Ctrl-C. */
import { buildFunctions } from "../scripts/build.js";
import { startLocalStack } from "./local-stack.js";
import { routeLogs } from "./log-file.js";
import { checkPort, DEFAULT_PORT, portProblem, readPort } from "./port.js";
import { ADAPTERS } from "../shared/providers/index.js";
import { DEMO_SERVERS, LOCAL_SLACK } from "./sim/demo.js";
import { demoServers, SIMULATED } from "./sim/registry.js";
import { PROVIDERS } from "../shared/model/image.js";

/** The functions' JSON log lines, one per line (shared/log.ts); the terminal gets one short line per call. */
const LOG_FILE = "local-stack.log";

const port = readPort(process.env.PORT);
if (typeof port !== "number") {
  console.error(port.problem);
  process.exit(2);
}
// before the build: a taken port is said in a second, not after it
const taken = await checkPort(port);
if (taken) {
  console.error(taken);
  process.exit(1);
}

await buildFunctions();
const logs = routeLogs(LOG_FILE);
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({ port, onRequest: logs.request });
} catch (err) {
  const problem = portProblem(port, err);
  if (!problem) throw err;
  console.error(problem);
  process.exit(1);
}
const u = stack.url;
// the local tools find the stack on PORT: say it whenever it is not the default
const slack = port === DEFAULT_PORT ? "npm run slack --" : `PORT=${port} npm run slack --`;

const simulatorLines = PROVIDERS.map(
  (p) => `  ${`${SIMULATED[p].title} simulator`.padEnd(34)}${stack[p].url.padEnd(28)}${SIMULATED[p].banner}`,
).join("\n");
const servers = Object.entries(demoServers(stack.simulators))
  .flatMap(([cloud, list]) =>
    list.map(
      (s, i) =>
        `  ${(i === 0 ? cloud : "").padEnd(6)} ${s.name.padEnd(12)} ${s.id.padEnd(38)} ${s.state}${i === 0 && !ADAPTERS[cloud as keyof typeof ADAPTERS].creator ? `   (${cloud}'s API cannot create images)` : ""}`,
    ),
  )
  .join("\n");

/** The AWS SDK's NodeVersionSupportWarning, said once here instead of once per bundle (the local stack turns theirs off). */
const major = Number(process.versions.node.split(".")[0]);
const nodeNotice =
  major < 22
    ? `\nNode ${process.versions.node}: supported (deployed functions run Node 22). The AWS SDK's releases after the first week\nof January 2027 will need Node 22 or later (its NodeVersionSupportWarning, said once here).\n`
    : "";

console.log(`
imageops local stack — everything on 127.0.0.1, no cloud account needed
${nodeNotice}
  functions (function URL events)   ${u}/<function-name>
  Slack events                      ${u}/slack/events
${simulatorLines}
  Secrets Manager                   ${stack.secrets.url}  secrets imageops/credentials, imageops/slack
  Step Functions (tracking)         ${stack.stepFunctions.url}
  DynamoDB (operation records)      ${stack.dynamo.url}  table ${stack.dynamo.tableName}
  Slack Web API sink                ${stack.slackApi.apiUrl}
  function logs (JSON lines)        ${LOG_FILE}
  demo secret keys are in dev/sim/demo.ts (local simulators only)
  everything lives in memory: images created, operations and Slack messages are gone after a restart

Demo servers (a server's name or its id works as serverId):
${servers}

Try:
  curl -s '${u}/list-images/help'
  curl -s '${u}/list-images?os=ubuntu&limit=5'
  curl -s '${u}/list-images?provider=ncp,scp&scope=custom'
  curl -s '${u}/describe-image?provider=iwinv&id=PIMAGE-1tQFoTuKeENlSZ7xFXyVix'
  curl -s -X POST ${u}/create-image -H 'content-type: application/json' -d '{"provider":"ncp","serverId":"web-01","name":"web-golden","dryRun":true}'
  curl -s -X POST ${u}/create-image -H 'content-type: application/json' -d '{"provider":"ncp","serverId":"${DEMO_SERVERS.ncp.kvm}","name":"web-golden"}'
  # then watch it become available, or follow the operation id it answered (operation.id):
  curl -s '${u}/list-images?provider=ncp&name=web-golden'
  #   curl -s '${u}/describe-operation?operation=<operation.id>'

Fault injection (make a cloud slow or fail):
  curl -s -X POST ${stack.scp.url}/__sim/faults -d '{"status":503}'
  curl -s -X POST ${stack.scp.url}/__sim/faults -d '{}'
Slack as a real workspace misbehaves (also switches in the console page):
  curl -s -X POST ${stack.slackApi.url}/__slack/faults -d '{"channels":{"${LOCAL_SLACK.channel}":"not_in_channel"}}'
  curl -s -X POST ${stack.slackApi.url}/__slack/faults -d '{"methods":{"auth.test":{"delayMs":4000},"chat.update":{"ratelimited":5}}}'
  curl -s -X POST ${stack.slackApi.url}/__slack/faults -d '{}'

Chat console (Slack without a workspace): ${u}/
  ${slack} "/images list ncp --os ubuntu"
  ${slack} "/images create ncp web-01 slack-golden"
  # add --click Confirm to press the Confirm button and follow the progress card;
  # ${slack} --help: act as another user (--user sam) or in another channel (--channel general)

Ctrl-C stops everything. Each call is one line below; the functions' own logs go to ${LOG_FILE}.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  await logs.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
