import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import bundled from "imageops:policies";
import { type Answer, lambdaHandler } from "../../shared/events.js";
import { ImageOpsError, invalidArgument } from "../../shared/model/errors.js";
import { RunPolicyInput } from "../../shared/model/inputs.js";
import { operationStore } from "../../shared/operations/store.js";
import { listPolicies } from "../../shared/policies/list.js";
import { type ContinueEvent, type PolicyDeps, runPolicy } from "../../shared/policies/run.js";
import { validatePolicies } from "../../shared/policies/schema.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { slackPolicyReporter } from "../../shared/slack/lifecycle.js";
import { lazySlackPoster } from "../../shared/slack/web.js";
import { trackingDeps } from "../../shared/tracking/deps.js";
import { list, required, seconds } from "../../shared/config.js";

// validated when the bundle was built; checked again here, so a hand-edited bundle cannot run a bad policy.
// The examples (they name the local demo account or channel) do not run outside the local stack
// (POLICIES_DISABLED, from infra/policies.cjs): their schedules are DISABLED, and the list says so.
const EXAMPLES = new Set(list("POLICIES_DISABLED"));
const POLICIES = validatePolicies(bundled, "the policies in this bundle").map((p) => (EXAMPLES.has(p.name) ? { ...p, enabled: false } : p));
const reporter = slackPolicyReporter(lazySlackPoster());
let lambda: LambdaClient | undefined;

/** Runs of this function started from here (a continuation, a start): asynchronous, so they answer nothing. */
async function dispatch(event: ContinueEvent | Record<string, unknown>): Promise<void> {
  const name = required("RUN_POLICY_FUNCTION");
  lambda ??= new LambdaClient({ maxAttempts: 2 });
  await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from(JSON.stringify(event)) }));
}

function deps(): PolicyDeps {
  return {
    ...trackingDeps(),
    reporter,
    continueLater: dispatch,
    pollMs: seconds("POLICY_POLL_SECONDS"),
    waitMs: seconds("POLICY_WAIT_SECONDS"),
  };
}

/** A minute's start: on-demand runs asked for within the same minute are the same run. */
const minuteOf = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString().replace(/\.000Z$/, "Z");

/**
 * The scheduled images of policies.yaml: a run (EventBridge Scheduler's delivery, or on demand),
 * a start (dispatch a run and answer at once: Slack's `/images policy run`), or the list.
 */
export const handler = lambdaHandler({
  name: "run-policy",
  schema: RunPolicyInput,
  methods: ["GET", "POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    if (input.action === "list") return { body: { policies: await listPolicies(operationStore(), POLICIES, Date.now()) } };
    if (!input.policy)
      throw invalidArgument(
        "policy",
        `is required (one of ${POLICIES.map((p) => p.name).join(", ") || "none: policies.yaml has no policy"})`,
      );
    const policy = POLICIES.find((p) => p.name === input.policy);
    if (!policy)
      throw new ImageOpsError(
        "NOT_FOUND",
        `no policy "${input.policy}" (policies.yaml has ${POLICIES.map((p) => p.name).join(", ") || "none"})`,
        { field: "policy" },
      );
    if (EXAMPLES.has(policy.name))
      throw new ImageOpsError(
        "FORBIDDEN",
        `policy "${policy.name}" is an example of policies.yaml (it names the local demo account or channel): it does not run in this stage; replace it with your own servers, account and channel`,
        { field: "policy" },
      );
    const scheduledAt = input.scheduledAt ?? minuteOf(Date.now());
    const trigger = input.trigger ?? (input.scheduledAt ? "schedule" : "manual");
    if (input.action === "start") {
      await dispatch({
        action: "run",
        policy: policy.name,
        scheduledAt,
        trigger,
        ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
      });
      return { statusCode: 202, body: { started: { policy: policy.name, scheduledAt, channel: policy.channel } } };
    }
    const result = await runPolicy(lambdaRuntime(context), deps(), policy, { scheduledAt, trigger, requestedBy: input.requestedBy });
    return { statusCode: result.status === "done" ? 200 : 202, body: { policy: policy.name, ...result } };
  },
});
