import { type Answer, lambdaHandler } from "../../shared/events.js";
import { type CreateDeps, createImage } from "../../shared/images/create.js";
import { dryRunVerdict } from "../../shared/images/verdict.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { CreateImageInput } from "../../shared/model/inputs.js";
import { operationStore } from "../../shared/operations/store.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { StepFunctionsTracker } from "../../shared/tracking/sfn.js";

let tracker: StepFunctionsTracker | undefined;

function createDeps(): CreateDeps {
  const arn = process.env.TRACK_STATE_MACHINE_ARN;
  if (!arn) throw new ImageOpsError("INTERNAL", "TRACK_STATE_MACHINE_ARN is not set");
  tracker ??= new StepFunctionsTracker(arn);
  const limit = Number(process.env.TRACK_LIMIT_SECONDS);
  return { tracker, store: operationStore(), trackLimitMs: limit > 0 ? limit * 1000 : undefined };
}

export const handler = lambdaHandler({
  name: "create-image",
  schema: CreateImageInput,
  methods: ["POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    const out = await createImage(lambdaRuntime(context), createDeps(), input);
    if (out.dryRun) return { body: { checks: out.checks, operation: out.operation, verdict: dryRunVerdict(input.provider, out.checks) } };
    return { statusCode: 202, body: { image: out.image, operation: out.operation } };
  },
});
