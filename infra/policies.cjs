// The policies of policies.yaml as CloudFormation: one EventBridge Scheduler schedule each, invoking
// run-policy at its scheduled time with the scheduled time in the input
// (<aws.scheduler.scheduled-time>, https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html),
// so a delivery repeated by Scheduler's retries carries the same time and creates nothing twice; and
// the one role those schedules use, which may invoke run-policy and nothing else.
// Loaded by osls as `${file(infra/policies.cjs)}`; the file is validated here with the schema the
// bundle uses (shared/policies/schema.ts, through tsx), so `osls package` fails on a bad policy,
// naming it and the field. IMAGEOPS_POLICIES_FILE names another file (the build reads the same).
"use strict";

const path = require("node:path");

const policiesFile = () => path.resolve(__dirname, "..", process.env.IMAGEOPS_POLICIES_FILE || "policies.yaml");

function loadPolicies(file = policiesFile()) {
  const { loadPoliciesFile } = require("tsx/cjs/api").require("../shared/policies/load.ts", __filename);
  return loadPoliciesFile(file);
}

/** demo-web-golden → DemoWebGolden (logical ids are alphanumeric) */
const pascal = (name) =>
  name
    .split("-")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");

/** EventBridge Scheduler: a schedule's name is 1–64 of [0-9a-zA-Z-_.]. */
const SCHEDULE_NAME = /^[0-9a-zA-Z\-_.]{1,64}$/;

/**
 * The local stack's demo account (dev/sim/registry.ts) and Slack channel (dev/sim/demo.ts): a policy
 * that names either is an example (policies.yaml's targets them), and nothing an example declares
 * may run in a real stage. Outside the local stack (stage `local`) its schedule is DISABLED.
 */
const DEMO_ACCOUNT = "demo";
const DEMO_CHANNEL = "C0LOCAL001";
const LOCAL_STAGE = "local";
const isExample = (p) => p.account === DEMO_ACCOUNT || p.channel === DEMO_CHANNEL;

/**
 * The schedules and their role (pure: the template test and the local scheduler read it too), and
 * the examples among the policies, which are shipped DISABLED in every stage but the local one.
 */
function policySchedules(policies, { service, stage }) {
  const examples = stage === LOCAL_STAGE ? [] : policies.filter(isExample).map((p) => p.name);
  const Resources = {};
  if (!policies.length) return { Resources, examples };
  const runPolicy = { "Fn::GetAtt": ["RunDashpolicyLambdaFunction", "Arn"] };
  for (const p of policies) {
    const name = `${service}-${stage}-policy-${p.name}`;
    if (!SCHEDULE_NAME.test(name)) {
      throw new Error(
        `policies.yaml: policy "${p.name}" field name: the schedule would be named "${name}" (${name.length} characters); EventBridge Scheduler takes at most 64 of letters, digits, "-", "_" and ".": shorten the policy's name`,
      );
    }
    const id = `PolicySchedule${pascal(p.name)}`;
    if (Resources[id])
      throw new Error(
        `policies.yaml: policy "${p.name}" field name: its schedule's logical id ${id} is another policy's too; rename one of them`,
      );
    Resources[id] = {
      Type: "AWS::Scheduler::Schedule",
      Properties: {
        Name: name,
        Description: `imageops policy ${p.name}: ${p.provider} ${p.servers.join(", ")} as ${p.image}`.slice(0, 512),
        ScheduleExpression: p.schedule,
        ScheduleExpressionTimezone: p.timezone,
        FlexibleTimeWindow: { Mode: "OFF" },
        State: p.enabled && !examples.includes(p.name) ? "ENABLED" : "DISABLED",
        Target: {
          Arn: runPolicy,
          RoleArn: { "Fn::GetAtt": ["PolicySchedulerRole", "Arn"] },
          Input: JSON.stringify({ action: "run", policy: p.name, scheduledAt: "<aws.scheduler.scheduled-time>", trigger: "schedule" }),
          // a retried delivery has the same scheduled time: the run's claim and the operation keys make it a no-op
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": ["FailedJobsQueue", "Arn"] } },
        },
      },
    };
  }
  Resources.PolicySchedulerRole = {
    Type: "AWS::IAM::Role",
    Properties: {
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "scheduler.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: "invoke-run-policy",
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: "lambda:InvokeFunction", Resource: runPolicy },
              { Effect: "Allow", Action: "sqs:SendMessage", Resource: { "Fn::GetAtt": ["FailedJobsQueue", "Arn"] } },
            ],
          },
        },
      ],
    },
  };
  return { Resources, examples };
}

const policyResources = (policies, where) => policySchedules(policies, where).Resources;

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable("self:service");
  const stage = await resolveVariable("sls:stage");
  const { Resources, examples } = policySchedules(loadPolicies(), { service, stage });
  if (examples.length)
    process.stderr.write(
      `imageops: ${examples.map((n) => `policy ${n}`).join(", ")} of ${path.relative(process.cwd(), policiesFile())} ` +
        `name${examples.length > 1 ? "" : "s"} the local demo account "${DEMO_ACCOUNT}" or channel ${DEMO_CHANNEL}: an example, ` +
        `packaged DISABLED for stage ${stage}. Replace it with your own servers, account and channel (docs/operations.md).\n`,
    );
  return Resources;
};
module.exports.policyResources = policyResources;
module.exports.policySchedules = policySchedules;
module.exports.EXAMPLE = { account: DEMO_ACCOUNT, channel: DEMO_CHANNEL, stage: LOCAL_STAGE };
module.exports.loadPolicies = loadPolicies;
module.exports.policiesFile = policiesFile;
