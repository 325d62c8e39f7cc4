import { ImageOpsError, invalidArgument } from "../model/errors.js";
import type { Image } from "../model/image.js";
import { nearest } from "../model/nearest.js";
import { fitsShape } from "../providers/ids.js";
import type { CallContext, ProviderAdapter } from "../providers/types.js";

/**
 * The image a request names, by id or by name, as show and delete take it (as create takes a
 * server by its name, ./servers.ts). A value of the cloud's image-id shape is an id; any other
 * value is a custom image's name: one image of that name is it, several are refused with each of
 * them. A name no image has is NOT_FOUND in the one wording every cloud gets (notFound).
 */
export async function resolveImageId(ctx: CallContext, adapter: ProviderAdapter, given: string): Promise<string> {
  return fitsShape(adapter.ids.image, given) ? given : (await imageNamed(ctx, adapter, given)).id;
}

/**
 * One image, by id or name (`/images show`). An id the cloud does not know may still be a name
 * (an iwinv name can have the shape of its ids): it is looked up as one before saying not found.
 */
export async function describeNamedImage(ctx: CallContext, adapter: ProviderAdapter, given: string): Promise<Image> {
  if (!fitsShape(adapter.ids.image, given)) return imageNamed(ctx, adapter, given);
  try {
    return await adapter.describeImage(ctx, given);
  } catch (err) {
    if (!(err instanceof ImageOpsError && err.code === "NOT_FOUND")) throw err;
    return imageNamed(ctx, adapter, given, err);
  }
}

/** The one custom image of that name, as the list by name shows it; several are refused with each, none is NOT_FOUND. */
async function imageNamed(ctx: CallContext, adapter: ProviderAdapter, given: string, cause?: ImageOpsError): Promise<Image> {
  // after an id's NOT_FOUND the name look-up is a second chance only: its failure leaves the not-found
  const named = await (cause ? adapter.findImagesByName(ctx, given).catch(() => []) : adapter.findImagesByName(ctx, given));
  if (named.length === 1) return named[0]!;
  if (named.length === 0) throw await notFound(ctx, adapter, given, cause);
  throw several(ctx, adapter, given, named);
}

function several(ctx: CallContext, adapter: ProviderAdapter, given: string, named: Image[]): ImageOpsError {
  const each = named
    .slice(0, 10)
    .map((i) => `${i.id} (${i.status}, created ${i.createdAt?.slice(0, 10) ?? "at an unknown time"})`)
    .join(", ");
  return invalidArgument(
    "id",
    `"${given}" names ${named.length} ${adapter.name} images in ${ctx.region}: ${each}${named.length > 10 ? ", …" : ""}; give the id of the one you mean`,
  );
}

/**
 * Not found, said alike for every cloud (never its raw words: "Image … could not be found.",
 * "Check request. (ID_INVALID)"), with what to try: the custom images whose names are closest,
 * and the server of that name when the value names one (an image is made of a server, not shown).
 * The hints are best effort: a list that fails leaves them out, never the answer.
 */
export async function notFound(ctx: CallContext, adapter: ProviderAdapter, given: string, cause?: ImageOpsError): Promise<ImageOpsError> {
  const [images, servers] = await Promise.all([
    adapter.listImages(ctx, { scope: "custom" }).catch(() => [] as Image[]),
    fitsShape(adapter.ids.image, given) ? Promise.resolve([]) : adapter.findServersByName(ctx, given).catch(() => []),
  ]);
  const closest = nearest(
    given,
    images.map((i) => i.name),
    3,
  );
  const hints = [
    servers.length ? `"${given}" is the name of ${adapter.name} server ${servers.map((s) => s.id).join(", ")}, not of an image` : "",
    closest.length ? `closest image names: ${closest.join(", ")}` : "",
  ].filter(Boolean);
  return new ImageOpsError(
    "NOT_FOUND",
    `no ${adapter.name} image "${given}" in ${ctx.region} (neither an image id nor a custom image's name)${hints.length ? `; ${hints.join("; ")}` : ""}`,
    { field: "id", provider: adapter.name, providerCode: cause?.providerCode, requestId: cause?.requestId },
  );
}
