import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeSegment, goQueryEscape } from "../../shared/providers/escape.js";
import { buildScpUrl, encodeScpQuery, scpHeaders, scpSignature } from "../../shared/providers/scp/signer.js";
import { SimServer } from "../../dev/sim/server.js";
import { SCP_VECTORS, scpVector } from "../fixtures/provider-vectors.js";

/**
 * Every expected signature here was computed by the official Go SDK's own request pipeline
 * (docs/providers/scp.md §2, copied in test/fixtures/provider-vectors.ts), not by this signer.
 */
const { accessKey: AK, secretKey: SK, timestamp: TS, endpoint: BASE } = SCP_VECTORS;

/** How the product's URL builder is asked for each vector's URL. */
const built: Record<string, { path: string; query?: Record<string, string | number> }> = {
  "list-images-limit20-private": { path: "/v1/images", query: { visibility: "private", limit: 20 } },
  "list-images-name-space-korean": { path: "/v1/images", query: { name: "my image 한글" } },
  "list-images-marker-sort-status": {
    path: "/v1/images",
    query: { status: "active", sort: "created_at:desc", marker: "2a9be312-5d4b-4bc8-b2ae-35100fa9241f", limit: 100 },
  },
  "show-image": { path: "/v1/images/70a599e0-31e7-49b7-b260-868f441e862b" },
  "create-image-from-server": { path: "/v1/servers/2a9be312-5d4b-4bc8-b2ae-35100fa9241f/images" },
  "show-server": { path: "/v1/servers/2a9be312-5d4b-4bc8-b2ae-35100fa9241f" },
  "delete-image": { path: "/v1/images/70a599e0-31e7-49b7-b260-868f441e862b" },
};

describe("SCP signer against the official SDK's vectors", () => {
  it.each(SCP_VECTORS.vectors)("$id", (v) => {
    const { path, query } = built[v.id]!;
    const url = buildScpUrl(BASE, path, query);
    expect(url).toBe(v.wireUrl);
    expect(url).toBe(v.signedUrl);
    expect(scpSignature(v.method, url, TS, AK, SK)).toBe(v.signature);
    expect(scpHeaders(v.method, url, TS, AK, SK)["Scp-Signature"]).toBe(v.signature);
  });

  it("another region and environment: the host is signed", () => {
    const v = SCP_VECTORS.extraVectors.find((x) => x.id === "list-servers-kr-east1-s")!;
    const url = buildScpUrl("https://virtualserver.kr-east1.s.samsungsdscloud.com", "/v1/servers", { name: "web-01", limit: 50 });
    expect(url).toBe(v.signedUrl);
    expect(scpSignature("GET", url, TS, AK, SK)).toBe(v.signature);
  });

  it("signs the SDK's account-id slot: empty, as the provider configures it, by default; the SDK's variant with one when given", () => {
    const withId = SCP_VECTORS.extraVectors.find((x) => x.id === "sdk-accountid-variant")!;
    const v = scpVector("list-images-limit20-private");
    expect(scpSignature("GET", v.signedUrl, TS, AK, SK)).toBe(v.signature);
    expect(scpSignature("GET", v.signedUrl, TS, AK, SK, "")).toBe(v.signature);
    expect(scpSignature("GET", v.signedUrl, TS, AK, SK, withId.accountId)).toBe(withId.signature);
    // SetupRequestHeader sends the slot as Scp-AccountId, empty when empty (test/fixtures/oracle/vectors-scp.json)
    expect(scpHeaders("GET", v.signedUrl, TS, AK, SK)["Scp-AccountId"]).toBe("");
  });

  it("does not produce the known wrong forms (%20, raw text, unescaped ':', path only)", () => {
    const correct = new Map<string, string>([
      ["neg-encodeURI-percent20", buildScpUrl(BASE, "/v1/images", { name: "my image 한글" })],
      ["neg-unencoded-raw", buildScpUrl(BASE, "/v1/images", { name: "my image 한글" })],
      ["neg-colon-unescaped", buildScpUrl(BASE, "/v1/images", built["list-images-marker-sort-status"]!.query)],
      ["neg-path-only", buildScpUrl(BASE, "/v1/images", { limit: 20, visibility: "private" })],
    ]);
    for (const neg of SCP_VECTORS.negativeVectors) {
      const url = correct.get(neg.id)!;
      expect(url, neg.id).not.toBe(neg.signedUrl);
      expect(scpSignature(neg.method, url, TS, AK, SK), neg.id).not.toBe(neg.signature);
    }
  });

  it("sends the SDK's headers, named as it names them; Scp-API-Version defaults to virtualserver 1.3, can be pinned, and is not signed", () => {
    const v = scpVector("show-image");
    const h = scpHeaders("GET", v.signedUrl, TS, AK, SK);
    // client/common.go, client/configuration.go SetupRequestHeader (the oracle's headerNames)
    expect(h).toEqual({
      "Scp-AccessKey": AK,
      "Scp-AccountId": "",
      "Scp-Signature": v.signature,
      "Scp-Timestamp": TS,
      "Scp-ClientType": "Openapi",
      "Accept-Language": "en-US",
      "Scp-API-Version": "virtualserver 1.3",
    });
    const pinned = scpHeaders("GET", v.signedUrl, TS, AK, SK, "1.2");
    expect(pinned["Scp-API-Version"]).toBe("virtualserver 1.2");
    expect(pinned["Scp-Signature"]).toBe(v.signature);
  });
});

describe("SCP query encoding (Go url.Values.Encode)", () => {
  it("escapes like Go's QueryEscape", () => {
    expect(goQueryEscape("a b!'()*~-_.")).toBe("a+b%21%27%28%29%2A~-_.");
    expect(goQueryEscape("a+b*c~d/e")).toBe("a%2Bb%2Ac~d%2Fe");
    expect(goQueryEscape("50%")).toBe("50%25");
    expect(goQueryEscape("\uD800x")).toBe("%EF%BF%BDx"); // lone surrogate: no throw
    expect(encodeScpQuery({ b: "2", a: ["1", "0"], c: undefined, d: null })).toBe("a=1&a=0&b=2");
    expect(encodeScpQuery({})).toBe("");
  });

  it("puts the base URL in the form that goes on the wire (host case, default port, trailing slash)", () => {
    expect(buildScpUrl("HTTPS://VirtualServer.kr-west1.e.samsungsdscloud.com:443/", "/v1/images")).toBe(`${BASE}/v1/images`);
    expect(buildScpUrl("http://127.0.0.1:8080/prefix/", "v1/images", { limit: 1 })).toBe("http://127.0.0.1:8080/prefix/v1/images?limit=1");
  });

  it("keeps an encoded segment one segment of the URL on the wire", () => {
    expect(encodeSegment("a/b c?#")).toBe("a%2Fb%20c%3F%23");
    const url = buildScpUrl(BASE, `/v1/images/${encodeSegment("a/b c?#%2e")}`);
    expect(new URL(url).href).toBe(url);
  });

  describe("the signed URL is the URL on the wire", () => {
    const seen: string[] = [];
    const sim = new SimServer("wire", (req) => {
      seen.push(`http://${req.headers.host}${req.rawUrl}`);
      return { status: 200, body: {} };
    });
    beforeAll(() => sim.start());
    afterAll(() => sim.close());

    it.each(Object.entries(built).filter(([, b]) => b.query))("%s", async (_id, { path, query }) => {
      const url = buildScpUrl(`${sim.url}/`, path, query);
      await fetch(url);
      expect(seen.at(-1)).toBe(url);
    });
  });
});
