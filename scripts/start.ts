/** `npm start`: build, then run the local stack in the foreground until Ctrl-C. */
import { buildFunctions } from "./build.js";
import { startLocalStack } from "./local-stack.js";
import { DEMO_KEYS, DEMO_SERVERS, LOCAL_SLACK } from "../test/sim/demo.js";

await buildFunctions();
const port = Number(process.env.PORT ?? 3000);
const stack = await startLocalStack({ port });
const u = stack.url;

console.log(`
imageops local stack — everything on 127.0.0.1, no cloud account needed

  functions (function URL events)   ${u}/<function-name>
  Slack events                      ${u}/slack/events
  NCP simulator                     ${stack.ncp.url}      access key ${DEMO_KEYS.ncp.accessKey}
  SCP simulator                     ${stack.scp.url}      access key ${DEMO_KEYS.scp.accessKey}, account ${DEMO_KEYS.scp.accountId}
  iwinv simulator                   ${stack.iwinv.url}    access key ${DEMO_KEYS.iwinv.accessKey}
  Secrets Manager                   ${stack.secrets.url}  secrets imageops/credentials, imageops/slack
  Step Functions (tracking)         ${stack.stepFunctions.url}
  DynamoDB (operation records)      ${stack.dynamo.url}  table ${stack.dynamo.tableName} (in memory: lost on restart)
  Slack Web API sink                ${stack.slackApi.apiUrl}
  demo secret keys are in test/sim/demo.ts (local simulators only)

Try:
  curl -s '${u}/list-images/help'
  curl -s '${u}/list-images?os=ubuntu&limit=5'
  curl -s '${u}/list-images?provider=ncp,scp&scope=custom'
  curl -s '${u}/describe-image?provider=iwinv&id=PIMAGE-1tQFoTuKeENlSZ7xFXyVix'
  curl -s -X POST ${u}/create-image -H 'content-type: application/json' -d '{"provider":"ncp","serverId":"${DEMO_SERVERS.ncp.kvm}","name":"web-golden","dryRun":true}'
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
  npm run slack -- "/images list ncp --os ubuntu"

Ctrl-C stops everything.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
