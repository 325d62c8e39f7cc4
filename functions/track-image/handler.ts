import { lambdaHandler } from "../../shared/events.js";
import { trackStep } from "../../shared/images/track.js";
import { TrackImageInput } from "../../shared/model/inputs.js";
import { operationStore } from "../../shared/operations/store.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { lazySlackPoster } from "../../shared/slack/web.js";

const slack = lazySlackPoster();

/** One tracking step; Step Functions calls it in a loop (infra/state-machine.asl.json). */
export const handler = lambdaHandler({
  name: "track-image",
  schema: TrackImageInput,
  methods: ["POST"],
  run: async (input, context) => {
    const { operation, provider, account, region, imageId, startedAt, limitAt, failures, stop, notify } = input;
    const step = { operation, provider, account, region, imageId, startedAt, limitAt, failures, stop, notify };
    const body = await trackStep(lambdaRuntime(context), step, { store: operationStore(), slack });
    return { body };
  },
});
