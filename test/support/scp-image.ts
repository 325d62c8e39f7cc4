/**
 * A private custom Ubuntu image as SCP's image API lists it, active, created at `createdAt`
 * (ISO): SCP writes created_at without a zone (read as UTC) and updated_at with one.
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
    scp_original_image_type: "standard",
    os_distro: "ubuntu",
    scp_os_version: "24.04",
    size: 1024,
    ...over,
  };
}
