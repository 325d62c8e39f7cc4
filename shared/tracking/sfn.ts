import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { ImageOpsError } from "../model/errors.js";
import type { TrackInput, Tracker } from "./types.js";

/** Tracking on AWS Step Functions: one standard execution per operation, named by its id. */
export class StepFunctionsTracker implements Tracker {
  private client?: SFNClient;
  constructor(private readonly stateMachineArn: string) {}

  private sfn(): SFNClient {
    return (this.client ??= new SFNClient({ maxAttempts: 3 }));
  }

  private executionArn(operation: string): string {
    // arn:aws:states:region:acct:stateMachine:Name → arn:aws:states:region:acct:execution:Name:operation
    return `${this.stateMachineArn.replace(":stateMachine:", ":execution:")}:${operation}`;
  }

  async find(operation: string): Promise<TrackInput | undefined> {
    try {
      const out = await this.sfn().send(new DescribeExecutionCommand({ executionArn: this.executionArn(operation) }));
      return out.input ? (JSON.parse(out.input) as TrackInput) : undefined;
    } catch (err) {
      if (err instanceof ExecutionDoesNotExist || (err as Error)?.name === "ExecutionDoesNotExist") return undefined;
      throw new ImageOpsError("INTERNAL", `could not look up operation ${operation} in Step Functions (${(err as Error)?.name})`, { cause: err });
    }
  }

  async start(input: TrackInput): Promise<"started" | "exists"> {
    try {
      await this.sfn().send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: input.operation, input: JSON.stringify(input) }));
      return "started";
    } catch (err) {
      if (err instanceof ExecutionAlreadyExists || (err as Error)?.name === "ExecutionAlreadyExists") return "exists";
      throw new ImageOpsError("INTERNAL", `could not start tracking in Step Functions (${(err as Error)?.name})`, { cause: err });
    }
  }
}
