import type { OperationStore } from "../operations/store.js";
import { type PolicyRun, policyKey, RUN_PREFIX, RUNS_LISTED, type RunTrigger } from "./record.js";
import { nextRun, parseSchedule } from "./schedule.js";
import type { Policy } from "./schema.js";

/** What `/images policy list` shows of each policy: its definition, next run and last result. */
export interface PolicyView {
  name: string;
  provider: string;
  account?: string;
  region?: string;
  servers: string[];
  schedule: string;
  timezone: string;
  enabled: boolean;
  image: string;
  retention: Policy["retention"];
  channel: string;
  /** ISO, or absent when it cannot be known (a rate before its first run; a disabled policy) */
  nextRun?: string;
  lastRun?: {
    scheduledAt: string;
    trigger: RunTrigger;
    state: PolicyRun["state"];
    endedAt?: string;
    made: number;
    kept: number;
    deleted: number;
    failed: number;
    posted?: PolicyRun["posted"];
  };
}

/** The latest runs of a policy, newest first. */
export function latestRuns(store: OperationStore, policy: string, limit = RUNS_LISTED): Promise<PolicyRun[]> {
  return store.query<PolicyRun>(policyKey(policy), RUN_PREFIX, { newestFirst: true, limit });
}

export async function listPolicies(store: OperationStore, policies: Policy[], now: number): Promise<PolicyView[]> {
  return Promise.all(
    policies.map(async (p) => {
      const runs = await latestRuns(store, p.name);
      const last = runs.find((r) => r.trigger === "schedule") ?? runs[0];
      const latest = runs[0];
      const next = p.enabled
        ? nextRun(parseSchedule(p.schedule), p.timezone, now, last ? Date.parse(last.scheduledAt) : undefined)
        : undefined;
      const view: PolicyView = {
        name: p.name,
        provider: p.provider,
        account: p.account,
        region: p.region,
        servers: p.servers,
        schedule: p.schedule,
        timezone: p.timezone,
        enabled: p.enabled,
        image: p.image,
        retention: p.retention,
        channel: p.channel,
      };
      if (next !== undefined) view.nextRun = new Date(next).toISOString();
      if (latest) {
        const s = latest.summary;
        view.lastRun = {
          scheduledAt: latest.scheduledAt,
          trigger: latest.trigger,
          state: latest.state,
          endedAt: latest.endedAt,
          made: s?.made.length ?? latest.items.filter((i) => i.imageId).length,
          kept: s?.keptCount ?? 0,
          deleted: s?.deleted.length ?? 0,
          failed: s?.failed.length ?? latest.items.filter((i) => i.state === "failed").length,
          posted: latest.posted,
        };
      }
      return view;
    }),
  );
}
