import { type Answer, lambdaHandler } from "../../shared/events.js";
import { createImage } from "../../shared/images/create.js";
import { dryRunAnswer } from "../../shared/images/verdict.js";
import { CreateImageInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { trackingDeps } from "../../shared/tracking/deps.js";
import { progressTarget, targetStore } from "../../shared/slack/targets.js";

export const handler = lambdaHandler({
  name: "create-image",
  schema: CreateImageInput,
  methods: ["POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    const { provider, serverId, name, account, region } = input;
    // where progress goes: an allowed channel, or the target the Slack bot stored for this request
    const notify = await progressTarget(
      input.notify,
      { kind: "create-image", provider, serverId, name, account, region },
      { targets: targetStore },
    );
    const out = await createImage(lambdaRuntime(context), trackingDeps(), { ...input, notify });
    if (out.dryRun) {
      const { checks, verdict } = dryRunAnswer("create-image", provider, out.checks);
      return { body: { checks, operation: out.operation, serverId: out.serverId, verdict, ...(out.image ? { image: out.image } : {}) } };
    }
    // existing: the request's operation was there already (nothing new was created; no new tracking)
    return { statusCode: 202, body: { image: out.image, operation: out.operation, existing: out.existing } };
  },
});
