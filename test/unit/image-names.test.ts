import { describe, expect, it } from "vitest";
import { describeNamedImage, resolveImageId } from "../../shared/images/named.js";
import { ImageOpsError } from "../../shared/model/errors.js";
import type { Image } from "../../shared/model/image.js";
import { ADAPTERS } from "../../shared/providers/index.js";
import type { CallContext, ProviderAdapter, ServerRef } from "../../shared/providers/types.js";

/**
 * Show and delete name an image by id or by a custom image's name (shared/images/named.ts), on the
 * real NCP adapter's id shape (decimal numbers, ncp.md) with its cloud calls replaced by a table.
 */
const img = (id: string, name: string, createdAt = "2026-01-04T09:00:00.000Z"): Image =>
  ({ provider: "ncp", id, name, status: "available", createdAt, kind: "custom" }) as Image;

function adapter(images: Image[], servers: ServerRef[] = []): ProviderAdapter & { calls: string[] } {
  const calls: string[] = [];
  return {
    ...ADAPTERS.ncp,
    calls,
    async describeImage(_ctx, id) {
      calls.push(`describe ${id}`);
      const found = images.find((i) => i.id === id);
      if (!found) throw new ImageOpsError("NOT_FOUND", `ncp: the cloud's own words for ${id}`, { provider: "ncp", providerCode: "cloud" });
      return found;
    },
    async findImagesByName(_ctx, name) {
      calls.push(`byName ${name}`);
      return images.filter((i) => i.name === name);
    },
    async listImages() {
      calls.push("list custom");
      return images;
    },
    async findServersByName(_ctx, name) {
      calls.push(`servers ${name}`);
      return servers.filter((s) => s.name === name);
    },
  };
}
const ctx = { region: "KR" } as CallContext;

describe("an image named by its name", () => {
  const images = [img("31000001", "web-base"), img("31000002", "api-release-42"), img("31000004", "twin"), img("31000005", "twin")];

  it("an id is taken as an id, with no name lookup", async () => {
    const a = adapter(images);
    expect(await resolveImageId(ctx, a, "31000001")).toBe("31000001");
    expect(a.calls).toEqual([]);
  });

  it("one custom image of that name is it; several are refused, each listed", async () => {
    expect(await resolveImageId(ctx, adapter(images), "api-release-42")).toBe("31000002");
    const several = await resolveImageId(ctx, adapter(images), "twin").catch((e: ImageOpsError) => e);
    expect(several).toMatchObject({ code: "INVALID_ARGUMENT", field: "id" });
    expect((several as Error).message).toBe(
      'id: "twin" names 2 ncp images in KR: 31000004 (available, created 2026-01-04), 31000005 (available, created 2026-01-04); give the id of the one you mean',
    );
  });

  it("not found: one wording, never the cloud's, with the server of that name and the closest names", async () => {
    const a = adapter(images, [{ id: "1234567", name: "web-01", providerStatus: "RUN" }]);
    const server = await describeNamedImage(ctx, a, "web-01").catch((e: ImageOpsError) => e);
    expect(server).toMatchObject({ code: "NOT_FOUND", field: "id", provider: "ncp" });
    expect((server as Error).message).toBe(
      'no ncp image "web-01" in KR (neither an image id nor a custom image\'s name); "web-01" is the name of ncp server 1234567, not of an image; closest image names: web-base',
    );
    const id = await describeNamedImage(ctx, a, "99999999").catch((e: ImageOpsError) => e);
    expect((id as Error).message).toBe('no ncp image "99999999" in KR (neither an image id nor a custom image\'s name)');
    expect((id as ImageOpsError).providerCode).toBe("cloud");
    expect((id as Error).message).not.toContain("the cloud's own words");
  });

  it("the hints are best effort: a list that fails leaves them out, not the answer", async () => {
    const a = adapter(images);
    a.listImages = async () => {
      throw new ImageOpsError("PROVIDER_UNAVAILABLE", "ncp: down", { provider: "ncp" });
    };
    const e = await describeNamedImage(ctx, a, "nothing-like-it").catch((err: ImageOpsError) => err);
    expect(e).toMatchObject({
      code: "NOT_FOUND",
      message: 'no ncp image "nothing-like-it" in KR (neither an image id nor a custom image\'s name)',
    });
  });
});
