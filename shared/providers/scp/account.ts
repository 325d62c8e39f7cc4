import * as z from "zod";
import { accountBase } from "../account.js";

/** An SCP account of the credentials secret, with what only SCP has. */
export const ScpAccount = accountBase
  .extend({
    provider: z.literal("scp"),
    /**
     * the account id the keys belong to: what a delete compares with an image's `owner` ("Owner
     * account ID", Show Image) to know the image is this account's own; without it, the one
     * `account_id` the account's servers show is used (scp/client.ts `thisAccount`). Never signed or
     * sent: `Scp-AccountId` goes empty as the official provider sends it (scp.md §1.1, signer.ts).
     */
    accountId: z.string().min(1).optional(),
    /** pin a Virtual Server API version (default 1.3) */
    apiVersion: z
      .string()
      .regex(/^\d+\.\d+$/)
      .optional(),
  })
  .strict();
export type ScpAccount = z.infer<typeof ScpAccount>;

/** The API version an account pins, if it is an SCP account that pins one. */
export function pinnedApiVersion(account: { provider: string } & Partial<Pick<ScpAccount, "apiVersion">>): string | undefined {
  return account.provider === "scp" ? account.apiVersion : undefined;
}

/** The account id an account's secret gives, if it is an SCP account that gives one. */
export function configuredAccountId(account: { provider: string } & Partial<Pick<ScpAccount, "accountId">>): string | undefined {
  return account.provider === "scp" ? account.accountId : undefined;
}
