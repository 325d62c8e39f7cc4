import { ImageOpsError } from "../model/errors.js";
import type { TrackingDeps } from "../operations/lifecycle.js";
import { operationStore } from "../operations/store.js";
import { StepFunctionsTracker } from "./sfn.js";

let tracker: StepFunctionsTracker | undefined;

/**
 * What a function that starts operations needs, from its environment: the tracking state machine
 * (TRACK_STATE_MACHINE_ARN, one client per container), the operation table, and one run's limit
 * (TRACK_LIMIT_SECONDS, read per call).
 */
export function trackingDeps(): TrackingDeps {
  const arn = process.env.TRACK_STATE_MACHINE_ARN;
  if (!arn) throw new ImageOpsError("INTERNAL", "TRACK_STATE_MACHINE_ARN is not set");
  tracker ??= new StepFunctionsTracker(arn);
  const limit = Number(process.env.TRACK_LIMIT_SECONDS);
  return { tracker, store: operationStore(), trackLimitMs: limit > 0 ? limit * 1000 : undefined };
}
