import type { HttpRequest } from "../../http/client.js";
import { ncpHeaders } from "./signer.js";

/**
 * What an NCP call looks like on the wire — the one place that decides it.
 *
 * Every call goes the way the official Go SDK (and so terraform-provider-ncloud) sends it
 * (ncp.md §0, §1.2; ncloud-sdk-go-v2 services/vserver/v2_api.go and api_client.go):
 *   POST <endpoint>/vserver/v2/<action>
 *   Content-Type: application/x-www-form-urlencoded
 *   body: responseFormatType=json&<field>=<value>…   (fields in the request model's order)
 * and only `POST /vserver/v2/<action>` is signed: no query, so no free text (descriptions,
 * names with spaces, `+`, Korean) ever enters the signed string, whose encoding the official
 * SDKs disagree on for GET queries (ncp.md §1.3).
 */

type Scalar = string | number | boolean;
export type NcpParam = Scalar | undefined | null | ReadonlyArray<Scalar | Readonly<Record<string, Scalar>>>;

/**
 * The request model of each action the product sends, field by field in declaration order:
 * ncloud-sdk-go-v2 @ f3df3ed services/vserver/<snake_action>_request.go. The Go SDK writes the
 * form body in this order (api_client.go buildQueryString walks the struct fields).
 */
export const NCP_REQUEST_FIELDS = {
  getServerImageList: [
    "regionCode",
    "serverImageName",
    "serverImageStatusCode",
    "serverImageNoList",
    "hypervisorTypeCodeList",
    "serverImageTypeCodeList",
    "osTypeCodeList",
    "platformCategoryCodeList",
    "pageNo",
    "pageSize",
    "sortedBy",
    "sortingOrder",
  ],
  getServerImageDetail: ["regionCode", "serverImageNo"],
  getMemberServerImageInstanceList: [
    "regionCode",
    "memberServerImageName",
    "memberServerImageInstanceStatusCode",
    "memberServerImageInstanceNoList",
    "platformTypeCodeList",
    "pageNo",
    "pageSize",
    "sortedBy",
    "sortingOrder",
  ],
  getMemberServerImageInstanceDetail: ["regionCode", "memberServerImageInstanceNo"],
  getServerInstanceList: [
    "regionCode",
    "serverInstanceNoList",
    "vpcNo",
    "pageNo",
    "pageSize",
    "serverInstanceStatusCode",
    "baseBlockStorageDiskTypeCode",
    "baseBlockStorageDiskDetailTypeCode",
    "serverName",
    "ip",
    "sortedBy",
    "sortingOrder",
    "placementGroupNoList",
    "hypervisorTypeCodeList",
    "fabricClusterPoolNo",
    "fabricClusterNo",
    "fabricClusterMode",
  ],
  getServerInstanceDetail: ["regionCode", "serverInstanceNo"],
  // block_storage.go: blockStorageList.N.{order, snapshotInstanceNo, blockStorageSize, blockStorageVolumeTypeCode, emptyBlockStorage, noBlockStorage}
  createServerImage: ["regionCode", "serverInstanceNo", "serverImageName", "serverImageDescription", "blockStorageList"],
  createMemberServerImageInstance: ["regionCode", "memberServerImageName", "memberServerImageDescription", "serverInstanceNo"],
  // delete_server_image_request.go @ 249442d; delete_member_server_image_instances_request.go @ 74771f7 (ncp.md §3.1–3.2)
  deleteServerImage: ["regionCode", "serverImageNoList"],
  deleteMemberServerImageInstances: ["regionCode", "memberServerImageInstanceNoList"],
} as const;

export type NcpAction = keyof typeof NCP_REQUEST_FIELDS;
export type NcpParams<A extends NcpAction> = Partial<Record<(typeof NCP_REQUEST_FIELDS)[A][number], NcpParam>>;

/**
 * Go's url.QueryEscape, which the Go SDK applies to every string value of the body
 * (api_client.go convertToString): RFC 3986 unreserved characters stay, space becomes `+`,
 * everything else is %XX of its UTF-8 bytes ("my image 이미지+1*~" →
 * "my+image+%EC%9D%B4%EB%AF%B8%EC%A7%80%2B1%2A~", ncp.md §1.3).
 */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/**
 * The form body of one call: `responseFormatType=json` first (the default answer is XML),
 * then each field that has a value, in the model's order; lists as `name.N` (1-based), lists of
 * records as `name.N.field`. Values are escaped as Go does for strings; the Go SDK writes list
 * elements unescaped, which is the same bytes for the codes and numbers the product sends and
 * keeps a stray `&` or `=` from splitting a field.
 */
export function ncpForm<A extends NcpAction>(action: A, params: NcpParams<A>): string {
  const fields: readonly string[] = NCP_REQUEST_FIELDS[action];
  const given = params as Record<string, NcpParam>;
  for (const key of Object.keys(given)) {
    if (!fields.includes(key)) throw new TypeError(`ncp: ${action} has no field ${key}`);
  }
  let body = "responseFormatType=json";
  const put = (name: string, value: Scalar) => (body += `&${name}=${goQueryEscape(String(value))}`);
  for (const field of fields) {
    const value = given[field];
    if (value === undefined || value === null || value === "") continue;
    if (!Array.isArray(value)) {
      put(field, value as Scalar);
      continue;
    }
    value.forEach((item: Scalar | Readonly<Record<string, Scalar>>, i: number) => {
      if (typeof item !== "object") return put(`${field}.${i + 1}`, item);
      for (const [sub, v] of Object.entries(item)) put(`${field}.${i + 1}.${sub}`, v);
    });
  }
  return body;
}

/**
 * The HttpRequest of one call. `endpoint` is the account's base URL (a gateway prefix in its
 * path, if any, is part of what is signed, as the Go SDK signs the path of BasePath + action).
 * The signature is computed afresh for every attempt (it carries the timestamp).
 */
export function ncpRequest<A extends NcpAction>(
  endpoint: string,
  action: A,
  params: NcpParams<A>,
  credentials: { accessKey: string; secretKey: string },
  idempotent: boolean,
): HttpRequest {
  const base = endpoint.replace(/\/+$/, "");
  const path = `${new URL(base).pathname.replace(/\/$/, "")}/vserver/v2/${action}`;
  const body = ncpForm(action, params);
  return {
    method: "POST",
    url: `${base}/vserver/v2/${action}`,
    // the Go SDK's Content-Type; a length, not chunked framing, as Go's http.NewRequest sends it
    // Content-Length is set by the HTTP client, for every body
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
    idempotent,
    sign: (method) => ncpHeaders(method, path, Date.now(), credentials.accessKey, credentials.secretKey),
  };
}
