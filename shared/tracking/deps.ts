import { required, seconds } from "../config.js";
import type { EngineDeps } from "../operations/engine.js";
import { operationStore } from "../operations/store.js";
import { StepFunctionsTracker } from "./sfn.js";

let tracker: StepFunctionsTracker | undefined;

/**
 * What a function that starts operations needs, from its environment: the tracking state machine
 * (TRACK_STATE_MACHINE_ARN, one client per container), the operation table, one run's limit
 * (TRACK_LIMIT_SECONDS) and how long a cloud may take to show what it did
 * (VISIBILITY_GRACE_SECONDS); the numbers are read per call.
 */
export function trackingDeps(): EngineDeps {
  tracker ??= new StepFunctionsTracker(required("TRACK_STATE_MACHINE_ARN"));
  return {
    tracker,
    store: operationStore(),
    trackLimitMs: seconds("TRACK_LIMIT_SECONDS"),
    graceMs: seconds("VISIBILITY_GRACE_SECONDS"),
  };
}
