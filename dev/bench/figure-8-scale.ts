/**
 * Figure 8: scale, measured. An audit and the policies' runs over 200 account-regions (the estate
 * of ./scale-host.ts: one simulator per account, each with its own key, 200 ms a request), each the
 * product against one sequential pass over the same account-regions, in fresh processes:
 *
 *   8a  audit-images (the built bundle, on-demand: with its memory in dynalite, no Slack) vs
 *       ./scale-passes.ts audit-sequential: wall time of the call; target ≥ 10× faster
 *   8b  the audit's peak RSS (VmHWM); target ≤ 256 MiB, half of the function's 512 MB
 *   8d  run-policy (built with one policy per NCP and SCP account-region, 160: iwinv can have none),
 *       every policy's scheduled delivery at once, as EventBridge Scheduler delivers schedules that
 *       share a cron minute, in one fresh process (./policy-deliveries.mjs), against the same
 *       deliveries one after another: wall time until every run has answered; each run creates its
 *       image exactly once, waits until tracking (the state machine and track-image, in the
 *       estate's process) has it available, deletes the image of the run before (retention keep 1)
 *       and posts its summary in its own Slack channel; target ≥ 10× faster, and every run done
 *       with nothing failed. The passes are measured after an unmeasured warm-up that makes each
 *       policy's first image; the one-after-another baseline runs every tenth delivery and counts
 *       the rest at the same time per run (all of them would take about 11 minutes).
 *   8c  limits at the simulators during every pass of 8 (the policies' warm-up and tracking
 *       included): 429/417 answers (iwinv answers 429 past its documented 60 a minute per key),
 *       iwinv requests in any 60 s per key (≤ 60), the most requests in flight per key against each
 *       adapter's declared concurrency (NCP 12, SCP 8, iwinv 4: NCP and SCP document no limit), and
 *       Slack's 429s to chat.postMessage (about one a second per channel); target: none exceeded
 *
 * Counters and iwinv's windows are reset before each pass (the runs are as if a minute apart).
 * The sequential passes are measured once (the audit's takes most of a minute); `--quick` skips
 * them and says so.
 */
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { build } from "esbuild";
import { stringify } from "yaml";
import { BUNDLE_OPTIONS, buildRunPolicyWith } from "../../scripts/build.js";
import { nextRun, parseSchedule } from "../../shared/policies/schedule.js";
import type { Policy } from "../../shared/policies/schema.js";
import { lambdaContext } from "../local-stack.js";
import { type ScheduleResource, SchedulerSim } from "../sim/scheduler.js";
import type { BenchContext } from "./context.js";
import { atLeast, below, childEnv, childResult, median, mib, ms, none, runNode, startHostProcess } from "./lib.js";

interface Host {
  admin: string;
  env: Record<string, string>;
  /** what run-policy reads besides env: tracking, Slack, its own name */
  policyEnv: Record<string, string>;
  accounts: Array<{ provider: string; name: string; regions: string[] }>;
  /** the server each cloud's policies image */
  servers: Record<"ncp" | "scp", string>;
  images: Record<"ncp" | "scp" | "iwinv", number>;
  stop(): Promise<void>;
}
interface Counters {
  requests: number;
  limitAnswers: number;
  maxInFlightPerKey: number;
  maxPerMinutePerKey: number;
}
type Stats = Record<"ncp" | "scp" | "iwinv", Counters> & {
  maxConnections: number;
  slack: { posted: number; refused: number; limitAnswers: number; channels: number };
  /** tracking runs started since the reset, by status */
  tracking: Record<string, number>;
};
interface Run {
  ok: boolean;
  error?: string;
  callMs: number;
  peakRssKiB: number;
  answer?: Record<string, unknown> & { errors?: string[] };
}

/** Declared per key (shared/providers/*\/client.ts limits) — NCP and SCP document none of their own. */
const CONCURRENCY = { ncp: 12, scp: 8, iwinv: 4 } as const;
const IWINV_PER_MINUTE = 60;

/**
 * 8d's clock, shrunk so that a run takes seconds, not the hour an image can take: a created image
 * stays "creating" CREATE_DELAY_MS, the state machine's waits are scaled by WAIT_SCALE (its first
 * 15 s wait 0.3 s, then 10 s → 0.2 s), and a run reads its images' records every POLICY_POLL_SECONDS.
 */
const CREATE_DELAY_MS = 2_000;
const WAIT_SCALE = 0.02;
const POLICY_POLL_SECONDS = 0.5;
/**
 * The one-after-another baseline of 8d runs every tenth delivery (ncp and scp in the estate's
 * proportion, 10 and 6), and its time per run × every delivery is the baseline: all 160 one after
 * another take about 11 minutes, past bench.ts's 540 s watchdog. Runs one after another do the
 * same requests each, so their times hardly differ; the figure shows their spread.
 */
const SEQUENTIAL_SAMPLE_EVERY = 10;
/** Every policy's schedule: they share the cron minute (03:00 in Seoul), so Scheduler delivers them all at once. */
const POLICY_SCHEDULE = "cron(0 3 * * ? *)";
const DAY_MS = 86_400_000;

const startHost = (root: string, config: Record<string, unknown>) =>
  startHostProcess<Omit<Host, "stop">>(root, "dev/bench/scale-host.ts", "SCALE_HOST", config);

const admin = async (host: Host, path: string, body?: unknown) => {
  const res = await fetch(`${host.admin}${path}`, body === undefined ? {} : { method: "POST", body: JSON.stringify(body) });
  return res.json() as Promise<unknown>;
};

/** What went over a limit in one pass (empty: nothing). */
function overLimits(s: Stats): string[] {
  const over: string[] = [];
  for (const p of ["ncp", "scp", "iwinv"] as const) {
    if (s[p].limitAnswers) over.push(`${p}: ${s[p].limitAnswers} 429/417 answers`);
    if (s[p].maxInFlightPerKey > CONCURRENCY[p])
      over.push(`${p}: ${s[p].maxInFlightPerKey} requests in flight on one key (declared ${CONCURRENCY[p]})`);
  }
  if (s.iwinv.maxPerMinutePerKey > IWINV_PER_MINUTE)
    over.push(`iwinv: ${s.iwinv.maxPerMinutePerKey} requests in 60 s on one key (documented ${IWINV_PER_MINUTE})`);
  // Slack's documented chat.postMessage limit, about one a second per channel (dev/sim/slack-api.ts)
  if (s.slack.limitAnswers) over.push(`slack: ${s.slack.limitAnswers} chat.postMessage answers 429`);
  return over;
}

/**
 * The policies of 8d, one per account-region where a policy can exist: every NCP and SCP
 * account-region images its server, keeps only its newest image (retention keep 1), and posts its
 * summary in a channel of its own (Slack allows about one post a second per channel). iwinv
 * documents no image creation, and the schema refuses a policy for it.
 */
function benchPolicies(host: Host): Array<Omit<Policy, "timezone" | "enabled">> {
  return host.accounts.flatMap((a, i) =>
    a.provider === "ncp" || a.provider === "scp"
      ? a.regions.map((region) => ({
          name: `bench-${a.name}`,
          provider: a.provider as "ncp" | "scp",
          account: a.name,
          region,
          servers: [host.servers[a.provider as "ncp" | "scp"]],
          schedule: POLICY_SCHEDULE,
          image: "{server}-{yyyyMMdd-HHmm}",
          retention: { keep: 1 },
          channel: `C0BENCH${String(i + 1).padStart(4, "0")}`,
        }))
      : [],
  );
}

interface DeliveryRun {
  ok: boolean;
  error?: string;
  runs: number;
  wallMs: number;
  peakRssKiB: number;
  statuses: Record<string, number>;
  made: number;
  kept: number;
  deleted: number;
  failed: number;
  runMs: { min: number; median: number; max: number };
  problems: string[];
  problemCount: number;
}

/**
 * run-policy built as `npm run build` builds it (the same options and the policies plugin) with
 * the bench's policies file, and the deliveries EventBridge Scheduler would make of them: the
 * schedules infra/policies.cjs deploys, their target Input as dev/sim/scheduler.ts fills it in.
 */
async function benchRunPolicy(
  o: BenchContext,
  host: Host,
): Promise<{ module: string; policies: number; inputs: (day: number) => unknown[] }> {
  const file = o.dist("bench", "scale-policies.yaml");
  writeFileSync(
    file,
    `# figure 8d (dev/bench/figure-8-scale.ts): one policy per NCP and SCP account-region of the scale estate\n${stringify({ policies: benchPolicies(host) })}`,
  );
  const module = o.dist("bench", "run-policy", "index.mjs");
  await buildRunPolicyWith(file, module);
  const infra = createRequire(import.meta.url)("../../infra/policies.cjs") as {
    loadPolicies(file: string): Policy[];
    policyResources(p: Policy[], o: { service: string; stage: string }): Record<string, ScheduleResource>;
  };
  const policies = infra.loadPolicies(file);
  const schedules = Object.values(infra.policyResources(policies, { service: "imageops", stage: "bench" })).filter(
    (r) => r.Type === "AWS::Scheduler::Schedule",
  );
  const scheduler = new SchedulerSim({}, async () => undefined);
  const first = nextRun(parseSchedule(POLICY_SCHEDULE), policies[0]!.timezone, Date.now())!;
  return { module, policies: policies.length, inputs: (day) => schedules.map((s) => scheduler.input(s, new Date(first + day * DAY_MS))) };
}
const seen = (s: Stats) =>
  `requests ncp ${s.ncp.requests} / scp ${s.scp.requests} / iwinv ${s.iwinv.requests}; most in flight per key ${s.ncp.maxInFlightPerKey}/${s.scp.maxInFlightPerKey}/${s.iwinv.maxInFlightPerKey} (declared ${CONCURRENCY.ncp}/${CONCURRENCY.scp}/${CONCURRENCY.iwinv}); iwinv most in 60 s per key ${s.iwinv.maxPerMinutePerKey}; 429/417 ${s.ncp.limitAnswers + s.scp.limitAnswers + s.iwinv.limitAnswers}; connections open at once ${s.maxConnections}`;

export async function figure8(o: BenchContext): Promise<void> {
  const { dist } = o;
  const CHILD = join(o.root, "dev", "bench", "cold-start-child.mjs");
  const DELIVERIES = join(o.root, "dev", "bench", "policy-deliveries.mjs");
  const PASSES = dist("bench", "scale-passes", "index.mjs");
  await build({ entryPoints: [join(o.root, "dev", "bench", "scale-passes.ts")], outfile: PASSES, ...BUNDLE_OPTIONS, logLevel: "error" });
  const host = await startHost(o.root, {
    latencyMs: 200,
    createDelayMs: CREATE_DELAY_MS,
    waitScale: WAIT_SCALE,
    trackImage: dist("track-image", "index.mjs"),
  });
  try {
    const regions = host.accounts.reduce((n, a) => n + a.regions.length, 0);
    const estate = `${regions} account-regions (ncp ${host.accounts.filter((a) => a.provider === "ncp").length}, scp ${host.accounts.filter((a) => a.provider === "scp").length}, iwinv ${host.accounts.filter((a) => a.provider === "iwinv").length} accounts × 4 zones), ${host.images.ncp + host.images.scp + host.images.iwinv} images`;
    const env = childEnv(host.env);
    const pass = async (module: string, event: unknown, timeoutMs: number): Promise<{ run: Run; stats: Stats; wallMs: number }> => {
      await admin(host, "/reset", {});
      const r = await runNode([CHILD, JSON.stringify({ module, event, timeoutMs })], env, timeoutMs + 60_000);
      const run = childResult<Run>(r);
      if (!run.ok) throw new Error(`${module.replace(o.root, "")} ${JSON.stringify(event)}: ${run.error}`);
      return { run, stats: (await admin(host, "/stats")) as Stats, wallMs: r.wallMs };
    };

    // ---- the audit: the product (median of fresh processes), then one sequential pass
    const runs = o.quick ? 2 : 3;
    const product: Array<{ run: Run; stats: Stats }> = [];
    for (let i = 0; i < runs; i++) product.push(await pass(dist("audit-images", "index.mjs"), {}, 300_000));
    const sequential = o.quick ? undefined : await pass(PASSES, { pass: "audit-sequential" }, 900_000);
    const p = median(product.map((r) => r.run.callMs));
    const violations = [...product, ...(sequential ? [sequential] : [])].flatMap((r) => overLimits(r.stats));
    const a0 = product[0]!.run.answer ?? {};
    const errs = product.flatMap((r) => r.run.answer?.errors ?? []);
    o.report({
      id: "8a",
      name: "audit, 200 account-regions, 200 ms a page",
      product: ms(p),
      baseline: sequential ? ms(sequential.run.callMs) : "—",
      ...atLeast(p, sequential?.run.callMs, 10),
      detail:
        `${estate}; audit-images bundle, on demand, memory in dynalite (median of ${runs} fresh processes: ${product.map((r) => ms(r.run.callMs)).join(", ")}) vs every account-region one after another through the same adapters (scale-passes.ts audit-sequential)` +
        `\naudited ${a0.auditedImages ?? "?"} images, ${a0.findings ?? "?"} findings; errors ${JSON.stringify(errs)}` +
        (sequential
          ? `; sequential: ${sequential.run.answer?.images ?? "?"} images, ${sequential.run.answer?.findings ?? "?"} findings, errors ${JSON.stringify(sequential.run.answer?.errors ?? [])}`
          : "; sequential pass skipped (--quick)") +
        `\nat the clouds, product: ${seen(product[0]!.stats)}`,
    });
    const peak = Math.max(...product.map((r) => r.run.peakRssKiB));
    o.report({
      id: "8b",
      name: "audit peak RSS, 200 account-regions",
      product: mib(peak),
      baseline: "512 MB fn",
      ratio: peak / ((512 * 1000 * 1000) / 1024),
      ...below(peak / 1024, 256, "MiB"),
      detail: `highest VmHWM of the ${runs} audit processes (node, the bundle, every image of the estate, the findings and the memory)${sequential ? `; the sequential pass: ${mib(sequential.run.peakRssKiB)}` : ""}`,
    });

    // ---- the policies: run-policy's scheduled deliveries, all at once, against the same one after another
    const rp = await benchRunPolicy(o, host);
    const timeoutMs = lambdaContext("run-policy").getRemainingTimeInMillis();
    const policyEnv = childEnv({ ...host.env, ...host.policyEnv, POLICY_POLL_SECONDS: String(POLICY_POLL_SECONDS) });
    /** One pass: every policy's delivery for the `day`-th scheduled time; then tracking is let finish (deletes go on after a run). */
    const deliver = async (day: number, atOnce: boolean): Promise<{ run: DeliveryRun; stats: Stats }> => {
      await admin(host, "/reset", {});
      const inputs = rp.inputs(day).filter((_, i) => atOnce || i % SEQUENTIAL_SAMPLE_EVERY === 0);
      const spec = { module: rp.module, inputs, timeoutMs, atOnce };
      const run = childResult<DeliveryRun>(await runNode([DELIVERIES, JSON.stringify(spec)], policyEnv, 1_200_000));
      if (!run.ok) throw new Error(`run-policy deliveries: ${run.error}`);
      await admin(host, "/settled", { ms: 120_000 });
      return { run, stats: (await admin(host, "/stats")) as Stats };
    };
    // unmeasured: each policy's first image, so that every measured run makes one and deletes the one before
    const warmUp = await deliver(0, true);
    const atOnce: Array<{ run: DeliveryRun; stats: Stats }> = [];
    for (let i = 0; i < runs; i++) atOnce.push(await deliver(1 + i, true));
    const oneByOne = o.quick ? undefined : await deliver(1 + runs, false);
    const measured = [...atOnce, ...(oneByOne ? [oneByOne] : [])];
    violations.push(...[warmUp, ...measured].flatMap((r) => overLimits(r.stats)));
    const pp = median(atOnce.map((r) => r.run.wallMs));
    // all of them one after another, from the sample's time per run
    const oneByOneMs = oneByOne && (oneByOne.run.wallMs / oneByOne.run.runs) * rp.policies;
    // every measured run must end done, with its image made and the one before it deleted, nothing failed
    const unfinished = measured.flatMap((r) =>
      Object.entries(r.run.statuses)
        .filter(([status]) => status !== "done")
        .map(([status, n]) => `${n} ${status}`),
    );
    const failed = measured.reduce((n, r) => n + r.run.failed, 0);
    const incomplete = measured.filter((r) => r.run.made !== r.run.runs || r.run.deleted !== r.run.runs);
    // and every image tracked to its end: made available, deleted gone
    const tracking = measured.flatMap((r) =>
      Object.entries(r.stats.tracking)
        .filter(([status]) => status !== "SUCCEEDED")
        .map(([status, n]) => `${n} tracking runs ${status}`),
    );
    const whole = unfinished.length === 0 && failed === 0 && incomplete.length === 0 && tracking.length === 0;
    const totals = (r: DeliveryRun) => `${r.made} made, ${r.kept} kept, ${r.deleted} deleted, ${r.failed} failed`;
    const speed = atLeast(pp, oneByOneMs, 10);
    o.report({
      id: "8d",
      name: `policy runs, ${regions} account-regions (${rp.policies} policies)`,
      product: ms(pp),
      baseline: oneByOneMs ? `${ms(oneByOneMs)} (est.)` : "—",
      ...speed,
      // runs that did not all finish, or failed, are no measure of a policy run at all
      pass: whole ? speed.pass : false,
      detail:
        (whole
          ? ""
          : `NOT EVERY RUN FINISHED CLEANLY: ${[...unfinished, ...(failed ? [`${failed} failed`] : []), ...incomplete.map((r) => totals(r.run)), ...tracking].join("; ")}\n`) +
        `${rp.policies} policies, one per NCP (${host.accounts.filter((a) => a.provider === "ncp").length}) and SCP (${host.accounts.filter((a) => a.provider === "scp").length}) account-region; iwinv's 40 have none: iwinv documents no image creation, so the schema refuses a policy for it` +
        `\nthe run-policy bundle built with them (dist/bench/scale-policies.yaml), in a fresh process, every schedule's delivery at once as Scheduler delivers schedules that share a cron minute (median of ${runs} passes: ${atOnce.map((r) => ms(r.run.wallMs)).join(", ")}) vs the same deliveries one after another` +
        (oneByOne
          ? `, estimated from every ${SEQUENTIAL_SAMPLE_EVERY}th: ${oneByOne.run.runs} runs one after another in ${ms(oneByOne.run.wallMs)}, × ${rp.policies}/${oneByOne.run.runs} (all ${rp.policies} would outlast the bench's watchdog)`
          : " (skipped: --quick)") +
        `; each call its own context, run-policy's ${timeoutMs / 1000} s timeout` +
        `\neach run: claim, create through the exactly-once path, tracked until available (the state machine and track-image in the estate's process), retention keep 1 deleting the run before's image, one summary posted in the policy's own channel; ${warmUp.run.made} first images made in an unmeasured warm-up pass` +
        `\nclock: images take ${CREATE_DELAY_MS / 1000} s to make, state machine waits × ${WAIT_SCALE}, POLICY_POLL_SECONDS ${POLICY_POLL_SECONDS}; 200 ms a request` +
        `\nper pass ${measured.map((r) => totals(r.run)).join(" | ")}; one run took ${ms(atOnce[0]!.run.runMs.min)}–${ms(atOnce[0]!.run.runMs.max)} at once${oneByOne ? `, ${ms(oneByOne.run.runMs.min)}–${ms(oneByOne.run.runMs.max)} (median ${ms(oneByOne.run.runMs.median)}) one after another` : ""}` +
        `\npeak RSS of the process running all ${rp.policies} at once ${mib(Math.max(...atOnce.map((r) => r.run.peakRssKiB)))}${oneByOne ? `, one after another ${mib(oneByOne.run.peakRssKiB)}` : ""}; Slack: ${atOnce[0]!.stats.slack.posted} summaries in ${atOnce[0]!.stats.slack.channels} channels, ${atOnce[0]!.stats.slack.refused} refused; tracking runs ${JSON.stringify(atOnce[0]!.stats.tracking)}` +
        (measured.some((r) => r.run.problemCount)
          ? `\nproblems: ${measured
              .flatMap((r) => r.run.problems)
              .slice(0, 5)
              .join(" | ")}`
          : "") +
        `\nat the clouds, at once: ${seen(atOnce[0]!.stats)}`,
    });
    const passes = product.length + (sequential ? 1 : 0) + 1 + measured.length;
    o.report({
      id: "8c",
      name: "provider limits exceeded, every pass of 8",
      product: String(violations.length),
      baseline: "0",
      ratio: NaN,
      ...none(violations.length),
      detail: violations.length
        ? violations.join("\n")
        : `${passes} passes (audits, and the policy passes with their warm-up and tracking): no 429/417 answer, no key over its concurrency, no iwinv key over 60 requests in any 60 s, no Slack 429`,
    });
  } finally {
    await host.stop();
  }
}
