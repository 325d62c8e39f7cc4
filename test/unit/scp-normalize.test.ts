import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Image } from "../../shared/model/image.js";
import { normalizeScpImage, scpStatus } from "../../shared/providers/scp/normalize.js";
import { SCP_VECTORS } from "../fixtures/provider-vectors.js";

const ctx = { account: "prod", region: "kr-west1" };

/** The List Images 1.3 response example from the SCP docs, verbatim (scp.md's copy in test/fixtures/provider-vectors.ts). */
const seedExample = SCP_VECTORS.fixtures.listImages200_v1_3.body.images[0]!;

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
