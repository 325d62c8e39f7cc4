import { ImageOpsError } from "../model/errors.js";
import type { ProviderName } from "../model/image.js";
import { type Limiter, RateLimitWaitTooLong } from "./limiter.js";
import { backoffDelay, retryAfterMs } from "./retry.js";
import { nodeTransport, type Transport, type TransportResponse } from "./transport.js";
import { USER_AGENT } from "./user-agent.js";

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** the full URL exactly as it goes on the wire (what the signers sign) */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** safe to repeat (reads). A create is never repeated: its outcome after a failure is unknown. */
  idempotent: boolean;
  /** headers computed afresh for every attempt: signatures carry a timestamp */
  sign?: (method: string, url: string) => Record<string, string>;
}

export type HttpResponse = TransportResponse;

/**
 * An answer a provider uses to say "throttled" besides 429, declared by its adapter (as data, so
 * the client has no provider special case): retried with backoff exactly like a 429.
 */
export interface ThrottleSignal {
  status: number;
  /** and the body contains one of these (e.g. the phrases of a gateway's block page) */
  bodyIncludes?: readonly string[];
}

export interface HttpClientOptions {
  provider: ProviderName;
  transport?: Transport;
  /** per attempt */
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** epoch ms after which nothing is started (the Lambda's remaining time minus a margin) */
  deadline?: number;
  limiter?: Limiter;
  /** the provider's own throttling answers, retried like 429 */
  throttleSignals?: readonly ThrottleSignal[];
  random?: () => number;
  now?: () => number;
}

export const HTTP_DEFAULTS = { timeoutMs: 10_000, maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 8_000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Network failures where the request provably never reached the server. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (err as { code?: string })?.code;
}

/**
 * The one HTTP client of the three providers: per-attempt timeout bounded by the deadline,
 * bounded retries with full-jitter backoff (honouring Retry-After) on 429, 5xx, the provider's
 * declared throttle signals and network errors for idempotent requests only, and the provider's
 * limiter around every attempt.
 * It returns any response it finally gets; the adapter maps error envelopes.
 */
export class HttpClient {
  readonly provider: ProviderName;
  private readonly o: Required<Omit<HttpClientOptions, "limiter" | "deadline">> & Pick<HttpClientOptions, "limiter" | "deadline">;

  constructor(options: HttpClientOptions) {
    this.provider = options.provider;
    this.o = {
      ...HTTP_DEFAULTS,
      transport: nodeTransport,
      throttleSignals: [],
      random: Math.random,
      now: Date.now,
      ...stripUndefined(options),
      provider: options.provider,
    };
  }

  /** epoch ms after which nothing is started (undefined: none) */
  get deadline(): number | undefined {
    return this.o.deadline;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const { provider } = this;
    const deadline = this.o.deadline ?? Infinity;
    const started = this.o.now();
    // how long a person waited for nothing, said with the timeout
    const waited = (attempts: number) =>
      `waited ${((this.o.now() - started) / 1000).toFixed(1)} s${attempts > 1 ? ` over ${attempts} attempts` : ""}`;
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - this.o.now();
      if (remaining <= 0)
        throw new ImageOpsError("PROVIDER_TIMEOUT", `${provider}: no time left before the deadline (${waited(attempt - 1)})`, { provider });
      const last = attempt >= this.o.maxAttempts || !req.idempotent;
      let release: (() => void) | undefined;
      try {
        release = this.o.limiter ? await this.o.limiter.acquire(deadline) : undefined;
        const res = await this.once(req, Math.min(this.o.timeoutMs, deadline - this.o.now()));
        if ((res.status === 429 || res.status >= 500 || this.throttled(res)) && !last) {
          const wait = retryAfterMs(res.headers.get("retry-after"), this.o.now()) ?? backoffDelay(attempt, this.o);
          if (this.o.now() + wait < deadline) {
            release?.();
            release = undefined;
            await sleep(wait);
            continue;
          }
        }
        return res;
      } catch (err) {
        if (err instanceof RateLimitWaitTooLong) {
          throw new ImageOpsError("PROVIDER_UNAVAILABLE", `${provider}: rate limit reached; ${err.message}`, { provider });
        }
        const timedOut = (err as Error)?.name === "TimeoutError" || (err as Error)?.name === "AbortError";
        const notSent = NOT_SENT.has(causeCode(err) ?? "");
        const retryable = !last || (notSent && attempt < this.o.maxAttempts);
        const wait = backoffDelay(attempt, this.o);
        if (retryable && this.o.now() + wait < deadline) {
          release?.();
          release = undefined;
          await sleep(wait);
          continue;
        }
        // A create that timed out may have been carried out: say so, so the caller looks it up instead of retrying.
        const ambiguous = !req.idempotent && !notSent;
        if (timedOut) {
          throw new ImageOpsError("PROVIDER_TIMEOUT", `${provider}: no answer within the time limit (${waited(attempt)})`, {
            provider,
            ambiguous,
            cause: err,
          });
        }
        throw new ImageOpsError("PROVIDER_UNAVAILABLE", `${provider}: ${causeCode(err) ?? "network error"}`, {
          provider,
          ambiguous,
          cause: err,
        });
      } finally {
        release?.();
      }
    }
  }

  private throttled(res: HttpResponse): boolean {
    return this.o.throttleSignals.some(
      (s) => s.status === res.status && (!s.bodyIncludes || s.bodyIncludes.some((t) => res.text.includes(t))),
    );
  }

  private async once(req: HttpRequest, timeoutMs: number): Promise<HttpResponse> {
    // every request names the product, the unsigned SCP version catalogue too (./user-agent.ts)
    const headers: Record<string, string> = { "User-Agent": USER_AGENT, ...req.headers, ...req.sign?.(req.method, req.url) };
    // A body goes with its length, as the providers' SDKs send it (the SCP Go SDK's prepareRequest sets
    // Content-Length); without it node:http would send the body chunked.
    if (req.body !== undefined) {
      for (const k of Object.keys(headers)) if (k.toLowerCase() === "content-length") delete headers[k]; // one length, ours
      headers["Content-Length"] = String(Buffer.byteLength(req.body, "utf8"));
    }
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    // the body is read under the same signal: a body that stalls times out too
    return this.o.transport(req.url, { method: req.method, headers, body: req.body, signal });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
