import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import { ImageOpsError } from "./model/errors.js";
import { PROVIDERS, type ProviderName } from "./model/image.js";
import { log, registerSecret } from "./log.js";
import { IwinvAccount } from "./providers/iwinv/account.js";
import { NcpAccount } from "./providers/ncp/account.js";
import { ScpAccount } from "./providers/scp/account.js";
import { text } from "./config.js";

/**
 * Each adapter declares its account (shared/providers/<cloud>/account.ts), here by cloud, so that a
 * cloud added to PROVIDERS is a compile error until its account is; combined as one union on `provider`.
 */
const ACCOUNTS = { ncp: NcpAccount, scp: ScpAccount, iwinv: IwinvAccount } satisfies Record<ProviderName, z.ZodObject>;
type AnyAccountSchema = (typeof ACCOUNTS)[ProviderName];
const AccountSchema = z.discriminatedUnion("provider", Object.values(ACCOUNTS) as [AnyAccountSchema, ...AnyAccountSchema[]]);

const CredentialsSchema = z
  .object({ accounts: z.array(AccountSchema).min(1) })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.accounts.forEach((a, i) => {
      const key = `${a.provider}/${a.name}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["accounts", i, "name"], message: `duplicate account ${key}` });
      seen.add(key);
    });
  });

const SlackSecretSchema = z.object({ signingSecret: z.string().min(1), botToken: z.string().min(1) }).strict();

export type Account = z.infer<typeof AccountSchema>;
export type Credentials = z.infer<typeof CredentialsSchema>;
export type SlackSecret = z.infer<typeof SlackSecretSchema>;

/**
 * A validation message that names the account and field but never echoes a value
 * (zod messages can quote the input; ours are built from paths and issue codes only).
 */
function describeIssues(secretName: string, raw: unknown, error: z.ZodError): string {
  const accounts = (raw as { accounts?: Array<{ name?: unknown }> })?.accounts;
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String);
    let where = path.join(".") || "(root)";
    if (path[0] === "accounts" && path[1] !== undefined) {
      const name = accounts?.[Number(path[1])]?.name;
      const label = typeof name === "string" && name.length <= 64 ? `account "${name}"` : `account #${path[1]}`;
      where = `${label}${path.length > 2 ? ` field ${path.slice(2).join(".")}` : ""}`;
    }
    const reason =
      issue.code === "unrecognized_keys"
        ? `unknown field(s) ${issue.keys.join(", ")}`
        : issue.code === "invalid_type"
          ? `expected ${issue.expected}`
          : issue.code === "custom"
            ? issue.message
            : issue.code === "invalid_value"
              ? "not an allowed value"
              : issue.code === "invalid_union"
                ? `expected one of ${PROVIDERS.join(", ")}`
                : issue.code.replace(/_/g, " ");
    return `${where}: ${reason}`;
  });
  return `${secretName} is invalid: ${parts.join("; ")}`;
}

function parseSecret<T>(secretName: string, text: string | undefined, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? "");
  } catch {
    throw new ImageOpsError("INTERNAL", `${secretName} is not valid JSON`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ImageOpsError("INTERNAL", describeIssues(secretName, raw, parsed.error));
  return parsed.data;
}

export interface SecretSource {
  /** the SecretString of a secret */
  get(secretId: string): Promise<string | undefined>;
}

/** Secrets Manager through the real SDK; honours AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_REGION. */
export class SecretsManagerSource implements SecretSource {
  private client?: SecretsManagerClient;
  async get(secretId: string): Promise<string | undefined> {
    this.client ??= new SecretsManagerClient({ maxAttempts: 2, requestHandler: { requestTimeout: 3_000 } });
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return out.SecretString;
    } catch (err) {
      const name = (err as Error)?.name ?? "Error";
      throw new ImageOpsError("INTERNAL", `could not read secret ${secretId} from Secrets Manager (${name})`, { cause: err });
    }
  }
}

/** Accounts added to a secret reach warm containers within this, with one Secrets Manager call per container per period. */
export const SECRET_MAX_AGE_MS = 5 * 60_000;

/**
 * Reads and caches a secret per container (re-read after SECRET_MAX_AGE_MS); concurrent cold-start reads collapse into one call.
 * `refresh()` re-reads once (after a provider rejects the credentials, say).
 */
export class CachedSecret<T> {
  private value?: Promise<T>;
  private loadedAt = 0;
  /** the last value read, served if a re-read after maxAge fails (Secrets Manager down must not stop a warm container) */
  private last?: T;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  constructor(
    private readonly source: SecretSource,
    private readonly secretId: () => string | undefined,
    private readonly envName: string,
    private readonly parse: (name: string, text: string | undefined) => T,
    private readonly onValue: (value: T) => void = () => {},
    options: { maxAgeMs?: number; now?: () => number } = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? SECRET_MAX_AGE_MS;
    this.now = options.now ?? Date.now;
  }

  get(): Promise<T> {
    if (this.value && this.now() - this.loadedAt >= this.maxAgeMs) this.value = undefined;
    if (!this.value) {
      // aged from when the read began: concurrent calls share this read
      this.loadedAt = this.now();
      const pending = this.load().then(
        (v) => ((this.last = v), v),
        (err: unknown) => {
          if (this.value === pending) this.value = undefined; // a failure is not cached
          if (this.last === undefined) throw err;
          log("warn", `could not re-read ${this.secretId()} after ${this.maxAgeMs / 1000} s; using the value read before`, {
            error: (err as Error)?.message,
          });
          return this.last;
        },
      );
      this.value = pending;
    }
    return this.value;
  }

  /** Reads again now (after a provider rejects the credentials, say); a failure here is not hidden. */
  refresh(): Promise<T> {
    this.value = undefined;
    this.last = undefined;
    return this.get();
  }

  private async load(): Promise<T> {
    const id = this.secretId();
    if (!id) throw new ImageOpsError("INTERNAL", `${this.envName} is not set`);
    const value = this.parse(id, await this.source.get(id));
    this.onValue(value);
    return value;
  }
}

type CacheOptions = ConstructorParameters<typeof CachedSecret>[5];

export function credentialsSecret(source: SecretSource = new SecretsManagerSource(), options?: CacheOptions): CachedSecret<Credentials> {
  return new CachedSecret(
    source,
    () => text("CREDENTIALS_SECRET_ID"),
    "CREDENTIALS_SECRET_ID",
    (name, text) => parseSecret(name, text, CredentialsSchema),
    (c) => c.accounts.forEach((a) => registerSecret(a.secretKey, a.accessKey)),
    options,
  );
}

export function slackSecret(source: SecretSource = new SecretsManagerSource(), options?: CacheOptions): CachedSecret<SlackSecret> {
  return new CachedSecret(
    source,
    () => text("SLACK_SECRET_ID"),
    "SLACK_SECRET_ID",
    (name, text) => parseSecret(name, text, SlackSecretSchema),
    (s) => {
      registerSecret(s.signingSecret);
      registerSecret(s.botToken);
    },
    options,
  );
}

export { CredentialsSchema, SlackSecretSchema };
