// The functions of serverless.yml and what each may do, in one table, and the CloudFormation
// generated from it: every function's own IAM role (its own log group, the secrets it reads, the
// operations table by the key prefixes it owns, the tracking state machine, the functions it invokes),
// the names of the functions it invokes as its environment, and the VPC of those that call the clouds.
// serverless.yml declares the functions themselves (handler, timeout, URL, destinations) and loads this:
//   resources: - Resources: ${file(infra/functions.cjs):resources}     (roles; name variables)
//              - extensions: ${file(infra/functions.cjs):extensions}   (VpcConfig)
// A function of serverless.yml without a row here, or a row without a function, fails `osls package`.
// infra/iam.md says why each grant is there; test/e2e/template.test.ts asserts them on the package.
"use strict";

const CREDENTIALS = "CredentialsSecret";
const SLACK = "SlackSecret";

/**
 * Each function: the secrets it reads, its items of the operations table (actions, and the
 * partition-key prefixes they are held to: `img-` a create, `name-` an image name's claim, `del-` a
 * delete, `pol-` a policy's runs and ledger, `audit#` the audit's memory, `slack#` the Slack bot's: requests
 * already handled and progress targets), whether it starts (and reads) tracking executions, and the functions it invokes,
 * each given to it by name in an environment variable (`nameEnv`, else LIST_IMAGES_FUNCTION…).
 * What follows from these: a function that reads the cloud credentials calls the clouds (so it runs
 * in the VPC when one is asked for); one with an on-failure destination (serverless.yml) may send to it.
 */
const FUNCTIONS = {
  "list-images": { secrets: [CREDENTIALS] },
  "describe-image": { secrets: [CREDENTIALS] },
  "create-image": {
    secrets: [CREDENTIALS],
    table: [
      { actions: ["GetItem", "PutItem"], keys: ["img-*", "name-*"] },
      // the progress target the Slack bot stored for the request (shared/tracking/targets.ts), read only
      { actions: ["GetItem"], keys: ["slack#target#*"] },
    ],
    tracks: true,
  },
  "delete-image": {
    secrets: [CREDENTIALS],
    table: [
      { actions: ["GetItem", "PutItem"], keys: ["del-*"] },
      { actions: ["GetItem"], keys: ["slack#target#*"] },
    ],
    tracks: true,
  },
  // `shr-` a share's record
  "share-image": {
    secrets: [CREDENTIALS],
    table: [{ actions: ["GetItem", "PutItem"], keys: ["shr-*"] }],
    tracks: true,
  },
  "track-image": {
    secrets: [CREDENTIALS, SLACK],
    table: [
      { actions: ["GetItem", "PutItem"], keys: ["img-*", "del-*", "shr-*"] },
      // a target's response_url, read when the card cannot go to the channel
      { actions: ["GetItem"], keys: ["slack#target#*"] },
    ],
  },
  // creates and deletes images through the same exactly-once paths, keeps the policy's runs and
  // ledger, and continues a run that waits for its images by invoking itself
  "run-policy": {
    secrets: [CREDENTIALS, SLACK],
    table: [
      { actions: ["GetItem", "PutItem", "Query"], keys: ["pol-*"] },
      { actions: ["GetItem", "PutItem"], keys: ["img-*", "name-*", "del-*", "shr-*"] },
    ],
    tracks: true,
    invokes: ["run-policy"],
  },
  "describe-operation": { table: [{ actions: ["GetItem"], keys: ["img-*", "del-*", "shr-*"] }] },
  "audit-images": {
    secrets: [CREDENTIALS, SLACK],
    table: [
      // its memory: snapshot heads and parts written and old parts deleted, acknowledgements queried
      { actions: ["GetItem", "PutItem", "DeleteItem", "Query"], keys: ["audit#*"] },
      // the policies' ledgers, read only
      { actions: ["GetItem", "Query"], keys: ["pol-*"] },
      // whom imageops shared each image with (shared/images/share-ledger.ts), read only
      { actions: ["GetItem"], keys: ["shr-led-*"] },
    ],
  },
  slack: {
    secrets: [SLACK],
    // requests already handled (conditional puts, shared/slack/dedup.ts) and the progress targets it
    // stores for create-image, delete-image and track-image: the only writer of `slack#` keys
    table: [{ actions: ["PutItem"], keys: ["slack#seen#*", "slack#target#*"] }],
    // itself (the asynchronous job) and every function a command calls
    invokes: [
      "slack",
      "list-images",
      "describe-image",
      "create-image",
      "describe-operation",
      "audit-images",
      "delete-image",
      "share-image",
      "run-policy",
    ],
    // its handler reads its own name from SLACK_FUNCTION_NAME
    nameEnv: "SLACK_FUNCTION_NAME",
  },
};

/** osls's logical id of a function: list-images → ListDashimagesLambdaFunction */
const logicalId = (fn) =>
  `${fn.replace(/(^|-)(\w)/g, (_, dash, c) => `${dash ? "Dash" : ""}${c}`).replace(/^\w/, (c) => c.toUpperCase())}LambdaFunction`;
/** A function's role: list-images → ListImagesRole */
const roleId = (fn) => `${fn.replace(/(^|-)(\w)/g, (_, _dash, c) => c.toUpperCase())}Role`;
/** The variable a function is given another's name in: list-images → LIST_IMAGES_FUNCTION */
const nameEnv = (fn) => FUNCTIONS[fn].nameEnv ?? `${fn.toUpperCase().replace(/-/g, "_")}_FUNCTION`;
const callsClouds = (fn) => (FUNCTIONS[fn].secrets ?? []).includes(CREDENTIALS);

const LAMBDA_TRUST = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
};
// In a VPC, a function manages its network interfaces: AWS's managed policy for exactly that.
const VPC_ACCESS = {
  "Fn::If": [
    "InVpc",
    [{ "Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }],
    { Ref: "AWS::NoValue" },
  ],
};
const arn = (rest) => ({ "Fn::Sub": `arn:\${AWS::Partition}:${rest}` });
/** A statement's Resource: one, or the list of them */
const oneOrList = (list) => (list.length === 1 ? list[0] : list);
const regional = (service, rest) => arn(`${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`);

/** The deployed functions and their settings, checked against the table. */
async function deployed({ resolveConfigurationProperty, resolveVariable }) {
  const functions = (await resolveConfigurationProperty(["functions"])) || {};
  const declared = Object.keys(functions).sort();
  const rows = Object.keys(FUNCTIONS).sort();
  if (declared.join() !== rows.join())
    throw new Error(`infra/functions.cjs: its functions (${rows.join(", ")}) are not serverless.yml's (${declared.join(", ")})`);
  const prefix = `${await resolveVariable("self:service")}-${await resolveVariable("sls:stage")}`;
  const stateMachine = await resolveVariable("self:custom.stateMachineName");
  // osls names a function <service>-<stage>-<function> (no `name:` in serverless.yml)
  return { functions, name: (fn) => `${prefix}-${fn}`, stateMachine };
}

/** One function's role: nothing it does not need. */
function role(fn, { functions, name, stateMachine }) {
  const row = FUNCTIONS[fn];
  const Statement = [
    // its own log group; the trailing ":*" (log streams, named by Lambda at run time) cannot be avoided
    {
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: regional("logs", `log-group:/aws/lambda/${name(fn)}:*`),
    },
  ];
  if (row.secrets?.length)
    Statement.push({
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: oneOrList(row.secrets.map((s) => ({ Ref: s }))),
    });
  if (row.tracks)
    Statement.push(
      { Effect: "Allow", Action: "states:StartExecution", Resource: { Ref: "TrackImageStateMachine" } },
      // whether an operation's tracking run still goes on: executions of this machine only (their ARN names it)
      { Effect: "Allow", Action: "states:DescribeExecution", Resource: regional("states", `execution:${stateMachine}:*`) },
    );
  for (const { actions, keys } of row.table ?? [])
    Statement.push({
      Effect: "Allow",
      Action: actions.map((a) => `dynamodb:${a}`),
      Resource: { "Fn::GetAtt": ["OperationsTable", "Arn"] },
      // only items whose partition key starts with one of its prefixes (dynamodb:LeadingKeys, infra/iam.md)
      Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": keys } },
    });
  if (row.invokes?.length)
    Statement.push({
      Effect: "Allow",
      Action: "lambda:InvokeFunction",
      // by name, not GetAtt: a role that named its own function's ARN would depend on that function
      Resource: oneOrList(row.invokes.map((f) => regional("lambda", `function:${name(f)}`))),
    });
  // Lambda sends a failed asynchronous invocation to the destination with the function's own role
  const onFailure = functions[fn].destinations?.onFailure;
  if (onFailure) Statement.push({ Effect: "Allow", Action: "sqs:SendMessage", Resource: onFailure.arn });
  const Properties = { AssumeRolePolicyDocument: LAMBDA_TRUST };
  if (callsClouds(fn)) Properties.ManagedPolicyArns = VPC_ACCESS;
  Properties.Policies = [{ PolicyName: fn, PolicyDocument: { Version: "2012-10-17", Statement } }];
  return { Type: "AWS::IAM::Role", Properties };
}

/**
 * Every function's role, and the names of the functions it invokes in its environment: merged
 * into the function osls generates (a resource of the same logical id is deep-merged into it:
 * https://www.serverless.com/framework/docs/providers/aws/guide/resources#override-aws-cloudformation-resource;
 * osls lib/plugins/aws/package/lib/merge-custom-provider-resources.js). `extensions` would replace the
 * whole Environment: it is for VpcConfig, which is the function's alone.
 */
async function resources(ctx) {
  const d = await deployed(ctx);
  const Resources = {};
  for (const fn of Object.keys(FUNCTIONS)) {
    Resources[roleId(fn)] = role(fn, d);
    const invokes = FUNCTIONS[fn].invokes ?? [];
    if (invokes.length)
      Resources[logicalId(fn)] = {
        Type: "AWS::Lambda::Function",
        Properties: { Environment: { Variables: Object.fromEntries(invokes.map((f) => [nameEnv(f), d.name(f)])) } },
      };
  }
  return Resources;
}

/** The functions that call the clouds join the VPC when vpcMode is create or existing. */
async function extensions({ resolveVariable }) {
  const subnetIds = await resolveVariable("param:subnetIds");
  const securityGroupIds = await resolveVariable("param:securityGroupIds");
  const VpcConfig = {
    "Fn::If": [
      "InVpc",
      {
        SubnetIds: { "Fn::If": ["CreateVpc", [{ Ref: "PrivateSubnetA" }, { Ref: "PrivateSubnetB" }], { "Fn::Split": [",", subnetIds] }] },
        SecurityGroupIds: { "Fn::If": ["CreateVpc", [{ Ref: "LambdaSecurityGroup" }], { "Fn::Split": [",", securityGroupIds] }] },
      },
      { Ref: "AWS::NoValue" },
    ],
  };
  return Object.fromEntries(
    Object.keys(FUNCTIONS)
      .filter(callsClouds)
      .map((fn) => [logicalId(fn), { Properties: { VpcConfig } }]),
  );
}

module.exports = { FUNCTIONS, logicalId, resources, extensions };
