import { readFileSync } from "node:fs";
import { log } from "../../shared/log.js";
import type { TrackInput } from "../../shared/tracking/types.js";
import { type Definition, type Outcome, runStateMachine } from "./asl.js";
import { SimServer, type SimRequest, type SimResponse } from "./server.js";

/** The deployed definition (serverless.yml loads the same file). */
export const TRACK_DEFINITION = JSON.parse(
  readFileSync(new URL("../../infra/state-machine.asl.json", import.meta.url), "utf8"),
) as Definition;
/** The local name its ${TrackImageFunctionArn} substitution resolves to. */
export const TRACK_FUNCTION = "track-image";

interface Execution {
  arn: string;
  input: TrackInput;
  status: "RUNNING" | Outcome["status"];
  startDate: number;
  steps: number;
  done: Promise<Outcome>;
}

/**
 * A local Step Functions endpoint (JSON 1.0: StartExecution, DescribeExecution) whose executions
 * run infra/state-machine.asl.json itself, in-process (./asl.ts), with its Task invoking the local
 * track-image. The real @aws-sdk/client-sfn talks to it through AWS_ENDPOINT_URL_SFN, so the
 * create-image bundle runs the same code as in AWS.
 */
export class StepFunctionsSim extends SimServer {
  readonly executions = new Map<string, Execution>();
  /** the next execution to enter `state` ends there, as `as` (a tracking run killed at that state) */
  private kill?: { state: string; as: "ABORTED" | "TIMED_OUT" };
  /** every invocation of track-image fails at the Lambda level while set (Lambda's own error type) */
  failInvocations?: string;
  static readonly STATE_MACHINE_ARN = "arn:aws:states:ap-northeast-2:000000000000:stateMachine:imageops-local-track";

  /** `trackImage`: the one function the definition's Task invokes (undefined: not deployed here) */
  constructor(
    private readonly trackImage: () => ((payload: unknown) => Promise<unknown>) | undefined,
    private readonly options: { waitScale?: number } = {},
  ) {
    super(
      "stepfunctions",
      (req) => this.handle(req),
      () => ({
        executions: [...this.executions.values()].map((e) => ({ name: e.input.operation, status: e.status, steps: e.steps })),
      }),
    );
  }

  /** Kills the next execution that enters `state`: it ends there ABORTED (StopExecution) or TIMED_OUT, recording nothing. */
  killAt(state: string, as: "ABORTED" | "TIMED_OUT" = "ABORTED"): void {
    if (!TRACK_DEFINITION.States[state]) throw new Error(`the tracking state machine has no state ${state}`);
    this.kill = { state, as };
  }

  /** resolves with the execution's outcome when it has ended */
  settled(operation: string): Promise<Outcome> | undefined {
    return this.executions.get(operation)?.done;
  }

  private handle(req: SimRequest): SimResponse {
    const target = String(req.headers["x-amz-target"] ?? "");
    const body = JSON.parse(req.body || "{}") as Record<string, string>;
    if (target === "AWSStepFunctions.StartExecution") {
      if (body.stateMachineArn !== StepFunctionsSim.STATE_MACHINE_ARN)
        return awsError("StateMachineDoesNotExist", "State Machine Does Not Exist");
      const name = body.name ?? "";
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) return awsError("InvalidName", "Invalid Name");
      const arn = `${StepFunctionsSim.STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${name}`;
      const existing = this.executions.get(name);
      if (existing) {
        // Step Functions itself refuses a second execution of a name (with different input, or after it ended)
        if (existing.status !== "RUNNING" || JSON.stringify(existing.input) !== body.input)
          return awsError("ExecutionAlreadyExists", `Execution Already Exists: '${arn}'`);
        return { status: 200, body: { executionArn: arn, startDate: existing.startDate / 1000 } };
      }
      const input = JSON.parse(body.input ?? "{}") as TrackInput;
      const execution: Execution = {
        arn,
        input,
        status: "RUNNING",
        startDate: Date.now(),
        steps: 0,
        done: Promise.resolve({ status: "TIMED_OUT" }),
      };
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
        body: {
          executionArn: e.arn,
          stateMachineArn: StepFunctionsSim.STATE_MACHINE_ARN,
          name,
          status: e.status,
          startDate: e.startDate / 1000,
          input: JSON.stringify(e.input),
        },
      };
    }
    return awsError("UnknownOperationException", `${target} is not simulated`);
  }

  private async run(e: Execution): Promise<Outcome> {
    const outcome = await runStateMachine(TRACK_DEFINITION, e.input, {
      invoke: (fn, payload) => {
        e.steps++;
        if (this.failInvocations) throw Object.assign(new Error("simulated Lambda failure"), { name: this.failInvocations });
        const track = fn === TRACK_FUNCTION ? this.trackImage() : undefined;
        // Lambda's answer for a function it does not know, which the definition's Catch sees
        if (!track) throw Object.assign(new Error(`Function not found: ${fn}`), { name: "Lambda.ResourceNotFoundException" });
        return track(payload);
      },
      waitScale: this.options.waitScale ?? 1,
      substitutions: { TrackImageFunctionArn: TRACK_FUNCTION },
      interrupt: (state) => {
        if (this.kill?.state !== state) return undefined;
        const as = this.kill.as;
        this.kill = undefined;
        return as;
      },
    }).catch((err: unknown): Outcome => ({ status: "FAILED", error: "States.Runtime", cause: (err as Error)?.message ?? String(err) }));
    e.status = outcome.status;
    if (outcome.status !== "SUCCEEDED")
      log("warn", "local tracking execution ended", { operation: e.input.operation, ...outcome, output: undefined });
    return outcome;
  }
}

function awsError(type: string, message: string): SimResponse {
  return { status: 400, body: { __type: type, message }, headers: { "content-type": "application/x-amz-json-1.0" } };
}
