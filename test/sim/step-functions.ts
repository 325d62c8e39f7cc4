import { log } from "../../shared/log.js";
import type { TrackInput } from "../../shared/tracking/types.js";
import { SimServer, type SimRequest, type SimResponse } from "./server.js";

export interface StepResult {
  done: boolean;
  waitSeconds: number;
  notify?: TrackInput["notify"];
  image?: { status: string };
}

interface Execution {
  arn: string;
  input: TrackInput;
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";
  startDate: number;
  steps: number;
  done: Promise<StepResult | undefined>;
}

/**
 * A local Step Functions endpoint (JSON 1.0: StartExecution, DescribeExecution) whose executions
 * run the state machine's loop in-process: Wait → track-image step → Choice, until done, failed
 * or timed out. The real @aws-sdk/client-sfn talks to it through AWS_ENDPOINT_URL_SFN, so the
 * create-image bundle runs the same code as in AWS.
 */
export class StepFunctionsSim extends SimServer {
  readonly executions = new Map<string, Execution>();
  static readonly STATE_MACHINE_ARN = "arn:aws:states:ap-northeast-2:000000000000:stateMachine:imageops-local-track";

  constructor(
    private readonly step: (input: TrackInput) => Promise<StepResult>,
    private readonly options: { waitScale?: number; timeoutSeconds?: number } = {},
  ) {
    super("stepfunctions", (req) => this.handle(req), () => ({
      executions: [...this.executions.values()].map((e) => ({ name: e.input.operation, status: e.status, steps: e.steps })),
    }));
  }

  /** resolves when the execution has ended */
  settled(operation: string): Promise<StepResult | undefined> | undefined {
    return this.executions.get(operation)?.done;
  }

  private handle(req: SimRequest): SimResponse {
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = JSON.parse(req.body || "{}") as Record<string, string>;
    if (target === "AWSStepFunctions.StartExecution") {
      if (body.stateMachineArn !== StepFunctionsSim.STATE_MACHINE_ARN) return awsError("StateMachineDoesNotExist", "State Machine Does Not Exist");
      const name = body.name ?? "";
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) return awsError("InvalidName", "Invalid Name");
      const arn = `${StepFunctionsSim.STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${name}`;
      const existing = this.executions.get(name);
      if (existing) {
        // Step Functions itself refuses a second execution of a name (with different input, or after it ended)
        if (existing.status !== "RUNNING" || JSON.stringify(existing.input) !== body.input) return awsError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
        return { status: 200, body: { executionArn: arn, startDate: existing.startDate / 1000 } };
      }
      const input = JSON.parse(body.input ?? "{}") as TrackInput;
      const execution: Execution = { arn, input, status: "RUNNING", startDate: Date.now(), steps: 0, done: Promise.resolve(undefined) };
      execution.done = this.run(execution);
      this.executions.set(name, execution);
      return { status: 200, body: { executionArn: arn, startDate: execution.startDate / 1000 } };
    }
    if (target === "AWSStepFunctions.DescribeExecution") {
      const name = (body.executionArn ?? "").split(":").pop() ?? "";
      const e = this.executions.get(name);
      if (!e || e.arn !== body.executionArn) return awsError("ExecutionDoesNotExist", `Execution Does Not Exist: '${body.executionArn}'`);
      return {
        status: 200,
        body: { executionArn: e.arn, stateMachineArn: StepFunctionsSim.STATE_MACHINE_ARN, name, status: e.status, startDate: e.startDate / 1000, input: JSON.stringify(e.input) },
      };
    }
    return awsError("UnknownOperationException", `${target} is not simulated`);
  }

  private async run(e: Execution): Promise<StepResult | undefined> {
    const scale = this.options.waitScale ?? 1;
    const until = Date.now() + (this.options.timeoutSeconds ?? 6 * 3600) * 1000;
    let state: TrackInput = e.input;
    let wait = 1;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, wait * 1000 * scale));
      try {
        const result = await this.step(state);
        e.steps++;
        if (result.done) {
          e.status = "SUCCEEDED";
          return result;
        }
        state = { ...state, notify: result.notify ?? state.notify };
        wait = result.waitSeconds;
      } catch (err) {
        e.status = "FAILED";
        log("warn", "local tracking execution failed", { operation: state.operation, error: (err as Error)?.message });
        return undefined;
      }
    }
    e.status = "TIMED_OUT";
    return undefined;
  }
}

function awsError(type: string, message: string): SimResponse {
  return { status: 400, body: { __type: type, message }, headers: { "content-type": "application/x-amz-json-1.0" } };
}
