import { expect } from "vitest";
import { ImageOpsError } from "../../shared/model/errors.js";

/** The typed error a call fails with; the test fails if it succeeds or throws anything else. */
export async function failure(p: Promise<unknown>): Promise<ImageOpsError> {
  const outcome = await p.then(
    () => ({ ok: true as const }),
    (err: unknown) => ({ ok: false as const, err }),
  );
  if (outcome.ok) throw new Error("expected a failure, the call succeeded");
  expect(outcome.err).toBeInstanceOf(ImageOpsError);
  return outcome.err as ImageOpsError;
}
