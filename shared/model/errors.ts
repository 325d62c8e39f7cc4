import type { ProviderName } from "./image.js";

/** The one error taxonomy of the product (CONTRACT.md section 3). */
export const ERROR_STATUS = {
  INVALID_ARGUMENT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTERNAL: 500,
  UNSUPPORTED: 501,
  PROVIDER_AUTH_FAILED: 502,
  PROVIDER_ERROR: 502,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetails {
  field?: string;
  provider?: ProviderName;
  providerCode?: string;
  requestId?: string;
  /** the request reached the cloud and its outcome is unknown (a timeout after sending a create) */
  ambiguous?: boolean;
  /**
   * the cloud refused the key itself, so a rotated key in the secret may fix it (default: PROVIDER_AUTH_FAILED);
   * false when the key is fine but the caller is not allowed (iwinv's IP allowlist)
   */
  credentialsRejected?: boolean;
  cause?: unknown;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; provider?: ProviderName; providerCode?: string; requestId?: string };
}

/** `ProviderError` of the contract: one per provider/account that failed during a fan-out. */
export interface ProviderErrorEntry {
  provider: ProviderName;
  account: string;
  region: string;
  code: ErrorCode;
  message: string;
  providerCode?: string;
}

export class ImageOpsError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly provider?: ProviderName;
  readonly providerCode?: string;
  readonly requestId?: string;
  readonly ambiguous: boolean;
  readonly credentialsRejected: boolean;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    // The name is the code: a direct invocation's error reaches Step Functions and callers as errorType.
    this.name = code;
    this.code = code;
    this.field = details.field;
    this.provider = details.provider;
    this.providerCode = details.providerCode;
    this.requestId = details.requestId;
    this.ambiguous = details.ambiguous ?? false;
    this.credentialsRejected = details.credentialsRejected ?? code === "PROVIDER_AUTH_FAILED";
  }

  get statusCode(): number {
    return ERROR_STATUS[this.code];
  }

  toBody(): ErrorBody {
    const error: ErrorBody["error"] = { code: this.code, message: this.message };
    if (this.field !== undefined) error.field = this.field;
    if (this.provider !== undefined) error.provider = this.provider;
    if (this.providerCode !== undefined) error.providerCode = this.providerCode;
    if (this.requestId !== undefined) error.requestId = this.requestId;
    return { error };
  }

  /** The shape the direct-invocation form throws: keeps code and fields when Lambda serializes it. */
  toJSON(): ErrorBody["error"] {
    return this.toBody().error;
  }
}

export const invalidArgument = (field: string, reason: string) => new ImageOpsError("INVALID_ARGUMENT", `${field}: ${reason}`, { field });

/** Anything thrown that is not ours becomes INTERNAL without leaking its text (it may hold a secret or a stack). */
export function asImageOpsError(err: unknown): ImageOpsError {
  if (err instanceof ImageOpsError) return err;
  return new ImageOpsError("INTERNAL", "internal error", { cause: err });
}

/**
 * Maps what a cloud answered to the taxonomy. Every adapter parses its own envelope into
 * (status, providerCode, message, requestId) and calls this, so the mapping lives in one place.
 */
export function providerFailure(
  provider: ProviderName,
  status: number,
  info: { providerCode?: string; message?: string; requestId?: string; auth?: boolean; notFound?: boolean; conflict?: boolean },
): ImageOpsError {
  const message = `${provider}: ${info.message || `HTTP ${status}`}`;
  const details = { provider, providerCode: info.providerCode, requestId: info.requestId };
  if (info.auth || status === 401 || status === 403) return new ImageOpsError("PROVIDER_AUTH_FAILED", message, details);
  if (info.notFound || status === 404) return new ImageOpsError("NOT_FOUND", message, details);
  if (info.conflict || status === 409) return new ImageOpsError("CONFLICT", message, details);
  if (status === 429 || status >= 500) return new ImageOpsError("PROVIDER_UNAVAILABLE", message, details);
  return new ImageOpsError("PROVIDER_ERROR", message, details);
}

/**
 * Answers by which a cloud took a request and refused it (a 4xx of its own): nothing was done.
 * A timeout or a 5xx is not one, nor any answer marked ambiguous: the cloud may have acted.
 */
const REFUSALS: ReadonlySet<ErrorCode> = new Set([
  "INVALID_ARGUMENT",
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "UNSUPPORTED",
  "PROVIDER_AUTH_FAILED",
  "PROVIDER_ERROR",
]);
export const isRefusal = (err: ImageOpsError): boolean => REFUSALS.has(err.code) && !err.ambiguous;

/** Answers that will not change by waiting (tracking ends on them); every other failure is transient. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  "NOT_FOUND",
  "PROVIDER_AUTH_FAILED",
  "INVALID_ARGUMENT",
  "UNSUPPORTED",
  "FORBIDDEN",
  "UNAUTHORIZED",
]);
export const isPermanent = (err: ImageOpsError): boolean => PERMANENT.has(err.code);
