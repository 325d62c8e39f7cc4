/**
 * The oracle: what the official SDKs' own code put on the wire for a fixed set of inputs
 * (../shared/providers/oracle/, copied byte for byte into test/fixtures/oracle/; its README says what
 * each file holds). The golden tests (test/unit/oracle-*.test.ts) run the adapters on each case's
 * inputs and hold what they send against these requests. Nothing here is computed by the product.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Sent } from "./wire.js";

export interface SdkRequest {
  method: string;
  url: string;
  headerNames: string[];
  headers: Record<string, string[]>;
  contentLength: number;
  body: string;
}

export interface OracleCall {
  action: string;
  sdkFunction: string;
  /** NCP: the request model's fields; SCP: `input` instead */
  params?: Record<string, unknown>;
  input?: { op: string; id?: string; args?: Record<string, unknown>; num?: Record<string, number> };
  sdkRequest: SdkRequest;
  timestamp: string;
}

export interface OracleCase {
  id: string;
  calls: OracleCall[];
  /** SCP: the SDK's configuration (endpoint "" = discovered from IAM; the account id it signs with) */
  sdkEndpoint?: string;
  sdkAccountId?: string;
}

export interface Oracle {
  sdk: string;
  cases: OracleCase[];
}

export const oracleFile = (cloud: "ncp" | "scp") => fileURLToPath(new URL(`../fixtures/oracle/vectors-${cloud}.json`, import.meta.url));
/** The shared original, beside a checkout (absent on a clean clone: the copy is what is tested). */
export const sharedOracleFile = (cloud: "ncp" | "scp") =>
  fileURLToPath(new URL(`../../../shared/providers/oracle/vectors-${cloud}.json`, import.meta.url));

export const loadOracle = (cloud: "ncp" | "scp"): Oracle => JSON.parse(readFileSync(oracleFile(cloud), "utf8")) as Oracle;

export function oracleCase(oracle: Oracle, id: string): OracleCase {
  const c = oracle.cases.find((x) => x.id === id);
  if (!c) throw new Error(`no oracle case ${id}`);
  return c;
}

/** A header the SDK sends that the product names itself in: its presence is compared, not its value. */
const BY_PRESENCE = new Set(["user-agent"]);
export const PRODUCT_USER_AGENT = /^imageops\/\d+\.\d+\.\d+/;

/**
 * `sent` is the SDK's request: the same method, URL and body bytes, every header the SDK sends
 * (names case-insensitively, values exactly; User-Agent by presence, the product's own), the SDK's
 * Content-Length when it has a body and none without, and no header besides those but the ones
 * `extra` allows (name lower case → the value it must have).
 */
export function expectSdkRequest(sent: Sent | undefined, sdk: SdkRequest, extra: Record<string, string> = {}, what = sdk.url): void {
  expect(sent, `${what}: not sent`).toBeDefined();
  const s = sent!;
  expect(s.method, what).toBe(sdk.method);
  expect(s.url, what).toBe(sdk.url);
  expect(s.body ?? "", what).toBe(sdk.body);
  const names = Object.keys(s.headers).map((k) => k.toLowerCase());
  expect(new Set(names).size, `${what}: one value per header`).toBe(names.length);
  const header = (name: string) => Object.entries(s.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  for (const name of sdk.headerNames) {
    const want = sdk.headers[name] ?? [];
    expect(want.length, `${what}: the SDK sends one ${name}`).toBe(1);
    if (BY_PRESENCE.has(name.toLowerCase())) expect(header(name), `${what}: ${name}`).toMatch(PRODUCT_USER_AGENT);
    else expect(header(name), `${what}: ${name}`).toBe(want[0]);
  }
  const length = sdk.contentLength > 0 ? String(sdk.contentLength) : undefined;
  expect(header("content-length"), `${what}: Content-Length`).toBe(length);
  const sdkNames = new Set(sdk.headerNames.map((n) => n.toLowerCase()));
  for (const [name, value] of Object.entries(s.headers)) {
    const lower = name.toLowerCase();
    if (sdkNames.has(lower) || lower === "content-length") continue;
    expect(lower in extra, `${what}: the product also sends ${name}: ${value}`).toBe(true);
    expect(value, `${what}: ${name}`).toBe(extra[lower]);
  }
}

/**
 * A clock for the signers: the timestamp of the oracle call about to be signed, the one after the
 * `signed()` requests already sent (a signer reads the clock just before its request goes out).
 */
export const oracleClock = (calls: OracleCall[], signed: () => number) => () =>
  Number(calls[Math.min(signed(), calls.length - 1)]!.timestamp);
