import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * A response_url sealed for the bot's own asynchronous job. The job's event is kept by Lambda
 * when the job fails — its on-failure destination (the failed-jobs queue, 14 days) receives the
 * request payload (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html) —
 * and a response_url lets its holder post as the app for 30 minutes: so the event carries it
 * AES-256-GCM-sealed under a key derived from the Slack signing secret, which only the slack
 * function reads. A rotated secret makes older seals unreadable: their jobs cannot answer, and say so.
 */
const key = (signingSecret: string) => createHash("sha256").update("imageops response_url seal v1\0").update(signingSecret).digest();

export function seal(signingSecret: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(signingSecret), iv);
  const sealed = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return ["s1", iv, cipher.getAuthTag(), sealed].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
}

/** The sealed text, or undefined when it was not sealed under this secret (or was altered). */
export function unseal(signingSecret: string, sealed: string): string | undefined {
  const [v, iv, tag, body] = sealed.split(".");
  if (v !== "s1" || !iv || !tag || body === undefined) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(signingSecret), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
