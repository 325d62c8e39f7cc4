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

/** One image by its id only, as the cloud answers (tracking: an image it follows is never looked up by name). */
export async function describeImageById(
  rt: Runtime,
  input: { provider: ProviderName; id: string; account?: string; region?: string },
): Promise<Image> {
  return withTarget(rt, input, (ctx, adapter) => adapter.describeImage(ctx, input.id));
}
