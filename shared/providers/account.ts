import * as z from "zod";

/**
 * What every account of the credentials secret has; each adapter adds its own fields
 * (`./<cloud>/account.ts`) and shared/secrets.ts combines them as a union on `provider`.
 */
export const accountBase = z.object({
  name: z.string().min(1).max(64),
  accessKey: z.string().min(1),
  secretKey: z.string().min(1),
  regions: z.array(z.string().min(1)).min(1),
  endpoint: z.string().url().optional(),
});
