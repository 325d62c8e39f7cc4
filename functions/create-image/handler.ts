import { type Answer, lambdaHandler } from "../../shared/events.js";
import { createImage } from "../../shared/images/create.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { CreateImageInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { StepFunctionsTracker } from "../../shared/tracking/sfn.js";

let tracker: StepFunctionsTracker | undefined;

export const handler = lambdaHandler({
  name: "create-image",
  schema: CreateImageInput,
  methods: ["POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    const arn = process.env.TRACK_STATE_MACHINE_ARN;
    if (!arn) throw new ImageOpsError("INTERNAL", "TRACK_STATE_MACHINE_ARN is not set");
    tracker ??= new StepFunctionsTracker(arn);
    const out = await createImage(lambdaRuntime(context), tracker, input);
    if (out.dryRun) return { body: { checks: out.checks, operation: out.operation } };
    return { statusCode: 202, body: { image: out.image, operation: out.operation } };
  },
});
