import { ImageOpsError } from "../model/errors.js";
import type { Image, ProviderName } from "../model/image.js";
import type { ShareMember } from "../providers/types.js";
import { type Runtime, withTarget } from "../runtime.js";
import { describeNamedImage } from "./named.js";

/** One image by its id only, as the cloud answers (tracking: an image it follows is never looked up by name). */
export async function describeImageById(
  rt: Runtime,
  input: { provider: ProviderName; id: string; account?: string; region?: string },
): Promise<Image> {
  return withTarget(rt, input, (ctx, adapter) => adapter.describeImage(ctx, input.id));
}

/** An image, and for a shared custom image whom it is shared with (or why that could not be read). */
export interface DescribedImage {
  image: Image;
  sharedWith?: ShareMember[];
  sharingUnknown?: string;
}

/**
 * describe-image's answer: one image, by its id or (a custom image) its name — not found says
 * what to try (./named.ts) — and, for a custom image the cloud shows as shared, on a cloud that
 * shares, whom it is shared with (the sharer's read; NCP sharedLoginIdList, SCP's members). A list
 * of members that cannot be read never fails the describe: it says why.
 */
export async function describeImage(
  rt: Runtime,
  input: { provider: ProviderName; id: string; account?: string; region?: string },
): Promise<DescribedImage> {
  return withTarget(rt, input, async (ctx, adapter) => {
    const image = await describeNamedImage(ctx, adapter, input.id);
    if (!adapter.sharer || image.kind !== "custom" || image.visibility !== "shared") return { image };
    try {
      const target = await adapter.sharer.describeForShare(ctx, image.id);
      return { image, sharedWith: target.members };
    } catch (err) {
      return { image, sharingUnknown: err instanceof ImageOpsError ? `${err.code}: ${err.message}` : "the members could not be read" };
    }
  });
}
