import type { HttpResponse } from "../../http/client.js";
import { ImageOpsError, invalidArgument, providerFailure } from "../../model/errors.js";
import type { Image } from "../../model/image.js";
import { text, wholeNumber } from "../read.js";
import type { CallContext, ListFilter, ProviderAdapter, Server } from "../types.js";
import { normalizeIwinvImage, type IwinvContext } from "./normalize.js";
import { checkId, type IdShapes } from "../ids.js";
import { findIwinvServersByName, listIwinvServers } from "./servers.js";
import { buildIwinvUrl, iwinvHeaders, iwinvPathOf, type IwinvQueryValue } from "./signer.js";

/**
 * iwinv IaaS API (https://api-kr.iwinv.kr). Documented calls used here: GET /v1/images
 * (zone_id, name, os, type, visibility, page_no, page_size), GET /v1/images/{image_id},
 * GET /v1/instances/{instance_id}?fields=3599. The Images section documents no create or delete
 * call, so the adapter has neither part (`unsupported` says why). Every answer is the envelope {code, error_code, message, result}
 * with code "0x00" / error_code "SUCCESS" on success.
 */

export const IWINV_DEFAULT_ENDPOINT = "https://api-kr.iwinv.kr";

/**
 * Error codes (iwinv Error Code page, https://api-kr.iwinv.kr/error, as listed by a public
 * client of it; iwinv.md §3.3): the credential/signature ones reject the key, NOT_FOUND names nothing.
 */
const AUTH_CODES = new Set(["0x6", "0x7", "0x8"]);
const AUTH_NAMES = new Set(["CHECK_CREDENTIAL", "CHECK_SIGNATURE", "INVALID_SIGNATURE"]);
/**
 * The key's IP allowlist refused the caller: iwinv API keys only work from the addresses registered
 * on them (iwinv.md §0, §1.5; HTTP 403 CHECK_IP observed live). The key is fine, so re-reading the
 * secret cannot help. CHECK_REQUEST_IP (0x5) is taken to mean the same by its name.
 */
const IP_CODES = new Set(["0x9", "0x5"]);
const IP_NAMES = new Set(["CHECK_IP", "CHECK_REQUEST_IP"]);
const NOT_FOUND_CODES = new Set(["0x1"]);
const NOT_FOUND_NAMES = new Set(["NOT_FOUND"]);
/** on a detail call an empty set or a malformed id also means "no such thing" */
const DETAIL_MISS_CODES = new Set(["0x14", "0x16"]);
const DETAIL_MISS_NAMES = new Set(["EMPTY_SET", "ID_INVALID"]);

/**
 * iwinv types its ids only as strings (Image Detail's `image_id`, R5; the instance pages' `instance_id`, "Instance
 * ID of instance", R6); the form it shows is ASCII letters, digits and "-" (`PIMAGE-1Pos3S8VaJXq3wgC8c4BMi`, the
 * Image List example, S1; iwinv.md §1.2–1.3), and a third-party client refuses anything else before it signs
 * (T1). Such an id goes into the path and the signed string as it is; any other is refused before a request.
 */
const IWINV_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const IWINV_IDS: IdShapes = {
  image: { pattern: IWINV_ID, expected: "an iwinv image id (ASCII letters, digits, '-' and '_', e.g. PIMAGE-1Pos3S8VaJXq3wgC8c4BMi)" },
  server: { pattern: IWINV_ID, expected: "an iwinv instance id (ASCII letters, digits, '-' and '_')" },
};

/** API `os` enum (Image List) for each canonical distro; windows covers its three variants. */
const API_OS: Record<string, string> = {
  windows: "windows,windows_core,windows_sql",
  ubuntu: "ubuntu",
  rocky: "rocky",
  centos: "cent",
  fedora: "fedora",
  freebsd: "freebsd",
  opensuse: "opensuse",
  coreos: "coreos",
  oracle: "oracle",
  debian: "debian",
  alma: "alma",
  mint: "mint",
  hamonikr: "hamonikr",
};

const MAX_PAGES = 1000;

/**
 * Instance Detail's `fields` bitmask (https://api-kr.iwinv.kr/fields/v1/instances; iwinv.md §5.3):
 * instance_id 1 | name 2 | description 4 | status 8 | zone 512 | flavor 1024 | image 2048. Never 128
 * (the default account's password) or 16384 (a console link): the lookup must not fetch secrets.
 */
export const IWINV_INSTANCE_FIELDS = 1 | 2 | 4 | 8 | 512 | 1024 | 2048;

export interface IwinvAdapterOptions {
  /** requested page size; the API default is 10 and its maximum is not documented */
  pageSize?: number;
  /** epoch ms, for the signature timestamp */
  now?: () => number;
}

interface Envelope {
  code?: unknown;
  error_code?: unknown;
  message?: unknown;
  result?: unknown;
  count?: unknown;
  page_no?: unknown;
  page_size?: unknown;
  total?: unknown;
  total_count?: unknown;
}

export function iwinvBaseUrl(ctx: CallContext): string {
  return (ctx.account.endpoint ?? IWINV_DEFAULT_ENDPOINT).replace(/\/+$/, "");
}

/** The JSON envelope of an answer, or undefined when the body is not one. */
function envelopeOf(body: string): Envelope | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

/** The failure an answer represents, or null when it is a success envelope. */
export function iwinvFailure(res: Pick<HttpResponse, "status" | "text">, kind: "list" | "detail" = "list"): ImageOpsError | null {
  return envelopeFailure(res.status, envelopeOf(res.text), kind);
}

function envelopeFailure(status: number, body: Envelope | undefined, kind: "list" | "detail"): ImageOpsError | null {
  if (!body) {
    // HTML from a gateway, a truncated body: the status decides (5xx → unavailable, 200 → error)
    return providerFailure("iwinv", status, { message: `unreadable response (HTTP ${status}, not a JSON envelope)` });
  }
  const code = text(body.code) ?? undefined;
  const name = text(body.error_code) ?? undefined;
  // success is HTTP 2xx and code "0x00" and error_code "SUCCESS" (iwinv.md §3.1)
  if (status < 300 && code === "0x00" && name === "SUCCESS") return null;
  if ((code !== undefined && IP_CODES.has(code)) || (name !== undefined && IP_NAMES.has(name)))
    return ipRefused(name ?? code!, text(body.message) ?? undefined);
  const auth = (code !== undefined && AUTH_CODES.has(code)) || (name !== undefined && AUTH_NAMES.has(name));
  const notFound =
    (code !== undefined && NOT_FOUND_CODES.has(code)) ||
    (name !== undefined && NOT_FOUND_NAMES.has(name)) ||
    (kind === "detail" && ((code !== undefined && DETAIL_MISS_CODES.has(code)) || (name !== undefined && DETAIL_MISS_NAMES.has(name))));
  let message = text(body.message) ?? (typeof body.result === "string" ? body.result : undefined) ?? name;
  if (message && name && !message.includes(name)) message = `${message} (${name})`;
  if (!message) message = code === undefined ? "unexpected response (no code in the envelope)" : `error ${code}`;
  if (message.length > 300) message = `${message.slice(0, 300)}…`;
  // an error envelope may come with HTTP 200: it is still an error, never a success.
  // The name is the code people read (iwinv's Error Code page pairs each hex code with it).
  return providerFailure("iwinv", status < 300 ? 200 : status, { providerCode: name ?? code, message, auth, notFound });
}

function ipRefused(providerCode: string, said: string | undefined): ImageOpsError {
  return new ImageOpsError(
    "PROVIDER_AUTH_FAILED",
    `iwinv: iwinv refused this caller's IP address (${providerCode}${said ? `: ${said.slice(0, 120)}` : ""}): an iwinv API key works only from the IP addresses registered on it; ` +
      "register the egress IP this function calls from (e.g. the Elastic IP of its NAT gateway) on the API key in the iwinv console",
    { provider: "iwinv", providerCode, credentialsRejected: false },
  );
}

const ctxOf = (ctx: CallContext): IwinvContext => ({ account: ctx.account.name, region: ctx.region });

export function iwinvAdapter(options: IwinvAdapterOptions = {}): ProviderAdapter {
  const pageSize = Math.min(1000, Math.max(1, Math.floor(options.pageSize ?? 100)));
  const now = options.now ?? Date.now;

  async function get(
    ctx: CallContext,
    path: string,
    query: Record<string, IwinvQueryValue> | undefined,
    kind: "list" | "detail",
  ): Promise<Envelope | null> {
    const { accessKey, secretKey } = ctx.account;
    const res = await ctx.http.request({
      method: "GET",
      url: buildIwinvUrl(iwinvBaseUrl(ctx), path, query),
      idempotent: true,
      headers: { Accept: "application/json" },
      // the signed path is the one on the wire, recomputed with a fresh timestamp per attempt
      sign: (_method, url) => iwinvHeaders(iwinvPathOf(url), Math.floor(now() / 1000), accessKey, secretKey),
    });
    // parsed once: a list page can be large
    const body = envelopeOf(res.text);
    // a list envelope saying "nothing matched" is an empty page
    if (kind === "list" && (body?.code === "0x14" || body?.error_code === "EMPTY_SET")) return null;
    const failure = envelopeFailure(res.status, body, kind);
    if (failure) throw failure;
    return body!;
  }

  /** One image or instance by id: refused before sending when it is not of iwinv's id shape. */
  async function detail(
    ctx: CallContext,
    noun: "image" | "instance",
    field: "id" | "serverId",
    id: string,
    query?: Record<string, IwinvQueryValue>,
  ): Promise<Record<string, unknown>> {
    if (!id) throw invalidArgument(field, "required");
    checkId(noun === "image" ? IWINV_IDS.image : IWINV_IDS.server, field, id);
    const body = await get(ctx, `/v1/${noun}s/${id}`, query, "detail");
    if (Array.isArray(body?.result) && body.result.length === 0) {
      throw new ImageOpsError("NOT_FOUND", `iwinv: no ${noun} ${id}`, { provider: "iwinv" });
    }
    const raw = single(body?.result);
    if (!raw) throw unexpected(`${noun} detail`);
    return raw;
  }

  function unexpected(what: string): ImageOpsError {
    return providerFailure("iwinv", 200, { message: `unexpected ${what} response shape` });
  }

  async function listAll(ctx: CallContext, query: Record<string, IwinvQueryValue>): Promise<Image[]> {
    const c = ctxOf(ctx);
    const out: Image[] = [];
    const seen = new Set<string>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await get(ctx, "/v1/images", { zone_id: ctx.region, ...query, page_no: page, page_size: pageSize }, "list");
      if (!body) return out;
      const result = body.result ?? [];
      if (!Array.isArray(result)) throw unexpected("image list");
      const before = seen.size;
      for (const raw of result) {
        const image = normalizeIwinvImage(raw, c);
        const key = image.id || `#${page}.${seen.size}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const zones = (raw as { zone?: unknown })?.zone;
        // the API filters by zone_id; drop anything it returned for another zone anyway
        if (Array.isArray(zones) && zones.length > 0 && !zones.includes(ctx.region)) continue;
        out.push(image);
      }
      // the API may cap page_size: compare with the size it says it used
      const size = wholeNumber(body.page_size) || pageSize;
      const count = wholeNumber(body.count) ?? result.length;
      const total = wholeNumber(body.total) ?? wholeNumber(body.total_count);
      if (result.length === 0 || count < size || result.length < size) return out;
      if (total !== null && page * size >= total) return out;
      // a full page of ids already seen: page_no is being ignored, more requests would loop
      if (seen.size === before) throw unexpected("image list (page_no not honoured)");
    }
    throw providerFailure("iwinv", 200, { message: `more than ${MAX_PAGES} pages of images` });
  }

  function single(result: unknown): Record<string, unknown> | null {
    const r = Array.isArray(result) ? result[0] : result;
    return r && typeof r === "object" && !Array.isArray(r) ? (r as Record<string, unknown>) : null;
  }

  return {
    name: "iwinv",
    defaultEndpoint: IWINV_DEFAULT_ENDPOINT,
    ids: IWINV_IDS,
    // docs: "Call limit: 60 requests / per minute"
    limits: { concurrency: 4, perMinute: 60 },
    // the Images API is Image List and Image Detail only (iwinv.md §2.3: the docs' sidebar, the IaaS OpenAPI, the
    // official CLI): no creator, no deleter
    unsupported: {
      create: {
        reason: "iwinv's API has no image-creation call",
        instead: "its Images API offers only Image List and Image Detail (iwinv.md §2.3): create the image in the iwinv console",
      },
      delete: {
        reason: "iwinv's API has no image-deletion call",
        instead: "its Images API offers only Image List and Image Detail (iwinv.md §2.3): delete it in the iwinv console",
      },
      share: {
        reason: "iwinv's API has no image-sharing call",
        instead:
          "its Images API offers only Image List and Image Detail (iwinv.md §2.3): share the image in the iwinv console, if iwinv offers it there",
      },
    },

    async listImages(ctx, filter: ListFilter = {}) {
      const query: Record<string, IwinvQueryValue> = {};
      if (filter.scope === "public") query.visibility = "public";
      else if (filter.scope === "custom") query.visibility = "private";
      const key = filter.os?.trim().toLowerCase() ?? "";
      const os = Object.hasOwn(API_OS, key) ? API_OS[key] : undefined;
      if (os) query.os = os;
      // The name filter stays client-side: iwinv documents "containing {name}" but not whether it
      // ignores case, and the product's filter does; sending it could drop matches for good.
      return listAll(ctx, query);
    },

    async describeImage(ctx, id) {
      return normalizeIwinvImage(await detail(ctx, "image", "id", id), ctxOf(ctx));
    },

    async getServer(ctx, serverId): Promise<Server> {
      const s = await detail(ctx, "instance", "serverId", serverId, { fields: IWINV_INSTANCE_FIELDS });
      return {
        id: text(s.instance_id) ?? text(s.id) ?? serverId,
        name: text(s.name) ?? "",
        providerStatus: text(s.status) ?? "",
        // iwinv's API cannot make an image from a server, whatever its state
        imageable: false,
      };
    },

    // Instance List, in its own file (./servers.ts)
    findServersByName: (ctx, name) => findIwinvServersByName((path, query) => get(ctx, path, query, "list"), ctx.region, name),
    listServers: (ctx) => listIwinvServers((path, query) => get(ctx, path, query, "list"), ctx.region),

    async findImagesByName(ctx, name) {
      if (!name) return [];
      const images = await listAll(ctx, { visibility: "private", name });
      return images.filter((i) => i.kind === "custom" && i.name === name);
    },
  };
}
