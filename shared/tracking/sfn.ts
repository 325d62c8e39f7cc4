import { DescribeExecutionCommand, ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
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

  async status(execution: string): Promise<"running" | "ended" | "missing"> {
    // an execution's ARN is its state machine's with `execution` for `stateMachine` and its name appended
    // (Step Functions API reference, DescribeExecution: executionArn)
    const executionArn = `${this.stateMachineArn.replace(":stateMachine:", ":execution:")}:${execution}`;
    try {
      const out = await this.sfn().send(new DescribeExecutionCommand({ executionArn }));
      // RUNNING and PENDING_REDRIVE still go on; SUCCEEDED, FAILED, TIMED_OUT and ABORTED are over
      return out.status === "RUNNING" || out.status === "PENDING_REDRIVE" ? "running" : "ended";
    } catch (err) {
      if ((err as Error)?.name === "ExecutionDoesNotExist") return "missing";
      throw new ImageOpsError("INTERNAL", `could not ask Step Functions about tracking run ${execution} (${(err as Error)?.name})`, {
        cause: err,
      });
    }
  }
}
