import { invalidArgument } from "../model/errors.js";
import { fitsShape, shown } from "../providers/ids.js";
import type { CallContext, ProviderAdapter } from "../providers/types.js";

/**
 * The server a request names, as its id: wherever a server id is taken, a server's name works
 * too. The name is looked up in the cloud's server list first (an id is never a server's name on
 * NCP, whose names start with a letter, and probing a name as an id could be refused rather than
 * answered "not found"); one server of that name is its id, several are refused with the
 * candidates. None leaves the value as given, to be read as an id — if it has the shape of the
 * cloud's server ids (the adapter's `ids.server`); a value that is neither is refused here, so no
 * request ever carries it as an id.
 */
export async function resolveServerId(ctx: CallContext, adapter: ProviderAdapter, given: string): Promise<string> {
  const named = await adapter.findServersByName(ctx, given);
  if (named.length === 0) {
    if (fitsShape(adapter.ids.server, given)) return given;
    throw invalidArgument(
      "serverId",
      `${shown(given)} is neither ${adapter.ids.server.expected} nor the name of a ${adapter.name} server in ${ctx.region}`,
    );
  }
  if (named.length === 1) return named[0]!.id;
  const candidates = named.map((s) => `${s.id}${s.providerStatus ? ` (${s.providerStatus})` : ""}`).join(", ");
  throw invalidArgument(
    "serverId",
    `"${given}" names ${named.length} ${adapter.name} servers in ${ctx.region}: ${candidates}; give the id of the one to image`,
  );
}
