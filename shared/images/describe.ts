import type { Image, ProviderName } from "../model/image.js";
import { type Runtime, withTarget } from "../runtime.js";
import { describeNamedImage } from "./named.js";

/** One image, by its id or (a custom image) its name; not found says what to try (./named.ts). */
export async function describeImage(
  rt: Runtime,
  input: { provider: ProviderName; id: string; account?: string; region?: string },
): Promise<Image> {
  return withTarget(rt, input, (ctx, adapter) => describeNamedImage(ctx, adapter, input.id));
}
