import { lambdaHandler } from "../../shared/events.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { AuditImagesInput } from "../../shared/model/inputs.js";

/** Shell: the audit rules are not built yet; answers 501 so callers and the schedule see why. */
export const handler = lambdaHandler({
  name: "audit-images",
  schema: AuditImagesInput,
  methods: ["GET", "POST"],
  run: async () => {
    throw new ImageOpsError("UNSUPPORTED", "the image audit is not available yet");
  },
});
