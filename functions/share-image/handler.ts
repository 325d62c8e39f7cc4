import { type Answer, lambdaHandler } from "../../shared/events.js";
import { shareImage } from "../../shared/images/share.js";
import { ShareImageInput } from "../../shared/model/inputs.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { trackingDeps } from "../../shared/tracking/deps.js";

/** Shares one custom image with other accounts (or stops sharing it) exactly once, after its checks, and tracks it until the cloud lists them. */
export const handler = lambdaHandler({
  name: "share-image",
  schema: ShareImageInput,
  methods: ["POST"],
  run: async (input, context): Promise<Answer<unknown>> => {
    const out = await shareImage(lambdaRuntime(context), trackingDeps(), input);
    if (out.dryRun)
      return { body: { checks: out.checks, image: out.image, operation: out.operation, send: out.send, already: out.already } };
    const { image, operation, existing, send, already, sharedWith, accept } = out;
    return {
      statusCode: existing ? 200 : 202,
      body: { image, operation, existing, send, already, sharedWith, ...(accept ? { accept } : {}) },
    };
  },
});
