import { ImageOpsError } from "../model/errors.js";
import type { EngineDeps } from "../operations/engine.js";
import { operationStore } from "../operations/store.js";
import { StepFunctionsTracker } from "./sfn.js";

let tracker: StepFunctionsTracker | undefined;

/** A positive number of seconds from the environment, in ms; undefined when unset (the engine's default then holds). */
export function secondsFromEnv(name: string): number | undefined {
  const value = Number(process.env[name]);
  return value > 0 ? value * 1000 : undefined;
}

/**
 * What a function that starts operations needs, from its environment: the tracking state machine
 * (TRACK_STATE_MACHINE_ARN, one client per container), the operation table, one run's limit
 * (TRACK_LIMIT_SECONDS) and how long a cloud may take to show what it did
 * (VISIBILITY_GRACE_SECONDS); the numbers are read per call.
 */
export function trackingDeps(): EngineDeps {
  const arn = process.env.TRACK_STATE_MACHINE_ARN;
  if (!arn) throw new ImageOpsError("INTERNAL", "TRACK_STATE_MACHINE_ARN is not set");
  tracker ??= new StepFunctionsTracker(arn);
  return {
    tracker,
    store: operationStore(),
    trackLimitMs: secondsFromEnv("TRACK_LIMIT_SECONDS"),
    graceMs: secondsFromEnv("VISIBILITY_GRACE_SECONDS"),
  };
}
