import type { ThrottleSignal } from "../../http/client.js";
import { ImageOpsError, providerFailure } from "../../model/errors.js";
import { text as read } from "../read.js";

/**
 * What SCP answers when something is wrong, mapped to the taxonomy. SCP has several envelopes
 * (docs/providers/scp.md §6.1); each is recognised by its shape, never guessed from the status alone:
 * (a) the Virtual Server API's own {"errors":[{code, title, status, detail, request_id, global_request_id, …}]}
 *     (the official provider's client/common.go GetDetailFromError reads errors[].detail; live captures);
 * (b) a Spring {timestamp, path, status, error, requestId}: the gateway's 404 to a request without the
 *     Scp-* auth headers — it says nothing about the image or server asked for;
 * (c) the gateway's {status: "UNAUTHORIZED", name: "Request was rejected by gateway", message};
 * (e) an HTML 417 page ("Request Rejected" … "Support ID"): a WAF or rate-limit block;
 * (f) 406: the pinned Scp-Api-Version is not served (body not captured).
 */

/** The WAF/rate-limit block page (scp.md §6.1 (e): a live harness recognises it by these phrases). */
const BLOCK_PAGE_MARKERS = ["Request Rejected", "request was blocked", "Support ID"];

/** SCP's throttling answer besides 429: retried with backoff like one (declared on the adapter's limits). */
export const SCP_THROTTLE_SIGNALS: readonly ThrottleSignal[] = [{ status: 417, bodyIncludes: BLOCK_PAGE_MARKERS }];

export interface ScpAnswer {
  status: number;
  text: string;
}

export interface ScpCallInfo {
  /** the Scp-Api-Version sent ("1.3") */
  apiVersion: string;
}

const MAX_MESSAGE = 300;

export function scpFailure(res: ScpAnswer, call: ScpCallInfo): ImageOpsError {
  const body = parseJson(res.text);
  if (res.status === 406) return versionRefused(res.status, body, call);
  if (body === undefined) return nonJson(res);

  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  if (first && typeof first === "object") {
    // (a): the global request id is the one SCP support traces a call by
    return providerFailure("scp", res.status, {
      providerCode: text(first.code),
      message: clip(detailText(first.detail) || text(first.title) || text(first.message)),
      requestId: text(first.global_request_id) ?? text(first.request_id),
    });
  }
  if (typeof b.timestamp === "string" && typeof b.path === "string" && typeof b.error === "string") {
    // (b): never "no such image" — the request did not reach the Virtual Server API
    const requestId = text(b.requestId);
    const message =
      res.status === 404
        ? `SCP's gateway answered 404 "${b.error}" for ${clip(b.path, 120)} in its own format, not the Virtual Server API's: it does so for a request without the Scp-* auth headers, so this says nothing about the image or server asked for`
        : `SCP's gateway answered ${res.status} "${b.error}" for ${clip(b.path, 120)}`;
    if (res.status === 404)
      return new ImageOpsError("PROVIDER_ERROR", `scp: ${message}`, { provider: "scp", providerCode: b.error, requestId });
    return providerFailure("scp", res.status, { providerCode: b.error, message, requestId });
  }
  if (typeof b.status === "string" && typeof b.name === "string") {
    // (c): 401 "Request was rejected by gateway"
    return providerFailure("scp", res.status, {
      providerCode: b.status,
      message: clip(`${b.name}: ${text(b.message) ?? ""}`.replace(/: $/, "")),
    });
  }
  if (Array.isArray(body) && body[0] && typeof body[0] === "object") {
    // the 1.0 spec's ValidationErrorModel list ({loc, msg, type_}); kept for the endpoints that document it
    const v = body[0] as Record<string, unknown>;
    return providerFailure("scp", res.status, { providerCode: text(v.type_) ?? text(v.type), message: clip(detailText(body)) });
  }
  if (res.status < 300)
    return providerFailure("scp", res.status, { message: "unexpected response (no error envelope, not the expected shape)" });
  return providerFailure("scp", res.status, { message: clip(text(b.message) ?? text(b.code)) });
}

function nonJson(res: ScpAnswer): ImageOpsError {
  if (res.status === 417 || BLOCK_PAGE_MARKERS.some((m) => res.text.includes(m))) {
    // (e): answered after the client's retries; the Support ID is what SCP asks for
    const supportId = /support ID(?:\s+is)?\s*[:#]?\s*([0-9A-Za-z-]{4,64})/i.exec(res.text)?.[1];
    return new ImageOpsError(
      "PROVIDER_UNAVAILABLE",
      `scp: SCP's gateway blocked the request (HTTP ${res.status}, a WAF or rate-limit block page, still after retries with backoff); wait and try again${supportId ? `, or give SCP support the Support ID ${supportId}` : ""}`,
      { provider: "scp", requestId: supportId },
    );
  }
  // a 2xx with an unreadable body is the cloud's error, not an outage
  return providerFailure("scp", res.status, {
    message: res.status < 300 ? "unreadable response (not JSON)" : `HTTP ${res.status} with a body that is not JSON`,
  });
}

function versionRefused(status: number, body: unknown, call: ScpCallInfo): ImageOpsError {
  const first = (body as { errors?: Array<Record<string, unknown>> } | undefined)?.errors?.[0];
  const said = first ? detailText(first.detail) || text(first.title) : undefined;
  return new ImageOpsError(
    "PROVIDER_ERROR",
    `scp: SCP does not serve Scp-Api-Version "virtualserver ${call.apiVersion}" (HTTP ${status}${said ? `: ${clip(said, 120)}` : ""}); ` +
      `set "apiVersion" on this account in the credentials secret to a version SCP lists as CURRENT or SUPPORTED (GET / on the Virtual Server endpoint lists them), or remove it to use the default`,
    { provider: "scp", providerCode: text(first?.code), requestId: text(first?.global_request_id) ?? text(first?.request_id) },
  );
}

function parseJson(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return undefined;
  }
}

const text = (v: unknown): string | undefined => read(v) ?? undefined;

/** `detail` is a string or a list (of strings, or of {loc, msg} in the 1.0 spec's model). */
function detailText(d: unknown): string {
  if (typeof d === "string") return d;
  if (!Array.isArray(d)) return "";
  return d
    .map((item) => {
      if (typeof item === "string") return item;
      if (item && typeof item === "object") {
        const o = item as { msg?: unknown; loc?: unknown };
        const loc = Array.isArray(o.loc) ? o.loc.join(".") : "";
        return typeof o.msg === "string" ? (loc ? `${loc}: ${o.msg}` : o.msg) : "";
      }
      return "";
    })
    .filter(Boolean)
    .join(", ");
}

function clip(s: string | undefined, max = MAX_MESSAGE): string | undefined {
  if (s === undefined) return undefined;
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
