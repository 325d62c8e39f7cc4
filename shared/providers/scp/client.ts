import { ImageOpsError, invalidArgument } from "../../model/errors.js";
import type { Image } from "../../model/image.js";
import { type Rec, text } from "../read.js";
import type {
  AdapterWith,
  CallContext,
  CreateCall,
  DeleteTarget,
  ImageCreator,
  ImageDeleter,
  ImageSharer,
  ListFilter,
  Server,
  ShareMember,
  ShareTarget,
} from "../types.js";
import { normalizeScpImage, type ScpContext, unreadScpImage } from "./normalize.js";
import { checkId, type IdShapes } from "../ids.js";
import { buildScpUrl, type QueryValue, scpHeaders } from "./signer.js";
import { configuredAccountId, pinnedApiVersion } from "./account.js";
import { catalogueWatch, pinnedVersionRefusal, pinnedVersionWarning, SCP_DEFAULT_API_VERSION } from "./versions.js";
import { SCP_THROTTLE_SIGNALS, scpFailure } from "./errors.js";
import { findScpServersByName, listAllScpServers, listScpServers, type ScpGet, scpServerRef } from "./servers.js";

/**
 * Samsung Cloud Platform v2, Virtual Server API (`Scp-Api-Version: virtualserver 1.3`).
 * Paths and shapes from the official SDK (library/virtualserver/*): GET /v1/images (limit/marker),
 * GET /v1/images/{image_id}, GET /v1/servers/{server_id}, POST /v1/servers/{server_id}/images {image_name} → 202 {image_id}.
 */

/** Each SCP service has its own regional host: https://{service}.{region}.{env}.samsungsdscloud.com (env "e" = public). */
export const SCP_DEFAULT_ENDPOINT = "https://virtualserver.{region}.e.samsungsdscloud.com";

/** Image name rule of the SDK's image model (ImageCreateRequest.name): 1–255 of letters, digits, "-", "_", space. */
const NAME_RE = /^[A-Za-z0-9\-_ ]+$/;
export function validateScpImageName(name: string): string | null {
  if (typeof name !== "string" || name.length === 0) return "name is required";
  if (name.length > 255) return "at most 255 characters";
  if (!NAME_RE.test(name)) return 'only letters, digits, "-", "_" and spaces';
  if (name.trim() !== name) return "no leading or trailing spaces";
  return null;
}

/** os_distro values the API filters on (ImageOsDistroEnum); canonical names map onto them. */
const API_DISTROS = new Map<string, string>([
  ["alma", "alma"],
  ["centos", "centos"],
  ["rhel", "rhel"],
  ["rocky", "rocky"],
  ["ubuntu", "ubuntu"],
  ["windows", "windows"],
  ["oracle", "oracle"],
  ["opensuse", "sles"],
  ["sles", "sles"],
]);

/**
 * Images and servers are OpenStack (Glance, Nova) UUIDs: the SDK's spec gives `image_id`
 * 1bea47ed-f6a9-463b-b423-14b9cca9ad27 and `server_id` 2a9be312-5d4b-4bc8-b2ae-35100fa9241f
 * (S1 library/virtualserver/1.0/api/openapi.yaml), the docs' examples are the same form (D3, D4, D8).
 * Go's url.PathEscape, which the SDK puts a path id through, leaves a UUID as it is: any other id
 * it would send differently from encodeURIComponent (`+ : @ = & $` kept, compare-scp.md) is refused
 * before a request. A UUID goes into the path as it is.
 */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SCP_IDS: IdShapes = {
  image: { pattern: UUID, expected: "an SCP image id (a UUID, e.g. 1bea47ed-f6a9-463b-b423-14b9cca9ad27)" },
  server: { pattern: UUID, expected: "an SCP server id (a UUID, e.g. 2a9be312-5d4b-4bc8-b2ae-35100fa9241f)" },
};

/** Server states an image can be taken from. */
const IMAGEABLE = new Set(["ACTIVE", "SHUTOFF"]);

const MAX_PAGES = 1000;

/**
 * The order marker paging walks (D8: "The last item's ID from previous request"): the documented default,
 * sent on every page so that it cannot change under the markers with a version's default.
 */
const SORT = "created_at:desc";

export interface ScpAdapterOptions {
  /** list page size (API: 1–1000, default 20) */
  pageSize?: number;
  /** epoch ms: signature timestamps, Not-Before dates, the catalogue's day */
  now?: () => number;
  /** waits before each retry of a delete answered 409 (scp.md §4.4) */
  deleteConflictWaitsMs?: readonly number[];
}

/**
 * A delete answered 409 is tried again: 409 is documented for DELETE /v1/images/{id} with no
 * meaning given, and the live harness retries deletes on it ("삭제는 409 재시도", S4
 * knowledge/formal/resources/compute__virtualserver.yaml; scp.md §4.4). Three more tries, 1, 2 and 4 s apart.
 */
const DELETE_CONFLICT_WAITS_MS = [1_000, 2_000, 4_000] as const;

export function scpBaseUrl(ctx: CallContext): string {
  if (ctx.account.endpoint) return ctx.account.endpoint;
  // the region becomes part of a host name: refuse anything that could change the host
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(ctx.region))
    throw invalidArgument("region", `not an SCP region: ${JSON.stringify(ctx.region).slice(0, 40)}`);
  return SCP_DEFAULT_ENDPOINT.replace("{region}", ctx.region);
}

function ctxOf(ctx: CallContext): ScpContext {
  return { account: ctx.account.name, region: ctx.region };
}

/** This account's id, and where it was read; or why it is not known. */
type ThisAccount = { id: string; from: string; why?: undefined } | { id?: undefined; from?: undefined; why: string };

/**
 * Whether an image is positively this account's own custom image: `scp_image_type` custom (the
 * type the docs' List Images example gives the account's own image, D8; nullable in the SDK) and
 * `owner`, "Owner account ID" (S3 model_image_show_response_v1_dot3.go, required), this account.
 * An image shared with the account or public to it is another's: its owner is not this account.
 */
function scpOwn(raw: Rec, me: ThisAccount | undefined): DeleteTarget["own"] {
  const type = text(raw.scp_image_type);
  const visibility = text(raw.visibility);
  if (type !== "custom")
    return {
      ok: false,
      says: `scp_image_type ${type ?? "absent"}${visibility ? ` (visibility ${visibility})` : ""}: not a custom image${visibility === "public" ? ", a public image of SCP" : ""}`,
    };
  const owner = text(raw.owner);
  if (!owner) return { ok: false, says: "Show Image names no owner, so it is not known to be this account's" };
  if (!me?.id)
    return {
      ok: false,
      says: `owner ${owner} cannot be compared with this account: ${me?.why ?? "its id is unknown"}; set accountId in the credentials secret (the owner SCP shows on this account's own images)`,
    };
  const name = text(raw.owner_account_name);
  if (owner.toLowerCase() !== me.id.toLowerCase())
    return {
      ok: false,
      says: `owner ${owner}${name ? ` (${name})` : ""} is not this account (${me.id}, ${me.from})`,
    };
  return { ok: true, says: `scp_image_type custom, owner ${owner}: this account (${me.from})` };
}

/**
 * A share's target is an SCP account id: `owner` is "Owner account ID", 32 hex characters (scp.md
 * §4.1; the docs' example a8f10467abfc4b87b64614ab36eb9ae4), and Add member's `member_id` must match
 * `^[A-Za-z0-9-]*$` (S3 model_image_member_create_request.go).
 */
const ACCOUNT_ID = /^[0-9a-fA-F]{32}$/;
function validateScpTarget(target: string): string | null {
  if (typeof target !== "string" || !target) return "an account id is required";
  if (!ACCOUNT_ID.test(target)) return "an SCP account id: 32 hexadecimal characters, as an image's owner shows it";
  return null;
}

/** The members List members answers: {"members": [ImageMemberShowResponse{member_id, status, …}]} (S3 model_image_member_list_response.go). */
function membersOf(json: unknown): ShareMember[] | undefined {
  const members = (json as { members?: unknown })?.members;
  if (!Array.isArray(members)) return undefined;
  return members.flatMap((m) => {
    const id = text((m as Rec)?.member_id);
    const status = text((m as Rec)?.status);
    return id ? [status ? { id, status } : { id }] : [];
  });
}

export function scpAdapter(options: ScpAdapterOptions = {}): AdapterWith<"creator" | "deleter" | "sharer"> {
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 100)));
  const now = options.now ?? Date.now;
  const conflictWaits = options.deleteConflictWaitsMs ?? DELETE_CONFLICT_WAITS_MS;
  const watchVersions = catalogueWatch(now);

  async function call(
    ctx: CallContext,
    method: "GET" | "POST" | "PUT" | "DELETE",
    path: string,
    query?: Record<string, QueryValue>,
    body?: unknown,
  ): Promise<unknown> {
    const { account } = ctx;
    const refusal = pinnedVersionRefusal(account, now());
    if (refusal) throw refusal;
    const apiVersion = pinnedApiVersion(account) ?? SCP_DEFAULT_API_VERSION;
    const base = scpBaseUrl(ctx);
    watchVersions(ctx, buildScpUrl(base, "/"), apiVersion);
    const url = buildScpUrl(base, path, query);
    const res = await ctx.http.request({
      method,
      url,
      // a DELETE repeated after a lost answer is answered 404 once the first went through: read as "gone";
      // a PUT (visibility, a member's status) sets a value: repeating it changes nothing more
      idempotent: method !== "POST",
      // the Go SDK's headers (library/virtualserver/*/client.go) and body bytes: json.NewEncoder ends the JSON with "\n";
      // its DeleteImage sends no Accept (scp.md §1.5, the delete-image vector's sdkHeaders)
      headers:
        method === "DELETE"
          ? {}
          : body === undefined
            ? { Accept: "application/json" }
            : { Accept: "application/json", "Content-Type": "application/json" },
      body: body === undefined ? undefined : `${JSON.stringify(body)}\n`,
      // Scp-AccountId empty, signed empty, as the official provider configures the SDK (signer.ts); the
      // account's own accountId is never sent (a delete compares it with images' owner)
      sign: (m, u) => scpHeaders(m, u, now(), account.accessKey, account.secretKey, apiVersion, ""),
    });
    const info = { apiVersion };
    if (res.status >= 300) throw scpFailure(res, info);
    let json: unknown;
    try {
      json = res.text === "" ? null : JSON.parse(res.text);
    } catch {
      throw scpFailure(res, info);
    }
    return json;
  }

  function unexpected(what: string): ImageOpsError {
    return new ImageOpsError("PROVIDER_ERROR", `scp: unexpected ${what} response shape`, { provider: "scp" });
  }

  async function listAll(ctx: CallContext, query: Record<string, QueryValue>): Promise<Image[]> {
    const out: Image[] = [];
    const c = ctxOf(ctx);
    const seen = new Set<string>();
    let marker: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const json = await call(ctx, "GET", "/v1/images", { ...query, limit: pageSize, marker, sort: SORT });
      const images = (json as { images?: unknown })?.images;
      if (!Array.isArray(images)) throw unexpected("list");
      for (const raw of images) out.push(normalizeScpImage(raw, c));
      // marker paging: the API returns no "next"; a short page is the last one
      if (images.length < pageSize) return out;
      const last = (images[images.length - 1] as { id?: unknown })?.id;
      if (typeof last !== "string" || !last || seen.has(last)) throw unexpected("list (paging marker)");
      seen.add(last);
      marker = last;
    }
    throw new ImageOpsError("PROVIDER_ERROR", `scp: more than ${MAX_PAGES} pages of images`, { provider: "scp" });
  }

  async function describeImage(ctx: CallContext, id: string) {
    checkId(SCP_IDS.image, "id", id);
    const json = await call(ctx, "GET", `/v1/images/${id}`);
    if (!json || typeof json !== "object") throw unexpected("image");
    // ImageShowResponse is the image itself; tolerate an {image: …} wrapper
    const raw = (json as { image?: unknown }).image ?? json;
    return normalizeScpImage(raw, ctxOf(ctx));
  }

  const getter =
    (ctx: CallContext): ScpGet =>
    (path, query) =>
      call(ctx, "GET", path, query);

  /** account ids read from the servers, per endpoint and access key (an account's id does not change) */
  const derived = new Map<string, string>();

  /**
   * The id of the account the keys belong to: the secret's `accountId` when given; otherwise the
   * one `account_id` its servers show (List Virtual Servers: ServerShowResponse.account_id,
   * "Account ID", required, S3 model_server_show_response.go — the docs' example account_id
   * a8f10467abfc4b87b64614ab36eb9ae4 is also the owner of their example image, D8). No server, or
   * servers naming several accounts, leave it unknown: nothing is then taken to be this account's.
   */
  async function thisAccount(ctx: CallContext): Promise<ThisAccount> {
    const configured = configuredAccountId(ctx.account);
    if (configured) return { id: configured, from: "accountId in the credentials secret" };
    const key = `${scpBaseUrl(ctx)} ${ctx.account.accessKey}`;
    const known = derived.get(key);
    if (known) return { id: known, from: "the account_id of its servers" };
    const servers = await listScpServers(getter(ctx), {}, "servers");
    const ids = new Set(servers.flatMap((s) => text(s.account_id) ?? []));
    const [only] = ids;
    if (ids.size === 1 && only) {
      derived.set(key, only);
      return { id: only, from: "the account_id of its servers" };
    }
    return {
      why: ids.size
        ? `the secret gives no accountId, and the servers in ${ctx.region} name ${ids.size} accounts`
        : `the secret gives no accountId, and there is no server in ${ctx.region} to read it from`,
    };
  }

  const creator: ImageCreator = {
    validateImageName: validateScpImageName,
    // the create call's body is {"image_name"} only (docs: Create Image from Server; SDK ServerCreateImageRequestBody)
    descriptionNotStored:
      "SCP does not store descriptions: its create-image call takes only image_name, so this description will not be kept",

    async createImage(ctx, req: CreateCall) {
      const reason = validateScpImageName(req.name);
      if (reason) throw invalidArgument("name", reason);
      checkId(SCP_IDS.server, "serverId", req.serverId);
      // SCP's create takes only the name; a description has nowhere to go (the preflight warns: descriptionNotStored)
      const json = await call(ctx, "POST", `/v1/servers/${req.serverId}/images`, undefined, { image_name: req.name });
      const id = (json as { image_id?: unknown })?.image_id;
      if (typeof id !== "string" || !id) throw unexpected("create");
      try {
        // the status comes from SCP itself (Glance: "queued" first)
        const image = await describeImage(ctx, id);
        return { ...image, sourceServerId: image.sourceServerId ?? req.serverId };
      } catch {
        // the image exists even if the first read fails (eventual consistency): never a failure the caller
        // might answer by creating again, and no status we did not read
        return unreadScpImage(id, req.name, req.serverId, ctxOf(ctx));
      }
    },
  };

  /**
   * An image as a delete or a share reads it (Show image), with this account's id when it is a
   * custom image (read only then: it may take the server list), to tell whether it is its own.
   */
  async function readOwned(ctx: CallContext, id: string): Promise<{ raw: Record<string, unknown>; image: Image; me?: ThisAccount }> {
    checkId(SCP_IDS.image, "id", id);
    const json = await call(ctx, "GET", `/v1/images/${id}`);
    if (!json || typeof json !== "object") throw unexpected("image");
    const raw = ((json as { image?: unknown }).image ?? json) as Record<string, unknown>;
    const me = text(raw.scp_image_type) === "custom" ? await thisAccount(ctx) : undefined;
    return { raw, image: normalizeScpImage(raw, ctxOf(ctx)), me };
  }

  const deleter: ImageDeleter = {
    async describeForDelete(ctx, id): Promise<DeleteTarget> {
      const { raw, image, me } = await readOwned(ctx, id);
      const target: DeleteTarget = { image, own: scpOwn(raw, me), via: "DELETE /v1/images/{image_id}" };
      // "Protected … prevents accidental deletion" (D7; scp.md §4.4): cleared with Update image, PUT /v1/images/{id}
      if (raw.protected === true)
        target.protected = `clear "protected" first (in the SCP console, or PUT /v1/images/${id} with protected=false)`;
      if (image.visibility === "shared") {
        // List members: GET /v1/images/{image_id}/members → {"members": [ImageMemberShowResponse]} (scp.md §4)
        try {
          target.sharedWith = (membersOf(await call(ctx, "GET", `/v1/images/${id}/members`)) ?? []).map((m) => m.id);
        } catch (err) {
          target.sharingUnknown = err instanceof ImageOpsError ? err.message : "the members could not be read";
        }
      }
      return target;
    },

    async deleteImage(ctx, target) {
      const path = `/v1/images/${checkId(SCP_IDS.image, "id", target.image.id)}`;
      for (let attempt = 0; ; attempt++) {
        try {
          // 204, no body (D2, S3 DeleteImage)
          await call(ctx, "DELETE", path);
          return;
        } catch (err) {
          const wait = conflictWaits[attempt];
          const deadline = ctx.http.deadline ?? Infinity;
          if (!(err instanceof ImageOpsError) || err.code !== "CONFLICT") throw err;
          if (wait === undefined || Date.now() + wait >= deadline) {
            throw new ImageOpsError(
              "CONFLICT",
              `${err.message} — SCP answered 409 to ${attempt + 1} delete request(s) in a row; the image is still there: try again later`,
              {
                provider: "scp",
                providerCode: err.providerCode,
                requestId: err.requestId,
                field: "id",
              },
            );
          }
          await new Promise((r) => setTimeout(r, wait));
        }
      }
    },

    /**
     * Servers made from the image: List Virtual Servers (./servers.ts) has no filter by image, so
     * every server is read and its `image_id` (ServerShowResponse, nullable: S1 1.0 openapi.yaml;
     * scp.md §4.6) matched here. A server without one does not say what it runs.
     */
    async serversUsing(ctx, target) {
      const servers = await listScpServers(getter(ctx), {}, "servers");
      const silent = servers.filter((s) => !text(s.image_id)).length;
      return {
        servers: servers.flatMap((s) => (text(s.image_id) === target.image.id ? (scpServerRef(s) ?? []) : [])),
        read: servers.length,
        ...(silent ? { unsure: `${silent} of them show no image_id, so whether they run it is not known` } : {}),
      };
    },
  };

  /**
   * SCP shares an image in steps (scp.md §4; S3 1.3 api_virtualserver_v1_virtualserver_v1_images.go
   * UpdateImage, api_virtualserver_v1_image_member.go): the image is made `shared` (PUT
   * /v1/images/{id} {"visibility":"shared"}, virtualserver:SetImage), each account is added as a
   * member (POST …/members {"member_id"}, virtualserver:CreateImageMember) and starts `pending`; the
   * member accepts with its own keys (PUT …/members/{member_id} {"status":"accepted"},
   * virtualserver:SetImageMember). Removing is DELETE …/members/{member_id} (virtualserver:DeleteImageMember).
   */
  const sharer: ImageSharer = {
    targetForm: "an SCP account id (32 hexadecimal characters)",
    validateTarget: validateScpTarget,

    async describeForShare(ctx, id): Promise<ShareTarget> {
      const { raw, image, me } = await readOwned(ctx, id);
      // only a shared image has members (Glance; the images SCP lists as `shared`): a private one has none to read
      let members: ShareMember[] = [];
      if (image.visibility === "shared") {
        const listed = membersOf(await call(ctx, "GET", `/v1/images/${id}/members`));
        if (!listed) throw unexpected("members");
        members = listed;
      }
      return {
        image,
        own: scpOwn(raw, me),
        members,
        via: { add: "POST /v1/images/{image_id}/members", remove: "DELETE /v1/images/{image_id}/members/{member_id}" },
      };
    },

    async addTargets(ctx, target, targets) {
      const id = checkId(SCP_IDS.image, "id", target.image.id);
      for (const t of targets)
        if (validateScpTarget(t)) throw invalidArgument("targets", `${JSON.stringify(t).slice(0, 80)}: ${validateScpTarget(t)}`);
      // ImageSetRequest.ToMap writes only the fields set: {"visibility":"shared"}
      if (target.image.visibility !== "shared") await call(ctx, "PUT", `/v1/images/${id}`, undefined, { visibility: "shared" });
      for (const t of targets) await call(ctx, "POST", `/v1/images/${id}/members`, undefined, { member_id: t });
    },

    async removeTargets(ctx, target, targets) {
      const id = checkId(SCP_IDS.image, "id", target.image.id);
      for (const t of targets) {
        if (validateScpTarget(t)) throw invalidArgument("targets", `${JSON.stringify(t).slice(0, 80)}: ${validateScpTarget(t)}`);
        // 204, no body; no Accept, as DeleteImageMember sends none
        await call(ctx, "DELETE", `/v1/images/${id}/members/${t}`);
      }
      // the last member gone, the image is made private again, as it was before the share (ImageSetRequest
      // visibility private|shared, scp.md §4): a shared image with no members is shared with nobody (scp.md §4: over-shared is `visibility == "shared"` plus members)
      const left = target.members.filter((m) => !targets.includes(m.id));
      if (target.image.visibility === "shared" && left.length === 0)
        await call(ctx, "PUT", `/v1/images/${id}`, undefined, { visibility: "private" });
    },

    async accept(memberCtx, imageId, memberId) {
      const id = checkId(SCP_IDS.image, "id", imageId);
      if (validateScpTarget(memberId)) throw invalidArgument("targets", `${memberId}: ${validateScpTarget(memberId)}`);
      // ImageMemberSetRequest {"status"}: ImageMemberStatusEnum pending | accepted | rejected
      await call(memberCtx, "PUT", `/v1/images/${id}/members/${memberId}`, undefined, { status: "accepted" });
    },

    targetOf: configuredAccountId,
    acceptHow: (imageId, memberId) =>
      `account ${memberId} must accept it with its own keys: PUT /v1/images/${imageId}/members/${memberId} {"status":"accepted"} (virtualserver:SetImageMember), or accept it in the SCP console; or add that account, with its accountId, to the credentials secret and imageops accepts it`,
  };

  return {
    name: "scp",
    defaultEndpoint: SCP_DEFAULT_ENDPOINT,
    ids: SCP_IDS,
    // SCP documents no rate limit; its gateway blocks with an HTML 417 (scp.md §6.3), retried like a 429
    limits: { concurrency: 8, throttleSignals: SCP_THROTTLE_SIGNALS },

    async listImages(ctx, filter: ListFilter = {}) {
      const query: Record<string, QueryValue> = {};
      if (filter.scope === "custom") query.scp_image_type = "custom";
      else if (filter.scope === "public") query.visibility = "public";
      const distro = filter.os ? API_DISTROS.get(filter.os.trim().toLowerCase()) : undefined;
      if (distro) query.os_distro = distro;
      // only "available" is one Glance status ("active"); the other contract statuses span several
      if (filter.status === "available") query.status = "active";
      // `name` stays client-side: the contract's name filter is a substring, the API's an exact match
      return listAll(ctx, query);
    },

    describeImage,

    async getServer(ctx, serverId): Promise<Server> {
      checkId(SCP_IDS.server, "serverId", serverId);
      const json = await call(ctx, "GET", `/v1/servers/${serverId}`);
      const s = ((json as { server?: unknown })?.server ?? json) as Record<string, unknown> | null;
      if (!s || typeof s !== "object") throw unexpected("server");
      const state = typeof s.state === "string" ? s.state : "";
      return {
        id: typeof s.id === "string" ? s.id : serverId,
        name: typeof s.name === "string" ? s.name : "",
        providerStatus: state,
        imageable: IMAGEABLE.has(state.toUpperCase()),
      };
    },

    // List Virtual Servers, in its own file (./servers.ts)
    findServersByName: (ctx, name) => findScpServersByName(getter(ctx), name),
    listServers: (ctx) => listAllScpServers(getter(ctx)),

    accountWarning: pinnedVersionWarning,

    async findImagesByName(ctx, name) {
      if (!name) return [];
      const images = await listAll(ctx, { name, scp_image_type: "custom" });
      return images.filter((i) => i.name === name && i.kind === "custom");
    },

    creator,
    deleter,
    sharer,
  };
}
