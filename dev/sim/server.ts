import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

/** Fault injection shared by every simulator; set from tests or over HTTP at /__sim/faults. */
export interface Faults {
  /** delay before answering, every request */
  latencyMs?: number;
  /** answer this status (429, 500, 503, …) instead of the real answer */
  status?: number;
  /** with status 429/503: the Retry-After header, seconds */
  retryAfter?: number;
  /** never answer */
  hang?: boolean;
  /** carry the request out, then hold the answer back this long (a timeout after the cloud acted) */
  delayAnswerMs?: number;
  /** answer 200 with a body that is not JSON */
  malformed?: boolean;
  /** answer 200 with the real body cut in half */
  truncated?: boolean;
  /** drop the connection (the cloud is down) */
  down?: boolean;
  /** apply the fault to this many requests only, then behave (default: all) */
  count?: number;
  /** apply only to requests whose path contains this text */
  pathIncludes?: string;
  /** carry the request out, then answer this status instead (a 5xx after the cloud acted) */
  afterStatus?: number;
  /** apply only once a request whose path contains this text has been received (e.g. the lookups after a create) */
  afterPath?: string;
}

export interface SimRequest {
  method: string;
  /** path and query exactly as received on the wire */
  rawUrl: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
  /** performance.now() when it arrived and when its answer was sent (the bench's clouds' own time) */
  receivedAt?: number;
  answeredAt?: number;
}

export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

/**
 * A real HTTP server on 127.0.0.1 for one simulated cloud: records requests, applies faults,
 * and serves `/__sim/state` and `/__sim/faults` for the local stack and its console.
 */
export class SimServer {
  readonly requests: SimRequest[] = [];
  /** faults in order: a request gets the first that applies to it */
  faults: Faults[] = [];
  private seenPaths: string[] = [];
  private server?: Server;
  private readonly sockets = new Set<import("node:net").Socket>();
  url = "";

  constructor(
    readonly name: string,
    private readonly handler: SimHandler,
    private readonly stateFn: () => unknown = () => ({}),
  ) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** one fault, or several applied in order; {} or [] clears them */
  setFaults(faults: Faults | Faults[]): void {
    this.faults = (Array.isArray(faults) ? faults : [faults]).filter((f) => Object.keys(f).length > 0).map((f) => ({ ...f }));
    this.seenPaths = [];
  }

  private takeFault(path: string): Faults | undefined {
    const seen = this.seenPaths;
    const f = this.faults.find(
      (f) =>
        (!f.pathIncludes || path.includes(f.pathIncludes)) &&
        (f.count === undefined || f.count > 0) &&
        (!f.afterPath || seen.some((p) => p.includes(f.afterPath!))),
    );
    if (this.faults.length) seen.push(path);
    if (f?.count !== undefined) f.count--;
    return f;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawUrl = req.url ?? "/";
    const simReq: SimRequest = {
      method: req.method ?? "GET",
      rawUrl,
      url: new URL(rawUrl, "http://sim.local"),
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
      receivedAt: performance.now(),
    };
    res.on("finish", () => {
      simReq.answeredAt = performance.now();
    });
    try {
      if (simReq.url.pathname.startsWith("/__sim/")) return send(res, await this.admin(simReq));
      this.requests.push(simReq);
      const fault = this.takeFault(simReq.url.pathname);
      if (fault?.latencyMs) await new Promise((r) => setTimeout(r, fault.latencyMs));
      if (fault?.down) return void req.socket.destroy();
      if (fault?.hang) return; // the client's timeout has to save it
      if (fault?.status) {
        const headers: Record<string, string> = fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
        return send(res, { status: fault.status, body: { message: "simulated fault" }, headers });
      }
      const answer = await this.handler(simReq);
      if (fault?.afterStatus)
        return send(res, { status: fault.afterStatus, body: { message: "simulated fault after the request was carried out" } });
      if (fault?.delayAnswerMs) await new Promise((r) => setTimeout(r, fault.delayAnswerMs));
      if (fault?.malformed) return send(res, { status: 200, body: "<html>Bad Gateway</html>" });
      if (fault?.truncated) {
        const text = JSON.stringify(answer.body);
        return send(res, { status: answer.status, body: text.slice(0, Math.floor(text.length / 2)) });
      }
      send(res, answer);
    } catch (err) {
      send(res, { status: 500, body: { message: `simulator bug: ${(err as Error).message}` } });
    }
  }

  private async admin(req: SimRequest): Promise<SimResponse> {
    if (req.url.pathname === "/__sim/state") return { status: 200, body: { name: this.name, faults: this.faults, state: this.stateFn() } };
    if (req.url.pathname === "/__sim/faults" && req.method === "POST") {
      this.setFaults(req.body ? (JSON.parse(req.body) as Faults | Faults[]) : {});
      return { status: 200, body: { faults: this.faults } };
    }
    return { status: 404, body: { message: "no such admin route" } };
  }
}

function send(res: ServerResponse, answer: SimResponse): void {
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, { "content-type": "application/json;charset=UTF-8", ...answer.headers });
  res.end(text);
}

/** Milliseconds between a signed timestamp and now; simulators refuse more than 5 minutes either way. */
export const TIMESTAMP_WINDOW_MS = 5 * 60_000;

/** A credential a simulator accepts; tests rotate keys by replacing a simulator's `keys`. */
export interface SimKey {
  accessKey: string;
  secretKey: string;
  /** SCP: the account the key belongs to (shown by the server APIs; not part of the signature) */
  accountId?: string;
}
