import { type Answer, lambdaHandler } from "../../shared/events.js";
import { createImage } from "../../shared/images/create.js";
import { dryRunVerdict } from "../../shared/images/verdict.js";
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
    if (out.dryRun)
      return {
        body: { checks: out.checks, operation: out.operation, serverId: out.serverId, verdict: dryRunVerdict(input.provider, out.checks) },
      };
    return { statusCode: 202, body: { image: out.image, operation: out.operation } };
  },
});
