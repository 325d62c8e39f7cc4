import { ImageOpsError, invalidArgument, type ProviderErrorEntry } from "../model/errors.js";
import type { ProviderName } from "../model/image.js";
import { fitsShape, shown } from "../providers/ids.js";
import type { CallContext, ProviderAdapter, ServerRef } from "../providers/types.js";
import { fanOut, type Runtime, selectTargets } from "../runtime.js";

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

/** A server of `/images servers`, where it is. */
export interface ServerRow extends ServerRef {
  provider: ProviderName;
  account: string;
  region: string;
}

export interface ServersOutput {
  servers: ServerRow[];
  errors: ProviderErrorEntry[];
}

/**
 * The servers of every selected account and region, as a list selects them (a cloud that fails
 * is an `errors` entry, the others still answer), filtered by part of the name, in the list's
 * order (provider, account, region, name, id).
 */
export async function listServers(
  rt: Runtime,
  input: { provider?: ProviderName[]; account?: string; region?: string; name?: string },
): Promise<ServersOutput> {
  const creds = await rt.credentials.get();
  const targets = selectTargets(creds.accounts, input);
  const { results, errors } = await fanOut(rt, targets, async (ctx, adapter) => {
    if (!adapter.listServers)
      throw new ImageOpsError("UNSUPPORTED", `${adapter.name}: imageops cannot list its servers`, { provider: adapter.name });
    return adapter.listServers(ctx);
  });
  const part = input.name?.toLowerCase();
  const servers = results
    .flatMap(({ target, value }) =>
      value.map((s) => ({ provider: target.account.provider, account: target.account.name, region: target.region, ...s })),
    )
    .filter((s) => !part || s.name.toLowerCase().includes(part));
  const key = (s: ServerRow) => [s.provider, s.account, s.region, s.name, s.id];
  servers.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
  return { servers, errors };
}
