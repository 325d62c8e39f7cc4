import { type Answer, lambdaHandler } from "../../shared/events.js";
import { deleteImage } from "../../shared/images/delete.js";
import { dryRunAnswer } from "../../shared/images/verdict.js";
import { DeleteImageInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { trackingDeps } from "../../shared/tracking/deps.js";
import { progressTarget, targetStore } from "../../shared/slack/targets.js";

/** Deletes one custom image exactly once, after its checks, and tracks it until it is gone. */
export const handler = lambdaHandler({
  name: "delete-image",
  schema: DeleteImageInput,
  methods: ["POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    const { provider, id, account, region } = input;
    // where progress goes: an allowed channel, or the target the Slack bot stored for this request
    const notify = await progressTarget(input.notify, { kind: "delete-image", provider, id, account, region }, { targets: targetStore });
    const out = await deleteImage(lambdaRuntime(context), trackingDeps(), { ...input, notify });
    if (out.dryRun) {
      const { checks, verdict } = dryRunAnswer("delete-image", provider, out.checks);
      return { body: { checks, image: out.image, operation: out.operation, verdict } };
    }
    // existing: the request's operation was there already (nothing was sent again)
    return { statusCode: 202, body: { image: out.image, operation: out.operation, existing: out.existing } };
  },
});
