import { ImageOpsError, providerFailure } from "../../model/errors.js";
import type { Image } from "../../model/image.js";
import type { CallContext, ProviderAdapter, Server } from "../types.js";
import { normalizeNcpMemberImage, normalizeNcpServerImage } from "./normalize.js";
import { type NcpAction, type NcpParams, ncpRequest } from "./wire.js";

const PAGE_SIZE = 1000;

type Json = Record<string, unknown>;

/**
 * Parses an NCP answer: the API Gateway's `{error: {errorCode, message}}` (auth and gateway
 * failures), the Server API's `{responseError: {returnCode, returnMessage}}`, or
 * `{<action>Response: {returnCode: "0", …}}`. Anything else, including a body that is not JSON
 * or is cut short, is PROVIDER_ERROR.
 */
function parse(action: string, status: number, text: string, requestId?: string): Json {
  let body: Json;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    if (status >= 500 || status === 429) throw providerFailure("ncp", status, { message: `HTTP ${status} with a body that is not JSON` });
    throw new ImageOpsError("PROVIDER_ERROR", `ncp: ${action} answered a body that is not JSON (HTTP ${status})`, { provider: "ncp", requestId });
  }
  const gateway = body?.error as Json | undefined;
  if (gateway && typeof gateway === "object") {
    throw providerFailure("ncp", status, { providerCode: String(gateway.errorCode ?? ""), message: String(gateway.message ?? "API Gateway error"), requestId, auth: status === 401 || status === 403 });
  }
  const err = body?.responseError as Json | undefined;
  if (err && typeof err === "object") {
    throw providerFailure("ncp", status >= 400 ? status : 400, { providerCode: String(err.returnCode ?? ""), message: String(err.returnMessage ?? "error"), requestId: String(err.requestId ?? requestId ?? "") || undefined });
  }
  const response = body?.[`${action}Response`] as Json | undefined;
  if (!response || typeof response !== "object") {
    if (status >= 400) throw providerFailure("ncp", status, { message: `HTTP ${status}`, requestId });
    throw new ImageOpsError("PROVIDER_ERROR", `ncp: ${action} answered an unexpected body`, { provider: "ncp", requestId });
  }
  if (String(response.returnCode ?? "0") !== "0") {
    throw new ImageOpsError("PROVIDER_ERROR", `ncp: ${String(response.returnMessage ?? "error")}`, { provider: "ncp", providerCode: String(response.returnCode), requestId: String(response.requestId ?? "") || undefined });
  }
  return response;
}

/** One call in the wire form of wire.ts (a form POST, the path alone signed). */
async function call<A extends NcpAction>(ctx: CallContext, action: A, params: NcpParams<A>, idempotent = true): Promise<Json> {
  const endpoint = ctx.account.endpoint ?? ncpAdapter.defaultEndpoint;
  const res = await ctx.http.request(ncpRequest(endpoint, action, { regionCode: ctx.region, ...params } as NcpParams<A>, ctx.account, idempotent));
  return parse(action, res.status, res.text, res.headers.get("x-ncp-trace-id") ?? undefined);
}

/**
 * Every page of a list action: the first, then all the others at once from totalRows. The
 * client's limiter (limits.concurrency) bounds how many are in flight; batching here instead
 * would make each batch wait for its slowest page.
 */
async function listAll<A extends "getServerImageList" | "getMemberServerImageInstanceList">(ctx: CallContext, action: A, listKey: string, params: NcpParams<A>): Promise<unknown[]> {
  const page = (pageNo: number) => call(ctx, action, { ...params, pageNo, pageSize: PAGE_SIZE } as NcpParams<A>);
  const first = await page(1);
  const rows = (first[listKey] as unknown[] | undefined) ?? [];
  const pages = Math.ceil(Number(first.totalRows ?? rows.length) / PAGE_SIZE);
  const rest = [];
  for (let p = 2; p <= pages; p++) rest.push(page(p));
  const out: unknown[][] = [rows];
  for (const page of await Promise.all(rest)) out.push((page[listKey] as unknown[] | undefined) ?? []);
  return out.flat();
}

const where = (ctx: CallContext) => ({ account: ctx.account.name, region: ctx.region });
/** NCP answers a detail of an unknown number with an error whose text says so. */
const isAbsent = (err: unknown) => err instanceof ImageOpsError && (err.code === "NOT_FOUND" || (err.code === "PROVIDER_ERROR" && /not (be )?found|not exist|존재하지/i.test(err.message)));
const first = (response: Json, key: string) => ((response[key] as unknown[] | undefined) ?? [])[0];

/**
 * Server images and legacy (XEN) member images as one list: the same image may be listed by
 * both calls, and is kept once, as the server image.
 */
function merged(ctx: CallContext, images: unknown[], members: unknown[]): Image[] {
  const out = new Map<string, Image>();
  for (const raw of images) {
    const image = normalizeNcpServerImage(raw, where(ctx));
    if (!out.has(image.id)) out.set(image.id, image);
  }
  for (const raw of members) {
    const image = normalizeNcpMemberImage(raw, where(ctx));
    if (!out.has(image.id)) out.set(image.id, image);
  }
  return [...out.values()];
}

const OS_TYPE: Record<string, string> = { ubuntu: "UBUNTU", centos: "CENTOS", windows: "WINDOWS", rocky: "ROCKY" };

/**
 * The create call of each hypervisor (CONTRACT §1; the member-image pages say "KVM-based server
 * images are not supported … In a KVM environment, use createServerImage", ncp.md §3.2), and
 * its documented name rule: 3–30 characters and
 * - createServerImage: letters, digits, `-`, `_`; first a lowercase letter, last a lowercase
 *   letter or digit (https://api.ncloud-docs.com/docs/en/compute-vserver-serverimage-createserverimage);
 * - createMemberServerImageInstance: lowercase letters, digits, `-`; same ends
 *   (https://api.ncloud-docs.com/docs/en/compute-vserver-serverimage-creatememberserverimageinstance).
 */
const CREATE = {
  KVM: { action: "createServerImage", name: /^[a-z][A-Za-z0-9_-]*[a-z0-9]$/, rule: "letters, digits, '-' and '_', starting with a lowercase letter and ending with a lowercase letter or digit" },
  XEN: { action: "createMemberServerImageInstance", name: /^[a-z][a-z0-9-]*[a-z0-9]$/, rule: "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit" },
} as const;
type Hypervisor = keyof typeof CREATE;
const isHypervisor = (h: string | undefined): h is Hypervisor => h === "KVM" || h === "XEN";

/** Server states NCP images from: running or stopped (ncp.md §3.4), with no operation under way. */
const IMAGEABLE_STATUS = new Set(["RUN", "NSTOP"]);

/** Why a server cannot be imaged, or undefined when it can (ncp.md §3.3–3.4). */
function unimageable(id: string, status: string | undefined, operation: string | undefined, hypervisor: string | undefined): string | undefined {
  if (!hypervisor) return `NCP's detail of server ${id} has no hypervisorType, so whether it is imaged with createServerImage (KVM) or createMemberServerImageInstance (XEN) is unknown`;
  if (!isHypervisor(hypervisor)) return `server ${id} runs on ${hypervisor}: NCP images KVM servers (createServerImage) and XEN servers (createMemberServerImageInstance) only`;
  if (!status || !IMAGEABLE_STATUS.has(status)) return `server ${id} is ${status ?? "in no known state"}: NCP images a server only while it is running (RUN) or stopped (NSTOP)`;
  if (operation !== "NULL") return `server ${id} is ${status} with operation ${operation ?? "unknown"} under way: NCP images a server only when no operation is running (serverInstanceOperation NULL)`;
  return undefined;
}

const codeOf = (v: unknown): string | undefined => {
  const c = (v as Json | null | undefined)?.code;
  return typeof c === "string" && c !== "" ? c : undefined;
};

export const ncpAdapter: ProviderAdapter = {
  name: "ncp",
  defaultEndpoint: "https://ncloud.apigw.ntruss.com",
  // enough for ten pages at once (10,000 images) plus the legacy list
  limits: { concurrency: 12 },
  supportsCreate: true,

  async listImages(ctx, filter = {}) {
    const osType = filter.os ? OS_TYPE[filter.os] : undefined;
    const types = filter.scope === "public" ? ["NCP"] : filter.scope === "custom" ? ["SELF"] : ["NCP", "SELF"];
    const [images, members] = await Promise.all([
      listAll(ctx, "getServerImageList", "serverImageList", { serverImageTypeCodeList: types, osTypeCodeList: osType ? [osType] : undefined }),
      filter.scope === "public" ? Promise.resolve([]) : listAll(ctx, "getMemberServerImageInstanceList", "memberServerImageInstanceList", {}),
    ]);
    return merged(ctx, images, members);
  },

  async describeImage(ctx, id) {
    try {
      const found = first(await call(ctx, "getServerImageDetail", { serverImageNo: id }), "serverImageList");
      if (found) return normalizeNcpServerImage(found, where(ctx));
    } catch (err) {
      if (!isAbsent(err)) throw err;
    }
    try {
      const found = first(await call(ctx, "getMemberServerImageInstanceDetail", { memberServerImageInstanceNo: id }), "memberServerImageInstanceList");
      if (found) return normalizeNcpMemberImage(found, where(ctx));
    } catch (err) {
      if (!isAbsent(err)) throw err;
    }
    throw new ImageOpsError("NOT_FOUND", `no ncp image ${id} in ${ctx.region}`, { provider: "ncp", field: "id" });
  },

  async getServer(ctx, serverId): Promise<Server> {
    let raw: unknown;
    try {
      raw = first(await call(ctx, "getServerInstanceDetail", { serverInstanceNo: serverId }), "serverInstanceList");
    } catch (err) {
      if (!isAbsent(err)) throw err;
    }
    if (!raw) throw new ImageOpsError("NOT_FOUND", `no ncp server ${serverId} in ${ctx.region}`, { provider: "ncp", field: "serverId" });
    const r = raw as Json;
    const id = typeof r.serverInstanceNo === "string" && r.serverInstanceNo ? r.serverInstanceNo : serverId;
    const status = codeOf(r.serverInstanceStatus);
    // read from the detail, never assumed: a server without it is refused (unimageable)
    const hypervisor = codeOf(r.hypervisorType);
    const reason = unimageable(id, status, codeOf(r.serverInstanceOperation), hypervisor);
    return {
      id,
      name: typeof r.serverName === "string" ? r.serverName : "",
      providerStatus: status ?? "",
      imageable: reason === undefined,
      ...(reason ? { reason } : {}),
      ...(hypervisor ? { hypervisor } : {}),
    };
  },

  validateImageName(name, server) {
    // the rule of the call the server will be imaged with; without a server, createServerImage's (XEN's is narrower)
    const create = CREATE[isHypervisor(server?.hypervisor) ? server.hypervisor : "KVM"];
    if (name.length < 3 || name.length > 30) return "3–30 characters";
    if (!create.name.test(name)) return `${create.rule} (${create.action})`;
    return null;
  },

  async createImage(ctx, req) {
    const server = await ncpAdapter.getServer(ctx, req.serverId);
    if (!server.imageable || !isHypervisor(server.hypervisor)) {
      throw new ImageOpsError("CONFLICT", server.reason ?? `server ${server.id} cannot be imaged`, { provider: "ncp", field: "serverId" });
    }
    const nameProblem = ncpAdapter.validateImageName(req.name, server);
    if (nameProblem) throw new ImageOpsError("INVALID_ARGUMENT", `name: ${nameProblem}`, { field: "name" });
    if (server.hypervisor === "KVM") {
      // blockStorageList.1.order=0 is required: the default (boot) storage, the one storage an image
      // must have (docs createServerImage; Go SDK create_server_image_request.go: no omitempty). The
      // docs allow nothing else with it for a server's own default storage (a volume type is "not for
      // default storage"; snapshot and size are for images from snapshots and new storages), and
      // additional storages are optional: the image holds the boot storage.
      const out = await call(ctx, "createServerImage", { serverInstanceNo: req.serverId, serverImageName: req.name, serverImageDescription: req.description, blockStorageList: [{ order: 0 }] }, false);
      const raw = first(out, "serverImageList");
      if (!raw) throw new ImageOpsError("PROVIDER_ERROR", "ncp: createServerImage answered no image", { provider: "ncp" });
      const image = normalizeNcpServerImage(raw, where(ctx));
      return { ...image, sourceServerId: image.sourceServerId ?? req.serverId };
    }
    const out = await call(ctx, "createMemberServerImageInstance", { serverInstanceNo: req.serverId, memberServerImageName: req.name, memberServerImageDescription: req.description }, false);
    const raw = first(out, "memberServerImageInstanceList");
    if (!raw) throw new ImageOpsError("PROVIDER_ERROR", "ncp: createMemberServerImageInstance answered no image", { provider: "ncp" });
    return normalizeNcpMemberImage(raw, where(ctx));
  },

  async findImagesByName(ctx, name) {
    const [images, members] = await Promise.all([
      listAll(ctx, "getServerImageList", "serverImageList", { serverImageTypeCodeList: ["SELF"], serverImageName: name }),
      listAll(ctx, "getMemberServerImageInstanceList", "memberServerImageInstanceList", { memberServerImageName: name }),
    ]);
    return merged(ctx, images, members).filter((i) => i.name === name && i.kind === "custom");
  },
};
