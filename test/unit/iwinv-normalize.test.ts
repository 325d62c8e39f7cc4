import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Image } from "../../shared/model/image.js";
import { factsOf } from "../../shared/model/facts.js";
import { iwinvEolDate, normalizeIwinvImage } from "../../shared/providers/iwinv/normalize.js";

const CTX = { account: "prod", region: "kr2-z01" };

// Records exactly as in the docs' Image List example (seed 004).
const ROCKY9 = {
  image_id: "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi",
  visibility: "public",
  os: {
    type: "OS",
    name: "Rocky Linux release 9.0 (Blue Onyx)",
    status: "available",
    content: [
      "[NEW]*EOL 2032 05.31",
      "Kernel : 5.14.0-362.18.1.el9_3.x86_64Used Disk Size : 1.9 G IPTABLE 미적용[ 상세 정보 확인 ]",
      "[ 주의 사항 ]iproute, dhclient, initscripts 패키지 삭제 금지",
    ],
    os_type: "ROCKYLINUX",
    version: "9.X",
    oid: "0e46f055-b19b-4ae2-bcdb-ca34f79058f4",
  },
  image_type: "os_linux",
  zone: ["kr2-z01"],
};
const ROCKY8 = {
  image_id: "PIMAGE-14G0aJcbpfC2AdbUsnG8Do",
  visibility: "public",
  os: {
    type: "OS",
    name: "Rocky Linux release 8.X (Green Obsidian)",
    status: "available",
    content: ["[NEW]*EOL 2029 05.31", "Kernel : 4.18.0-513.11.1.el8_9.x86_64Used Disk Size : 2.9 GIPTABLE 미적용[ 상세 정보 확인 ]"],
    os_type: "ROCKYLINUX",
    version: "8.8",
    oid: "6890c7a5-a5a8-4af9-824c-17fb7bea9a70",
  },
  image_type: "os_linux",
  zone: ["kr2-z01"],
};
const UBUNTU24 = {
  image_id: "PIMAGE-1tQFoTuKeENlSZ7xFXyVix",
  visibility: "public",
  os: {
    type: "OS",
    name: "Ubuntu 24.04 LTS",
    status: "available",
    content: ["[NEW]*EOL 2029 04", "Kernel : 6.8.0-31-genericUsed Disk Size : 1.4G[ 상세 정보 확인 ]"],
    os_type: "UBUNTU",
    version: "Ubuntu 24.04 LTS",
    oid: "2f71f863-edac-457f-b9ad-7e988f01fe81",
  },
  image_type: "os_linux",
  zone: ["kr2-z01"],
};
const UBUNTU22 = {
  ...UBUNTU24,
  image_id: "PIMAGE-16OMEFf3FMbFWIHcJ23q8s",
  os: {
    ...UBUNTU24.os,
    name: "Ubuntu 22.04 LTS",
    version: "Ubuntu 22.04 LTS",
    content: ["*EOL 2027 04", "Kernel :5.15.0-94-genericUsed Disk Size : 2.3G"],
  },
};

const base: Omit<Image, "id" | "name" | "os" | "architecture"> = {
  provider: "iwinv",
  account: "prod",
  region: "kr2-z01",
  description: null,
  kind: "public",
  visibility: "public",
  status: "available",
  providerStatus: "available",
  sizeBytes: null,
  createdAt: null,
  sourceServerId: null,
};

describe("normalizeIwinvImage: the docs' examples", () => {
  it("Rocky Linux 9 (x86_64 known from the kernel line)", () => {
    expect(normalizeIwinvImage(ROCKY9, CTX)).toEqual({
      ...base,
      id: "PIMAGE-1Pos3S8VaJXq3wgC8c4BMi",
      name: "Rocky Linux release 9.0 (Blue Onyx)",
      os: { family: "linux", distro: "rocky", version: "9.X", name: "Rocky Linux release 9.0 (Blue Onyx)" },
      architecture: "x86_64",
    });
  });

  it("Rocky Linux 8", () => {
    expect(normalizeIwinvImage(ROCKY8, CTX)).toEqual({
      ...base,
      id: "PIMAGE-14G0aJcbpfC2AdbUsnG8Do",
      name: "Rocky Linux release 8.X (Green Obsidian)",
      os: { family: "linux", distro: "rocky", version: "8.8", name: "Rocky Linux release 8.X (Green Obsidian)" },
      architecture: "x86_64",
    });
  });

  it("Ubuntu 24.04: version from 'Ubuntu 24.04 LTS'; architecture not stated → null", () => {
    expect(normalizeIwinvImage(UBUNTU24, CTX)).toEqual({
      ...base,
      id: "PIMAGE-1tQFoTuKeENlSZ7xFXyVix",
      name: "Ubuntu 24.04 LTS",
      os: { family: "linux", distro: "ubuntu", version: "24.04", name: "Ubuntu 24.04 LTS" },
      architecture: null,
    });
    expect(normalizeIwinvImage(UBUNTU22, CTX).os.version).toBe("22.04");
  });

  it("region is the zone asked for", () => {
    expect(normalizeIwinvImage(ROCKY9, { account: "a", region: "kr1-z01" }).region).toBe("kr1-z01");
  });

  it("a private image: its own name, custom, created_at (KST) → UTC", () => {
    const raw = {
      image_id: "IMAGE-7Hq2WebGolden000000001",
      visibility: "private",
      name: "web-golden",
      created_at: "2025-06-20 09:59:39",
      os: { ...UBUNTU24.os, status: "creating" },
      image_type: "os_linux",
      zone: ["kr2-z01"],
    };
    expect(normalizeIwinvImage(raw, CTX)).toEqual({
      ...base,
      id: "IMAGE-7Hq2WebGolden000000001",
      name: "web-golden",
      kind: "custom",
      visibility: "private",
      status: "creating",
      providerStatus: "creating",
      os: { family: "linux", distro: "ubuntu", version: "24.04", name: "Ubuntu 24.04 LTS" },
      architecture: null,
      createdAt: "2025-06-20T00:59:39.000Z",
    });
  });

  it("Windows by image_type and os_type; failed and deleting states", () => {
    const win = normalizeIwinvImage(
      {
        image_id: "PIMAGE-W",
        visibility: "public",
        os: { name: "Windows Server 2022 Datacenter", status: "error", os_type: "WINDOWS", version: "2022" },
        image_type: "os_windows",
      },
      CTX,
    );
    expect(win.os).toEqual({ family: "windows", distro: "windows", version: "2022", name: "Windows Server 2022 Datacenter" });
    expect(win.status).toBe("failed");
    expect(normalizeIwinvImage({ image_id: "x", os: { status: "deleting" } }, CTX).status).toBe("deleting");
  });

  it("CENTOS / DEBIAN os_type and a private status at the top level", () => {
    const c = normalizeIwinvImage(
      {
        image_id: "IMAGE-1",
        visibility: "private",
        name: "legacy",
        status: "available",
        os: { os_type: "CENTOS", name: "CentOS 7.9 (Core)", version: "7.9" },
      },
      CTX,
    );
    expect([c.os.distro, c.os.version, c.status, c.kind]).toEqual(["centos", "7.9", "available", "custom"]);
    expect(
      normalizeIwinvImage({ image_id: "P", os: { os_type: "DEBIAN", name: "Debian 12 (Bookworm)", version: "12" } }, CTX).os.distro,
    ).toBe("debian");
  });

  it("unknown status is kept raw with status unknown; unknown distro kept lower-cased", () => {
    const img = normalizeIwinvImage(
      { image_id: "PIMAGE-Z", visibility: "public", os: { status: "MAINTENANCE", os_type: "ZETAOS", name: "ZetaOS 3" } },
      CTX,
    );
    expect(img.status).toBe("unknown");
    expect(img.providerStatus).toBe("MAINTENANCE");
    expect(img.os.distro).toBe("zetaos");
    expect(img.os.family).toBe("linux"); // a named non-windows distro is linux (model/os.ts rule)
  });

  it("sizeBytes only when given in bytes; odd dates → null", () => {
    expect(normalizeIwinvImage({ image_id: "a", size_bytes: 1234 }, CTX).sizeBytes).toBe(1234);
    expect(normalizeIwinvImage({ image_id: "a", size: "1.9 G" }, CTX).sizeBytes).toBeNull();
    expect(normalizeIwinvImage({ image_id: "a", created_at: "yesterday" }, CTX).createdAt).toBeNull();
    expect(normalizeIwinvImage({ image_id: "a", created_at: "2025-01-01T00:00:00Z" }, CTX).createdAt).toBe("2025-01-01T00:00:00.000Z");
  });
});

describe("iwinvEolDate", () => {
  it.each([
    ["[NEW]*EOL 2032 05.31", "2032-05-31"],
    ["*EOL 2029 05.31", "2029-05-31"],
    ["[NEW]*EOL 2029 04", "2029-04-30"],
    ["*EOL 2027 04", "2027-04-30"],
    ["EOL 2027.04", "2027-04-30"],
    ["EOL 2028.02", "2028-02-29"],
    ["EOL 2030.12.31", "2030-12-31"],
    ["eol: 2026-1", "2026-01-31"],
    ["EOL 2030", "2030-12-31"],
  ])("%s → %s", (text, iso) => {
    expect(iwinvEolDate(text)).toBe(iso);
  });

  it.each([["EOL 2030 13"], ["EOL 2030 02.30"], ["EOL 2030 00"], ["Kernel : 5.14.0"], [""], ["EOL soon"]])("%s → null", (text) => {
    expect(iwinvEolDate(text)).toBeNull();
  });

  it("reads the content array (first EOL line) and tolerates non-strings", () => {
    expect(iwinvEolDate(["Kernel : 6.8.0", 42, null, "*EOL 2029 04"])).toBe("2029-04-30");
    expect(iwinvEolDate(null)).toBeNull();
    expect(iwinvEolDate({ content: "EOL 2030" })).toBeNull();
    // as the audit reads it: a fact beside the normalized image
    expect(factsOf(normalizeIwinvImage(ROCKY9, CTX)).eolDate).toBe("2032-05-31");
    expect(factsOf(normalizeIwinvImage({}, CTX)).eolDate).toBeUndefined();
  });
});

describe("properties", () => {
  const STATUSES = ["creating", "available", "failed", "deleting", "unknown"];

  it("never throws on arbitrary input, and always gives a well-formed Image", () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        const img = normalizeIwinvImage(raw, CTX);
        expect(img.provider).toBe("iwinv");
        expect(STATUSES).toContain(img.status);
        expect(typeof img.id).toBe("string");
        expect(typeof img.name).toBe("string");
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary iwinv-shaped records", () => {
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom("available", "creating", "error", "ROCKYLINUX", "UBUNTU", "__proto__", "constructor", " "),
    );
    const rec = fc.record(
      {
        image_id: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        visibility: fc.oneof(text, fc.constant(undefined)),
        name: fc.oneof(text, fc.integer()),
        created_at: fc.oneof(
          text,
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constant("2025-06-20 09:59:39"),
        ),
        os: fc.oneof(
          fc.record(
            { name: text, status: text, os_type: text, version: text, content: fc.oneof(fc.array(fc.oneof(text, fc.integer())), text) },
            { requiredKeys: [] },
          ),
          fc.anything(),
        ),
        image_type: text,
        zone: fc.anything(),
        size_bytes: fc.oneof(fc.double(), fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(rec, (raw) => {
        const img = normalizeIwinvImage(raw, CTX);
        expect(STATUSES).toContain(img.status);
        expect(img.sizeBytes === null || Number.isFinite(img.sizeBytes)).toBe(true);
        expect(img.createdAt === null || !Number.isNaN(Date.parse(img.createdAt))).toBe(true);
        factsOf(img).eolDate;
      }),
      { numRuns: 1000 },
    );
  });

  it("an unknown status is never dropped: status unknown, raw kept", () => {
    const known = new Set([
      "available",
      "active",
      "ready",
      "normal",
      "creating",
      "create",
      "pending",
      "queued",
      "saving",
      "building",
      "uploading",
      "importing",
      "work",
      "working",
      "in_progress",
      "error",
      "failed",
      "fail",
      "killed",
      "deleting",
      "deleted",
      "pending_delete",
    ]);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter(
          (s) =>
            !known.has(
              s
                .trim()
                .toLowerCase()
                .replace(/[\s-]+/g, "_"),
            ),
        ),
        (s) => {
          const img = normalizeIwinvImage({ image_id: "PIMAGE-x", visibility: "public", os: { status: s } }, CTX);
          expect(img.status).toBe("unknown");
          expect(img.providerStatus).toBe(s);
          expect(img.id).toBe("PIMAGE-x");
        },
      ),
    );
  });

  it("ids are kept unchanged", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (id) => {
        expect(normalizeIwinvImage({ image_id: id }, CTX).id).toBe(id);
      }),
    );
  });

  it("EOL parser never throws and returns a real date or null", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.anything(),
          fc
            .tuple(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }))
            .map(([y, m, d]) => `*EOL ${y} ${m}.${d}`),
        ),
        (raw) => {
          const out = iwinvEolDate(raw);
          if (out !== null) {
            expect(out).toMatch(/^\d{4}-\d{2}-\d{2}$/);
            expect(new Date(`${out}T00:00:00Z`).toISOString().slice(0, 10)).toBe(out);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("is fast: 10,000 records well under a second", () => {
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      ...[ROCKY9, ROCKY8, UBUNTU24, UBUNTU22][i % 4]!,
      image_id: `PIMAGE-${i}`,
    }));
    const t0 = performance.now();
    for (const r of records) {
      factsOf(normalizeIwinvImage(r, CTX)).eolDate;
    }
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
