import type { Context } from "aws-lambda";
import { SimServer, type SimRequest, type SimResponse } from "./server.js";

type Handler = (event: unknown, context?: Context) => Promise<unknown>;

/**
 * A local Lambda Invoke endpoint (`POST /2015-03-31/functions/{name}/invocations`), so the real
 * @aws-sdk/client-lambda dispatches work in-process: `Event` answers 202 and runs in the
 * background; `RequestResponse` answers the result, or `X-Amz-Function-Error: Unhandled` with
 * `{errorType, errorMessage}` when the handler throws — as Lambda does.
 */
export class LambdaSim extends SimServer {
  private readonly running = new Set<Promise<unknown>>();
  readonly invocations: Array<{ name: string; type: string }> = [];

  constructor(private readonly resolve: (name: string) => { handler: Handler; context: () => Context } | undefined) {
    super("lambda", (req) => this.handle(req), () => ({ invocations: this.invocations.length, running: this.running.size }));
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
    if (!target) return { status: 404, body: { Type: "User", message: `Function not found: ${name}` }, headers: { "x-amzn-errortype": "ResourceNotFoundException" } };
    const type = String(req.headers["x-amz-invocation-type"] ?? "RequestResponse");
    this.invocations.push({ name, type });
    const payload = req.body ? JSON.parse(req.body) : {};
    if (type === "Event") {
      const run = target.handler(payload, target.context()).catch(() => undefined);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
      return { status: 202, body: "" };
    }
    try {
      const result = await target.handler(payload, target.context());
      return { status: 200, body: JSON.stringify(result ?? null), headers: { "x-amz-executed-version": "$LATEST" } };
    } catch (err) {
      const e = err as Error;
      return { status: 200, body: JSON.stringify({ errorType: e?.name ?? "Error", errorMessage: e?.message ?? String(err) }), headers: { "x-amz-function-error": "Unhandled" } };
    }
  }
}
