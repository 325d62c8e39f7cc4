/**
 * The simulated-cloud registry (dev/sim/registry.ts): every cloud the product knows has a
 * simulator, and what the registry declares of it lines up with the product's adapter — the
 * demo account passes the credentials schema, and the adapter, signing with the demo keys against
 * the simulator, finds each demo server the banner and the console list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CREDENTIALS_SECRET_ID, type Clouds, startClouds } from "../../dev/sim/clouds.js";
import { demoServers, SIMULATED } from "../../dev/sim/registry.js";
import { HttpClient } from "../../shared/http/client.js";
import { PROVIDERS } from "../../shared/model/image.js";
import { adapterFor } from "../../shared/providers/index.js";
import { CredentialsSchema } from "../../shared/secrets.js";

let clouds: Clouds;
beforeAll(async () => {
  clouds = await startClouds({});
});
afterAll(() => clouds?.stop());

describe("the simulated clouds", () => {
  it("register every cloud the product knows, once", () => {
    expect(Object.keys(SIMULATED).sort()).toEqual([...PROVIDERS].sort());
    expect(Object.keys(clouds.simulators).sort()).toEqual([...PROVIDERS].sort());
    expect(new Set(PROVIDERS.map((p) => clouds[p].url)).size).toBe(PROVIDERS.length);
  });

  it("put one demo account per cloud in the credentials secret, which the product's schema accepts", () => {
    const raw = JSON.parse(clouds.secrets.secrets.get(CREDENTIALS_SECRET_ID)!.value);
    const parsed = CredentialsSchema.parse(raw);
    expect(parsed.accounts.map((a) => a.provider).sort()).toEqual([...PROVIDERS].sort());
    for (const a of parsed.accounts) expect(a.endpoint).toBe(clouds[a.provider].url);
  });

  it.each(PROVIDERS)(
    "%s: the adapter finds every demo server of the banner through the simulator, signed with the demo keys",
    async (p) => {
      const { accounts } = CredentialsSchema.parse(JSON.parse(clouds.secrets.secrets.get(CREDENTIALS_SECRET_ID)!.value));
      const account = accounts.find((a) => a.provider === p)!;
      const ctx = { account, region: account.regions[0]!, http: new HttpClient({ provider: p, timeoutMs: 2_000 }) };
      const listed = demoServers(clouds.simulators)[p];
      expect(listed.length).toBeGreaterThan(0);
      for (const s of listed) {
        const server = await adapterFor(p).getServer(ctx, s.id);
        expect({ id: server.id, name: server.name }).toEqual({ id: s.id, name: s.name });
      }
      expect(clouds.counts[p]).toBe(clouds[p].counts().images);
    },
  );
});
