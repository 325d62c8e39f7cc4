import * as z from "zod";
import { accountBase } from "../account.js";

/** An iwinv account of the credentials secret: the common fields only. */
export const IwinvAccount = accountBase.extend({ provider: z.literal("iwinv") }).strict();
