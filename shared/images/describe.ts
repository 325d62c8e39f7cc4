import type { Image, ProviderName } from "../model/image.js";
import { type Runtime, withTarget } from "../runtime.js";

export async function describeImage(
  rt: Runtime,
  input: { provider: ProviderName; id: string; account?: string; region?: string },
): Promise<Image> {
  return withTarget(rt, input, (ctx, adapter) => adapter.describeImage(ctx, input.id));
}
