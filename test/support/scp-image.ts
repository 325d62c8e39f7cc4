import { SCP_DEMO } from "../../dev/sim/scp.js";

/**
 * A private custom Ubuntu image of the demo account as SCP's image API lists it, active, created
 * at `createdAt` (ISO): SCP writes created_at without a zone (read as UTC) and updated_at with
 * one; `owner`, required in ImageShowResponse ("Owner account ID"), is the demo account.
 */
export function scpImage(id: string, name: string, createdAt: string, over: Record<string, unknown> = {}) {
  return {
    id,
    name,
    created_at: createdAt.replace(/(\.\d{3})?Z$/, ""),
    updated_at: createdAt,
    status: "active",
    visibility: "private",
    scp_image_type: "custom",
    owner: SCP_DEMO.keys.accountId,
    scp_original_image_type: "standard",
    os_distro: "ubuntu",
    scp_os_version: "24.04",
    size: 1024,
    ...over,
  };
}
