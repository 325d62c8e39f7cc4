import { HttpClient } from "./http/client.js";
import type { Transport } from "./http/transport.js";
import { limiterFor } from "./http/limiter.js";
import { ImageOpsError, invalidArgument, type ProviderErrorEntry } from "./model/errors.js";
import type { ProviderName } from "./model/image.js";
import { correlationId } from "./log.js";
import { metric } from "./metrics.js";
import { adapterFor } from "./providers/index.js";
import type { CallContext, ProviderAdapter } from "./providers/types.js";
import { type Account, type CachedSecret, type Credentials, credentialsSecret } from "./secrets.js";
import { positive } from "./config.js";

/**
 * Everything a handler needs from the outside, passed in so tests run the real code against
 * local servers: credentials, fetch, clock, and the deadline of this invocation.
 */
export interface Runtime {
  credentials: CachedSecret<Credentials>;
  transport?: Transport;
  now: () => number;
  /** epoch ms by which every provider call must be over */
  deadline?: number;
  /** per-attempt provider timeout */
  timeoutMs?: number;
  /** the invocation's correlation id, passed on to what it starts */
  correlationId?: string;
  /** waits (default: a timer); a test's clock can stand in */
  sleep?: (ms: number) => Promise<void>;
  /** the clouds behind this runtime (default: the product's adapters); a model of a cloud can stand in */
  adapters?: Partial<Record<ProviderName, ProviderAdapter>>;
}

/** Waits `ms` on the runtime's clock. */
export function sleepFor(rt: Runtime, ms: number): Promise<void> {
  return rt.sleep ? rt.sleep(ms) : new Promise((r) => setTimeout(r, ms));
}

let shared: CachedSecret<Credentials> | undefined;

/** The runtime of a Lambda invocation: the container's cached credentials and the context's deadline. */
export function lambdaRuntime(context?: { getRemainingTimeInMillis?: () => number }, overrides: Partial<Runtime> = {}): Runtime {
  shared ??= credentialsSecret();
  const remaining = context?.getRemainingTimeInMillis?.();
  // Keep a margin to shape and return the answer after the last provider call gives up.
  const deadline = remaining !== undefined && remaining > 0 ? Date.now() + Math.max(500, remaining - 1_000) : undefined;
  const timeoutMs = positive("PROVIDER_TIMEOUT_MS");
  return { credentials: shared, now: Date.now, deadline, timeoutMs, correlationId: correlationId(), ...overrides };
}

export interface Target {
  account: Account;
  region: string;
}

/** The account of a provider: the named one, or the only one; and its region, or its first. */
export function resolveTarget(creds: Credentials, provider: ProviderName, accountName?: string, region?: string): Target {
  const accounts = creds.accounts.filter((a) => a.provider === provider);
  if (accounts.length === 0) throw new ImageOpsError("NOT_FOUND", `no ${provider} account is configured`, { field: "provider" });
  let account: Account | undefined;
  if (accountName !== undefined) {
    account = accounts.find((a) => a.name === accountName);
    // the same words as a list's (selectTargets): what there is
    if (!account)
      throw new ImageOpsError(
        "NOT_FOUND",
        `no ${provider} account named "${accountName}" (there are ${accounts.map((a) => `${provider}/${a.name}`).join(", ")})`,
        { field: "account" },
      );
  } else if (accounts.length === 1) {
    account = accounts[0]!;
  } else {
    throw invalidArgument("account", `required: ${provider} has accounts ${accounts.map((a) => a.name).join(", ")}`);
  }
  if (region !== undefined && !account.regions.includes(region)) {
    throw new ImageOpsError(
      "NOT_FOUND",
      `${provider} account "${account.name}" has no region ${region} (it has ${account.regions.join(", ")})`,
      { field: "region" },
    );
  }
  return { account, region: region ?? account.regions[0]! };
}

/**
 * Every (account, region) a list or an audit selects; with no region, every region of each
 * account. A selection that names what is not configured is NOT_FOUND naming the field (as
 * resolveTarget answers describe and create), never an empty success: a misspelled account
 * must not read as "no images" or as an all-clear audit.
 */
export function selectTargets(
  accounts: Account[],
  input: { provider?: readonly ProviderName[]; account?: string; region?: string },
): Target[] {
  let selected = accounts;
  if (input.provider) {
    const unconfigured = input.provider.filter((p) => !accounts.some((a) => a.provider === p));
    if (unconfigured.length) {
      const have = [...new Set(accounts.map((a) => a.provider))].join(", ") || "none";
      throw new ImageOpsError("NOT_FOUND", `no ${unconfigured.join(" or ")} account is configured (configured: ${have})`, {
        field: "provider",
      });
    }
    selected = selected.filter((a) => input.provider!.includes(a.provider));
  }
  if (input.account !== undefined) {
    const named = selected.filter((a) => a.name === input.account);
    if (!named.length) {
      const which = input.provider?.length === 1 ? `${input.provider[0]} account` : "account";
      throw new ImageOpsError(
        "NOT_FOUND",
        `no ${which} named "${input.account}" (there are ${selected.map((a) => `${a.provider}/${a.name}`).join(", ") || "none"})`,
        { field: "account" },
      );
    }
    selected = named;
  }
  if (input.region === undefined) return selected.flatMap((account) => account.regions.map((region) => ({ account, region })));
  const region = input.region;
  const inRegion = selected.filter((a) => a.regions.includes(region));
  if (!inRegion.length) {
    const have = selected.map((a) => `${a.provider}/${a.name} has ${a.regions.join(", ")}`).join("; ") || "no account is selected";
    throw new ImageOpsError("NOT_FOUND", `no selected account has region ${region} (${have})`, { field: "region" });
  }
  return inRegion.map((account) => ({ account, region }));
}

export function callContext(rt: Runtime, target: Target): CallContext {
  const adapter = adapterFor(target.account.provider);
  const http = new HttpClient({
    provider: adapter.name,
    transport: rt.transport,
    deadline: rt.deadline,
    timeoutMs: rt.timeoutMs,
    now: rt.now,
    limiter: limiterFor(`${adapter.name}:${target.account.accessKey}`, adapter.limits),
    throttleSignals: adapter.limits.throttleSignals,
  });
  return { account: target.account, region: target.region, http };
}

/**
 * Runs `fn` against one provider account. When the cloud rejects the credentials the secret is
 * re-read once (keys may have been rotated since this container cached them) and `fn` runs again;
 * not when it refuses the caller with a key it accepts (an IP allowlist): a re-read cannot help.
 */
export async function withTarget<T>(
  rt: Runtime,
  where: { provider: ProviderName; account?: string; region?: string },
  fn: (ctx: CallContext, adapter: ProviderAdapter) => Promise<T>,
): Promise<T> {
  const run = async (creds: Credentials) => {
    const target = resolveTarget(creds, where.provider, where.account, where.region);
    try {
      return await fn(callContext(rt, target), rt.adapters?.[where.provider] ?? adapterFor(where.provider));
    } catch (err) {
      // what a cloud answered, per provider and code (the metric an operator alarms on)
      if (err instanceof ImageOpsError && err.provider && err.code.startsWith("PROVIDER_")) {
        metric("ProviderErrors", { provider: err.provider, code: err.providerCode ?? err.code });
      }
      throw err;
    }
  };
  try {
    return await run(await rt.credentials.get());
  } catch (err) {
    if (!(err instanceof ImageOpsError) || !err.credentialsRejected) throw err;
    return run(await rt.credentials.refresh());
  }
}

/** Runs `fn` for each target concurrently; a failing target becomes an error entry, never hides the rest. */
export async function fanOut<T>(
  rt: Runtime,
  targets: Target[],
  fn: (ctx: CallContext, adapter: ProviderAdapter) => Promise<T>,
): Promise<{ results: Array<{ target: Target; value: T }>; errors: ProviderErrorEntry[] }> {
  const settled = await Promise.allSettled(
    targets.map((t) => withTarget(rt, { provider: t.account.provider, account: t.account.name, region: t.region }, fn)),
  );
  const results: Array<{ target: Target; value: T }> = [];
  const errors: ProviderErrorEntry[] = [];
  settled.forEach((s, i) => {
    const target = targets[i]!;
    if (s.status === "fulfilled") results.push({ target, value: s.value });
    else {
      const e =
        s.reason instanceof ImageOpsError ? s.reason : new ImageOpsError("PROVIDER_ERROR", "unexpected failure", { cause: s.reason });
      const entry: ProviderErrorEntry = {
        provider: target.account.provider,
        account: target.account.name,
        region: target.region,
        code: e.code,
        message: e.message,
      };
      if (e.providerCode !== undefined) entry.providerCode = e.providerCode;
      errors.push(entry);
    }
  });
  return { results, errors };
}
