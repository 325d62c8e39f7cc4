import { type Answer, lambdaHandler } from "../../shared/events.js";
import { type DeleteDeps, deleteImage } from "../../shared/images/delete.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { DeleteImageInput } from "../../shared/model/inputs.js";
import { operationStore } from "../../shared/operations/store.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { StepFunctionsTracker } from "../../shared/tracking/sfn.js";

let tracker: StepFunctionsTracker | undefined;

function deleteDeps(): DeleteDeps {
  const arn = process.env.TRACK_STATE_MACHINE_ARN;
  if (!arn) throw new ImageOpsError("INTERNAL", "TRACK_STATE_MACHINE_ARN is not set");
  tracker ??= new StepFunctionsTracker(arn);
  const limit = Number(process.env.TRACK_LIMIT_SECONDS);
  return { tracker, store: operationStore(), trackLimitMs: limit > 0 ? limit * 1000 : undefined };
}

/** Deletes one custom image exactly once, after its checks, and tracks it until it is gone. */
export const handler = lambdaHandler({
  name: "delete-image",
  schema: DeleteImageInput,
  methods: ["POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    const out = await deleteImage(lambdaRuntime(context), deleteDeps(), input);
    if (out.dryRun) return { body: { checks: out.checks, image: out.image, operation: out.operation } };
    return { statusCode: 202, body: { image: out.image, operation: out.operation } };
  },
});
