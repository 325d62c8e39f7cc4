/**
 * Demo credentials and fixtures shared by the simulators, the tests and `npm start`.
 * These are fake keys for local simulators only; tests scan all output for them.
 */
export const DEMO_KEYS = {
  ncp: { accessKey: "NCPDEMOACCESSKEY0001", secretKey: "ncp-demo-secret-4f0e9a7b1c2d" },
  scp: { accessKey: "SCPDEMOACCESSKEY0001", secretKey: "scp-demo-secret-8b3c1d2e5f6a", accountId: "scpdemoaccount0001" },
  iwinv: { accessKey: "IWINVDEMOACCESS0001", secretKey: "iwinv-demo-secret-7d6c5b4a3f2e" },
} as const;

/** The local Slack app: signing secret and bot token of the fake Slack, its workspace, channel and user. */
export const LOCAL_SLACK = {
  signingSecret: "local-signing-secret-5e1f0c9d8b7a",
  botToken: "xoxb-local-demo-bot-token-3c2b1a",
  teamId: "T00000001",
  channel: "C0LOCAL001",
  user: "U0LOCAL001",
};

export const DEMO_REGIONS = { ncp: ["KR"], scp: ["kr-west1"], iwinv: ["kr2-z01"] } as const;

/** Servers seeded in the simulators, by role. */
export const DEMO_SERVERS = {
  ncp: { kvm: "1234567", xen: "2345678", busy: "3456789" },
  scp: { active: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", busy: "7a2b3c4d-5e6f-4a70-8b9c-0d1e2f3a4b5c" },
  iwinv: { active: "IWVM-demo-0001" },
} as const;

/** The demo accounts of the credentials secret, one per cloud, each pointed at its simulator. */
export function demoAccounts(endpoints: Record<keyof typeof DEMO_KEYS, string>) {
  return (["ncp", "scp", "iwinv"] as const).map((provider) => ({
    provider,
    name: "demo",
    ...DEMO_KEYS[provider],
    regions: [...DEMO_REGIONS[provider]],
    endpoint: endpoints[provider],
  }));
}
