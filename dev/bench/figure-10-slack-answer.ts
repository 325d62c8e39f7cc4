/**
 * Figure 10: how long a person waits — from a slash command to its answer in Slack (the job's
 * response_url post), for `/images list ncp`, `show` and a dry-run `create`, warm and with every
 * function cold, against the clouds' own time in the same command (the span in which some cloud
 * request was in flight, from the simulators' own clocks). Each cloud request answers after
 * LATENCY_MS, so the clouds' share is not lost in noise.
 *
 * Cold: every bundle imported afresh before each command (new module instances: no cached secret,
 * client or Slack app), as new Lambda containers would run it; its time is split by hop: the
 * slash command's ack, the self-invoke to the job, the job's invoke of the function, the secret
 * reads, the clouds, and what is left (imports, the answer's post). A process boot (Lambda's init)
 * is not in the in-process figure: figure 1 measures it.
 */
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { SimRequest } from "../sim/server.js";
import { signedHeaders, slashCommandBody } from "../slack-sign.js";
import type { BenchContext } from "./context.js";
import { median, ms } from "./lib.js";

const LATENCY_MS = 50;
/** the target: warm, at most the clouds' own time plus this */
const OVERHEAD_MS = 150;

type Span = [number, number];
/** The length of a union of spans. */
function covered(spans: Span[]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

interface Sample {
  total: number;
  clouds: number;
  ack: number;
  selfInvoke: number;
  functionInvoke: number;
  secrets: number;
}

export async function figure10(ctx: BenchContext): Promise<void> {
  const { quick, report, root } = ctx;
  const { startLocalStack, FUNCTIONS } = await import("../local-stack.js");
  const stack = await startLocalStack({ env: { PROVIDER_TIMEOUT_MS: "15000" } });
  const clouds = [stack.ncp, stack.scp, stack.iwinv];
  try {
    for (const sim of clouds) sim.setFaults({ latencyMs: LATENCY_MS });
    // when each function was entered, by kind (a slack job is the slack function given `imageopsJob`)
    const entered: Array<{ what: string; at: number }> = [];
    const wrap = () => {
      for (const name of FUNCTIONS) {
        const h = stack.handlers[name];
        stack.handlers[name] = (event, context) => {
          const job = name === "slack" && (event as { imageopsJob?: unknown })?.imageopsJob !== undefined;
          entered.push({ what: job ? "job" : name, at: performance.now() });
          return h(event, context);
        };
      }
    };
    let fresh = 0;
    /** every bundle imported again: new module instances, as cold containers have */
    const coldStart = async () => {
      fresh++;
      for (const name of FUNCTIONS) {
        const url = `${pathToFileURL(join(root, "dist", name, "index.mjs")).href}?cold=${fresh}`;
        stack.handlers[name] = ((await import(url)) as { handler: (typeof stack.handlers)[typeof name] }).handler;
      }
      wrap();
    };
    wrap();

    let seq = 0;
    const slash = async (text: string, fn: string): Promise<Sample> => {
      const url = stack.slackApi.responseUrl(`answer-${process.pid}-${++seq}`);
      const answered = new Promise<number>((resolve) => {
        const stop = stack.slackApi.onChange((e) => {
          if (e.type === "response" && e.response?.url === url) {
            stop();
            resolve(performance.now());
          }
        });
      });
      const body = slashCommandBody(text, { responseUrl: url });
      const from = entered.length;
      const t0 = performance.now();
      const res = await fetch(`${stack.url}/slack/events`, {
        method: "POST",
        headers: signedHeaders(body, "application/x-www-form-urlencoded"),
        body,
      });
      await res.text();
      const acked = performance.now();
      const t1 = await answered;
      const inWindow = (r: SimRequest): r is SimRequest & { receivedAt: number; answeredAt: number } =>
        r.receivedAt !== undefined && r.answeredAt !== undefined && r.receivedAt >= t0 && r.answeredAt <= t1;
      const spans = (reqs: SimRequest[]) => reqs.filter(inWindow).map((r) => [r.receivedAt, r.answeredAt] as Span);
      const since = entered.slice(from);
      const job = since.find((e) => e.what === "job")?.at ?? t1;
      const called = since.find((e) => e.what === fn)?.at ?? job;
      return {
        total: t1 - t0,
        clouds: covered(clouds.flatMap((c) => spans(c.requests))),
        ack: acked - t0,
        selfInvoke: job - t0,
        functionInvoke: called - job,
        secrets: covered(spans(stack.secrets.requests)),
      };
    };

    const imageId = [...stack.ncp.images.keys()][0]!;
    const server = stack.ncp.servers.keys().next().value as string;
    const commands: Array<[label: string, text: () => string, fn: string]> = [
      ["list ncp", () => "list ncp", "list-images"],
      ["show", () => `show ncp ${imageId}`, "describe-image"],
      ["create (dry run)", () => `create ncp ${server} bench-${seq + 1}`, "create-image"],
    ];
    const rounds = quick ? 5 : 15;
    const coldRounds = quick ? 2 : 4;
    const lines: string[] = [];
    let worst = -Infinity;
    let worstRatio = NaN;
    const med = (xs: Sample[], k: keyof Sample) => median(xs.map((s) => s[k]));
    for (const [label, text, fn] of commands) {
      for (let i = 0; i < 3; i++) await slash(text(), fn); // warm-up
      const warm: Sample[] = [];
      for (let i = 0; i < rounds; i++) warm.push(await slash(text(), fn));
      const cold: Sample[] = [];
      const imports: number[] = [];
      for (let i = 0; i < coldRounds; i++) {
        const t = performance.now();
        await coldStart();
        imports.push(performance.now() - t);
        cold.push(await slash(text(), fn));
      }
      const over = med(warm, "total") - med(warm, "clouds");
      if (over > worst) {
        worst = over;
        worstRatio = med(warm, "total") / med(warm, "clouds");
      }
      lines.push(
        `${label}: warm ${ms(med(warm, "total"))} (clouds ${ms(med(warm, "clouds"))}, +${ms(over)}); ` +
          `cold ${ms(med(cold, "total"))}: ack ${ms(med(cold, "ack"))}, the job (self-invoked) began at +${ms(med(cold, "selfInvoke"))}, ` +
          `job to ${fn} ${ms(med(cold, "functionInvoke"))}, the secret store's own time ${ms(med(cold, "secrets"))}, clouds ${ms(med(cold, "clouds"))}; ` +
          `before it, importing the ${FUNCTIONS.length} bundles afresh ${ms(median(imports))}`,
      );
    }
    report({
      id: "10",
      name: "slash command → answer in Slack (warm, worst of list/show/dry-run create)",
      product: `+${ms(worst)} over the clouds`,
      baseline: "the clouds' own time",
      ratio: worstRatio,
      target: `≤ clouds + ${OVERHEAD_MS} ms`,
      pass: worst <= OVERHEAD_MS,
      detail:
        `medians of ${rounds} warm and ${coldRounds} cold commands each, through the local stack (Lambda and Step Functions in-process, Slack's API local), every cloud request answering after ${LATENCY_MS} ms\n` +
        lines.join("\n"),
    });
  } finally {
    for (const sim of clouds) sim.setFaults({});
    await stack.stop();
  }
}
