import * as z from "zod";
import { PROVIDERS } from "../model/image.js";
import { adapterFor } from "../providers/index.js";
import {
  hasTimeToken,
  parseSchedule,
  renderImageName,
  type Schedule,
  ScheduleError,
  upcomingRuns,
  unknownTokens,
  validTimeZone,
} from "./schedule.js";

/**
 * The policies file (`policies.yaml` at the repository's root): scheduled images with retention.
 * Validated when the bundles are built (scripts/esbuild.config.cjs, for `npm run build` and
 * `osls package`) and when the schedules are generated (infra/policies.cjs); each error names the
 * policy and the field. The run-policy bundle carries the validated policies.
 */

export const DEFAULT_TIMEZONE = "Asia/Seoul";

/** The schedule's name is `<service>-<stage>-policy-<name>` (Scheduler: at most 64 characters). */
const NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const PLACEHOLDER_SERVER = "server";

const Retention = z
  .object({
    keep: z.number().int().min(1).max(100).optional().describe("keep the newest N images of each server"),
    days: z.number().int().min(1).max(3650).optional().describe("keep images younger than D days"),
  })
  .strict()
  .refine((r) => r.keep !== undefined || r.days !== undefined, {
    message: "needs keep (the newest N images) and/or days (images younger than D days)",
  });

const PolicyShape = z
  .object({
    name: z
      .string()
      .regex(
        NAME,
        "3–32 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit (it names the schedule)",
      ),
    provider: z.enum(PROVIDERS),
    account: z.string().min(1).max(64).optional(),
    region: z.string().min(1).max(64).optional(),
    servers: z
      .array(
        z
          .string()
          .min(1)
          .max(128)
          .regex(/^[^\u0000-\u001f\u007f]+$/, "no control characters"),
      )
      .min(1)
      .max(20),
    schedule: z.string().min(1).max(256),
    timezone: z.string().default(DEFAULT_TIMEZONE),
    image: z.string().min(1).max(255),
    description: z.string().max(1000).optional(),
    retention: Retention,
    /** whom each new image is shared with once it is available (NCP login ids, SCP account ids); retention unshares before it deletes */
    share: z.array(z.string().min(1).max(254)).min(1).max(20).optional(),
    channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, "a Slack channel id (C…, or G… for a private channel)"),
    enabled: z.boolean().default(true),
  })
  .strict();

export type Policy = z.infer<typeof PolicyShape>;

/** What a policy's fields say together: the schedule, the time zone, the name template against the cloud's rule. */
function checkPolicy(p: Policy, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  const adapter = adapterFor(p.provider);
  if (!adapter.creator)
    issue("provider", `${adapter.unsupported?.create?.reason ?? `${p.provider} cannot create images`}: a policy cannot make its images`);
  let schedule: Schedule | undefined;
  try {
    schedule = parseSchedule(p.schedule);
  } catch (err) {
    if (!(err instanceof ScheduleError)) throw err;
    issue("schedule", err.message);
  }
  if (!validTimeZone(p.timezone)) issue("timezone", `"${p.timezone}" is not an IANA time zone (e.g. Asia/Seoul, UTC)`);
  if (new Set(p.servers).size !== p.servers.length) issue("servers", "a server is listed twice");
  if (p.share) {
    if (!adapter.sharer)
      issue("share", `${adapter.unsupported?.share?.reason ?? `${p.provider} cannot share images`}: a policy cannot share its images`);
    else
      for (const t of p.share) {
        const why = adapter.sharer.validateTarget(t);
        if (why) issue("share", `${JSON.stringify(t).slice(0, 80)} is not ${adapter.sharer.targetForm}: ${why}`);
      }
  }
  const unknown = unknownTokens(p.image);
  if (unknown.length) {
    issue(
      "image",
      `unknown token(s) ${unknown.map((t) => `{${t}}`).join(", ")}: use {server}, {serverId}, {policy} and time patterns such as {yyyyMMdd-HHmm}`,
    );
    return;
  }
  if (!hasTimeToken(p.image)) {
    issue("image", "needs a time token such as {yyyyMMdd-HHmm}: every run makes new images, each needs its own name");
    return;
  }
  if (p.servers.length > 1 && !/\{server(Id)?\}/.test(p.image))
    issue("image", "with several servers the name needs {server} or {serverId}, or every server's image would have the same name");
  if (!schedule || !validTimeZone(p.timezone)) return;
  // consecutive runs over two days at least (eight, for a schedule of several a day): whether two of them
  // share a name depends on where a day's boundary falls, so the first two alone would pass or fail by the hour
  const runs = upcomingRuns(schedule, p.timezone, Date.now(), 8);
  if (runs.length < 2) {
    issue("schedule", `${p.schedule} has no run in the next six years`);
    return;
  }
  const name = (at: number) =>
    renderImageName(p.image, { server: PLACEHOLDER_SERVER, serverId: p.servers[0]!, policy: p.name, at, tz: p.timezone });
  const clash = runs.findIndex((at, k) => k > 0 && name(at) === name(runs[k - 1]!));
  if (clash > 0)
    issue("image", `two runs of ${p.schedule} would both name their image "${name(runs[clash]!)}": add a finer time token (e.g. {HHmm})`);
  // the cloud's name rule (NCP: that of createServerImage; a XEN server's narrower rule is checked again before its create)
  const problem = adapter.creator?.validateImageName(name(runs[0]!));
  if (problem)
    issue(
      "image",
      `"${name(runs[0]!)}" (with {server} as "${PLACEHOLDER_SERVER}") breaks ${p.provider}'s image name rule: ${problem}; the full name is checked again before each create`,
    );
}

export const PolicySchema = PolicyShape.superRefine(checkPolicy);

/**
 * How many policies one file (one stack) may hold. Each policy deploys as one
 * AWS::Scheduler::Schedule in the service's CloudFormation stack (infra/policies.cjs, plus one role
 * for all of them), and a stack holds at most 500 resources (CloudFormation quotas, "Resources":
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html). The
 * stack has 91 resources of its own, so 350 policies make 442 of the 500, keeping room for the stack
 * to grow; test/e2e/template.test.ts checks the packaged template against this cap.
 */
export const MAX_POLICIES = 350;

export const PoliciesFile = z
  .object({
    policies: z
      .array(PolicySchema)
      .max(
        MAX_POLICIES,
        `at most ${MAX_POLICIES} policies: each is one resource of the stack, which CloudFormation limits to 500 resources`,
      )
      .default([]),
  })
  .strict()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.policies.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: ["policies", i, "name"], message: `"${p.name}" names two policies` });
      seen.add(p.name);
    });
  });

export class PolicyFileError extends Error {
  constructor(
    readonly problems: string[],
    file: string,
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PolicyFileError";
  }
}

/**
 * The policies of a parsed file, validated; throws PolicyFileError whose lines name the policy
 * (by name and index) and the field of each problem.
 */
export function validatePolicies(doc: unknown, file = "policies.yaml"): Policy[] {
  const parsed = PoliciesFile.safeParse(doc ?? {});
  if (parsed.success) return parsed.data.policies;
  const raw = (doc as { policies?: Array<{ name?: unknown }> } | null)?.policies;
  const problems = parsed.error.issues.map((issue) => {
    const [top, index, ...field] = issue.path;
    if (top !== "policies" || typeof index !== "number") {
      const what = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue.message;
      return `${issue.path.join(".") || "the file"}: ${what} (the file holds {policies: [...]})`;
    }
    const name = raw?.[index]?.name;
    const who = `policy ${typeof name === "string" ? `"${name}"` : `#${index + 1}`} (policies[${index}])`;
    if (issue.code === "unrecognized_keys") return `${who}: unknown field(s) ${issue.keys.map((k) => [...field, k].join(".")).join(", ")}`;
    const at = field.length ? field.join(".") : "(the policy)";
    const message = issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message;
    return `${who} field ${at}: ${message}`;
  });
  throw new PolicyFileError(problems, file);
}
