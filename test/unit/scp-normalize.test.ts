import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Image } from "../../shared/model/image.js";
import { normalizeScpImage, scpStatus } from "../../shared/providers/scp/normalize.js";

const ctx = { account: "prod", region: "kr-west1" };

/** The List Images 1.3 response example from the SCP docs, verbatim. */
const seedExample = {
  checksum: "7538e0fcb56e0e272cfd89eb384d6613",
  container_format: "bare",
  created_at: "2025-07-22T09:00:00Z",
  disk_format: "qcow2",
  file: "/v2/images/e08a37c1-2162-416e-b7fa-19902419170b/file",
  id: "70a599e0-31e7-49b7-b260-868f441e862b",
  min_disk: 100,
  min_ram: 0,
  name: "imagename",
  os_distro: "alma",
  os_hash_algo: "sha512",
  os_hash_value:
    "c6a32fc3b7c909b8900b46f5e6066c028a1d799c0a263cf064a600c430a714627c21f98ac248e2f2bf29870a1a2773c7908244745016878e1a5f31dc2c405b99",
  os_hidden: false,
  owner: "a8f10467abfc4b87b64614ab36eb9ae4",
  owner_account_name: "AccountName",
  owner_user_name: "user@samsung.com",
  protected: false,
  root_device_name: "/dev/vda",
  scp_gpu_driver: "535.183.06",
  scp_image_type: "custom",
  scp_k8s_version: "v1.28.7",
  scp_original_image_type: "standard",
  scp_os_build_version: "20250101",
  scp_os_version: "8.8",
  scp_supported_class_types: "GPU-A100-1,GPU-H100-2",
  size: 2429747200,
  status: "active",
  updated_at: "2025-07-26T12:00:00Z",
  url: "https://object-store.kr-west1.s.samsungsdscloud.com/8989447062e04a818baf9e073fd04fa7/bucket/object.qcow2",
  virtual_size: 17179869184,
  visibility: "private",
  volumes: '[{"device_name": "/dev/vda", "boot_index": 0, "snapshot_id": "abde9e38-2ed5-4ecd-b23c-b0120e30690e"}]',
};

describe("normalizeScpImage", () => {
  it("maps the documented example exactly", () => {
    const expected: Image = {
      provider: "scp",
      account: "prod",
      region: "kr-west1",
      id: "70a599e0-31e7-49b7-b260-868f441e862b",
      name: "imagename",
      description: null,
      kind: "custom",
      visibility: "private",
      status: "available",
      providerStatus: "active",
      os: { family: "linux", distro: "alma", version: "8.8", name: "AlmaLinux 8.8" },
      architecture: null,
      sizeBytes: 2429747200,
      createdAt: "2025-07-22T09:00:00.000Z",
      sourceServerId: null,
    };
    expect(normalizeScpImage(seedExample, ctx)).toEqual(expected);
  });

  it("reads a zone-less timestamp as UTC", () => {
    expect(normalizeScpImage({ ...seedExample, created_at: "2025-03-10T02:15:00" }, ctx).createdAt).toBe("2025-03-10T02:15:00.000Z");
    expect(normalizeScpImage({ ...seedExample, created_at: "2025-03-10T11:15:00+09:00" }, ctx).createdAt).toBe("2025-03-10T02:15:00.000Z");
    expect(normalizeScpImage({ ...seedExample, created_at: "garbage" }, ctx).createdAt).toBeNull();
  });

  it("standard images are public; windows is windows", () => {
    const img = normalizeScpImage(
      { ...seedExample, scp_image_type: "standard", visibility: "public", os_distro: "windows", scp_os_version: "2022 Standard" },
      ctx,
    );
    expect(img.kind).toBe("public");
    expect(img.visibility).toBe("public");
    expect(img.os).toEqual({ family: "windows", distro: "windows", version: "2022 Standard", name: "Windows Server 2022 Standard" });
  });

  it.each([
    ["active", "available"],
    ["queued", "creating"],
    ["saving", "creating"],
    ["uploading", "creating"],
    ["importing", "creating"],
    ["killed", "failed"],
    ["pending_delete", "deleting"],
    ["deleted", "deleting"],
    ["deactivated", "unknown"],
    ["ACTIVE", "available"],
    ["frobnicating", "unknown"],
    ["__proto__", "unknown"],
    ["constructor", "unknown"],
  ])("status %s → %s", (raw, status) => {
    expect(scpStatus(raw)).toBe(status);
    const img = normalizeScpImage({ ...seedExample, status: raw }, ctx);
    expect(img.status).toBe(status);
    expect(img.providerStatus).toBe(raw);
  });

  it("keeps shared images custom and unknown distros lower-cased", () => {
    const img = normalizeScpImage({ ...seedExample, visibility: "shared", os_distro: "Gentoo", scp_os_version: null, size: null }, ctx);
    expect(img.visibility).toBe("shared");
    expect(img.kind).toBe("custom");
    expect(img.os.distro).toBe("gentoo");
    expect(img.os.version).toBeNull();
    expect(img.sizeBytes).toBeNull();
  });

  it("takes architecture and a source server when present", () => {
    const img = normalizeScpImage({ ...seedExample, architecture: "aarch64", instance_uuid: "srv-1" }, ctx);
    expect(img.architecture).toBe("arm64");
    expect(img.sourceServerId).toBe("srv-1");
  });

  const record = fc.dictionary(
    fc.constantFrom(
      "id",
      "name",
      "status",
      "visibility",
      "scp_image_type",
      "os_distro",
      "scp_os_version",
      "size",
      "created_at",
      "architecture",
      "instance_uuid",
      "description",
    ),
    fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.object(), fc.array(fc.anything())),
  );

  it("never throws on arbitrary input and always yields contract values", () => {
    fc.assert(
      fc.property(fc.oneof(record, fc.anything()), (raw) => {
        const img = normalizeScpImage(raw, ctx);
        expect(["creating", "available", "failed", "deleting", "unknown"]).toContain(img.status);
        expect(["public", "custom"]).toContain(img.kind);
        expect(["public", "private", "shared", "community"]).toContain(img.visibility);
        expect(["linux", "windows", "unknown"]).toContain(img.os.family);
        expect(typeof img.id).toBe("string");
        expect(typeof img.providerStatus).toBe("string");
        if (img.createdAt !== null) expect(img.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        if (img.sizeBytes !== null) expect(Number.isFinite(img.sizeBytes)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("unknown enum values become unknown but the image is kept with its raw status", () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1 })
          .filter((s) => !/^(active|queued|saving|uploading|importing|killed|error|pending_delete|deleted)$/i.test(s.trim())),
        (status) => {
          const img = normalizeScpImage({ ...seedExample, status }, ctx);
          expect(img.status).toBe("unknown");
          expect(img.providerStatus).toBe(status);
          expect(img.id).toBe(seedExample.id);
        },
      ),
    );
  });

  it("normalizes 10,000 records quickly", () => {
    const raws = Array.from({ length: 10_000 }, (_, i) => ({
      ...seedExample,
      id: `id-${i}`,
      created_at: i % 2 ? "2025-03-10T02:15:00" : "2025-07-22T09:00:00Z",
    }));
    const started = performance.now();
    const out = raws.map((r) => normalizeScpImage(r, ctx));
    expect(out).toHaveLength(10_000);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
