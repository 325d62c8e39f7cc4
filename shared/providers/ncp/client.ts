import { log } from "../../log.js";
import { ImageOpsError, providerFailure } from "../../model/errors.js";
import type { Image } from "../../model/image.js";
import { checkId, type IdShapes } from "../ids.js";
import type {
  AdapterWith,
  CallContext,
  CreateCall,
  DeleteTarget,
  ImageCreator,
  ImageDeleter,
  ImageSharer,
  Server,
  ServerUsage,
  ShareTarget,
} from "../types.js";
import { text } from "../read.js";
import { codeOf, normalizeNcpMemberImage, normalizeNcpServerImage } from "./normalize.js";
import { type NcpAction, type NcpParams, ncpRequest } from "./wire.js";

const PAGE_SIZE = 1000;

/** NCP's public API Gateway (ncp.md §4.2); an account's `endpoint` overrides it (gov, fin, a test server). */
export const NCP_DEFAULT_ENDPOINT = "https://ncloud.apigw.ntruss.com";

type Json = Record<string, unknown>;

/**
 * What one call came back with. `refusal` marks a failure the Server API itself answered in
 * its envelope with a 4xx (`{responseError: …}`, or a returnCode other than "0"), as opposed to
 * the API Gateway (auth, throttling), an outage or an unreadable body.
 */
type Answer = { ok: true; response: Json } | { ok: false; error: ImageOpsError; refusal: boolean };

const fail = (error: ImageOpsError, refusal = false): Answer => ({ ok: false, error, refusal });

/**
 * The taxonomy for an HTTP failure, except that a 404 never means "no such image" at NCP: the
 * Server API answers absence in its envelope, and a 404 is the API Gateway's errorCode 300
 * "Not Found Exception" — no such API at this endpoint (api-call-lgc-errorhandling, ncp.md §4.1).
 */
function httpFailure(status: number, info: { providerCode?: string; message: string; requestId?: string; auth?: boolean }): ImageOpsError {
  if (status !== 404) return providerFailure("ncp", status, info);
  return new ImageOpsError("PROVIDER_ERROR", `ncp: ${info.message} (no such API at this endpoint)`, {
    provider: "ncp",
    providerCode: info.providerCode,
    requestId: info.requestId,
  });
}

/**
 * Reads an NCP answer (ncp.md §4.1): the API Gateway's `{error: {errorCode, message, details}}`,
 * the Server API's `{responseError: {returnCode, returnMessage}}`, or
 * `{<action>Response: {returnCode: "0", …}}`. Anything else, including a body that is not JSON
 * or is cut short, is PROVIDER_ERROR (PROVIDER_UNAVAILABLE with a 429 or 5xx).
 */
function parse(action: string, status: number, text: string, requestId?: string): Answer {
  let body: Json;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    if (status >= 500 || status === 429)
      return fail(providerFailure("ncp", status, { message: `HTTP ${status} with a body that is not JSON` }));
    return fail(
      new ImageOpsError("PROVIDER_ERROR", `ncp: ${action} answered a body that is not JSON (HTTP ${status})`, {
        provider: "ncp",
        requestId,
      }),
    );
  }
  const gateway = body?.error as Json | undefined;
  if (gateway && typeof gateway === "object") {
    const details = typeof gateway.details === "string" && gateway.details ? `: ${gateway.details}` : "";
    const message = `${String(gateway.message ?? "API Gateway error")}${details}`;
    return fail(
      httpFailure(status, { providerCode: String(gateway.errorCode ?? ""), message, requestId, auth: status === 401 || status === 403 }),
    );
  }
  const err = body?.responseError as Json | undefined;
  if (err && typeof err === "object") {
    const code = Math.max(status, 400);
    const info = {
      providerCode: String(err.returnCode ?? ""),
      message: String(err.returnMessage ?? "error"),
      requestId: String(err.requestId ?? requestId ?? "") || undefined,
    };
    return fail(httpFailure(code, info), code < 500);
  }
  const response = body?.[`${action}Response`] as Json | undefined;
  if (!response || typeof response !== "object") {
    if (status >= 400) return fail(httpFailure(status, { message: `HTTP ${status}`, requestId }));
    return fail(new ImageOpsError("PROVIDER_ERROR", `ncp: ${action} answered an unexpected body`, { provider: "ncp", requestId }));
  }
  if (String(response.returnCode ?? "0") !== "0") {
    const error = new ImageOpsError("PROVIDER_ERROR", `ncp: ${String(response.returnMessage ?? "error")}`, {
      provider: "ncp",
      providerCode: String(response.returnCode),
      requestId: String(response.requestId ?? "") || undefined,
    });
    return fail(error, true);
  }
  return { ok: true, response };
}

/** One call in the wire form of wire.ts (a form POST, the path alone signed), read into an Answer. */
async function send<A extends NcpAction>(ctx: CallContext, action: A, params: NcpParams<A>, idempotent = true): Promise<Answer> {
  const endpoint = ctx.account.endpoint ?? NCP_DEFAULT_ENDPOINT;
  const res = await ctx.http.request(
    ncpRequest(endpoint, action, { regionCode: ctx.region, ...params } as NcpParams<A>, ctx.account, idempotent),
  );
  return parse(action, res.status, res.text, res.headers.get("x-ncp-trace-id") ?? undefined);
}

async function call<A extends NcpAction>(ctx: CallContext, action: A, params: NcpParams<A>, idempotent = true): Promise<Json> {
  const answer = await send(ctx, action, params, idempotent);
  if (!answer.ok) throw answer.error;
  return answer.response;
}

const rows = (response: Json, key: string): Json[] =>
  (Array.isArray(response[key]) ? (response[key] as unknown[]) : []).filter((r): r is Json => r !== null && typeof r === "object");

type ListAction = "getServerImageList" | "getMemberServerImageInstanceList" | "getServerInstanceList";

/**
 * Every page of a list action: the first, then all the others at once from totalRows (ncp.md §5:
 * pageNo 1 is the first page, pageSize 1–1000, totalRows counts every matching row). The
 * client's limiter (limits.concurrency) bounds how many are in flight; batching here instead
 * would make each batch wait for its slowest page.
 */
async function listAll<A extends ListAction>(ctx: CallContext, action: A, key: string, params: NcpParams<A>): Promise<Json[]> {
  const page = (pageNo: number) => call(ctx, action, { ...params, pageNo, pageSize: PAGE_SIZE } as NcpParams<A>);
  const first = await page(1);
  const firstRows = rows(first, key);
  const pages = Math.ceil(Number(first.totalRows ?? firstRows.length) / PAGE_SIZE);
  const rest = [];
  for (let p = 2; p <= pages; p++) rest.push(page(p));
  return [firstRows, ...(await Promise.all(rest)).map((r) => rows(r, key))].flat();
}

/** A record by its number: the detail call, and the list call that can tell that there is none. */
interface Lookup {
  key: string;
  detail(ctx: CallContext, id: string): Promise<Answer>;
  listed(ctx: CallContext, id: string): Promise<Json>;
}
const SERVER_IMAGE: Lookup = {
  key: "serverImageList",
  detail: (ctx, id) => send(ctx, "getServerImageDetail", { serverImageNo: id }),
  listed: (ctx, id) => call(ctx, "getServerImageList", { serverImageNoList: [id] }),
};
const MEMBER_IMAGE: Lookup = {
  key: "memberServerImageInstanceList",
  detail: (ctx, id) => send(ctx, "getMemberServerImageInstanceDetail", { memberServerImageInstanceNo: id }),
  listed: (ctx, id) => call(ctx, "getMemberServerImageInstanceList", { memberServerImageInstanceNoList: [id] }),
};
const SERVER_INSTANCE: Lookup = {
  key: "serverInstanceList",
  detail: (ctx, id) => send(ctx, "getServerInstanceDetail", { serverInstanceNo: id }),
  listed: (ctx, id) => call(ctx, "getServerInstanceList", { serverInstanceNoList: [id] }),
};

/**
 * One record, or undefined when NCP says there is none. NCP documents no return code for "no
 * such number" (ncp.md §4.1 and §6.3; none in the docs, the SDKs or terraform-provider-ncloud), so
 * absence is read from lists, never from an error's code or text:
 * - a detail answer whose list is empty is absence (terraform-provider-ncloud
 *   internal/service/server/server.go GetServerInstance reads it so);
 * - when the Server API refuses the detail call (a 4xx in its envelope), the list call filtered by
 *   that number decides, as terraform's image data sources look images up
 *   (member_server_image_data_source.go): empty is absence; a listed record means the refusal was
 *   about something else, and it is raised.
 * Gateway errors (auth, throttling), outages and unreadable bodies are raised as they are.
 */
async function findOne(ctx: CallContext, lookup: Lookup, id: string): Promise<Json | undefined> {
  const answer = await lookup.detail(ctx, id);
  if (answer.ok) return rows(answer.response, lookup.key)[0];
  if (!answer.refusal) throw answer.error;
  if (rows(await lookup.listed(ctx, id), lookup.key).length === 0) return undefined;
  throw answer.error;
}

const where = (ctx: CallContext) => ({ account: ctx.account.name, region: ctx.region });

/**
 * Server images and legacy (XEN) member images as one list: the same image may be listed by
 * both calls, and is kept once, as the server image.
 */
function merged(ctx: CallContext, images: Json[], members: Json[]): Image[] {
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

const loginIds = (raw: Json): string[] =>
  Array.isArray(raw.sharedLoginIdList) ? raw.sharedLoginIdList.filter((v): v is string => typeof v === "string" && v !== "") : [];

/**
 * The delete call of each API (ncp.md §3.1–3.2): "deleteServerImage" (singular; "Delete the list of
 * My server images", serverImageNoList.N) for what the server-image API knows, KVM and XEN alike;
 * "deleteMemberServerImageInstances" (memberServerImageInstanceNoList.N; "KVM-based server images are
 * not supported") for a legacy image only the member-image API knows — the order describe reads them in.
 */
const DELETE = {
  server: { action: "deleteServerImage", list: "serverImageList" },
  member: { action: "deleteMemberServerImageInstances", list: "memberServerImageInstanceList" },
} as const;

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
  KVM: {
    action: "createServerImage",
    name: /^[a-z][A-Za-z0-9_-]*[a-z0-9]$/,
    rule: "letters, digits, '-' and '_', starting with a lowercase letter and ending with a lowercase letter or digit",
  },
  XEN: {
    action: "createMemberServerImageInstance",
    name: /^[a-z][a-z0-9-]*[a-z0-9]$/,
    rule: "lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
  },
} as const;
type Hypervisor = keyof typeof CREATE;
const isHypervisor = (h: string | undefined): h is Hypervisor => h === "KVM" || h === "XEN";

/**
 * NCP numbers its images and servers: serverImageNo, memberServerImageInstanceNo and serverInstanceNo
 * are each a "number" (docs getServerImageDetail "Server image number", getServerInstanceDetail
 * "Server instance number" / 서버 인스턴스 번호), typed String and decimal in every docs example and
 * SDK vector (ncp.md §2–3; test/fixtures/oracle/vectors-ncp.json). Anything else the Go SDK
 * would send mangled in a list (`serverImageNoList.1=<raw>`, compare-ncp.md) is refused before a request.
 */
const NCP_IDS: IdShapes = {
  image: { pattern: /^[0-9]+$/, expected: "an NCP image number (decimal digits, as serverImageNo and memberServerImageInstanceNo are)" },
  server: { pattern: /^[0-9]+$/, expected: "an NCP server instance number (decimal digits, as serverInstanceNo is)" },
};

/** Server states NCP images from: running or stopped (ncp.md §3.4), with no operation under way. */
const IMAGEABLE_STATUS = new Set(["RUN", "NSTOP"]);

/** Why a server cannot be imaged, or undefined when it can (ncp.md §3.3–3.4). */
function unimageable(
  id: string,
  status: string | undefined,
  operation: string | undefined,
  hypervisor: string | undefined,
): string | undefined {
  if (!hypervisor)
    return `NCP's detail of server ${id} has no hypervisorType, so whether it is imaged with createServerImage (KVM) or createMemberServerImageInstance (XEN) is unknown`;
  if (!isHypervisor(hypervisor))
    return `server ${id} runs on ${hypervisor}: NCP images KVM servers (createServerImage) and XEN servers (createMemberServerImageInstance) only`;
  if (!status || !IMAGEABLE_STATUS.has(status))
    return `server ${id} is ${status ?? "in no known state"}: NCP images a server only while it is running (RUN) or stopped (NSTOP)`;
  if (operation !== "NULL")
    return `server ${id} is ${status} with operation ${operation ?? "unknown"} under way: NCP images a server only when no operation is running (serverInstanceOperation NULL)`;
  return undefined;
}

async function getServer(ctx: CallContext, serverId: string): Promise<Server> {
  checkId(NCP_IDS.server, "serverId", serverId);
  const raw = await findOne(ctx, SERVER_INSTANCE, serverId);
  if (!raw) throw new ImageOpsError("NOT_FOUND", `no ncp server ${serverId} in ${ctx.region}`, { provider: "ncp", field: "serverId" });
  const id = typeof raw.serverInstanceNo === "string" && raw.serverInstanceNo ? raw.serverInstanceNo : serverId;
  const status = codeOf(raw.serverInstanceStatus);
  // read from the detail, never assumed: a server without it is refused (unimageable)
  const hypervisor = codeOf(raw.hypervisorType);
  const reason = unimageable(id, status, codeOf(raw.serverInstanceOperation), hypervisor);
  return {
    id,
    name: typeof raw.serverName === "string" ? raw.serverName : "",
    providerStatus: status ?? "",
    imageable: reason === undefined,
    ...(reason ? { reason } : {}),
    ...(hypervisor ? { hypervisor } : {}),
  };
}

function validateImageName(name: string, server?: Server): string | null {
  // the rule of the call the server will be imaged with; without a server, createServerImage's (XEN's is narrower)
  const create = CREATE[isHypervisor(server?.hypervisor) ? server.hypervisor : "KVM"];
  if (name.length < 3 || name.length > 30) return "3–30 characters";
  if (!create.name.test(name)) return `${create.rule} (${create.action})`;
  return null;
}

async function createImage(ctx: CallContext, req: CreateCall): Promise<Image> {
  checkId(NCP_IDS.server, "serverId", req.serverId);
  // the hypervisor decides the call (KVM: createServerImage, XEN: createMemberServerImageInstance)
  const server = req.server?.id === req.serverId ? req.server : await getServer(ctx, req.serverId);
  if (!server.imageable || !isHypervisor(server.hypervisor)) {
    throw new ImageOpsError("CONFLICT", server.reason ?? `server ${server.id} cannot be imaged`, { provider: "ncp", field: "serverId" });
  }
  const nameProblem = validateImageName(req.name, server);
  if (nameProblem) throw new ImageOpsError("INVALID_ARGUMENT", `name: ${nameProblem}`, { field: "name" });
  if (server.hypervisor === "KVM") {
    // blockStorageList.1.order=0 is required: the default (boot) storage, the one storage an image
    // must have (docs createServerImage; Go SDK create_server_image_request.go: no omitempty). The
    // docs allow nothing else with it for a server's own default storage (a volume type is "not for
    // default storage"; snapshot and size are for images from snapshots and new storages), and
    // additional storages are optional: the image holds the boot storage.
    const out = await call(
      ctx,
      "createServerImage",
      {
        serverInstanceNo: req.serverId,
        serverImageName: req.name,
        serverImageDescription: req.description,
        blockStorageList: [{ order: 0 }],
      },
      false,
    );
    const raw = rows(out, "serverImageList")[0];
    if (!raw) throw new ImageOpsError("PROVIDER_ERROR", "ncp: createServerImage answered no image", { provider: "ncp" });
    const image = normalizeNcpServerImage(raw, where(ctx));
    return { ...image, sourceServerId: image.sourceServerId ?? req.serverId };
  }
  const out = await call(
    ctx,
    "createMemberServerImageInstance",
    { serverInstanceNo: req.serverId, memberServerImageName: req.name, memberServerImageDescription: req.description },
    false,
  );
  const raw = rows(out, "memberServerImageInstanceList")[0];
  if (!raw) throw new ImageOpsError("PROVIDER_ERROR", "ncp: createMemberServerImageInstance answered no image", { provider: "ncp" });
  return normalizeNcpMemberImage(raw, where(ctx));
}

/**
 * Whether a server-image record is this account's own: its serverImageType, whose documented
 * values are NCP | SELF (docs common-vapidatatype-serverimage: "Valid values: NCP | SELF"; ncp.md
 * §3.1), SELF being "My server images" (docs deleteServerImage: "Delete the list of My server
 * images"). Any other code, or none, is not known to be this account's, so it is not.
 */
function serverImageOwn(raw: Json): DeleteTarget["own"] {
  const type = codeOf(raw.serverImageType);
  if (type === "SELF") return { ok: true, says: "serverImageType SELF: one of this account's own server images" };
  if (type === "NCP") return { ok: false, says: "serverImageType NCP: a public image of NCP" };
  return {
    ok: false,
    says: `serverImageType ${type ?? "absent"}: neither SELF (this account's own) nor NCP (public), so not known to be this account's own`,
  };
}

/**
 * A member server image instance is the member's own: the member-image API lists "My server image
 * instance(s)" (docs setMemberServerImageSharingPermission, "Set sharing permissions for My server
 * image instance"; ncp.md §3.2).
 */
const MEMBER_OWN: DeleteTarget["own"] = { ok: true, says: "a member server image instance: one of this account's own" };

/**
 * An image as a delete or a share reads it, with whether it is this account's own and whom it is
 * shared with: as describe, the server-image API first, the member-image API only when it has none.
 */
async function readOwned(
  ctx: CallContext,
  id: string,
): Promise<{ image: Image; own: DeleteTarget["own"]; sharedWith: string[]; kind: "server" | "member" }> {
  checkId(NCP_IDS.image, "id", id);
  const image = await findOne(ctx, SERVER_IMAGE, id);
  if (image)
    return { image: normalizeNcpServerImage(image, where(ctx)), own: serverImageOwn(image), sharedWith: loginIds(image), kind: "server" };
  const member = await findOne(ctx, MEMBER_IMAGE, id);
  if (member) return { image: normalizeNcpMemberImage(member, where(ctx)), own: MEMBER_OWN, sharedWith: loginIds(member), kind: "member" };
  throw new ImageOpsError("NOT_FOUND", `no ncp image ${id} in ${ctx.region}`, { provider: "ncp", field: "id" });
}

async function describeForDelete(ctx: CallContext, id: string): Promise<DeleteTarget> {
  const { image, own, sharedWith, kind } = await readOwned(ctx, id);
  return { image, own, sharedWith, via: DELETE[kind].action };
}

/**
 * Servers made from the image: every server of getServerInstanceList (paged, ncp.md §3.3, §5),
 * each naming the image it runs as serverImageNo and, for a legacy one, memberServerImageInstanceNo
 * (ServerInstance: docs common-vapidatatype-serverinstance; Go server_instance.go). The list has no
 * filter by image, so the region's servers are read and matched here.
 */
async function serversUsing(ctx: CallContext, target: DeleteTarget): Promise<ServerUsage> {
  const id = target.image.id;
  const servers = await listAll(ctx, "getServerInstanceList", "serverInstanceList", {});
  const using = servers.filter((s) => text(s.serverImageNo) === id || text(s.memberServerImageInstanceNo) === id);
  return {
    servers: using.flatMap((s) => {
      const no = text(s.serverInstanceNo);
      return no ? [{ id: no, name: text(s.serverName) ?? "", providerStatus: codeOf(s.serverInstanceStatus) ?? "" }] : [];
    }),
    read: servers.length,
  };
}

async function deleteImage(ctx: CallContext, target: DeleteTarget): Promise<void> {
  const id = checkId(NCP_IDS.image, "id", target.image.id);
  // never repeated by the client: whether a second delete of an image NCP is terminating is refused is undocumented
  const answer =
    target.via === DELETE.member.action
      ? await call(ctx, DELETE.member.action, { memberServerImageInstanceNoList: [id] }, false)
      : await call(ctx, DELETE.server.action, { serverImageNoList: [id] }, false);
  // the docs' example answers the image itself, status CREAT with operation TERMT ("terminating")
  const list = target.via === DELETE.member.action ? DELETE.member.list : DELETE.server.list;
  if (!rows(answer, list).some((r) => String(r.serverImageNo ?? r.memberServerImageInstanceNo ?? "") === id)) {
    log("warn", "ncp: a delete answered without the image it deleted", { action: target.via, imageId: id });
  }
}

/**
 * The sharing calls of each API (ncp.md §3.1–3.2; Go {add,remove}_server_image_sharing_permission_request.go:
 * serverImageNo + targetLoginIdList; {add,remove}_member_server_image_sharing_permission_request.go:
 * memberServerImageInstanceNo + targetLoginIdList), for the image as describe found it.
 */
const SHARE = {
  server: { add: "addServerImageSharingPermission", remove: "removeServerImageSharingPermission" },
  member: { add: "addMemberServerImageSharingPermission", remove: "removeMemberServerImageSharingPermission" },
} as const;

/**
 * A target is "NAVER Cloud Platform account login ID" — an e-mail address in every example of the
 * sharing pages (`targetLoginIdList.1=id1@email.com&targetLoginIdList.2=id2@naver.com`,
 * https://api.ncloud-docs.com/docs/en/compute-vserver-serverimage-addserverimagesharingpermission).
 * The SDK writes list elements unescaped (wire.ts), so a `+` or `%` in one would reach NCP as
 * another id: letters, digits, `.`, `_`, `-` before the `@`, a dotted domain after it.
 */
const LOGIN_ID = /^[A-Za-z0-9._-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

function validateTarget(target: string): string | null {
  if (typeof target !== "string" || !target) return "a login id is required";
  if (target.length > 254) return "at most 254 characters";
  if (!LOGIN_ID.test(target)) return "an NCP login id: the account's e-mail address (letters, digits, '.', '_', '-' before the '@')";
  return null;
}

async function describeForShare(ctx: CallContext, id: string): Promise<ShareTarget> {
  const { image, own, sharedWith, kind } = await readOwned(ctx, id);
  return { image, own, members: sharedWith.map((login) => ({ id: login })), via: SHARE[kind] };
}

/** One add or remove call for every target at once (targetLoginIdList.N), never repeated by the client. */
async function changeSharing(ctx: CallContext, target: ShareTarget, targets: readonly string[], change: "add" | "remove"): Promise<void> {
  const id = checkId(NCP_IDS.image, "id", target.image.id);
  for (const t of targets) {
    const problem = validateTarget(t);
    if (problem)
      throw new ImageOpsError("INVALID_ARGUMENT", `targets: ${JSON.stringify(t).slice(0, 80)} is not ${problem}`, { field: "targets" });
  }
  const list = [...targets];
  if (target.via.add === SHARE.member.add) {
    await call(ctx, SHARE.member[change], { memberServerImageInstanceNo: id, targetLoginIdList: list }, false);
    return;
  }
  await call(ctx, SHARE.server[change], { serverImageNo: id, targetLoginIdList: list }, false);
}

/** NCP creates (KVM: createServerImage, XEN: createMemberServerImageInstance), deletes and shares images (ncp.md §3.1–3.2). */
const creator: ImageCreator = { validateImageName, createImage };
const deleter: ImageDeleter = { describeForDelete, deleteImage, serversUsing };
const sharer: ImageSharer = {
  targetForm: "an NCP login id (the receiving account's e-mail address)",
  validateTarget,
  describeForShare,
  addTargets: (ctx, target, targets) => changeSharing(ctx, target, targets, "add"),
  removeTargets: (ctx, target, targets) => changeSharing(ctx, target, targets, "remove"),
};

export function ncpAdapter(): AdapterWith<"creator" | "deleter" | "sharer"> {
  return {
    name: "ncp",
    defaultEndpoint: NCP_DEFAULT_ENDPOINT,
    ids: NCP_IDS,
    // enough for ten pages at once (10,000 images) plus the legacy list
    limits: { concurrency: 12 },
    async listImages(ctx, filter = {}) {
      const osType = filter.os ? OS_TYPE[filter.os] : undefined;
      const types = filter.scope === "public" ? ["NCP"] : filter.scope === "custom" ? ["SELF"] : ["NCP", "SELF"];
      const [images, members] = await Promise.all([
        listAll(ctx, "getServerImageList", "serverImageList", {
          serverImageTypeCodeList: types,
          osTypeCodeList: osType ? [osType] : undefined,
        }),
        filter.scope === "public"
          ? Promise.resolve([])
          : listAll(ctx, "getMemberServerImageInstanceList", "memberServerImageInstanceList", {}),
      ]);
      return merged(ctx, images, members);
    },

    async describeImage(ctx, id) {
      checkId(NCP_IDS.image, "id", id);
      // the server-image API first (KVM and XEN); the legacy member-image API only when it has none
      const image = await findOne(ctx, SERVER_IMAGE, id);
      if (image) return normalizeNcpServerImage(image, where(ctx));
      const member = await findOne(ctx, MEMBER_IMAGE, id);
      if (member) return normalizeNcpMemberImage(member, where(ctx));
      throw new ImageOpsError("NOT_FOUND", `no ncp image ${id} in ${ctx.region}`, { provider: "ncp", field: "id" });
    },

    getServer,

    async findServersByName(ctx, name) {
      // serverName is a documented filter of getServerInstanceList (ncp.md §3.3; Go get_server_instance_list_request.go)
      // whose matching NCP does not describe: the exact name is kept here
      const servers = await listAll(ctx, "getServerInstanceList", "serverInstanceList", { serverName: name });
      return servers.flatMap((s) => {
        const id = text(s.serverInstanceNo);
        return s.serverName === name && id ? [{ id, name, providerStatus: codeOf(s.serverInstanceStatus) ?? "" }] : [];
      });
    },

    async listServers(ctx) {
      // the same list, unfiltered
      const servers = await listAll(ctx, "getServerInstanceList", "serverInstanceList", {});
      return servers.flatMap((s) => {
        const id = text(s.serverInstanceNo);
        return id ? [{ id, name: text(s.serverName) ?? "", providerStatus: codeOf(s.serverInstanceStatus) ?? "" }] : [];
      });
    },

    async findImagesByName(ctx, name) {
      const [images, members] = await Promise.all([
        listAll(ctx, "getServerImageList", "serverImageList", { serverImageTypeCodeList: ["SELF"], serverImageName: name }),
        listAll(ctx, "getMemberServerImageInstanceList", "memberServerImageInstanceList", { memberServerImageName: name }),
      ]);
      return merged(ctx, images, members).filter((i) => i.name === name && i.kind === "custom");
    },

    creator,
    deleter,
    sharer,
  };
}
