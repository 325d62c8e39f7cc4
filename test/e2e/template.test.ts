/**
 * The deployment as CloudFormation will see it: `osls package` (offline, no AWS credentials)
 * through scripts/package.sh, then assertions on the generated template and zips: function URLs
 * and their auth, runtime, the tracking state machine, the audit schedule, least privilege, what
 * stays off until it is configured, and cfn-lint's verdict.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPoliciesFile } from "../../shared/policies/load.js";
import { MAX_POLICIES, type Policy } from "../../shared/policies/schema.js";
import { FUNCTIONS as LOCAL_FUNCTIONS, type FunctionName } from "../../dev/local-stack.js";
import { LOCAL_SLACK } from "../../dev/sim/demo.js";
import { demoAccount } from "../../dev/sim/registry.js";
import { FUNCTION_ENV } from "../../functions/slack/jobs.js";
import { parse as parseYaml } from "yaml";
import { CFN_LINT_SKIPPED, hasCfnLint } from "../support/cfn-lint.js";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Json;
}
const require = createRequire(import.meta.url);
/** the one table of the functions the roles and the name variables are generated from */
const table = require("../../infra/functions.cjs") as { FUNCTIONS: Record<string, unknown> };

// what is deployed is what the local stack serves: one list of the functions
const FUNCTIONS = LOCAL_FUNCTIONS;
type Fn = FunctionName;
/** osls's logical ids: list-images → ListDashimages */
const logicalId = (fn: Fn) =>
  fn.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => `${dash ? "Dash" : ""}${c}`).replace(/^\w/, (c) => c.toUpperCase());

/** The functions that call the clouds, and so run in the VPC when one is asked for. */
const CLOUD_CALLERS: readonly Fn[] = [
  "list-images",
  "describe-image",
  "create-image",
  "delete-image",
  "share-image",
  "track-image",
  "audit-images",
  "run-policy",
];

let out: string;
let template: Json;
let resources: Record<string, Json>;
const outs: string[] = [];

/** `npm run package` into a fresh folder, with no AWS credentials of any kind: packaging must not need them. */
function packageRun(options: string[], extraEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "imageops-sls-"));
  outs.push(dir);
  const env = { ...process.env, ...extraEnv };
  for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
  return run("bash", ["scripts/package.sh", "ci", dir, ...options], env, 180_000).then((r) => ({ dir, run: r }));
}
/**
 * A child process's exit status and output. Asynchronous on purpose: a worker blocked in a long
 * spawnSync (a package takes 10–25 s on a busy machine) cannot answer vitest's RPC, which times out.
 */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
async function packageTemplate(...options: string[]): Promise<{ dir: string; template: Json; output: string }> {
  const { dir, run } = await packageRun(options);
  if (run.status !== 0) throw new Error(`osls package failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return {
    dir,
    template: JSON.parse(readFileSync(join(dir, "cloudformation-template-update-stack.json"), "utf8")),
    output: `${run.stdout}\n${run.stderr}`,
  };
}
/** what `npm run package` printed */
let packageOutput: string;

beforeAll(async () => {
  ({ dir: out, template, output: packageOutput } = await packageTemplate());
  resources = template.Resources;
}, 200_000);

afterAll(() => outs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A zip's file names, or its only file's text (python3's zipfile: on every machine, unlike unzip). */
function unzip(zip: string, what: "list" | "read"): string {
  const code = what === "list" ? "print('\\n'.join(z.namelist()))" : "sys.stdout.write(z.read(z.namelist()[0]).decode())";
  return execFileSync("python3", ["-c", `import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); ${code}`, join(out, zip)], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
}

/**
 * cfn-lint (AWS's CloudFormation linter) on a packaged template: its errors, by rule, message and place
 * (warnings are advice: osls's own DependsOn, conditions that packaged parameters make constant).
 * A machine without it (a clean CI machine: it is a pip package) skips, and the run says so (test/support/cfn-lint.ts).
 */
const CFN_LINT = hasCfnLint();
async function lintErrors(dir: string): Promise<string[]> {
  const file = join(dir, "cloudformation-template-update-stack.json");
  const lint = await run("cfn-lint", ["--regions", "ap-northeast-2", "--format", "json", file], process.env, 120_000);
  let matches: { Level: string; Rule: { Id: string }; Message: string; Location: { Path: (string | number)[] | null } }[];
  try {
    matches = JSON.parse(lint.stdout);
  } catch {
    throw new Error(`cfn-lint did not answer in JSON (${lint.status}): ${lint.stderr}`);
  }
  return matches.filter((m) => m.Level === "Error").map((m) => `${m.Rule.Id} ${m.Message} at ${(m.Location.Path ?? []).join("/")}`);
}

const fnResource = (fn: Fn) => resources[`${logicalId(fn)}LambdaFunction`];
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** A condition of a packaged template: osls resolves the parameters, so each compares literals. */
function isTrue(conditions: Record<string, Json>, name: string): boolean {
  const value = (c: Json): boolean => {
    if (c.Condition) return value(conditions[c.Condition]);
    if (c["Fn::Equals"]) return c["Fn::Equals"][0] === c["Fn::Equals"][1];
    if (c["Fn::Not"]) return !value(c["Fn::Not"][0]);
    if (c["Fn::Or"]) return c["Fn::Or"].some(value);
    if (c["Fn::And"]) return c["Fn::And"].every(value);
    throw new Error(`condition ${JSON.stringify(c)}`);
  };
  return value(conditions[name]);
}

/** Every IAM statement of a role (inline policies, both branches of a conditional one), by role logical id. */
function statements(roleId: string): Statement[] {
  const role = resources[roleId];
  expect(role?.Type, roleId).toBe("AWS::IAM::Role");
  const policies = (role.Properties.Policies ?? [])
    .flatMap((p: Json) => (p["Fn::If"] ? p["Fn::If"].slice(1) : [p]))
    .filter((p: Json) => p.PolicyDocument);
  return policies.flatMap((p: Json) => p.PolicyDocument.Statement as Statement[]);
}
const roleOf = (fn: Fn): string => fnResource(fn).Properties.Role["Fn::GetAtt"][0];
const allowed = (roleId: string, action: string) =>
  statements(roleId).filter((s) => s.Effect === "Allow" && asList(s.Action).includes(action));
const resourcesFor = (roleId: string, action: string) => allowed(roleId, action).flatMap((s) => asList(s.Resource));

describe("osls package", () => {
  it("packages each function alone, as one self-contained ESM bundle with its source map", () => {
    // the map's name is the only difference: the bundle links the map beside it
    const unlinked = (code: string) => code.replace(/\n\/\/# sourceMappingURL=[\w.-]+\.map\n?$/, "");
    for (const fn of FUNCTIONS) {
      expect(unzip(`${fn}.zip`, "list").trim().split("\n"), fn).toEqual([`functions/${fn}/handler.mjs`, `functions/${fn}/handler.mjs.map`]);
      // one set of esbuild options (scripts/esbuild.config.cjs): what ships is what the tests ran
      const shipped = unzip(`${fn}.zip`, "read");
      expect(shipped.endsWith("\n//# sourceMappingURL=handler.mjs.map\n"), fn).toBe(true);
      expect(
        unlinked(shipped) === unlinked(readFileSync(`dist/${fn}/index.mjs`, "utf8")),
        `${fn}.zip differs from dist/${fn}/index.mjs`,
      ).toBe(true);
    }
    // and Lambda maps stack traces with them
    expect(template.Resources.ListDashimagesLambdaFunction.Properties.Environment.Variables.NODE_OPTIONS).toBe("--enable-source-maps");
    // the shared esbuild plugins apply here too: Bolt's Express receiver is not in the slack zip
    const slack = unzip("slack.zip", "read");
    expect(slack.length).toBeLessThan(1 << 20);
    expect(slack.includes("express.static")).toBe(false);
  });

  it("runs every function on nodejs22.x or newer, arm64, with a promise handler", () => {
    expect(ofType("AWS::Lambda::Function")).toHaveLength(FUNCTIONS.length);
    for (const fn of FUNCTIONS) {
      const p = fnResource(fn).Properties;
      expect(Number(/^nodejs(\d+)\.x$/.exec(p.Runtime)?.[1]), fn).toBeGreaterThanOrEqual(22);
      expect(p.Handler).toBe(`functions/${fn}/handler.handler`);
      expect(p.Architectures).toEqual(["arm64"]);
    }
  });

  it("gives every function a URL: AWS_IAM, except slack (NONE, Slack signs its requests)", () => {
    const urls = ofType("AWS::Lambda::Url");
    // track-image has none: only the state machine calls it (its notify would let a caller post anywhere)
    expect(urls).toHaveLength(FUNCTIONS.length - 1);
    expect(resources.TrackDashimageLambdaFunctionUrl).toBeUndefined();
    for (const fn of FUNCTIONS.filter((f) => f !== "track-image")) {
      const url = resources[`${logicalId(fn)}LambdaFunctionUrl`];
      expect(url.Properties.TargetFunctionArn).toEqual({ "Fn::GetAtt": [`${logicalId(fn)}LambdaFunction`, "Arn"] });
      expect(url.Properties.AuthType, fn).toBe(fn === "slack" ? "NONE" : "AWS_IAM");
    }
    // a public URL needs a public invoke permission: only slack has one
    const publicUrlPermissions = ofType("AWS::Lambda::Permission").filter(([, r]) => r.Properties.FunctionUrlAuthType === "NONE");
    expect(publicUrlPermissions.map(([, r]) => r.Properties.FunctionName)).toEqual([{ "Fn::GetAtt": ["SlackLambdaFunction", "Arn"] }]);
  });

  it("points every function at what it reads: secrets, state machine, the functions Slack calls", () => {
    const env = (fn: Fn) => fnResource(fn).Properties.Environment.Variables as Record<string, Json>;
    for (const fn of FUNCTIONS) {
      if (fn !== "slack" && fn !== "describe-operation") expect(env(fn).CREDENTIALS_SECRET_ID, fn).toEqual({ Ref: "CredentialsSecret" });
    }
    for (const fn of ["create-image", "delete-image", "track-image", "describe-operation", "run-policy", "audit-images", "slack"] as const)
      expect(env(fn).OPERATIONS_TABLE, fn).toEqual({ Ref: "OperationsTable" });
    // issue #23: the one workspace served, and the channels a function-URL caller may name (both empty by default: none)
    expect(env("slack").SLACK_TEAM_ID).toBe("");
    for (const fn of ["create-image", "delete-image"] as const) expect(env(fn).NOTIFY_CHANNELS, fn).toBe("");
    // the weekly digest's week is the schedule's: the same time zone parameter
    expect(env("audit-images").AUDIT_TIMEZONE).toBe("Asia/Seoul");
    expect(ofType("AWS::Scheduler::Schedule").find(([id]) => id === "AuditSchedule")![1].Properties.ScheduleExpressionTimezone).toBe(
      env("audit-images").AUDIT_TIMEZONE,
    );
    for (const fn of ["track-image", "audit-images", "run-policy", "slack"] as const)
      expect(env(fn).SLACK_SECRET_ID, fn).toEqual({ Ref: "SlackSecret" });
    for (const fn of ["create-image", "delete-image", "run-policy"] as const)
      expect(env(fn).TRACK_STATE_MACHINE_ARN, fn).toEqual({ Ref: "TrackImageStateMachine" });
    const name = (fn: Fn) => fnResource(fn).Properties.FunctionName;
    // the names the slack handler (its own) and functions/slack/jobs.ts (FUNCTION_ENV) read, each the
    // real name of its function: generated from infra/functions.cjs, which must agree with the code
    const names = (e: Record<string, Json>) => Object.fromEntries(Object.entries(e).filter(([k]) => /_FUNCTION(_NAME)?$/.test(k)));
    expect(names(env("slack"))).toEqual({
      SLACK_FUNCTION_NAME: name("slack"),
      ...Object.fromEntries(Object.entries(FUNCTION_ENV).map(([fn, v]) => [v, name(fn as Fn)])),
    });
    expect(Object.keys(FUNCTION_ENV).sort()).toEqual(FUNCTIONS.filter((f) => f !== "slack" && f !== "track-image").sort());
    // run-policy continues a run by invoking itself, by the name it is given; no other function is given names
    expect(names(env("run-policy"))).toEqual({ RUN_POLICY_FUNCTION: name("run-policy") });
    for (const fn of FUNCTIONS.filter((f) => f !== "slack" && f !== "run-policy")) expect(names(env(fn)), fn).toEqual({});
    // the job runs in the slack function and waits for a whole audit
    expect(fnResource("slack").Properties.Timeout).toBeGreaterThanOrEqual(fnResource("audit-images").Properties.Timeout);
  });

  it("defines the tracking state machine: STANDARD, bounded, a loop over track-image only, with failure states", () => {
    const machines = ofType("AWS::StepFunctions::StateMachine");
    expect(machines).toHaveLength(1);
    const p = machines[0]![1].Properties;
    expect(p.StateMachineType).toBe("STANDARD");
    const def = p.Definition;
    expect(def.TimeoutSeconds).toBeGreaterThan(15 * 60);
    expect(def.TimeoutSeconds).toBeLessThanOrEqual(24 * 3600);
    const states = def.States as Record<string, Json>;
    // the loop's step and the stop it records when the step keeps failing: both track-image, both caught
    const tasks = Object.values(states).filter((s) => s.Type === "Task");
    expect(tasks).toHaveLength(2);
    for (const task of tasks) {
      expect(task.Resource).toBe("arn:aws:states:::lambda:invoke");
      expect(task.Arguments.FunctionName).toBe("${TrackImageFunctionArn}");
      expect(task.Catch?.length).toBeGreaterThan(0);
    }
    expect(p.DefinitionSubstitutions).toEqual({ TrackImageFunctionArn: { "Fn::GetAtt": ["TrackDashimageLambdaFunction", "Arn"] } });
    // the loop: Wait → Task → Choice, whose default goes back to Wait
    const choice = Object.values(states).find((s) => s.Type === "Choice");
    expect(states[choice.Default]?.Type).toBe("Wait");
    expect(Object.values(states).filter((s) => s.Type === "Fail").length).toBeGreaterThanOrEqual(1);
    // its role may invoke track-image and no other function
    const roleId = p.RoleArn["Fn::GetAtt"][0];
    expect(resourcesFor(roleId, "lambda:InvokeFunction")).toEqual([{ "Fn::GetAtt": ["TrackDashimageLambdaFunction", "Arn"] }]);
    // ERROR-level logs without execution data; X-Ray as the deploy parameter says (default off)
    expect(p.LoggingConfiguration).toMatchObject({
      Level: "ERROR",
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { "Fn::GetAtt": ["TrackImageStateMachineLogs", "Arn"] } } }],
    });
    expect(p.TracingConfiguration).toEqual({ Enabled: { "Fn::If": ["Tracing", true, false] } });
    expect(template.Conditions.Tracing).toEqual({ "Fn::Equals": ["false", "true"] });
  });

  it("waits a whole number of seconds in every Wait state", () => {
    const waits = Object.values(resources.TrackImageStateMachine.Properties.Definition.States as Record<string, Json>).filter(
      (s) => s.Type === "Wait",
    );
    expect(waits.length).toBeGreaterThan(0);
    for (const w of waits) expect(w.Seconds).toMatch(/^\{% \$round\(/);
  });

  it("schedules audit-images with EventBridge Scheduler in a time zone, with an input that says so, DISABLED while no audit channel is set", () => {
    const p = resources.AuditSchedule.Properties;
    // a fresh deploy (auditChannel "") has nowhere to post: the schedule stays off (with a channel: the alarm-topic test below)
    expect(p.State).toEqual({ "Fn::If": ["AuditChannelSet", "ENABLED", "DISABLED"] });
    expect(isTrue(template.Conditions, "AuditChannelSet")).toBe(false);
    expect(p.ScheduleExpression).toBe("cron(0 9 * * ? *)");
    expect(p.ScheduleExpressionTimezone).toBe("Asia/Seoul");
    expect(p.Target.Arn).toEqual({ "Fn::GetAtt": ["AuditDashimagesLambdaFunction", "Arn"] });
    expect(JSON.parse(p.Target.Input)).toEqual({ scheduled: true });
    expect(p.Target.DeadLetterConfig).toEqual({ Arn: { "Fn::GetAtt": ["FailedJobsQueue", "Arn"] } });
    const role = p.Target.RoleArn["Fn::GetAtt"][0];
    expect(resources[role].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: "scheduler.amazonaws.com" });
    expect(resourcesFor(role, "lambda:InvokeFunction")).toEqual([{ "Fn::GetAtt": ["AuditDashimagesLambdaFunction", "Arn"] }]);
    // no EventBridge rule schedules anything any more (rate(1 day) ran at the deploy's time of day)
    expect(ofType("AWS::Events::Rule").filter(([, r]) => r.Properties.ScheduleExpression)).toEqual([]);
  });
});

describe("policies: one schedule each, invoking run-policy with the scheduled time", () => {
  const policies = loadPoliciesFile("policies.yaml");
  /** an example: it names the local stack's demo account or Slack channel (dev/sim) */
  const DEMO_ACCOUNT = demoAccount("ncp", "http://127.0.0.1").name;
  const isExample = (p: Policy) => p.account === DEMO_ACCOUNT || p.channel === LOCAL_SLACK.channel;
  const scheduleOf = (name: string) =>
    ofType("AWS::Scheduler::Schedule").find(([, r]) => r.Properties.Name === `imageops-ci-policy-${name}`)?.[1].Properties;

  it("makes a schedule of every policy of policies.yaml, in its time zone, its input carrying <aws.scheduler.scheduled-time>", () => {
    expect(policies.length).toBeGreaterThan(0);
    expect(ofType("AWS::Scheduler::Schedule")).toHaveLength(1 + policies.length);
    for (const policy of policies) {
      const p = scheduleOf(policy.name);
      expect(p, policy.name).toMatchObject({
        ScheduleExpression: policy.schedule,
        ScheduleExpressionTimezone: policy.timezone,
        FlexibleTimeWindow: { Mode: "OFF" },
        State: policy.enabled && !isExample(policy) ? "ENABLED" : "DISABLED",
      });
      expect(p.Target.Arn).toEqual({ "Fn::GetAtt": ["RunDashpolicyLambdaFunction", "Arn"] });
      expect(JSON.parse(p.Target.Input)).toEqual({
        action: "run",
        policy: policy.name,
        scheduledAt: "<aws.scheduler.scheduled-time>",
        trigger: "schedule",
      });
      expect(p.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 });
      expect(p.Target.DeadLetterConfig).toEqual({ Arn: { "Fn::GetAtt": ["FailedJobsQueue", "Arn"] } });
      expect(p.Target.RoleArn).toEqual({ "Fn::GetAtt": ["PolicySchedulerRole", "Arn"] });
    }
    // the schedules' role: assumed by Scheduler for this account only, may invoke run-policy and send to the dead-letter queue, nothing else
    const role = resources.PolicySchedulerRole.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } } },
      },
    ]);
    expect(statements("PolicySchedulerRole").map((s) => [s.Action, s.Resource])).toEqual([
      ["lambda:InvokeFunction", { "Fn::GetAtt": ["RunDashpolicyLambdaFunction", "Arn"] }],
      ["sqs:SendMessage", { "Fn::GetAtt": ["FailedJobsQueue", "Arn"] }],
    ]);
  });

  it("ships an example policy (the local demo account or channel) DISABLED in every stage but the local stack's, and says so", () => {
    const { policySchedules } = require("../../infra/policies.cjs") as {
      policySchedules(p: Policy[], o: { service: string; stage: string }): { Resources: Record<string, Json>; examples: string[] };
    };
    // policies.yaml's own policy is the example: in the package (stage ci) its schedule is off, and the package says so
    const example = policies.find(isExample)!;
    expect(example, "policies.yaml holds the example").toBeDefined();
    expect(example.enabled).toBe(true);
    expect(scheduleOf(example.name).State).toBe("DISABLED");
    expect(packageOutput).toContain(`policy ${example.name} of policies.yaml`);
    expect(packageOutput).toMatch(/packaged DISABLED for stage ci/);
    // and run-policy is told: its list shows the example disabled, and it refuses to run it (e2e: policies.test.ts)
    expect(template.Resources.RunDashpolicyLambdaFunction.Properties.Environment.Variables.POLICIES_DISABLED).toBe(example.name);
    // by account or by channel alone; a policy of your own runs; the local stack runs the example
    const own: Policy = { ...example, name: "own", account: "prod", channel: "C0PROD0001" };
    const byChannel: Policy = { ...own, name: "by-channel", channel: LOCAL_SLACK.channel };
    const byAccount: Policy = { ...own, name: "by-account", account: DEMO_ACCOUNT };
    const states = (stage: string) => {
      const { Resources, examples } = policySchedules([own, byChannel, byAccount], { service: "imageops", stage });
      const state = Object.fromEntries(
        Object.values(Resources)
          .filter((r) => r.Type === "AWS::Scheduler::Schedule")
          .map((r) => [r.Properties.Name.replace(`imageops-${stage}-policy-`, ""), r.Properties.State]),
      );
      return { state, examples };
    };
    expect(states("prod")).toEqual({
      state: { own: "ENABLED", "by-channel": "DISABLED", "by-account": "DISABLED" },
      examples: ["by-channel", "by-account"],
    });
    expect(states("local")).toEqual({ state: { own: "ENABLED", "by-channel": "ENABLED", "by-account": "ENABLED" }, examples: [] });
  });

  it(`has room for ${MAX_POLICIES} policies (the schema's cap) within CloudFormation's 500 resources a stack`, () => {
    const { policyResources } = require("../../infra/policies.cjs") as {
      policyResources(p: Policy[], o: { service: string; stage: string }): Record<string, unknown>;
    };
    const count = (p: Policy[]) => Object.keys(policyResources(p, { service: "imageops", stage: "ci" })).length;
    // every resource the stack declares (those of a condition, e.g. the VPC's, count too), less policies.yaml's
    const own = Object.keys(resources).length - count(policies);
    const most = Array.from({ length: MAX_POLICIES }, (_, i) => ({ ...policies[0]!, name: `policy-${i}` }));
    expect(own + count(most)).toBeLessThanOrEqual(500);
  });

  it("packages another policies file's schedules (IMAGEOPS_POLICIES_FILE), a disabled one DISABLED, and puts the same policies in the run-policy zip", async () => {
    const { dir, run } = await packageRun([], { IMAGEOPS_POLICIES_FILE: "test/fixtures/policies.yaml" });
    expect(run.status, run.stderr).toBe(0);
    const t = JSON.parse(readFileSync(join(dir, "cloudformation-template-update-stack.json"), "utf8"));
    const names = Object.values(t.Resources as Record<string, Json>)
      .filter((r) => r.Type === "AWS::Scheduler::Schedule")
      .map((r) => [r.Properties.Name, r.Properties.State]);
    expect(names.sort()).toEqual([
      ["imageops-ci-audit", { "Fn::If": ["AuditChannelSet", "ENABLED", "DISABLED"] }],
      ["imageops-ci-policy-e2e-keep-two", "ENABLED"],
      ["imageops-ci-policy-e2e-other", "ENABLED"],
      ["imageops-ci-policy-e2e-scp-days", "ENABLED"],
      ["imageops-ci-policy-e2e-two-servers", "DISABLED"],
    ]);
    const zip = execFileSync(
      "python3",
      [
        "-c",
        "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.write(z.read(z.namelist()[0]).decode())",
        join(dir, "run-policy.zip"),
      ],
      { encoding: "utf8", maxBuffer: 64 << 20 },
    );
    expect(zip).toContain("e2e-scp-days");
  }, 200_000);

  it("fails `npm run package` on a bad policy, naming the policy and the field", async () => {
    const bad = join(mkdtempSync(join(tmpdir(), "imageops-bad-policy-")), "policies.yaml");
    outs.push(dirname(bad));
    writeFileSync(
      bad,
      "policies:\n  - name: nightly-web\n    provider: ncp\n    servers: ['1']\n    schedule: cron(0 3 * * * *)\n    image: '{server}-{yyyyMMdd}'\n    retention: { keep: 2 }\n    channel: C0123\n",
    );
    const { run } = await packageRun([], { IMAGEOPS_POLICIES_FILE: bad });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}\n${run.stderr}`).toMatch(
      /policy "nightly-web" \(policies\[0\]\) field schedule: cron\(0 3 \* \* \* \*\): exactly one of day-of-month and day-of-week must be "\?"/,
    );
  }, 200_000);
});

describe("least privilege", () => {
  const roles = () => ofType("AWS::IAM::Role").map(([id]) => id);
  /** The only wildcards a resource may hold: log streams of the function's own log group, executions of our state machine. */
  const NARROW_WILDCARD =
    /^arn:\$\{AWS::Partition\}:(logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\/aws\/lambda\/imageops-ci-[a-z-]+|states:\$\{AWS::Region\}:\$\{AWS::AccountId\}:execution:imageops-ci-track-image):\*$/;

  /** Actions AWS documents as taking no resource-level permission (Resource "*"): the state machine's log delivery and X-Ray. */
  const RESOURCE_STAR_ONLY =
    /^(logs:(Create|Get|Update|Delete|List)LogDeliver(y|ies)|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups)|xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets))$/;

  it("has no wildcard action or resource in any statement", () => {
    for (const id of roles()) {
      for (const s of statements(id)) {
        for (const a of asList(s.Action)) expect(a, `${id} action`).not.toContain("*");
        if (asList(s.Action).every((a) => RESOURCE_STAR_ONLY.test(a))) {
          expect(id, "only the state machine's role").toBe("TrackImageStateMachineRole");
          continue;
        }
        for (const r of asList(s.Resource)) {
          expect(r, `${id} resource`).not.toBe("*");
          const text = typeof r === "string" ? r : r["Fn::Sub"];
          if (typeof text === "string" && text.includes("*")) expect(text, `${id} resource`).toMatch(NARROW_WILDCARD);
          else expect(JSON.stringify(r), `${id} resource`).not.toContain("*");
        }
      }
    }
    expect(JSON.stringify(template)).not.toContain("aws:accountId");
  });

  it("lets each function write only its own logs", () => {
    for (const fn of FUNCTIONS) {
      const logs = resourcesFor(roleOf(fn), "logs:PutLogEvents");
      expect(logs, fn).toEqual([
        {
          "Fn::Sub": `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fnResource(fn).Properties.FunctionName}:*`,
        },
      ]);
    }
  });

  it("gives each function its own role, with only the secrets it reads", () => {
    expect(new Set(FUNCTIONS.map(roleOf)).size).toBe(FUNCTIONS.length);
    const reads = (fn: Fn) =>
      resourcesFor(roleOf(fn), "secretsmanager:GetSecretValue")
        .map((r: Json) => r.Ref)
        .sort();
    expect(reads("list-images")).toEqual(["CredentialsSecret"]);
    expect(reads("describe-image")).toEqual(["CredentialsSecret"]);
    expect(reads("create-image")).toEqual(["CredentialsSecret"]);
    expect(reads("track-image")).toEqual(["CredentialsSecret", "SlackSecret"]);
    expect(reads("audit-images")).toEqual(["CredentialsSecret", "SlackSecret"]);
    expect(reads("slack")).toEqual(["SlackSecret"]);
    expect(reads("describe-operation")).toEqual([]);
  });

  it("keeps operation records and the audit's memory in a retained, recoverable on-demand table that each function touches only under the key prefixes it owns", () => {
    const tables = ofType("AWS::DynamoDB::Table");
    expect(tables).toHaveLength(1);
    const [id, table] = tables[0]!;
    expect(id).toBe("OperationsTable");
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    // Each function's items, by the partition-key prefixes it owns (issue #23): every statement on the
    // table is held to them by dynamodb:LeadingKeys, a multivalued key (ForAllValues), matched with
    // wildcards (StringLike): https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html,
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
    const OWNS: Record<Fn, [actions: string[], prefixes: string[]][]> = {
      "list-images": [],
      "describe-image": [],
      // and, read only, the progress target the Slack bot stored for a request (issue #23 item 1)
      "create-image": [
        [
          ["GetItem", "PutItem"],
          ["img-*", "name-*"],
        ],
        [["GetItem"], ["slack#target#*"]],
      ],
      "delete-image": [
        [["GetItem", "PutItem"], ["del-*"]],
        [["GetItem"], ["slack#target#*"]],
      ],
      "share-image": [[["GetItem", "PutItem"], ["shr-*"]]],
      "track-image": [
        [
          ["GetItem", "PutItem"],
          ["img-*", "del-*", "shr-*"],
        ],
        [["GetItem"], ["slack#target#*"]],
      ],
      "run-policy": [
        [["GetItem", "PutItem", "Query"], ["pol-*"]],
        [
          ["GetItem", "PutItem"],
          ["img-*", "name-*", "del-*", "shr-*"],
        ],
      ],
      "describe-operation": [[["GetItem"], ["img-*", "del-*", "shr-*"]]],
      "audit-images": [
        [["DeleteItem", "GetItem", "PutItem", "Query"], ["audit#*"]],
        [["GetItem", "Query"], ["pol-*"]],
        [["GetItem"], ["shr-led-*"]],
      ],
      // the one writer of slack# items: requests already handled (conditional puts), progress targets
      slack: [[["PutItem"], ["slack#seen#*", "slack#target#*"]]],
    };
    const grants = (roleId: string) =>
      statements(roleId)
        .filter((s) => asList(s.Action).some((a) => a.startsWith("dynamodb:")))
        .map((s) => {
          expect(s.Effect, roleId).toBe("Allow");
          expect(asList(s.Resource), roleId).toEqual([{ "Fn::GetAtt": ["OperationsTable", "Arn"] }]);
          // exactly this condition: no statement on the table without it, nothing that widens it
          expect(Object.keys(s.Condition ?? {}), `${roleId} ${asList(s.Action)}`).toEqual(["ForAllValues:StringLike"]);
          expect(Object.keys(s.Condition["ForAllValues:StringLike"]), roleId).toEqual(["dynamodb:LeadingKeys"]);
          const prefixes = asList(s.Condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] as string | string[]);
          return [
            asList(s.Action)
              .map((a) => a.replace(/^dynamodb:/, ""))
              .sort(),
            [...prefixes].sort(),
          ];
        });
    const sorted = (g: Json[]) =>
      g.map(([a, p]: Json) => [[...a].sort(), [...p].sort()]).sort((x: Json, y: Json) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
    for (const fn of FUNCTIONS) expect(sorted(grants(roleOf(fn))), fn).toEqual(sorted(OWNS[fn]));
    // and no other role touches the table
    const fnRoles = FUNCTIONS.map(roleOf);
    for (const id of roles().filter((r) => !fnRoles.includes(r))) expect(grants(id), id).toEqual([]);
    // nobody updates or scans; a Scan would carry no partition key, and ForAllValues is true on an absent key
    const all = roles().flatMap((id) => statements(id).flatMap((s) => asList(s.Action)));
    for (const a of ["dynamodb:UpdateItem", "dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:*"])
      expect(all, a).not.toContain(a);
    // a progress target is written by the Slack bot alone: no function-URL caller's role can forge one
    const writers = roles().filter((id) =>
      grants(id).some(([a, p]: Json) => a.includes("PutItem") && p.some((k: string) => k.startsWith("slack#"))),
    );
    expect(writers).toEqual(["SlackRole"]);
    // only the audit deletes, and only its own items
    expect(roles().filter((id) => statements(id).some((s) => asList(s.Action).includes("dynamodb:DeleteItem")))).toEqual([
      "AuditImagesRole",
    ]);
  });

  it("lets only create-image, delete-image, share-image and run-policy start the state machine and read its executions; only slack and run-policy (itself) invoke functions", () => {
    const starters: readonly Fn[] = ["create-image", "delete-image", "share-image", "run-policy"];
    // DescribeExecution takes an execution ARN, arn:<partition>:states:<region>:<account>:execution:<state machine name>:<execution>
    // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html; AWS's own policy for
    // a state machine's executions: https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html)
    const executions = { "Fn::Sub": "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:imageops-ci-track-image:*" };
    expect(resources.TrackImageStateMachine.Properties.StateMachineName).toBe("imageops-ci-track-image");
    for (const fn of FUNCTIONS) {
      expect(resourcesFor(roleOf(fn), "states:StartExecution"), fn).toEqual(
        starters.includes(fn) ? [{ Ref: "TrackImageStateMachine" }] : [],
      );
      expect(resourcesFor(roleOf(fn), "states:DescribeExecution"), fn).toEqual(starters.includes(fn) ? [executions] : []);
      if (fn !== "slack" && fn !== "run-policy") expect(allowed(roleOf(fn), "lambda:InvokeFunction"), fn).toEqual([]);
    }
    const arn = (fn: string) => `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:imageops-ci-${fn}`;
    const invokes = resourcesFor(roleOf("slack"), "lambda:InvokeFunction").map((r: Json) => r["Fn::Sub"]);
    const names = [
      "slack",
      "list-images",
      "describe-image",
      "create-image",
      "describe-operation",
      "audit-images",
      "delete-image",
      "share-image",
      "run-policy",
    ].map(arn);
    expect(invokes.sort()).toEqual(names.sort());
    expect(resourcesFor(roleOf("run-policy"), "lambda:InvokeFunction")).toEqual([{ "Fn::Sub": arn("run-policy") }]);
  });

  it("lets only Slack (for a confirmed request) invoke delete-image, and nobody but Slack, the schedules and run-policy itself invoke run-policy", () => {
    // a function is named by its name (Fn::Sub) or its logical id (Fn::GetAtt)
    const names = (r: Json, fn: Fn) =>
      JSON.stringify(r).includes(`imageops-ci-${fn}`) || JSON.stringify(r).includes(`"${logicalId(fn)}LambdaFunction"`);
    const invokers = (fn: Fn) =>
      roles()
        .filter((id) => resourcesFor(id, "lambda:InvokeFunction").some((r: Json) => names(r, fn)))
        .sort();
    expect(invokers("delete-image")).toEqual([roleOf("slack")]);
    expect(invokers("share-image")).toEqual([roleOf("slack")]);
    expect(invokers("run-policy")).toEqual(["PolicySchedulerRole", roleOf("run-policy"), roleOf("slack")].sort());
    // both URLs take signed AWS principals only
    for (const fn of ["delete-image", "share-image", "run-policy"] as const)
      expect(resources[`${logicalId(fn)}LambdaFunctionUrl`].Properties.AuthType).toBe("AWS_IAM");
  });
});

describe("egress from a fixed address (iwinv keys are bound to an IP allowlist)", () => {
  it("stays VPC-less by default", () => {
    expect(template.Conditions.InVpc).toEqual({ "Fn::Or": [{ Condition: "CreateVpc" }, { Condition: "GivenVpc" }] });
    expect(template.Conditions.CreateVpc).toEqual({ "Fn::Equals": ["none", "create"] });
    expect(template.Conditions.GivenVpc).toEqual({ "Fn::Equals": ["none", "existing"] });
  });

  it("puts exactly the functions that call the clouds in the VPC, with the ENI policy on their roles", () => {
    for (const fn of FUNCTIONS) {
      const vpc = fnResource(fn).Properties.VpcConfig;
      const managed = resources[roleOf(fn)].Properties.ManagedPolicyArns;
      if (CLOUD_CALLERS.includes(fn)) {
        expect(vpc["Fn::If"][0], fn).toBe("InVpc");
        expect(vpc["Fn::If"][2], fn).toEqual({ Ref: "AWS::NoValue" });
        expect(managed["Fn::If"][1], fn).toEqual([
          { "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" },
        ]);
      } else {
        expect(vpc, fn).toBeUndefined();
        expect(managed, fn).toBeUndefined();
      }
    }
  });

  it("vpcMode=create: private subnets in two AZs behind one NAT gateway, its Elastic IP the EgressIp output", async () => {
    const { dir, template: t } = await packageTemplate("--param=vpcMode=create");
    expect(t.Conditions.CreateVpc).toEqual({ "Fn::Equals": ["create", "create"] });
    const r = t.Resources;
    for (const id of ["Vpc", "NatGateway", "EgressIp", "PrivateSubnetA", "PrivateSubnetB", "LambdaSecurityGroup"])
      expect(r[id]?.Condition, id).toBe("CreateVpc");
    expect(r.NatGateway.Properties).toEqual({
      SubnetId: { Ref: "PublicSubnet" },
      AllocationId: { "Fn::GetAtt": ["EgressIp", "AllocationId"] },
    });
    expect(r.PrivateDefaultRoute.Properties).toMatchObject({ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: { Ref: "NatGateway" } });
    expect(r.PrivateSubnetA.Properties.AvailabilityZone).not.toEqual(r.PrivateSubnetB.Properties.AvailabilityZone);
    expect(t.Outputs.EgressIp).toMatchObject({ Condition: "CreateVpc", Value: { Ref: "EgressIp" } });
    // the address registered on the iwinv key outlives a stack that is deleted or an EIP that is replaced
    expect([r.EgressIp.DeletionPolicy, r.EgressIp.UpdateReplacePolicy]).toEqual(["Retain", "Retain"]);
    const vpc = r.ListDashimagesLambdaFunction.Properties.VpcConfig["Fn::If"][1];
    expect(vpc.SubnetIds["Fn::If"][1]).toEqual([{ Ref: "PrivateSubnetA" }, { Ref: "PrivateSubnetB" }]);
    if (CFN_LINT) expect(await lintErrors(dir)).toEqual([]);
  }, 200_000);

  it("vpcMode=existing: the given subnets and security groups", async () => {
    const { template: t } = await packageTemplate(
      "--param=vpcMode=existing",
      "--param=subnetIds=subnet-0a,subnet-0b",
      "--param=securityGroupIds=sg-0c",
    );
    expect(t.Conditions.GivenVpc).toEqual({ "Fn::Equals": ["existing", "existing"] });
    const vpc = t.Resources.AuditDashimagesLambdaFunction.Properties.VpcConfig["Fn::If"][1];
    expect(vpc.SubnetIds["Fn::If"][2]).toEqual({ "Fn::Split": [",", "subnet-0a,subnet-0b"] });
    expect(vpc.SecurityGroupIds["Fn::If"][2]).toEqual({ "Fn::Split": [",", "sg-0c"] });
  }, 200_000);
});

describe("failures reach an operator", () => {
  // the created topic, under its condition; nothing (AWS::NoValue), never an empty ARN, where that condition is false
  const topic = { "Fn::If": ["CreateAlarmTopic", { Ref: "AlarmTopic" }, { Ref: "AWS::NoValue" }] };

  // Lambda retries a failed asynchronous invocation twice by default; a job that answered and then
  // failed would answer three times (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html)
  it("runs asynchronous jobs once, with an on-failure queue (the scheduled audit; Slack jobs)", () => {
    const configs = Object.fromEntries(
      ofType("AWS::Lambda::EventInvokeConfig").map(([, r]) => [r.Properties.FunctionName.Ref, r.Properties]),
    );
    for (const fn of ["audit-images", "slack", "run-policy"] as const) {
      const c = configs[`${logicalId(fn)}LambdaFunction`];
      expect(c, fn).toBeDefined();
      expect(c.MaximumRetryAttempts, fn).toBe(0);
      expect(c.DestinationConfig.OnFailure.Destination, fn).toEqual({ "Fn::GetAtt": ["FailedJobsQueue", "Arn"] });
      expect(resourcesFor(roleOf(fn), "sqs:SendMessage"), fn).toEqual([{ "Fn::GetAtt": ["FailedJobsQueue", "Arn"] }]);
    }
    // Lambda sends to the destination with the function's own role: those two may, nobody else
    for (const fn of FUNCTIONS.filter((f) => f !== "slack" && f !== "audit-images" && f !== "run-policy"))
      expect(resourcesFor(roleOf(fn), "sqs:SendMessage"), fn).toEqual([]);
  });

  it("sends tracking executions that end FAILED, TIMED_OUT or ABORTED to the alarm topic", () => {
    const rule = resources.TrackingFailedRule.Properties;
    expect(rule.EventPattern).toEqual({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: [{ Ref: "TrackImageStateMachine" }] },
    });
    const transformer = rule.Targets["Fn::If"][1][0].InputTransformer;
    expect(rule.Targets).toEqual({
      "Fn::If": [
        "CreateAlarmTopic",
        [{ Id: "alarm-topic", Arn: { Ref: "AlarmTopic" }, InputTransformer: transformer }],
        { Ref: "AWS::NoValue" },
      ],
    });
    // issue #23 item 4: the alarm is shaped to what an operator needs, never the whole event, whose
    // detail.input is the execution's input (a Slack progress target in notify). A FAILED execution's
    // event as Step Functions sends it (https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html),
    // with the Cause infra/state-machine.asl.json's TrackingFailed gives it
    const event = {
      version: "0",
      id: "315c1398-40ff-a850-213b-158f73e60175",
      "detail-type": "Step Functions Execution Status Change",
      source: "aws.states",
      time: "2026-11-23T01:02:03Z",
      detail: {
        executionArn: "arn:aws:states:ap-northeast-2:123456789012:execution:imageops-ci-track-image:img-ncp-abc-t2",
        stateMachineArn: "arn:aws:states:ap-northeast-2:123456789012:stateMachine:imageops-ci-track-image",
        name: "img-ncp-abc-t2",
        status: "FAILED",
        startDate: 1_700_000_000_000,
        stopDate: 1_700_000_100_000,
        input: JSON.stringify({
          operation: "img-ncp-abc",
          notify: { channel: "C0SECRET01", requester: "U0SECRET01", target: "a".repeat(32) },
        }),
        inputDetails: { included: true },
        output: null,
        outputDetails: null,
        error: "TrackingFailed",
        cause: "create-image operation img-ncp-abc: image 42 on ncp/prod/KR: track-image kept failing: PROVIDER_UNAVAILABLE",
      },
    };
    const paths = transformer.InputPathsMap as Record<string, string>;
    // only fields of the event's detail (and its time), never its input or output, nor the whole event
    for (const path of Object.values(paths)) expect(path).toMatch(/^\$\.(time|detail\.(name|status|error|cause|executionArn))$/);
    expect(transformer.InputTemplate).not.toMatch(/aws\.events\.event/);
    const at = (path: string) =>
      path
        .slice(2)
        .split(".")
        .reduce((o: Json, k) => o?.[k], event);
    const sent = JSON.parse(
      (transformer.InputTemplate as string).replace(/<([\w.-]+)>/g, (_, v: string) =>
        JSON.stringify(String(at(paths[v]!) ?? "")).slice(1, -1),
      ),
    );
    expect(sent).toMatchObject({
      operation: "img-ncp-abc-t2",
      status: "FAILED",
      error: "TrackingFailed",
      cause: event.detail.cause,
      execution: event.detail.executionArn,
    });
    expect(JSON.stringify(sent)).not.toMatch(/SECRET|aaaaaaaa/);
    // the created topic lets only that rule publish
    const statement = resources.AlarmTopicPolicy.Properties.PolicyDocument.Statement[0];
    expect(statement).toMatchObject({
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Condition: { ArnEquals: { "aws:SourceArn": { "Fn::GetAtt": ["TrackingFailedRule", "Arn"] } } },
    });
  });

  it("alarms on every function's errors and throttles, the failed-jobs queue and failed tracking, to one topic (created when not given)", () => {
    expect(template.Conditions.CreateAlarmTopic).toEqual({ "Fn::Equals": ["", ""] });
    expect(resources.AlarmTopic.Condition).toBe("CreateAlarmTopic");
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, r]) => r.Properties);
    const on = (namespace: string, metric: string) => alarms.filter((a) => a.Namespace === namespace && a.MetricName === metric);
    for (const metric of ["Errors", "Throttles"]) {
      expect(
        on("AWS/Lambda", metric)
          .map((a) => a.Dimensions[0].Value.Ref)
          .sort(),
        metric,
      ).toEqual(FUNCTIONS.map((f) => `${logicalId(f)}LambdaFunction`).sort());
    }
    expect(on("AWS/SQS", "ApproximateNumberOfMessagesVisible")[0].Dimensions).toEqual([
      { Name: "QueueName", Value: { "Fn::GetAtt": ["FailedJobsQueue", "QueueName"] } },
    ]);
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut"])
      expect(on("AWS/States", metric)[0].Dimensions[0].Value, metric).toEqual({ Ref: "TrackImageStateMachine" });
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([topic]);
      expect(a).toMatchObject({ Threshold: 0, ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching" });
    }
  });

  it("notifies a given topic instead of creating one; runs the scheduled audit once its channel is set", async () => {
    const ops = "arn:aws:sns:ap-northeast-2:123456789012:ops";
    const { dir, template: t } = await packageTemplate(`--param=alarmTopicArn=${ops}`, "--param=auditChannel=C0AUDIT001");
    expect(isTrue(t.Conditions, "CreateAlarmTopic")).toBe(false);
    expect(t.Resources.AlarmTopic.Condition).toBe("CreateAlarmTopic");
    expect(t.Resources.TrackingFailedRule.Properties.Targets).toEqual([
      { Id: "alarm-topic", Arn: ops, InputTransformer: resources.TrackingFailedRule.Properties.Targets["Fn::If"][1][0].InputTransformer },
    ]);
    for (const [, a] of Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm"))
      expect([a.Properties.AlarmActions, a.Properties.OKActions]).toEqual([[ops], [ops]]);
    // the audit channel turns the schedule on, and the audit posts there
    expect(t.Resources.AuditSchedule.Properties.State).toEqual({ "Fn::If": ["AuditChannelSet", "ENABLED", "DISABLED"] });
    expect(isTrue(t.Conditions, "AuditChannelSet")).toBe(true);
    expect(t.Resources.AuditDashimagesLambdaFunction.Properties.Environment.Variables.AUDIT_CHANNEL).toBe("C0AUDIT001");
    if (CFN_LINT) expect(await lintErrors(dir)).toEqual([]);
  }, 200_000);
});

describe("template hygiene", () => {
  it.skipIf(!CFN_LINT)(
    CFN_LINT ? "passes cfn-lint with no error" : `passes cfn-lint with no error — ${CFN_LINT_SKIPPED}`,
    async () => {
      expect(await lintErrors(out)).toEqual([]);
    },
    120_000,
  );

  it("retains the secrets and the operations table when the stack goes", () => {
    for (const id of ["CredentialsSecret", "SlackSecret", "OperationsTable"]) {
      expect(resources[id].DeletionPolicy, id).toBe("Retain");
      expect(resources[id].UpdateReplacePolicy, id).toBe("Retain");
    }
  });

  it("bounds the public slack function with reserved concurrency", () => {
    expect(fnResource("slack").Properties.ReservedConcurrentExecutions).toBe(10);
  });

  it("says in infra/iam.md that a URL caller needs both lambda:InvokeFunctionUrl and lambda:InvokeFunction", () => {
    const iam = readFileSync("infra/iam.md", "utf8");
    expect(iam).toMatch(/lambda:InvokeFunctionUrl.*and.*lambda:InvokeFunction\b/s);
  });

  it("says in infra/iam.md, with AWS's sources, which resources are `*` and why, and how the table is held to key prefixes", () => {
    const iam = readFileSync("infra/iam.md", "utf8");
    // the state machine's log delivery takes Resource "*" (CloudWatch Logs vended logs)
    expect(iam).toMatch(/logs:CreateLogDelivery[^.]*on `\*`/);
    expect(iam).toContain("https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html");
    expect(iam).toContain("https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html");
    expect(iam).toContain("https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html");
    expect(iam).toContain("https://docs.aws.amazon.com/step-functions/latest/dg/stepfunctions-iam.html");
    for (const prefix of ["img-", "name-", "del-", "pol-", "audit#", "slack#"]) expect(iam, prefix).toContain(`\`${prefix}\``);
    expect(iam).not.toMatch(/no resource is `\*`/);
  });

  it("gives every deploy parameter a default, uses each, and lets a stage's block (its one home) set only those", () => {
    const text = readFileSync("serverless.yml", "utf8");
    const params = parseYaml(text).params as Record<string, Record<string, unknown> | null>;
    const known = Object.keys(params.default ?? {}).sort();
    const generated = ["functions", "operator", "policies"].map((f) => readFileSync(`infra/${f}.cjs`, "utf8")).join("\n");
    const used = [...new Set([...`${text}\n${generated}`.matchAll(/param:(\w+)/g)].map((m) => m[1]!))].sort();
    expect(used).toEqual(known);
    // osls reads params.<stage> on every deploy of that stage; a misspelt name there would be silently unused
    for (const [stage, values] of Object.entries(params))
      for (const k of Object.keys(values ?? {})) expect(known, `params.${stage}.${k}`).toContain(k);
  });

  it("generates every function's role and name variables from one table (infra/functions.cjs), the functions serverless.yml declares", () => {
    expect(Object.keys(table.FUNCTIONS).sort()).toEqual([...FUNCTIONS].sort());
    // serverless.yml declares no function role itself (one log statement, in the table's generator)
    const declared = (parseYaml(readFileSync("serverless.yml", "utf8")).resources as Json[])
      .flatMap((r) => (typeof r.Resources === "object" ? Object.entries(r.Resources as Record<string, Json>) : []))
      .filter(([, r]) => r.Type === "AWS::IAM::Role")
      .map(([id]) => id);
    expect(declared.sort()).toEqual(["AuditSchedulerRole", "TrackImageStateMachineRole"]);
    for (const fn of FUNCTIONS) {
      expect(
        resources[roleOf(fn)].Properties.Policies.map((p: Json) => p.PolicyName),
        fn,
      ).toEqual([fn]);
    }
  });
});
