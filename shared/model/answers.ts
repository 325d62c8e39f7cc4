import * as z from "zod";
import { PROVIDERS } from "./image.js";

/**
 * What the functions answer, as the Slack jobs read it back across the Lambda boundary: each
 * answer is checked against its shape before it is used (the fields the jobs rely on; the rest
 * passes through), so a function answering something else is an error naming the field, not
 * a crash deep in the rendering.
 */
const image = z.looseObject({ provider: z.enum(PROVIDERS), id: z.string(), name: z.string(), status: z.string() });
const operation = z.looseObject({ id: z.string() });
const check = z.looseObject({ name: z.string(), ok: z.boolean(), message: z.string() });
const providerError = z.looseObject({ provider: z.string(), code: z.string(), message: z.string() });

export const Answers = {
  list: z.looseObject({ images: z.array(image), nextCursor: z.string().nullable(), errors: z.array(providerError) }),
  image: z.looseObject({ image }),
  operation: z.looseObject({ operation: z.looseObject({ id: z.string(), state: z.string(), provider: z.string() }) }),
  dryRun: z.looseObject({ checks: z.array(check), image: image.optional(), operation: operation.optional() }),
  started: z.looseObject({ image, operation }),
  policies: z.looseObject({ policies: z.array(z.looseObject({ name: z.string() })) }),
  policyStarted: z.looseObject({ started: z.looseObject({ policy: z.string(), scheduledAt: z.string(), channel: z.string() }) }),
  audit: z.looseObject({
    findings: z.array(z.looseObject({ rule: z.string(), severity: z.string(), imageId: z.string() })),
    summary: z.looseObject({ images: z.number(), findings: z.number() }),
    errors: z.array(providerError),
  }),
  ack: z.looseObject({ ack: z.looseObject({ finding: z.string() }) }),
  acks: z.looseObject({ acks: z.array(z.looseObject({ finding: z.string() })), ended: z.array(z.looseObject({ finding: z.string() })) }),
} as const;
