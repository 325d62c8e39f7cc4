/**
 * Per-provider concurrency and request-rate limits. The rate is a sliding window (at most
 * `perMinute` starts in any 60 s), which is what "60 requests per minute" means to iwinv;
 * a token bucket would allow twice that across a window boundary.
 */
export interface LimitSpec {
  concurrency: number;
  perMinute?: number;
}

export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly starts: number[] = [];

  constructor(
    readonly spec: LimitSpec,
    private readonly now: () => number = Date.now,
  ) {}

  /** Waits for a slot; resolves with a release function. Rejects if the wait would pass `deadline`. */
  async acquire(deadline = Infinity): Promise<() => void> {
    if (this.active >= this.spec.concurrency) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      await this.waitForRate(deadline);
    } catch (err) {
      this.release();
      throw err;
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.release();
      }
    };
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // hand the slot over without decrementing
    else this.active--;
  }

  private async waitForRate(deadline: number): Promise<void> {
    const max = this.spec.perMinute;
    if (!max) return;
    for (;;) {
      const now = this.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - 60_000) this.starts.shift();
      if (this.starts.length < max) {
        this.starts.push(now);
        return;
      }
      const wait = this.starts[0]! + 60_000 - now;
      if (now + wait > deadline) throw new RateLimitWaitTooLong(wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export class RateLimitWaitTooLong extends Error {
  constructor(readonly waitMs: number) {
    super(`rate limit: next slot in ${waitMs} ms, past the deadline`);
  }
}

const registry = new Map<string, Limiter>();

/** One limiter per key (provider + access key), shared by every client in this container. */
export function limiterFor(key: string, spec: LimitSpec): Limiter {
  let limiter = registry.get(key);
  if (!limiter) {
    limiter = new Limiter(spec);
    registry.set(key, limiter);
  }
  return limiter;
}
