import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../shared/http/client.js";
import { Limiter } from "../../shared/http/limiter.js";
import { backoffDelay, retryAfterMs } from "../../shared/http/retry.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import { SimServer } from "../../dev/sim/server.js";
import { closedPort } from "../support/ports.js";

const sim = new SimServer("echo", (req) => ({ status: 200, body: { path: req.rawUrl, sig: req.headers["x-sig"] ?? null } }));
let signCalls = 0;

beforeAll(() => sim.start());
afterAll(() => sim.close());
beforeEach(() => {
  sim.setFaults({});
  sim.requests.length = 0;
  signCalls = 0;
});

function client(extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) {
  return new HttpClient({ provider: "ncp", baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 300, ...extra });
}
const get = (c: HttpClient, path = "/x?a=1") =>
  c.request({ method: "GET", url: sim.url + path, idempotent: true, sign: () => ({ "x-sig": String(++signCalls) }) });

describe("HttpClient", () => {
  it("sends the URL exactly and signs every attempt afresh", async () => {
    sim.setFaults({ status: 503, count: 2 });
    const res = await get(client(), "/v?b=%20x&a=%ED%95%9C");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ path: "/v?b=%20x&a=%ED%95%9C", sig: "3" });
    expect(sim.requests).toHaveLength(3);
  });

  it("names the product on every request: User-Agent imageops/<the version in package.json>", async () => {
    // as the official SDKs name themselves (NCP's Go SDK vserver/1.0.7/go, the SCP provider scpclient/0.0.1:
    // test/fixtures/oracle/vectors-*.json), and as the AWS and Slack SDKs do
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    await get(client());
    await client().request({ method: "GET", url: `${sim.url}/unsigned`, idempotent: true });
    expect(sim.requests.map((r) => r.headers["user-agent"])).toEqual([`imageops/${version}`, `imageops/${version}`]);
  });

  it("honours Retry-After on 429", async () => {
    sim.setFaults({ status: 429, retryAfter: 1, count: 1 });
    const started = Date.now();
    const res = await get(client());
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("stops after a bounded number of attempts and returns the last answer", async () => {
    sim.setFaults({ status: 503 });
    const res = await get(client({ maxAttempts: 3 }));
    expect(res.status).toBe(503);
    expect(sim.requests).toHaveLength(3);
  });

  it("sends a body with its Content-Length, never chunked (UTF-8 bytes, not characters)", async () => {
    const body = '{"image_name":"웹"}\n';
    const res = await client().request({
      method: "POST",
      url: `${sim.url}/p`,
      idempotent: false,
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const sent = sim.requests[0]!;
    expect(sent.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    expect(sent.headers["content-length"]).toBe("21"); // 3 bytes for 웹
    expect(sent.headers).not.toHaveProperty("transfer-encoding");
    expect(sent.body).toBe(body);
    await get(client());
    expect(sim.requests[1]!.headers).not.toHaveProperty("content-length");
    expect(sim.requests[1]!.headers).not.toHaveProperty("transfer-encoding");
  });

  it("retries a provider's declared throttle answer like a 429, and nothing else that looks like it", async () => {
    let blocked = 0;
    const waf = new SimServer("waf", () =>
      blocked-- > 0 ? { status: 417, body: "<html>request was blocked</html>" } : { status: 200, body: {} },
    );
    await waf.start();
    try {
      const signals = [{ status: 417, bodyIncludes: ["request was blocked"] }];
      const req = { method: "GET" as const, url: `${waf.url}/x`, idempotent: true };
      blocked = 2;
      expect((await client({ throttleSignals: signals }).request(req)).status).toBe(200);
      expect(waf.requests).toHaveLength(3);
      // not declared: answered as it is, once
      blocked = 1;
      expect((await client().request(req)).status).toBe(417);
      expect(waf.requests).toHaveLength(4);
      // declared for another body: not a throttle
      blocked = 1;
      expect((await client({ throttleSignals: [{ status: 417, bodyIncludes: ["Support ID"] }] }).request(req)).status).toBe(417);
      expect(waf.requests).toHaveLength(5);
    } finally {
      await waf.close();
    }
  });

  it("never repeats a non-idempotent request", async () => {
    sim.setFaults({ status: 503 });
    const res = await client().request({ method: "POST", url: `${sim.url}/create`, idempotent: false, body: "{}" });
    expect(res.status).toBe(503);
    expect(sim.requests).toHaveLength(1);
  });

  it("times out a hanging read, retries, then gives PROVIDER_TIMEOUT", async () => {
    sim.setFaults({ hang: true });
    const err = await get(client({ timeoutMs: 100, maxAttempts: 2 })).catch((e) => e);
    expect(err).toBeInstanceOf(ImageOpsError);
    expect(err.code).toBe("PROVIDER_TIMEOUT");
    expect(err.ambiguous).toBe(false);
    expect(sim.requests).toHaveLength(2);
  });

  it("marks a create that timed out after sending as ambiguous", async () => {
    sim.setFaults({ hang: true });
    const err = await client({ timeoutMs: 100 })
      .request({ method: "POST", url: `${sim.url}/create`, idempotent: false })
      .catch((e) => e);
    expect(err.code).toBe("PROVIDER_TIMEOUT");
    expect(err.ambiguous).toBe(true);
    expect(sim.requests).toHaveLength(1);
  });

  it("keeps the whole call within the deadline", async () => {
    sim.setFaults({ hang: true });
    const started = Date.now();
    const err = await get(client({ timeoutMs: 5_000, deadline: Date.now() + 400 })).catch((e) => e);
    expect(err.code).toBe("PROVIDER_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("retries a dropped connection, then answers PROVIDER_UNAVAILABLE", async () => {
    sim.setFaults({ down: true });
    const err = await get(client({ maxAttempts: 3 })).catch((e) => e);
    expect(err.code).toBe("PROVIDER_UNAVAILABLE");
    expect(sim.requests).toHaveLength(3);
  });

  it("reports a refused connection as not sent (safe to retry a create)", async () => {
    const err = await client({ maxAttempts: 2 })
      .request({ method: "POST", url: `http://127.0.0.1:${await closedPort()}/create`, idempotent: false })
      .catch((e) => e);
    expect(err.code).toBe("PROVIDER_UNAVAILABLE");
    expect(err.ambiguous).toBe(false);
  });
});

describe("retry timing", () => {
  it("full jitter stays within the exponential cap", () => {
    const o = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };
    expect(backoffDelay(1, o)).toBe(99);
    expect(backoffDelay(3, o)).toBe(399);
    expect(backoffDelay(10, o)).toBe(999);
    expect(backoffDelay(3, { ...o, random: () => 0 })).toBe(0);
  });
  it("reads Retry-After as seconds or a date, capped", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs("2", now)).toBe(2000);
    expect(retryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(retryAfterMs("9999", now)).toBe(60_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe("Limiter", () => {
  it("keeps at most N requests in flight", async () => {
    const limiter = new Limiter({ concurrency: 2 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        const release = await limiter.acquire();
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        release();
      }),
    );
    expect(peak).toBe(2);
  });

  it("allows at most perMinute starts in any 60 s window and refuses waits past the deadline", async () => {
    let now = 1_000_000;
    const limiter = new Limiter({ concurrency: 100, perMinute: 60 }, () => now);
    for (let i = 0; i < 60; i++) (await limiter.acquire())();
    now += 59_000;
    await expect(limiter.acquire(now + 500)).rejects.toThrow(/rate limit/);
    now += 1_000; // the first start is now 60 s old
    const release = await limiter.acquire(now + 500);
    release();
  });
});
