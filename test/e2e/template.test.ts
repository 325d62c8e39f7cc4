/**
 * The deployment as CloudFormation will see it: `osls package` (offline, no AWS credentials)
 * through scripts/package.sh, then assertions on the generated template and zips: function URLs
 * and their auth, runtime, the tracking state machine, the audit schedule, and least privilege.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
}

const FUNCTIONS = ["list-images", "describe-image", "create-image", "track-image", "audit-images", "slack"] as const;
type Fn = (typeof FUNCTIONS)[number];
/** osls's logical ids: list-images → ListDashimages */
const logicalId = (fn: Fn) => fn.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => `${dash ? "Dash" : ""}${c}`).replace(/^\w/, (c) => c.toUpperCase());

let out: string;
let template: Json;
let resources: Record<string, Json>;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "imageops-sls-"));
  // no AWS credentials of any kind: packaging must not need them
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("AWS_")) delete env[k];
  const run = spawnSync("bash", ["scripts/package.sh", "ci", out], { env, encoding: "utf8", timeout: 180_000 });
  if (run.status !== 0) throw new Error(`osls package failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  template = JSON.parse(readFileSync(join(out, "cloudformation-template-update-stack.json"), "utf8"));
  resources = template.Resources;
}, 200_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

/** A zip's file names, or its only file's text (python3's zipfile: on every machine, unlike unzip). */
function unzip(zip: string, what: "list" | "read"): string {
  const code = what === "list" ? "print('\\n'.join(z.namelist()))" : "sys.stdout.write(z.read(z.namelist()[0]).decode())";
  return execFileSync("python3", ["-c", `import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); ${code}`, join(out, zip)], { encoding: "utf8", maxBuffer: 64 << 20 });
}

const fnResource = (fn: Fn) => resources[`${logicalId(fn)}LambdaFunction`];
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Every IAM statement of a role (inline policies), by role logical id. */
function statements(roleId: string): Statement[] {
  const role = resources[roleId];
  expect(role?.Type, roleId).toBe("AWS::IAM::Role");
  return (role.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement as Statement[]);
}
const roleOf = (fn: Fn): string => fnResource(fn).Properties.Role["Fn::GetAtt"][0];
const allowed = (roleId: string, action: string) => statements(roleId).filter((s) => s.Effect === "Allow" && asList(s.Action).includes(action));
const resourcesFor = (roleId: string, action: string) => allowed(roleId, action).flatMap((s) => asList(s.Resource));

describe("osls package", () => {
  it("packages each function alone, as one self-contained ESM bundle", () => {
    for (const fn of FUNCTIONS) {
      expect(unzip(`${fn}.zip`, "list").trim().split("\n"), fn).toEqual([`functions/${fn}/handler.mjs`]);
      // one set of esbuild options (scripts/esbuild.config.cjs): what ships is what the tests ran
      expect(unzip(`${fn}.zip`, "read") === readFileSync(`dist/${fn}/index.mjs`, "utf8"), `${fn}.zip differs from dist/${fn}/index.mjs`).toBe(true);
    }
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
    expect(urls).toHaveLength(FUNCTIONS.length);
    for (const fn of FUNCTIONS) {
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
      if (fn !== "slack") expect(env(fn).CREDENTIALS_SECRET_ID, fn).toEqual({ Ref: "CredentialsSecret" });
    }
    for (const fn of ["track-image", "audit-images", "slack"] as const) expect(env(fn).SLACK_SECRET_ID, fn).toEqual({ Ref: "SlackSecret" });
    expect(env("create-image").TRACK_STATE_MACHINE_ARN).toEqual({ Ref: "TrackImageStateMachine" });
    const name = (fn: Fn) => fnResource(fn).Properties.FunctionName;
    // the names functions/slack/jobs.ts reads, each the real name of its function
    expect(env("slack")).toMatchObject({
      SLACK_FUNCTION_NAME: name("slack"),
      LIST_IMAGES_FUNCTION: name("list-images"),
      DESCRIBE_IMAGE_FUNCTION: name("describe-image"),
      CREATE_IMAGE_FUNCTION: name("create-image"),
      AUDIT_IMAGES_FUNCTION: name("audit-images"),
    });
    const jobs = readFileSync("functions/slack/jobs.ts", "utf8");
    for (const v of ["LIST_IMAGES_FUNCTION", "DESCRIBE_IMAGE_FUNCTION", "CREATE_IMAGE_FUNCTION", "AUDIT_IMAGES_FUNCTION"]) expect(jobs).toContain(`"${v}"`);
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
    const tasks = Object.values(states).filter((s) => s.Type === "Task");
    expect(tasks).toHaveLength(1);
    expect(tasks[0].Resource).toBe("arn:aws:states:::lambda:invoke");
    expect(tasks[0].Arguments.FunctionName).toBe("${TrackImageFunctionArn}");
    expect(p.DefinitionSubstitutions).toEqual({ TrackImageFunctionArn: { "Fn::GetAtt": ["TrackDashimageLambdaFunction", "Arn"] } });
    expect(tasks[0].Catch?.length).toBeGreaterThan(0);
    // the loop: Wait → Task → Choice, whose default goes back to Wait
    const choice = Object.values(states).find((s) => s.Type === "Choice");
    expect(states[choice.Default]?.Type).toBe("Wait");
    expect(Object.values(states).filter((s) => s.Type === "Fail").length).toBeGreaterThanOrEqual(1);
    // its role may invoke track-image and nothing else
    const roleId = p.RoleArn["Fn::GetAtt"][0];
    const smStatements = statements(roleId);
    expect(smStatements).toHaveLength(1);
    expect(smStatements[0]).toMatchObject({ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: { "Fn::GetAtt": ["TrackDashimageLambdaFunction", "Arn"] } });
  });

  it("runs the Slack jobs once: no retries of slack's asynchronous invocations, failures (and a scheduled audit's) kept in SQS", () => {
    // Lambda retries a failed asynchronous invocation twice by default; a job that answered
    // and then failed would answer three times (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html)
    const configs = Object.fromEntries(ofType("AWS::Lambda::EventInvokeConfig").map(([, r]) => [r.Properties.FunctionName.Ref, r.Properties]));
    const queue = { "Fn::GetAtt": ["AsyncFailuresQueue", "Arn"] };
    expect(resources.AsyncFailuresQueue.Type).toBe("AWS::SQS::Queue");
    expect(configs.SlackLambdaFunction).toMatchObject({ MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: queue } } });
    expect(configs.AuditDashimagesLambdaFunction).toMatchObject({ DestinationConfig: { OnFailure: { Destination: queue } } });
    // Lambda sends to the destination with the function's own role: those two may, nobody else
    for (const fn of FUNCTIONS) expect(resourcesFor(roleOf(fn), "sqs:SendMessage"), fn).toEqual(fn === "slack" || fn === "audit-images" ? [queue] : []);
  });

  it("schedules audit-images with an input that says so", () => {
    const rules = ofType("AWS::Events::Rule");
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties;
    expect(rule.State).toBe("ENABLED");
    expect(rule.ScheduleExpression).toMatch(/^(rate|cron)\(/);
    expect(rule.Targets).toHaveLength(1);
    expect(rule.Targets[0].Arn).toEqual({ "Fn::GetAtt": ["AuditDashimagesLambdaFunction", "Arn"] });
    expect(JSON.parse(rule.Targets[0].Input)).toEqual({ scheduled: true });
  });
});

describe("least privilege", () => {
  const roles = () => ofType("AWS::IAM::Role").map(([id]) => id);
  /** The only wildcards a resource may hold: log streams of the function's own log group, executions of our state machine. */
  const NARROW_WILDCARD = /^arn:\$\{AWS::Partition\}:(logs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:log-group:\/aws\/lambda\/imageops-ci-[a-z-]+|states:\$\{AWS::Region\}:\$\{AWS::AccountId\}:execution:imageops-ci-track-image):\*$/;

  it("has no wildcard action or resource in any statement", () => {
    for (const id of roles()) {
      for (const s of statements(id)) {
        for (const a of asList(s.Action)) expect(a, `${id} action`).not.toContain("*");
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
      expect(logs, fn).toEqual([{ "Fn::Sub": `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fnResource(fn).Properties.FunctionName}:*` }]);
    }
  });

  it("gives each function its own role, with only the secrets it reads", () => {
    expect(new Set(FUNCTIONS.map(roleOf)).size).toBe(FUNCTIONS.length);
    const reads = (fn: Fn) => resourcesFor(roleOf(fn), "secretsmanager:GetSecretValue").map((r: Json) => r.Ref).sort();
    expect(reads("list-images")).toEqual(["CredentialsSecret"]);
    expect(reads("describe-image")).toEqual(["CredentialsSecret"]);
    expect(reads("create-image")).toEqual(["CredentialsSecret"]);
    expect(reads("track-image")).toEqual(["CredentialsSecret", "SlackSecret"]);
    expect(reads("audit-images")).toEqual(["CredentialsSecret", "SlackSecret"]);
    expect(reads("slack")).toEqual(["SlackSecret"]);
  });

  it("lets only create-image start the state machine, and only slack invoke functions", () => {
    for (const fn of FUNCTIONS) {
      expect(resourcesFor(roleOf(fn), "states:StartExecution"), fn).toEqual(fn === "create-image" ? [{ Ref: "TrackImageStateMachine" }] : []);
      if (fn !== "slack") expect(allowed(roleOf(fn), "lambda:InvokeFunction"), fn).toEqual([]);
    }
    const invokes = resourcesFor(roleOf("slack"), "lambda:InvokeFunction").map((r: Json) => r["Fn::Sub"]);
    const names = ["slack", "list-images", "describe-image", "create-image", "audit-images"].map((fn) => `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:imageops-ci-${fn}`);
    expect(invokes.sort()).toEqual(names.sort());
  });
});
