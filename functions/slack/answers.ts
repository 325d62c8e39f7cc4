import * as z from "zod";
import type { Ack } from "../../shared/audit/history.js";
import type { AuditResult } from "../../shared/audit/run.js";
import type { Check } from "../../shared/images/checks.js";
import type { Acceptance } from "../../shared/images/share.js";
import type { ShareMember } from "../../shared/providers/types.js";
import type { ListOutput } from "../../shared/images/list.js";
import type { ServersOutput } from "../../shared/images/servers.js";
import type { OperationView } from "../../shared/operations/describe.js";
import type { PolicyView } from "../../shared/policies/list.js";
import { ERROR_STATUS, type ErrorCode, ImageOpsError } from "../../shared/model/errors.js";
import { type Image, PROVIDERS } from "../../shared/model/image.js";

/**
 * What the functions answer, as the Slack jobs read it back across the Lambda boundary. Each
 * answer is one schema bound to the type its function declares (an `Answer<T>`): the caller of
 * a function cannot pick another type than the one the schema checks, and the schema checks
 * every field the Slack messages read (the rest passes through). A function answering something
 * else is an error naming the field, not a crash deep in the rendering.
 */
export interface Answer<T> {
  readonly shape: z.ZodType;
  /** the type the shape stands for (never set: it only carries T) */
  readonly type?: T;
}
const answer = <T>(shape: z.ZodType): Answer<T> => ({ shape });

const str = z.string();
const opt = z.string().optional();
const nullable = z.string().nullable();
const provider = z.enum(PROVIDERS);

/** The contract's Image (CONTRACT.md section 2), every field: the messages show most of them. */
const image = z.looseObject({
  provider,
  account: str,
  region: str,
  id: str,
  name: str,
  description: nullable,
  kind: z.enum(["public", "custom"]),
  visibility: str,
  status: z.enum(["creating", "available", "failed", "deleting", "unknown"]),
  providerStatus: str,
  os: z.looseObject({ family: str, distro: nullable, version: nullable, name: nullable }),
  architecture: nullable,
  sizeBytes: z.number().nullable(),
  createdAt: nullable,
  sourceServerId: nullable,
});
const member = z.looseObject({ id: str, status: opt });
const providerError = z.looseObject({ provider: str, account: str, region: str, code: str, message: str });
const check = z.looseObject({ name: str, ok: z.boolean(), message: str, level: z.literal("warning").optional() });
const operationView = z.looseObject({
  id: str,
  state: str,
  provider: str,
  account: str,
  region: str,
  claimedAt: str,
  kind: opt,
  serverId: opt,
  name: opt,
  imageId: opt,
  imageName: opt,
  reason: opt,
  endedAt: opt,
  supersededBy: opt,
  requestedBy: opt,
  policy: opt,
  sentAt: opt,
});
const finding = z.looseObject({
  rule: str,
  severity: z.enum(["info", "warning", "critical"]),
  provider,
  account: str,
  region: str,
  imageId: str,
  imageName: str,
  message: str,
  id: opt,
});
const ack = z.looseObject({ finding: str, rule: str, imageId: str, imageName: str, reason: str, by: str, at: str, until: str });
const policyView = z.looseObject({
  name: str,
  provider: str,
  schedule: str,
  timezone: str,
  enabled: z.boolean(),
  channel: str,
  servers: z.array(str),
});

const server = z.looseObject({ provider, account: str, region: str, id: str, name: str, providerStatus: str });

export const Answers = {
  servers: answer<ServersOutput>(z.looseObject({ servers: z.array(server), errors: z.array(providerError) })),
  list: answer<ListOutput>(z.looseObject({ images: z.array(image), nextCursor: nullable, errors: z.array(providerError) })),
  image: answer<{ image: Image; sharedWith?: ShareMember[]; sharingUnknown?: string }>(
    z.looseObject({ image, sharedWith: z.array(member).optional(), sharingUnknown: opt }),
  ),
  shareDry: answer<{ checks: Check[]; image?: Image; operation: { id: string }; send: string[]; already: string[] }>(
    z.looseObject({
      checks: z.array(check),
      image: image.optional(),
      operation: z.looseObject({ id: str }),
      send: z.array(str),
      already: z.array(str),
    }),
  ),
  shared: answer<{
    image: Image;
    operation: { id: string };
    send: string[];
    already: string[];
    sharedWith: ShareMember[];
    accept?: Acceptance[];
  }>(
    z.looseObject({
      image,
      operation: z.looseObject({ id: str }),
      send: z.array(str),
      already: z.array(str),
      sharedWith: z.array(member),
      accept: z
        .array(
          z.union([
            z.object({ target: str, accepted: z.literal("now"), by: str }),
            z.object({ target: str, accepted: z.literal("before") }),
            z.object({ target: str, pending: str }),
          ]),
        )
        .optional(),
    }),
  ),
  operation: answer<{ operation: OperationView }>(z.looseObject({ operation: operationView })),
  dryRun: answer<{ checks: Check[]; image?: Image; operation?: { id: string; state?: string }; serverId?: string }>(
    z.looseObject({
      checks: z.array(check),
      image: image.optional(),
      operation: z.looseObject({ id: str, state: opt }).optional(),
      serverId: str.optional(),
    }),
  ),
  started: answer<{ image: Image; operation: { id: string }; existing?: boolean }>(
    z.looseObject({ image, operation: z.looseObject({ id: str }), existing: z.boolean().optional() }),
  ),
  policies: answer<{ policies: PolicyView[] }>(z.looseObject({ policies: z.array(policyView) })),
  policyStarted: answer<{ started: { policy: string; scheduledAt: string; channel: string } }>(
    z.looseObject({ started: z.looseObject({ policy: str, scheduledAt: str, channel: str }) }),
  ),
  audit: answer<AuditResult>(
    z.looseObject({
      findings: z.array(finding),
      summary: z.looseObject({
        images: z.number(),
        findings: z.number(),
        bySeverity: z.looseObject({ info: z.number(), warning: z.number(), critical: z.number() }),
        acknowledged: z.number().optional(),
      }),
      errors: z.array(providerError),
      changes: z
        .looseObject({
          memory: z.enum(["ok", "unavailable"]),
          since: nullable,
          new: z.array(str),
          resolved: z.array(z.looseObject({ rule: str, imageId: str })),
          stillOpen: z.array(str),
          unverified: z.array(str),
          acknowledged: z.number(),
          changed: z.boolean(),
        })
        .optional(),
    }),
  ),
  ack: answer<{ ack: Ack }>(z.looseObject({ ack })),
  acks: answer<{ acks: Ack[]; ended: Ack[] }>(z.looseObject({ acks: z.array(ack), ended: z.array(ack) })),
} as const;

/** The answer, checked against its shape; otherwise INTERNAL naming the first field that is not as expected. */
export function checkAnswer<T>(from: string, a: Answer<T>, value: unknown): T {
  const r = a.shape.safeParse(value);
  if (r.success) return r.data as T;
  const issue = r.error.issues[0]!;
  throw new ImageOpsError("INTERNAL", `${from} answered an unexpected shape (${issue.path.join(".") || "answer"}: ${issue.message})`);
}

/**
 * A function's error as Lambda reports a direct invocation's failure (`errorType`, `errorMessage`),
 * back in the one taxonomy: the functions name their errors by code (errors.ts), so the code
 * survives; anything else (Lambda's own, a crash) is INTERNAL, its text kept out.
 */
export function fromInvokeError(fn: string, reported: { errorType?: string; errorMessage?: string }): ImageOpsError {
  const code = reported.errorType;
  if (code && Object.hasOwn(ERROR_STATUS, code)) return new ImageOpsError(code as ErrorCode, reported.errorMessage ?? `${fn} failed`);
  return new ImageOpsError("INTERNAL", `${fn} failed (${code ?? "no error type"})`);
}
