import jsonata from "jsonata";

/**
 * A small interpreter for the Amazon States Language subset infra/state-machine.asl.json uses
 * (JSONata query language; Pass, Wait, Task on lambda:invoke, Choice, Succeed, Fail; Retry and
 * Catch; the machine's TimeoutSeconds), so the local stack and the tests run the very definition
 * that is deployed, not a re-implementation of its loop. Anything else in a definition is refused.
 */
export type Definition = { StartAt: string; TimeoutSeconds?: number; QueryLanguage?: string; States: Record<string, State> };
type State = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Retrier = {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: "FULL" | "NONE";
};

export type Outcome =
  | { status: "SUCCEEDED"; output: unknown }
  /** output: what the failing state received (e.g. the last track-image answer) */
  | { status: "FAILED"; error: string; cause: string; output?: unknown }
  | { status: "TIMED_OUT" }
  /** stopped from outside (StopExecution), or by a test killing it at a state */
  | { status: "ABORTED" };

export interface RunOptions {
  /** invokes a Lambda function by the name or ARN in the Task's arguments; throws an Error whose name is the error type */
  invoke: (functionName: string, payload: unknown) => Promise<unknown>;
  /** scales every wait (Wait states, retry intervals) to keep local runs short */
  waitScale?: number;
  /** DefinitionSubstitutions, as CloudFormation would fill them */
  substitutions?: Record<string, string>;
  /** asked as each state is entered: an end to put the execution to there (a test killing tracking at that state) */
  interrupt?: (state: string) => "ABORTED" | "TIMED_OUT" | undefined;
}

const SUPPORTED = new Set(["Pass", "Wait", "Task", "Choice", "Succeed", "Fail"]);

/** Checks that a definition stays inside the supported subset (so a local run means something). */
function checkDefinition(def: Definition): void {
  if (def.QueryLanguage !== "JSONata") throw new Error("only JSONata state machines are interpreted");
  for (const [name, s] of Object.entries(def.States)) {
    if (!SUPPORTED.has(s.Type)) throw new Error(`state ${name}: type ${s.Type} is not interpreted`);
    if (s.Type === "Task" && s.Resource !== "arn:aws:states:::lambda:invoke")
      throw new Error(`state ${name}: resource ${s.Resource} is not interpreted`);
    for (const next of [s.Next, s.Default, ...(s.Choices ?? []).map((c: State) => c.Next), ...(s.Catch ?? []).map((c: State) => c.Next)]) {
      if (next !== undefined && !def.States[next]) throw new Error(`state ${name}: next state ${next} does not exist`);
    }
  }
  if (!def.States[def.StartAt]) throw new Error(`StartAt ${def.StartAt} does not exist`);
}

class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
  }
}

/**
 * Evaluates "{% expr %}" strings anywhere in a template value against $states. An expression
 * that fails is States.QueryEvaluationError, as in AWS
 * (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html, "JSONata errors").
 */
async function evaluate(template: unknown, states: Record<string, unknown>): Promise<unknown> {
  if (typeof template === "string") {
    const m = /^\{%([\s\S]*)%\}$/.exec(template.trim());
    if (!m) return template;
    try {
      return await jsonata(m[1]!).evaluate({}, { states });
    } catch (err) {
      throw new StatesError("States.QueryEvaluationError", (err as Error)?.message ?? String(err));
    }
  }
  if (Array.isArray(template)) return Promise.all(template.map((t) => evaluate(t, states)));
  if (template && typeof template === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) {
      const value = await evaluate(v, states);
      if (value !== undefined) out[k] = value;
    }
    return out;
  }
  return template;
}

function substitute(value: unknown, subs: Record<string, string>): unknown {
  if (typeof value === "string") return value.replace(/\$\{(\w+)\}/g, (whole, key: string) => subs[key] ?? whole);
  if (Array.isArray(value)) return value.map((v) => substitute(v, subs));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, subs)]));
  return value;
}

/**
 * Error matching as AWS documents it (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html):
 * States.ALL matches every error but the terminal States.Runtime and States.DataLimitExceeded;
 * States.TaskFailed matches every error but States.Timeout.
 */
const TERMINAL = new Set(["States.Runtime", "States.DataLimitExceeded"]);
export const matches = (errorEquals: string[], error: string) =>
  !TERMINAL.has(error) &&
  (errorEquals.includes(error) ||
    errorEquals.includes("States.ALL") ||
    (errorEquals.includes("States.TaskFailed") && error !== "States.Timeout"));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one execution to its end. */
export async function runStateMachine(definition: Definition, input: unknown, options: RunOptions): Promise<Outcome> {
  const def = substitute(definition, options.substitutions ?? {}) as Definition;
  checkDefinition(def);
  const scale = options.waitScale ?? 1;
  const deadline = def.TimeoutSeconds ? Date.now() + def.TimeoutSeconds * 1000 * scale : Infinity;
  let name = def.StartAt;
  let data = input;
  for (;;) {
    if (Date.now() > deadline) return { status: "TIMED_OUT" };
    const killed = options.interrupt?.(name);
    if (killed) return { status: killed };
    const s = def.States[name]!;
    const vars = { input: data };
    try {
      switch (s.Type) {
        case "Pass":
          data = s.Output === undefined ? data : await evaluate(s.Output, vars);
          break;
        case "Wait": {
          // "must evaluate to an integer" from 0 to 99999999 (https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html)
          const seconds = await evaluate(s.Seconds, vars);
          if (!Number.isInteger(seconds) || (seconds as number) < 0 || (seconds as number) > 99_999_999) {
            throw new StatesError(
              "States.QueryEvaluationError",
              `Wait ${name}: Seconds is ${JSON.stringify(seconds)}, not an integer from 0 to 99999999`,
            );
          }
          await sleep(Math.min((seconds as number) * 1000 * scale, Math.max(0, deadline - Date.now())));
          break;
        }
        case "Task":
          data = await runTask(s, vars, options, scale);
          break;
        case "Choice": {
          let next: string | undefined;
          for (const c of s.Choices as State[]) {
            if ((await evaluate(c.Condition, vars)) === true) {
              next = c.Next;
              break;
            }
          }
          next ??= s.Default;
          if (!next) throw new StatesError("States.NoChoiceMatched", `no choice of ${name} matched`);
          name = next;
          continue;
        }
        case "Succeed":
          return { status: "SUCCEEDED", output: data };
        case "Fail":
          return {
            status: "FAILED",
            error: String(await evaluate(s.Error, vars)),
            cause: String(await evaluate(s.Cause, vars)),
            output: data,
          };
      }
    } catch (err) {
      const e = err instanceof StatesError ? err : new StatesError("States.Runtime", (err as Error)?.message ?? String(err));
      const handler = (s.Catch as State[] | undefined)?.find((c) => matches(c.ErrorEquals, e.error));
      if (!handler) return { status: "FAILED", error: e.error, cause: e.causeText };
      data = await evaluate(handler.Output ?? "{% $states.errorOutput %}", {
        ...vars,
        errorOutput: { Error: e.error, Cause: e.causeText },
      });
      name = handler.Next;
      continue;
    }
    if (s.End) return { status: "SUCCEEDED", output: data };
    name = s.Next;
  }
}

/**
 * IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds; with JitterStrategy FULL a random
 * delay between 0 and that (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html, "Retry").
 */
export function retryDelaySeconds(r: Retrier, n: number, random = Math.random): number {
  const delay = Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** n, r.MaxDelaySeconds ?? Infinity);
  return r.JitterStrategy === "FULL" ? random() * delay : delay;
}

/** A lambda:invoke Task: Arguments → invoke → {Payload} as $states.result → Output, with Retry. */
async function runTask(s: State, vars: { input: unknown }, options: RunOptions, scale: number): Promise<unknown> {
  const args = (await evaluate(s.Arguments, vars)) as { FunctionName: string; Payload?: unknown };
  const attempts = new Map<Retrier, number>();
  for (;;) {
    try {
      const call = options.invoke(args.FunctionName, args.Payload ?? vars.input);
      const payload = s.TimeoutSeconds
        ? await Promise.race([
            call,
            sleep(s.TimeoutSeconds * 1000).then(() => Promise.reject(new StatesError("States.Timeout", "the task timed out"))),
          ])
        : await call;
      const result = { Payload: payload, StatusCode: 200 };
      return s.Output === undefined ? result : await evaluate(s.Output, { ...vars, result });
    } catch (err) {
      const e = err instanceof StatesError ? err : new StatesError((err as Error)?.name || "Error", (err as Error)?.message ?? String(err));
      const retrier = (s.Retry as Retrier[] | undefined)?.find((r) => matches(r.ErrorEquals, e.error));
      const n = retrier ? (attempts.get(retrier) ?? 0) : 0;
      if (!retrier || n >= (retrier.MaxAttempts ?? 3)) throw e;
      attempts.set(retrier, n + 1);
      await sleep(retryDelaySeconds(retrier, n) * 1000 * scale);
    }
  }
}
