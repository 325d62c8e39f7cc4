import * as z from "zod";
import { accountBase } from "../account.js";

/** An NCP account of the credentials secret: the common fields only. */
export const NcpAccount = accountBase.extend({ provider: z.literal("ncp") }).strict();
