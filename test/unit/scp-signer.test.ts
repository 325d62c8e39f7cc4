import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildScpUrl, encodeScpQuery, goQueryEscape, scpHeaders, scpSignature } from "../../shared/providers/scp/signer.js";
import { encodeSegment, isSendableSegment } from "../../shared/providers/segment.js";
import { SimServer } from "../sim/server.js";

/**
 * Expected signatures were computed outside this code, in the shell:
 *   printf %s "$METHOD$URL$TS$AK${ACCOUNT}Openapi" | openssl dgst -sha256 -hmac "$SK" -binary | base64
 * Expected URLs follow Go's url.Values.Encode() (sorted keys, QueryEscape), checked against
 * python3 urllib.parse.quote_plus(safe='').
 */
const SK = "scp-demo-secret-8b3c1d2e5f6a";
const AK = "SCPDEMOACCESSKEY0001";
const ACCOUNT = "scpdemoaccount0001";
const TS = 1795411200000;
const BASE = "https://virtualserver.kr-west1.e.samsungsdscloud.com";

const vectors: Array<{ what: string; method: string; path: string; query?: Record<string, string | number>; url: string; sig: string }> = [
  {
    what: "no query",
    method: "GET",
    path: "/v1/images",
    url: `${BASE}/v1/images`,
    sig: "tg46eicr26xrSW3OqAasRXLqDsyDYcQ9tFEqa3JMhok=",
  },
  {
    what: "several params, given unsorted, sent sorted",
    method: "GET",
    path: "/v1/images",
    query: { scp_image_type: "custom", os_distro: "ubuntu", marker: "70a599e0-31e7-49b7-b260-868f441e862b", limit: 100 },
    url: `${BASE}/v1/images?limit=100&marker=70a599e0-31e7-49b7-b260-868f441e862b&os_distro=ubuntu&scp_image_type=custom`,
    sig: "KHbtU1qp2HMTP4rM55yeigUkQ51adfoGEh4kuf7ymZ8=",
  },
  {
    what: "a space becomes +",
    method: "GET",
    path: "/v1/images",
    query: { name: "web server", limit: 100 },
    url: `${BASE}/v1/images?limit=100&name=web+server`,
    sig: "tOpDg5b950+5bcmc2/UolhyrafWkyg/JqBklvGCcnAE=",
  },
  {
    what: "Korean text as UTF-8 %XX",
    method: "GET",
    path: "/v1/images",
    query: { name: "웹서버", limit: 100 },
    url: `${BASE}/v1/images?limit=100&name=%EC%9B%B9%EC%84%9C%EB%B2%84`,
    sig: "fo2PW6L/+6g/47naUAS/LGenKETs3VNJ/EvbeMGvfcQ=",
  },
  {
    what: "+ * / escaped, ~ kept",
    method: "GET",
    path: "/v1/images",
    query: { name: "a+b*c~d/e", limit: 100 },
    url: `${BASE}/v1/images?limit=100&name=a%2Bb%2Ac~d%2Fe`,
    sig: "v/dJBwtSNI46gJTylVB07UTKataJ3FsN2qUOZaUCCIk=",
  },
  {
    what: "POST create",
    method: "POST",
    path: "/v1/servers/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b/images",
    url: `${BASE}/v1/servers/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b/images`,
    sig: "GkTVYaX1ecBeSvNof2eIrVA/UnJy3EbmAYdWKvRzdo8=",
  },
];

describe("SCP signer", () => {
  it.each(vectors)("$what", ({ method, path, query, url, sig }) => {
    const built = buildScpUrl(BASE, path, query);
    expect(built).toBe(url);
    expect(scpSignature(method, built, TS, AK, SK, ACCOUNT)).toBe(sig);
    expect(scpHeaders(method, built, TS, AK, SK, ACCOUNT)["Scp-Signature"]).toBe(sig);
  });

  it("signs with an empty account id as the SDK does (the id is simply absent from the message)", () => {
    expect(scpSignature("GET", `${BASE}/v1/images`, String(TS), AK, SK, "")).toBe("gIjXxU9o+7kQ54qLAtUk+r75uvGkuTQMYAoGYpsnccw=");
  });

  it("escapes like Go's QueryEscape", () => {
    expect(goQueryEscape("a b!'()*~-_.")).toBe("a+b%21%27%28%29%2A~-_.");
    expect(goQueryEscape("50%")).toBe("50%25");
    expect(goQueryEscape("\uD800x")).toBe("%EF%BF%BDx"); // lone surrogate: no throw
    expect(encodeScpQuery({ b: "2", a: ["1", "0"], c: undefined, d: null })).toBe("a=1&a=0&b=2");
    expect(encodeScpQuery({})).toBe("");
  });

  it("puts the base URL in the form fetch sends (host case, default port, trailing slash)", () => {
    expect(buildScpUrl("HTTPS://VirtualServer.kr-west1.e.samsungsdscloud.com:443/", "/v1/images")).toBe(`${BASE}/v1/images`);
    expect(buildScpUrl("http://127.0.0.1:8080/prefix/", "v1/images", { limit: 1 })).toBe("http://127.0.0.1:8080/prefix/v1/images?limit=1");
  });

  it("encodes ids as one path segment; dot segments are refused (URL parsing resolves them even escaped)", () => {
    expect(encodeSegment("a/b c?#")).toBe("a%2Fb%20c%3F%23");
    const url = buildScpUrl(BASE, `/v1/images/${encodeSegment("a/b c?#%2e")}`);
    expect(new URL(url).href).toBe(url);
    expect(isSendableSegment("..")).toBe(false);
    expect(isSendableSegment(".")).toBe(false);
    expect(isSendableSegment("")).toBe(false);
    expect(isSendableSegment("...")).toBe(true);
  });

  it("sends the SDK's headers; Scp-Api-Version defaults to virtualserver 1.3 and can be pinned", () => {
    const h = scpHeaders("GET", `${BASE}/v1/images`, TS, AK, SK, ACCOUNT);
    expect(h).toEqual({
      "Scp-AccessKey": AK,
      "Scp-Signature": "tg46eicr26xrSW3OqAasRXLqDsyDYcQ9tFEqa3JMhok=",
      "Scp-Timestamp": String(TS),
      "Scp-ClientType": "Openapi",
      "Scp-AccountId": ACCOUNT,
      "Accept-Language": "en-US",
      "Scp-Api-Version": "virtualserver 1.3",
    });
    const pinned = scpHeaders("GET", `${BASE}/v1/images`, TS, AK, SK, ACCOUNT, "1.2");
    expect(pinned["Scp-Api-Version"]).toBe("virtualserver 1.2");
    expect(pinned["Scp-Signature"]).toBe(h["Scp-Signature"]); // the version header is not signed
  });

  describe("the signed URL is the URL on the wire", () => {
    const seen: string[] = [];
    const sim = new SimServer("wire", (req) => {
      seen.push(`http://${req.headers.host}${req.rawUrl}`);
      return { status: 200, body: {} };
    });
    beforeAll(() => sim.start());
    afterAll(() => sim.close());

    it.each(vectors.filter((v) => v.query))("$what", async ({ path, query }) => {
      const url = buildScpUrl(sim.url + "/", path, query);
      await fetch(url);
      expect(seen.at(-1)).toBe(url);
    });
  });
});
