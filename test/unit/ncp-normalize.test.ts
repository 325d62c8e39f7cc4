import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { factsOf } from "../../shared/model/facts.js";
import { fromProductCode, normalizeNcpMemberImage, normalizeNcpServerImage } from "../../shared/providers/ncp/normalize.js";

const where = { account: "prod", region: "KR" };

// The examples of the getServerImageList and getMemberServerImageInstanceList pages (seeds 000, 001).
const serverImageExample = {
  serverImageNo: "23133135",
  serverImageName: "test-img",
  serverImageType: { code: "SELF", codeName: "SELF server image" },
  serverImageLifeCyclePhase: { code: "IN_SERVICE", codeName: "In Service" },
  hypervisorType: { code: "KVM", codeName: "KVM" },
  cpuArchitectureType: { code: "X86_64", codeName: "x86 64bit" },
  osCategoryType: { code: "LINUX", codeName: "LINUX" },
  osType: { code: "UBUNTU", codeName: "UBUNTU" },
  serverImageStatus: { code: "CREAT", codeName: "NSI CREATED state" },
  serverImageOperation: { code: "NULL", codeName: "NSI NULL OP" },
  serverImageStatusName: "created",
  shareStatus: { code: "NULL", codeName: "NSI Share NULL State" },
  blockStorageMappingList: [
    {
      order: 0,
      blockStorageSnapshotInstanceNo: 106384697,
      blockStorageSnapshotName: "test-img",
      blockStorageSize: 10737418240,
      blockStorageVolumeType: { code: "CB1", codeName: "Common BlockStorage 1" },
      iops: 100,
      throughput: 104857600,
      isEncryptedVolume: false,
    },
  ],
  sharedLoginIdList: [],
  serverImageProductCode: "SW.VSVR.OS.LNX64.UBNTU.SVR24.G003",
  createDate: "2025-06-20T09:59:39+0900",
  platformCategoryCode: "OS",
};
const memberExample = {
  memberServerImageInstanceNo: "23132264",
  memberServerImageName: "test-member",
  originalServerInstanceNo: "23132010",
  originalServerImageProductCode: "SW.VSVR.OS.LNX64.UBNTU.SVR2004.B050",
  memberServerImageInstanceStatus: { code: "CREAT", codeName: "NSI CREATED state" },
  memberServerImageInstanceOperation: { code: "NULL", codeName: "NSI NULL OP" },
  memberServerImageInstanceStatusName: "created",
  createDate: "2025-06-26T11:09:07+0900",
  memberServerImageBlockStorageTotalRows: 1,
  memberServerImageBlockStorageTotalSize: 53687091200,
  shareStatus: { code: "NULL", codeName: "NSI Share NULL State" },
  sharedLoginIdList: [],
};

describe("NCP normalization", () => {
  it("normalizes the getServerImageList example exactly", () => {
    expect(normalizeNcpServerImage(serverImageExample, where)).toEqual({
      provider: "ncp",
      account: "prod",
      region: "KR",
      id: "23133135",
      name: "test-img",
      description: null,
      kind: "custom",
      visibility: "private",
      status: "available",
      providerStatus: "CREAT",
      os: { family: "linux", distro: "ubuntu", version: "24.04", name: "Ubuntu 24.04" },
      architecture: "x86_64",
      sizeBytes: 10737418240,
      createdAt: "2025-06-20T00:59:39.000Z",
      sourceServerId: null,
    });
  });

  it("normalizes the getMemberServerImageInstanceList example exactly", () => {
    expect(normalizeNcpMemberImage(memberExample, where)).toEqual({
      provider: "ncp",
      account: "prod",
      region: "KR",
      id: "23132264",
      name: "test-member",
      description: null,
      kind: "custom",
      visibility: "private",
      status: "available",
      providerStatus: "CREAT",
      os: { family: "linux", distro: "ubuntu", version: "20.04", name: "Ubuntu 20.04" },
      architecture: "x86_64",
      sizeBytes: 53687091200,
      createdAt: "2025-06-26T02:09:07.000Z",
      sourceServerId: "23132010",
    });
  });

  it("maps kinds, statuses, sharing and lifecycle", () => {
    const pub = normalizeNcpServerImage(
      { ...serverImageExample, serverImageType: { code: "NCP" }, serverImageDescription: "Ubuntu Server 24.04 (64-bit)" },
      where,
    );
    expect(pub).toMatchObject({
      kind: "public",
      visibility: "public",
      description: "Ubuntu Server 24.04 (64-bit)",
      os: { name: "Ubuntu Server 24.04 (64-bit)" },
    });
    expect(normalizeNcpServerImage({ ...serverImageExample, serverImageStatus: { code: "INIT" } }, where).status).toBe("creating");
    expect(normalizeNcpServerImage({ ...serverImageExample, serverImageStatus: { code: "CREFL" } }, where).status).toBe("failed");
    const shared = normalizeNcpServerImage({ ...serverImageExample, sharedLoginIdList: ["a@b.c", "d@e.f"] }, where);
    expect(shared.visibility).toBe("shared");
    expect(factsOf(shared).sharedWith).toBe(2);
    const eos = normalizeNcpServerImage({ ...serverImageExample, serverImageLifeCyclePhase: { code: "END_OF_SERVICE" } }, where);
    expect(factsOf(eos).lifecycle).toBe("END_OF_SERVICE");
    expect(JSON.stringify(eos)).not.toContain("END_OF_SERVICE"); // facts never leak into the answer
  });

  it("reads OS facts from product codes", () => {
    expect(fromProductCode("SW.VSVR.OS.LNX64.UBNTU.SVR2004.B050")).toEqual({ distro: "ubuntu", version: "20.04", family: "linux" });
    expect(fromProductCode("SW.VSVR.OS.LNX64.UBNTU.SVR24.G003")).toMatchObject({ distro: "ubuntu", version: "24.04" });
    expect(fromProductCode("SW.VSVR.OS.LNX64.CNTOS.0703.B050")).toEqual({ distro: "centos", version: "7.3", family: "linux" });
    expect(fromProductCode("SW.VSVR.OS.LNX64.ROCKY.0810.G003")).toMatchObject({ distro: "rocky", version: "8.10" });
    expect(fromProductCode("SW.VSVR.OS.WND64.WND.SVR2019EN.G003")).toMatchObject({ distro: "windows", version: "2019", family: "windows" });
    expect(fromProductCode(null)).toEqual({ distro: null, version: null, family: "unknown" });
  });

  it("never throws, and keeps unknown codes as providerStatus with status unknown", () => {
    fc.assert(
      fc.property(fc.anything(), fc.string({ minLength: 1, maxLength: 8 }), (raw, statusCode) => {
        for (const image of [normalizeNcpServerImage(raw, where), normalizeNcpMemberImage(raw, where)]) {
          expect(image.provider).toBe("ncp");
          expect(["creating", "available", "failed", "deleting", "unknown"]).toContain(image.status);
        }
        const odd = normalizeNcpServerImage({ ...serverImageExample, serverImageStatus: { code: statusCode } }, where);
        if (!["CREAT", "INIT", "CREFL", "TERMT", "DEL"].includes(statusCode)) {
          expect(odd.status).toBe("unknown");
          expect(odd.providerStatus).toBe(statusCode);
        }
      }),
      { numRuns: 500 },
    );
  });
});
