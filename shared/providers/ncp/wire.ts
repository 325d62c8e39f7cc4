import type { HttpRequest } from "../../http/client.js";
import { invalidArgument } from "../../model/errors.js";
import { goQueryEscape } from "../escape.js";
import { shown } from "../ids.js";
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
  // {add,remove}_server_image_sharing_permission_request.go, {add,remove}_member_server_image_sharing_permission_request.go @ f8dc625
  addServerImageSharingPermission: ["regionCode", "serverImageNo", "targetLoginIdList"],
  removeServerImageSharingPermission: ["regionCode", "serverImageNo", "targetLoginIdList"],
  addMemberServerImageSharingPermission: ["regionCode", "memberServerImageInstanceNo", "targetLoginIdList"],
  removeMemberServerImageSharingPermission: ["regionCode", "memberServerImageInstanceNo", "targetLoginIdList"],
} as const;

export type NcpAction = keyof typeof NCP_REQUEST_FIELDS;
export type NcpParams<A extends NcpAction> = Partial<Record<(typeof NCP_REQUEST_FIELDS)[A][number], NcpParam>>;

/**
 * The fields of each kind of record a list may hold, in declaration order (the Go SDK writes a
 * record's fields in it): ncloud-sdk-go-v2 @ f3df3ed services/vserver/block_storage.go.
 */
export const NCP_RECORD_FIELDS: Readonly<Record<string, readonly string[]>> = {
  blockStorageList: [
    "order",
    "snapshotInstanceNo",
    "blockStorageSize",
    "blockStorageVolumeTypeCode",
    "emptyBlockStorage",
    "noBlockStorage",
  ],
};

/**
 * The form body of one call, as the Go SDK writes it (services/vserver/api_client.go setBody,
 * buildQueryString, convertToString): `responseFormatType=json` first (the default answer is XML),
 * then each field that is set, in the model's order — an empty string is set (`serverImageName=`:
 * the SDK writes a pointer to "" as the field with no value; test/fixtures/oracle/vectors-ncp.json
 * find-images-by-empty-name), undefined and null are not; lists as `name.N` (1-based), lists of
 * records as `name.N.field` in the record model's order. Scalars and record fields are escaped with
 * Go's url.QueryEscape. List elements the SDK writes as they are, unescaped (`reflect.String`):
 * an element is sent only when escaping would leave it unchanged — a number, a code — or would
 * change only its `@` (a login id, `targetLoginIdList.1=id1@email.com` as the sharing pages' example
 * writes it), which a form body reads back as itself; so the SDK's bytes are the right bytes. Any
 * other is refused, never split into fields (the oracle's wire-list-elements-with-hangul-and-reserved).
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
    if (value === undefined || value === null) continue;
    if (!Array.isArray(value)) {
      put(field, value as Scalar);
      continue;
    }
    value.forEach((item: Scalar | Readonly<Record<string, Scalar>>, i: number) => {
      if (typeof item !== "object") {
        const raw = String(item);
        const plain = raw.replaceAll("@", "");
        if (goQueryEscape(plain) !== plain)
          throw invalidArgument(
            field,
            `${shown(raw)} cannot be sent: NCP's SDK writes list elements unescaped (numbers, codes and login ids only)`,
          );
        body += `&${field}.${i + 1}=${raw}`;
        return;
      }
      const order = NCP_RECORD_FIELDS[field];
      if (!order) throw new TypeError(`ncp: ${action} has no list of records ${field}`);
      for (const sub of Object.keys(item)) if (!order.includes(sub)) throw new TypeError(`ncp: ${field} records have no field ${sub}`);
      for (const sub of order) if (item[sub] !== undefined) put(`${field}.${i + 1}.${sub}`, item[sub]!);
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
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body,
    idempotent,
    sign: (method) => ncpHeaders(method, path, Date.now(), credentials.accessKey, credentials.secretKey),
  };
}
