/**
 * Fuzzing through the built bundles: ≥ 1,000 generated inputs per function, in both event forms
 * (function URL GET/POST — JSON, broken JSON, base64 — and direct invocation). Every answer must
 * be a well-formed contract success or error; bad input never gets a 5xx or an uncaught
 * exception; no request leaves for a host other than the configured endpoints; ids and names
 * reach the clouds encoded, never as extra path segments or query parameters.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FunctionName, type LocalStack, startLocalStack } from "../../dev/local-stack.js";
import { DEMO_SERVERS } from "../../dev/sim/demo.js";

let stack: LocalStack;
const hosts = new Set<string>();
const seenHosts: string[] = [];
const realRequest = { http: http.request, https: https.request };

beforeAll(async () => {
  // iwinv (60 requests a minute) stays out: a thousand lists would only measure its limiter.
  stack = await startLocalStack({
    providers: ["ncp", "scp"],
    createDelayMs: 60_000,
    env: { PROVIDER_TIMEOUT_MS: "2000", NOTIFY_CHANNELS: "C0FUZZ001" },
  });
  // every endpoint the product may call: the clouds, and the local AWS and Slack endpoints
  for (const sim of [stack.ncp, stack.scp, stack.iwinv, stack.slackApi, stack.secrets, stack.stepFunctions, stack.lambda, stack.dynamo])
    hosts.add(new URL(sim.url).host);
  // Everything the bundles send goes through node:http or node:https (the provider client and the AWS SDK): watch both.
  for (const [mod, real] of [
    [http, realRequest.http],
    [https, realRequest.https],
  ] as const) {
    mod.request = ((...args: Parameters<typeof http.request>) => {
      const o = args[0] as { hostname?: string; host?: string; port?: string | number } | URL | string;
      const u = typeof o === "string" ? new URL(o) : o instanceof URL ? o : undefined;
      seenHosts.push(
        u
          ? u.host
          : `${(o as { hostname?: string; host?: string }).hostname ?? (o as { host?: string }).host}:${(o as { port?: string | number }).port}`,
      );
      return (real as (...a: unknown[]) => http.ClientRequest)(...args);
    }) as typeof http.request;
  }
}, 60_000);

afterAll(async () => {
  http.request = realRequest.http;
  https.request = realRequest.https;
  await stack?.stop();
});

const CODES = [
  "INVALID_ARGUMENT",
  // a public image's delete; a notify channel outside NOTIFY_CHANNELS (issue #23)
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "UNSUPPORTED",
  "PROVIDER_AUTH_FAILED",
  "PROVIDER_ERROR",
  "PROVIDER_UNAVAILABLE",
  "PROVIDER_TIMEOUT",
];
const STATUS: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED: 501,
  PROVIDER_AUTH_FAILED: 502,
  PROVIDER_ERROR: 502,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
};

/** Every C0 control character, DEL and every C1 control, each inside text. */
const CONTROLS = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)].map(
  (c) => `a${String.fromCharCode(c)}b`,
);
/** Lone surrogates, which no UTF-8 can hold: Go's SDKs see U+FFFD (shared/providers/escape.ts), encodeURIComponent throws. */
const LONE_SURROGATES = ["\uD800", "\uDFFF", "bad \uD800 text", "x\uDC00y", "\uD83D", "🚀\uDE80\uD83D", "\uDBFF\uDBFF"];

const nasty = fc.constantFrom(
  ...CONTROLS,
  ...LONE_SURROGATES,
  "../",
  "../../etc/passwd",
  "..%2F..%2F",
  "%2F",
  "a/b",
  "?x=1",
  "#frag",
  "a?serverImageNo=1",
  "\r\nX-Injected: 1",
  "%0d%0aX: y",
  "http://169.254.169.254/latest",
  "//evil.example/x",
  "한국어 이미지",
  "emoji 🚀",
  "\u0000",
  "a".repeat(5000),
  " ",
  "",
  "*",
  "+",
  "~",
  "%",
  "%%",
  "null",
  "__proto__",
  "constructor",
);
const junk = fc.oneof(
  nasty,
  fc.string({ maxLength: 40 }),
  // any UTF-16 code units, lone surrogates included
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
);

/**
 * A plausible input, then 0–2 mutations: a field replaced by junk, a field dropped, or a field
 * nobody knows added. About a third of the inputs stay valid and reach the clouds. `together`
 * draws fields that must agree with each other (a provider and an id of its shape).
 */
function inputs(
  valid: Record<string, fc.Arbitrary<unknown>>,
  together?: { keys: string[]; arb: fc.Arbitrary<Record<string, unknown>> },
  /** fields set as given, never mutated */
  kept: Record<string, unknown> = {},
) {
  const keys = [...Object.keys(valid), ...(together?.keys ?? [])];
  const mutation = fc.oneof(
    fc.tuple(fc.constant("junk" as const), fc.constantFrom(...keys), junk),
    fc.tuple(fc.constant("drop" as const), fc.constantFrom(...keys), fc.constant(undefined)),
    fc.tuple(fc.constant("extra" as const), fc.constantFrom("extra", "__proto__", "Provider", "limit ", "x"), junk),
  );
  return fc
    .tuple(fc.record(valid), together?.arb ?? fc.constant({}), fc.array(mutation, { maxLength: 2 }))
    .map(([base, joint, mutations]) => {
      const out: Record<string, unknown> = { ...base, ...joint };
      for (const [kind, key, value] of mutations) {
        if (kind === "drop") delete out[key];
        else Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
      }
      return { ...out, ...kept };
    });
}

const provider = fc.constantFrom("ncp", "scp", "iwinv");
const id = fc.oneof(
  nasty,
  fc.constantFrom("PIMAGE-1tQFoTuKeENlSZ7xFXyVix", "70a599e0-31e7-49b7-b260-868f441e862b", "1234567"),
  fc.string({ minLength: 1, maxLength: 30 }),
);
/** Ids of each cloud's shape (NCP numbers, SCP UUIDs, iwinv's ASCII forms): known ones and unknown ones. */
const SHAPED: Record<"ncp" | "scp" | "iwinv", string[]> = {
  ncp: ["23214590", "31000001", "41000001", "99999999", DEMO_SERVERS.ncp.kvm],
  scp: [
    "70a599e0-31e7-49b7-b260-868f441e862b",
    "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c11",
    "0a0a0a0a-0000-4000-8000-00000000dead",
    DEMO_SERVERS.scp.active,
  ],
  iwinv: ["PIMAGE-1tQFoTuKeENlSZ7xFXyVix", "IMAGE-7Hq2WebGolden000000001", "PIMAGE-doesnotexist", DEMO_SERVERS.iwinv.active],
};
/** A provider and, as `key`, an id of its shape half the time, anything else otherwise. */
const providerWith = (key: string) => ({
  keys: ["provider", key],
  arb: provider.chain((p) =>
    fc.record({
      provider: fc.constant(p),
      [key]: fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...SHAPED[p]) }, { weight: 1, arbitrary: id }),
    }),
  ),
});
const spec: Record<Exclude<FunctionName, "slack">, { methods: string[]; arb: fc.Arbitrary<Record<string, unknown>> }> = {
  "list-images": {
    methods: ["GET", "POST"],
    arb: inputs({
      provider: fc.oneof(provider, fc.constant("ncp,scp")),
      os: fc.constantFrom("ubuntu", "rocky", "Windows", "한국어"),
      name: fc.stringMatching(/^[a-z0-9 -]{1,6}$/),
      scope: fc.constantFrom("public", "custom", "all"),
      limit: fc.integer({ min: 1, max: 1000 }),
      status: fc.constantFrom("available", "creating"),
      region: fc.constantFrom("KR", "kr-west1", "mars-1"),
      account: fc.constantFrom("demo", "prod"),
    }),
  },
  "describe-image": {
    methods: ["GET", "POST"],
    arb: inputs({ account: fc.constantFrom("demo", "nope"), region: fc.constantFrom("KR", "kr-west1") }, providerWith("id")),
  },
  "create-image": {
    methods: ["POST"],
    arb: inputs(
      {
        name: fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{2,20}[a-z0-9]$/) }, { weight: 1, arbitrary: nasty }),
        // free text: any code units, lone surrogates and control characters included
        description: fc.oneof(fc.string({ maxLength: 1200 }), fc.string({ unit: "binary", maxLength: 300 }), nasty),
        dryRun: fc.constant(true),
        notify: fc.record({ channel: fc.constantFrom("C0FUZZ001", "C0FUZZ002") }),
      },
      // a server by its id or by its name (web-01 is a demo server's name on NCP and SCP)
      {
        keys: ["provider", "serverId"],
        arb: providerWith("serverId").arb.chain((b) => fc.oneof(fc.constant(b), fc.constant({ ...b, serverId: "web-01" }))),
      },
    ),
  },
  "describe-operation": {
    methods: ["GET", "POST"],
    arb: inputs({ operation: fc.oneof(fc.constant(`img-ncp-${"0a".repeat(20)}`), fc.constant(`img-scp-${"b".repeat(40)}-2`), id) }),
  },
  "track-image": {
    methods: ["POST"],
    arb: inputs(
      {
        operation: fc.constant("img-fuzz"),
        account: fc.constant("demo"),
        region: fc.constantFrom("KR", "kr-west1"),
        startedAt: fc.constant("2026-11-23T00:00:00.000Z"),
      },
      providerWith("imageId"),
    ),
  },
  "audit-images": {
    methods: ["GET", "POST"],
    arb: inputs({ provider, account: fc.constantFrom("demo", "prod"), notify: fc.constant(false) }),
  },
  // dry runs only, never mutated away: the fuzz never deletes anything
  "delete-image": {
    methods: ["POST"],
    arb: inputs(
      {
        expectName: fc.oneof(fc.constant("web-base"), nasty),
        region: fc.constantFrom("KR", "kr-west1"),
      },
      providerWith("id"),
      { dryRun: true },
    ),
  },
  "share-image": {
    methods: ["POST"],
    arb: inputs(
      {
        targets: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(["partner@example.com"], ["workload-a@example.com", "workload-b@example.com"]) },
          { weight: 1, arbitrary: fc.array(nasty, { maxLength: 3 }) },
          { weight: 1, arbitrary: nasty },
        ),
        action: fc.constantFrom("share", "unshare"),
        region: fc.constantFrom("KR", "kr-west1"),
      },
      providerWith("id"),
      { dryRun: true },
    ),
  },
  // never a real policy's name: the fuzz never runs one
  "run-policy": {
    methods: ["GET", "POST"],
    arb: inputs({
      action: fc.constantFrom("run", "start", "list"),
      policy: fc.oneof(nasty, fc.stringMatching(/^zz-[a-z0-9-]{1,10}$/)),
      scheduledAt: fc.oneof(fc.constant("2026-12-02T03:00:00Z"), nasty),
      trigger: fc.constantFrom("schedule", "manual"),
    }),
  },
};

type Form = "direct" | "get" | "post-json" | "post-base64" | "post-broken" | "post-garbage-base64";
const forms = fc.constantFrom<Form>("direct", "get", "post-json", "post-base64", "post-broken", "post-garbage-base64");

function urlEvent(method: string, input: Record<string, unknown>, form: Form) {
  const base = { version: "2.0", rawPath: "/", requestContext: { http: { method } }, headers: {} };
  if (method === "GET") {
    const query = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    return { ...base, queryStringParameters: query };
  }
  const json = JSON.stringify(input);
  if (form === "post-base64") return { ...base, body: Buffer.from(json).toString("base64"), isBase64Encoded: true };
  if (form === "post-broken") return { ...base, body: json.slice(0, Math.max(1, json.length - 3)) };
  if (form === "post-garbage-base64") return { ...base, body: "%%%not-base64%%%", isBase64Encoded: true };
  return { ...base, body: json };
}

function checkError(error: { code?: unknown; message?: unknown; field?: unknown }) {
  expect(CODES).toContain(error.code);
  expect(typeof error.message).toBe("string");
  expect(String(error.message)).not.toMatch(/\n\s+at /); // never a stack trace
  if (error.field !== undefined) expect(typeof error.field).toBe("string");
}

describe.each(Object.entries(spec))("fuzz %s", (name, { methods, arb }) => {
  it("answers every generated input with a contract success or error", async () => {
    const outcomes = { ok: 0, refused: 0, invalid: 0 };
    await fc.assert(
      fc.asyncProperty(arb, forms, fc.constantFrom(...methods), async (input, form, method) => {
        if (form === "direct") {
          let out: unknown;
          let err: unknown;
          try {
            out = await stack.handlers[name as FunctionName](input, undefined);
          } catch (e) {
            err = e ?? new Error("a falsy value was thrown");
          }
          // asserted outside the try, so an assertion failure is never taken for a refusal
          if (err === undefined) {
            expect(out && typeof out === "object").toBe(true);
            outcomes.ok++;
            return;
          }
          outcomes.refused++;
          if ((err as { code?: string }).code === "INVALID_ARGUMENT") outcomes.invalid++;
          checkError(err as { code?: unknown; message?: unknown });
          expect((err as { name: string }).name).toBe((err as { code: string }).code);
          return;
        }
        const res = (await stack.handlers[name as FunctionName](urlEvent(form === "get" ? "GET" : method, input, form), undefined)) as {
          statusCode: number;
          headers: Record<string, string>;
          body: string;
        };
        expect(res.headers["content-type"]).toBe("application/json");
        const body = JSON.parse(res.body);
        if (res.statusCode >= 400) {
          checkError(body.error);
          expect(res.statusCode).toBe(STATUS[body.error.code]);
          // provider trouble is 5xx; bad input never is
          if (body.error.code === "INVALID_ARGUMENT") expect(res.statusCode).toBe(400);
          outcomes.refused++;
          if (body.error.code === "INVALID_ARGUMENT") outcomes.invalid++;
        } else {
          expect([200, 202]).toContain(res.statusCode);
          outcomes.ok++;
        }
      }),
      { numRuns: 1000, seed: 20261123 + name.length },
    );
    // the generator must get past validation to the clouds too, not only exercise the validator
    expect(1000 - outcomes.invalid, JSON.stringify(outcomes)).toBeGreaterThanOrEqual(150);
  }, 240_000);
});

describe("after fuzzing", () => {
  it("named the product on every request to a cloud: User-Agent imageops/<package.json's version>, put in the bundles at build time", () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const requests = [stack.ncp, stack.scp, stack.iwinv].flatMap((sim) => sim.requests);
    expect(requests.length).toBeGreaterThan(100);
    for (const r of requests) expect(r.headers["user-agent"], r.rawUrl).toBe(`imageops/${version}`);
  });

  it("sent nothing to a host other than the configured endpoints (clouds, Secrets Manager, DynamoDB, Slack)", () => {
    expect(seenHosts.length).toBeGreaterThan(100);
    for (const host of new Set(seenHosts)) expect(hosts.has(host), host).toBe(true);
  });

  it("kept every id and name inside one encoded path segment or query value", () => {
    expect(stack.scp.requests.length).toBeGreaterThan(0);
    expect(stack.ncp.requests.length).toBeGreaterThan(0);
    for (const r of stack.scp.requests) {
      const path = r.rawUrl.split("?")[0]!;
      // "/" is the unsigned version catalogue, read once a day; an image's members (share-image, the audit)
      // are one more segment each: /v1/images/{id}/members[/{member_id}]
      expect(path, r.rawUrl).toMatch(/^\/$|^\/v1\/(images|servers)(\/[^/?#\s]+)?(\/images|\/members(\/[^/?#\s]+)?)?$/);
      expect(r.rawUrl).not.toMatch(/[\r\n#]/);
    }
    for (const r of stack.ncp.requests) {
      // no query at all: every NCP parameter travels in the form body (shared/providers/ncp/wire.ts)
      expect(r.rawUrl, r.rawUrl).toMatch(/^\/vserver\/v2\/[A-Za-z]+$/);
      expect(r.body).not.toMatch(/[\r\n# ]/);
      // one value per parameter name: nothing smuggled a second serverImageNo or responseFormatType in
      const names = [...new URLSearchParams(r.body).keys()];
      expect(names[0], r.body).toBe("responseFormatType");
      expect(new Set(names).size, r.body).toBe(names.length);
    }
  });
});
