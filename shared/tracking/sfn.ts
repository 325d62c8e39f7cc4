import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { ImageOpsError } from "../model/errors.js";
import type { TrackInput, Tracker } from "./types.js";

/** Tracking on AWS Step Functions: one standard execution per tracking run. */
export class StepFunctionsTracker implements Tracker {
  private client?: SFNClient;
  constructor(private readonly stateMachineArn: string) {}

  private sfn(): SFNClient {
    return (this.client ??= new SFNClient({ maxAttempts: 3, requestHandler: { requestTimeout: 5_000 } }));
  }

  async start(input: TrackInput, execution: string): Promise<"started" | "exists"> {
    try {
      await this.sfn().send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: execution, input: JSON.stringify(input) }),
      );
      return "started";
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists || (err as Error)?.name === "ExecutionAlreadyExists") return "exists";
      throw new ImageOpsError("INTERNAL", `could not start tracking in Step Functions (${(err as Error)?.name})`, { cause: err });
    }
  }
}
