import type { Context } from "aws-lambda";
import { SimServer, type SimRequest, type SimResponse } from "./server.js";

type Handler = (event: unknown, context?: Context) => Promise<unknown>;

/** How a function's asynchronous invocations are retried (serverless.yml `maximumRetryAttempts`). */
export interface AsyncConfig {
  /** Lambda's default is 2 */
  maximumRetryAttempts: number;
}

/**
 * A local Lambda Invoke endpoint (`POST /2015-03-31/functions/{name}/invocations`), so the real
 * @aws-sdk/client-lambda dispatches work in-process: `Event` answers 202 and runs in the
 * background, and a handler that throws is run again up to the function's
 * `maximumRetryAttempts` (Lambda's default: twice), then its event goes to `failures` (the
 * on-failure destination); `RequestResponse` answers the result, or
 * `X-Amz-Function-Error: Unhandled` with `{errorType, errorMessage}` when the handler throws —
 * as Lambda does (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
export class LambdaSim extends SimServer {
  private readonly running = new Set<Promise<unknown>>();
  /** every invocation; an asynchronous one with its event (what an on-failure destination would receive) */
  readonly invocations: Array<{ name: string; type: string; event?: unknown }> = [];
  /** asynchronous events that failed every attempt, as the on-failure destination receives them */
  readonly failures: Array<{ name: string; payload: unknown; error: string; attempts: number }> = [];

  constructor(
    private readonly resolve: (name: string) => { handler: Handler; context: () => Context } | undefined,
    private readonly asyncConfig: (name: string) => AsyncConfig = () => ({ maximumRetryAttempts: 2 }),
  ) {
    super(
      "lambda",
      (req) => this.handle(req),
      () => ({ invocations: this.invocations.length, running: this.running.size }),
    );
  }

  /** resolves when no background (Event) invocation is running */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  private async handle(req: SimRequest): Promise<SimResponse> {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url.pathname);
    if (req.method !== "POST" || !m) return { status: 404, body: { Type: "User", message: "Unknown operation" } };
    const name = decodeURIComponent(m[1]!).split(":").pop()!;
    const target = this.resolve(name);
    if (!target)
      return {
        status: 404,
        body: { Type: "User", message: `Function not found: ${name}` },
        headers: { "x-amzn-errortype": "ResourceNotFoundException" },
      };
    const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
    const payload = req.body ? JSON.parse(req.body) : {};
    this.invocations.push(type === "Event" ? { name, type, event: payload } : { name, type });
    if (type === "Event") {
      const run = this.runAsync(name, target, payload);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
      return { status: 202, body: "" };
    }
    try {
      const result = await target.handler(payload, target.context());
      return { status: 200, body: JSON.stringify(result ?? null), headers: { "x-amz-executed-version": "$LATEST" } };
    } catch (err) {
      const e = err as Error;
      return {
        status: 200,
        body: JSON.stringify({ errorType: e?.name ?? "Error", errorMessage: e?.message ?? String(err) }),
        headers: { "x-amz-function-error": "Unhandled" },
      };
    }
  }

  /** One asynchronous event: the first attempt and Lambda's retries of a handler that threw. */
  private async runAsync(name: string, target: { handler: Handler; context: () => Context }, payload: unknown): Promise<void> {
    const attempts = 1 + this.asyncConfig(name).maximumRetryAttempts;
    let error = "";
    for (let i = 0; i < attempts; i++) {
      if (i > 0) this.invocations.push({ name, type: "Event (retry)" });
      try {
        await target.handler(payload, target.context());
        return;
      } catch (err) {
        error = (err as Error)?.message ?? String(err);
      }
    }
    this.failures.push({ name, payload, error, attempts });
  }
}
