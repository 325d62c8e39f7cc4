import { lambdaHandler } from "../../shared/events.js";
import { trackStep } from "../../shared/images/track.js";
import { TrackImageInput } from "../../shared/model/inputs.js";
import { operationStore } from "../../shared/operations/store.js";
import { lambdaRuntime } from "../../shared/runtime.js";
import { slackProgressReporter } from "../../shared/slack/progress-reporter.js";
import { lazySlackPoster } from "../../shared/slack/web.js";
import { seconds } from "../../shared/config.js";
import { targetStore } from "../../shared/slack/targets.js";

// the Slack card is where tracking reports progress (a port of shared/images/track.ts); a
// target's response_url is read from the bot's stored target only when the channel cannot be used
const progress = slackProgressReporter(lazySlackPoster(), (id) => targetStore().get(id));

/** One tracking step; Step Functions calls it in a loop (infra/state-machine.asl.json). */
export const handler = lambdaHandler({
  name: "track-image",
  schema: TrackImageInput,
  methods: ["POST"],
  run: async (input, context) => {
    // the step as its schema read it: the state machine's payload picked its fields
    const body = await trackStep(lambdaRuntime(context), input, {
      store: operationStore(),
      progress,
      graceMs: seconds("VISIBILITY_GRACE_SECONDS"),
    });
    return { body };
  },
});
