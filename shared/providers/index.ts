import type { ProviderName } from "../model/image.js";
import { iwinvAdapter } from "./iwinv/client.js";
import { ncpAdapter } from "./ncp/client.js";
import { scpAdapter } from "./scp/client.js";
import type { ProviderAdapter } from "./types.js";

/** The registry: the only place that knows every cloud by name. */
export const ADAPTERS: Record<ProviderName, ProviderAdapter> = {
  ncp: ncpAdapter(),
  scp: scpAdapter(),
  iwinv: iwinvAdapter(),
};

export function adapterFor(provider: ProviderName): ProviderAdapter {
  return ADAPTERS[provider];
}

export type {
  CallContext,
  CreateCall,
  DeleteTarget,
  ImageCreator,
  ImageDeleter,
  ListFilter,
  ProviderAdapter,
  Server,
  ServerRef,
} from "./types.js";
