/**
 * The whole product on 127.0.0.1 with no cloud account: every cloud's simulator, a local
 * Secrets Manager with demo credentials, a local Step Functions that runs tracking in-process,
 * a local Slack Web API, and the built function bundles served as function URLs at
 * http://127.0.0.1:PORT/<function-name>. Used by `npm start` and by the end-to-end tests.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { parse as parseYaml } from "yaml";
import { CREDENTIALS_SECRET_ID, SLACK_SECRET_ID, startClouds } from "./sim/clouds.js";
import { LOCAL_SLACK } from "./sim/demo.js";
import { demoServers, type Simulators } from "./sim/registry.js";
import type { SecretsManagerSim } from "./sim/secrets-manager.js";
import { SlackApiSim } from "./sim/slack-api.js";
import { StepFunctionsSim } from "./sim/step-functions.js";
import { LambdaSim } from "./sim/lambda.js";
import { DynamoSim } from "./sim/dynamodb.js";
import { type ScheduleResource, SchedulerSim } from "./sim/scheduler.js";
import { consoleRoute } from "./console-routes.js";
import type { ProviderName } from "../shared/model/image.js";
import { didYouMean } from "../shared/model/nearest.js";

export const FUNCTIONS = [
  "list-images",
  "describe-image",
  "create-image",
  "delete-image",
  "share-image",
  "describe-operation",
  "track-image",
  "audit-images",
  "run-policy",
  "slack",
] as const;
export type FunctionName = (typeof FUNCTIONS)[number];
/** The functions with a URL, as deployed (serverless.yml: track-image has none, only the state machine calls it). */
const URL_FUNCTIONS: readonly FunctionName[] = FUNCTIONS.filter((f) => f !== "track-image");
type Handler = (event: unknown, context?: Context) => Promise<unknown>;

export { LOCAL_SLACK };

export interface LocalStackOptions {
  port?: number;
  /** simulated image creation time */
  createDelayMs?: number;
  /** scale for tracking waits (0.1 = ten times faster than Step Functions would wait) */
  waitScale?: number;
  /** clouds to put in the credentials secret (default: all three) */
  providers?: ProviderName[];
  /** extra fields for the demo accounts, e.g. {scp: {apiVersion: "1.1"}} */
  accountFields?: Partial<Record<ProviderName, Record<string, unknown>>>;
  env?: Record<string, string>;
  /** told of every function call through the gateway, once answered (npm start prints one line each) */
  onRequest?: (call: { method: string; path: string; status: number; ms: number }) => void;
  /** the policies file the local scheduler delivers (default: IMAGEOPS_POLICIES_FILE, else policies.yaml) */
  policiesFile?: string;
  /** a function's bundle from another directory than dist/<name> (a test's run-policy built with its own policies) */
  bundles?: Partial<Record<FunctionName, string>>;
  /** deliver the policies' schedules at their times (default: under `npm start` only; tests deliver by hand) */
  runSchedules?: boolean;
}

/** The stack's parts; each cloud's simulator under its name (`stack.ncp`), all of them under `simulators`. */
export interface LocalStack extends Simulators {
  url: string;
  simulators: Simulators;
  secrets: SecretsManagerSim;
  slackApi: SlackApiSim;
  stepFunctions: StepFunctionsSim;
  lambda: LambdaSim;
  dynamo: DynamoSim;
  scheduler: SchedulerSim;
  handlers: Record<FunctionName, Handler>;
  invoke(name: FunctionName, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL("..", import.meta.url));

/** Each function's Lambda timeout and async retries as deployed (serverless.yml), so local ones are AWS's. */
const DEPLOYED = parseYaml(readFileSync(join(root, "serverless.yml"), "utf8")) as {
  provider: { timeout: number };
  functions: Record<string, { timeout?: number; maximumRetryAttempts?: number }>;
};
const TIMEOUT_MS: Record<string, number> = Object.fromEntries(
  FUNCTIONS.map((f) => [f, (DEPLOYED.functions[f]?.timeout ?? DEPLOYED.provider.timeout) * 1000]),
);
/** Lambda retries a failed asynchronous invocation twice unless the function says otherwise. */
const asyncConfig = (name: string) => ({ maximumRetryAttempts: DEPLOYED.functions[name]?.maximumRetryAttempts ?? 2 });

/** A Lambda context with the remaining time of a function configured for `timeoutMs` (default: as deployed). */
export function lambdaContext(name: string, timeoutMs = TIMEOUT_MS[name] ?? 30_000): Context {
  const started = Date.now();
  return {
    functionName: `imageops-local-${name}`,
    awsRequestId: `local-${Math.random().toString(16).slice(2)}`,
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
  } as unknown as Context;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  // Every bundle carries its own AWS SDK, as do the local AWS endpoints, and each would print the
  // SDK's NodeVersionSupportWarning once on Node < 22 (@aws-sdk/core
  // emitWarningIfUnsupportedVersion.js honours this switch): npm start says it once, in its banner.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const clouds = await startClouds({
    createDelayMs: options.createDelayMs ?? 8_000,
    providers: options.providers,
    accountFields: options.accountFields,
    secrets: { [SLACK_SECRET_ID]: { signingSecret: LOCAL_SLACK.signingSecret, botToken: LOCAL_SLACK.botToken } },
  });
  const { simulators, secrets } = clouds;
  const slackApi = new SlackApiSim(LOCAL_SLACK.botToken);
  await slackApi.start();

  const handlers = {} as Record<FunctionName, Handler>;
  const invoke = async (name: FunctionName, event: unknown) => handlers[name](event, lambdaContext(name));
  // the deployed state machine definition, its Task invoking the track-image bundle in-process
  const stepFunctions = new StepFunctionsSim(() => (payload) => invoke("track-image", payload), { waitScale: options.waitScale ?? 0.1 });
  // Lambda-to-Lambda calls (the Slack bot's dispatch) run in-process through the real SDK.
  const lambda = new LambdaSim(
    (name) =>
      (FUNCTIONS as readonly string[]).includes(name)
        ? { handler: (e, c) => handlers[name as FunctionName](e, c), context: () => lambdaContext(name) }
        : undefined,
    asyncConfig,
  );
  const dynamo = new DynamoSim();
  await Promise.all([stepFunctions.start(), lambda.start(), dynamo.start()]);

  Object.assign(process.env, {
    ...clouds.env,
    AWS_ENDPOINT_URL_SFN: stepFunctions.url,
    AWS_ENDPOINT_URL_LAMBDA: lambda.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    OPERATIONS_TABLE: dynamo.tableName,
    SLACK_FUNCTION_NAME: "slack",
    LIST_IMAGES_FUNCTION: "list-images",
    DESCRIBE_IMAGE_FUNCTION: "describe-image",
    CREATE_IMAGE_FUNCTION: "create-image",
    DESCRIBE_OPERATION_FUNCTION: "describe-operation",
    AUDIT_IMAGES_FUNCTION: "audit-images",
    DELETE_IMAGE_FUNCTION: "delete-image",
    SHARE_IMAGE_FUNCTION: "share-image",
    RUN_POLICY_FUNCTION: "run-policy",
    SLACK_SECRET_ID,
    SLACK_API_URL: slackApi.apiUrl,
    TRACK_STATE_MACHINE_ARN: StepFunctionsSim.STATE_MACHINE_ARN,
    IMAGE_CREATORS: LOCAL_SLACK.user,
    // the one workspace served (unset serves none): the local Slack's, which npm run slack and the console sign as
    SLACK_TEAM_ID: LOCAL_SLACK.teamId,
    AUDIT_CHANNEL: LOCAL_SLACK.channel,
    ...options.env,
  });

  // The built bundles, as Lambda would load them (`npm run build` first).
  for (const name of FUNCTIONS) {
    const mod = (await import(pathToFileURL(join(options.bundles?.[name] ?? join(root, "dist", name), "index.mjs")).href)) as {
      handler: Handler;
    };
    handlers[name] = mod.handler;
  }

  // the policies' schedules as infra/policies.cjs deploys them, delivered to run-policy as Scheduler would
  const policies = createRequire(import.meta.url)("../infra/policies.cjs") as {
    loadPolicies(file?: string): unknown[];
    policyResources(p: unknown[], o: { service: string; stage: string }): Record<string, ScheduleResource>;
    policiesFile(): string;
  };
  const schedules = Object.fromEntries(
    Object.entries(
      policies.policyResources(policies.loadPolicies(options.policiesFile ?? policies.policiesFile()), {
        service: "imageops",
        stage: "local",
      }),
    ).filter(([, r]) => r.Type === "AWS::Scheduler::Schedule"),
  );
  const scheduler = new SchedulerSim(schedules, (input) => invoke("run-policy", input));
  // `npm start` delivers them at their times; the tests deliver by hand
  if (options.runSchedules ?? process.env.npm_lifecycle_event === "start") scheduler.start();

  const consoleDeps = {
    signingSecret: LOCAL_SLACK.signingSecret,
    channel: LOCAL_SLACK.channel,
    slackApi,
    clouds: simulators,
    accounts: async () =>
      (JSON.parse(secrets.secrets.get(CREDENTIALS_SECRET_ID)!.value) as { accounts: Array<{ provider: string; name: string }> }).accounts,
  };
  const gateway = createServer(async (req, res) => {
    try {
      if (await consoleRoute(req, res, consoleDeps)) return;
      if (req.url === "/__local") {
        // where the local tools (npm run slack, the console page) find the parts of the stack
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(
          JSON.stringify({
            slackApi: slackApi.url,
            teamId: LOCAL_SLACK.teamId,
            channel: LOCAL_SLACK.channel,
            user: LOCAL_SLACK.user,
            // what is running in the background (npm run slack waits for it) and the servers to try
            lambda: lambda.url,
            stepFunctions: stepFunctions.url,
            servers: demoServers(simulators),
          }),
        );
      }
      const path = new URL(req.url ?? "/", "http://local").pathname.replace(/^\/+|\/+$/g, "");
      const name = path.split("/")[0] as FunctionName; // slack answers at /slack/events too
      if (!URL_FUNCTIONS.includes(name)) {
        const message = FUNCTIONS.includes(name)
          ? `${name} has no function URL: only the tracking state machine calls it (serverless.yml)`
          : `no function at ${req.url}${didYouMean(name, URL_FUNCTIONS, (f) => `/${f}`)}; the functions are ${URL_FUNCTIONS.map((f) => `/${f}`).join(", ")}`;
        res.writeHead(404, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { code: "NOT_FOUND", message } }));
      }
      const started = Date.now();
      const event = await urlEvent(req, `/${name}`);
      const out = (await invoke(name, event)) as {
        statusCode?: number;
        headers?: Record<string, string>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      res.writeHead(out.statusCode ?? 200, out.headers ?? { "content-type": "application/json" });
      res.end(out.isBase64Encoded ? Buffer.from(out.body ?? "", "base64") : (out.body ?? ""));
      options.onRequest?.({ method: req.method ?? "GET", path: req.url ?? "/", status: out.statusCode ?? 200, ms: Date.now() - started });
    } catch (err) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "INTERNAL", message: `function crashed: ${(err as Error)?.name}` } }));
    }
  });
  const parts = [...Object.values(simulators), secrets, slackApi, stepFunctions, lambda, dynamo];
  try {
    await new Promise<void>((resolve, reject) => {
      gateway.once("error", reject);
      gateway.listen(options.port ?? 0, "127.0.0.1", () => resolve());
    });
  } catch (err) {
    // the port is taken (EADDRINUSE): nothing of this stack may stay listening
    await Promise.all(parts.map((p) => p.close()));
    throw err;
  }
  const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;

  return {
    url,
    ...simulators,
    simulators,
    secrets,
    slackApi,
    stepFunctions,
    lambda,
    dynamo,
    scheduler,
    handlers,
    invoke,
    async stop() {
      scheduler.stop();
      await closeServer(gateway);
      await Promise.all(parts.map((p) => p.close()));
    },
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A function URL event (payload format 2.0) from a plain HTTP request, as AWS builds it. */
async function urlEvent(req: IncomingMessage, functionPrefix: string): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? "/", "http://local");
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
  const type = headers["content-type"] ?? "";
  const textual = /json|text|x-www-form-urlencoded/.test(type) || body.length === 0;
  return {
    version: "2.0",
    routeKey: "$default",
    // a function URL's path is what follows its host: here, what follows /<function-name>
    rawPath: url.pathname.slice(functionPrefix.length) || "/",
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? query : undefined,
    requestContext: {
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: "HTTP/1.1",
        sourceIp: "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      timeEpoch: Date.now(),
      requestId: `local-${Math.random().toString(16).slice(2)}`,
    },
    body: body.length ? (textual ? body.toString("utf8") : body.toString("base64")) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}
