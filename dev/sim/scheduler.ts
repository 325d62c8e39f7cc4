import { randomBytes } from "node:crypto";
import { log } from "../../shared/log.js";
import { nextRun, parseSchedule } from "../../shared/policies/schedule.js";

/** An AWS::Scheduler::Schedule as infra/policies.cjs makes it (the properties this simulator reads). */
export interface ScheduleResource {
  Type: "AWS::Scheduler::Schedule";
  Properties: {
    Name: string;
    ScheduleExpression: string;
    ScheduleExpressionTimezone?: string;
    State: "ENABLED" | "DISABLED";
    Target: { Input: string };
  };
}

export interface Delivery {
  schedule: string;
  scheduledAt: string;
  attempt: number;
  input: unknown;
  result?: unknown;
  error?: string;
}

/**
 * A local EventBridge Scheduler for the policies' schedules, from the very resources
 * infra/policies.cjs generates: each enabled schedule is delivered at its next scheduled time
 * (a cron in its time zone; a rate counted from when the schedule was made, as Scheduler counts
 * it), its target Input with the context attributes replaced as Scheduler replaces them
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html:
 * <aws.scheduler.scheduled-time> as 2022-03-22T18:59:43Z, execution-id, attempt-number,
 * schedule-arn). `deliver` makes a delivery by hand: a test repeats one, as Scheduler's
 * at-least-once delivery and retries can.
 */
export class SchedulerSim {
  readonly deliveries: Delivery[] = [];
  private timers = new Map<string, NodeJS.Timeout>();
  private readonly created = Date.now();

  constructor(
    readonly schedules: Record<string, ScheduleResource>,
    private readonly invoke: (input: unknown) => Promise<unknown>,
    private readonly arnOf = (name: string) => `arn:aws:scheduler:ap-northeast-2:000000000000:schedule/default/${name}`,
  ) {}

  /** The schedule of a policy, by the policy's name or the schedule's. */
  find(name: string): ScheduleResource | undefined {
    return Object.values(this.schedules).find((s) => s.Properties.Name === name || s.Properties.Name.endsWith(`-policy-${name}`));
  }

  /** The target's Input, as Scheduler sends it for this scheduled time and attempt. */
  input(schedule: ScheduleResource, scheduledAt: Date | string, attempt = 1): unknown {
    const at = (typeof scheduledAt === "string" ? new Date(scheduledAt) : scheduledAt).toISOString().replace(/\.\d{3}Z$/, "Z");
    const text = schedule.Properties.Target.Input.replaceAll("<aws.scheduler.scheduled-time>", at)
      .replaceAll("<aws.scheduler.execution-id>", randomBytes(8).toString("hex"))
      .replaceAll("<aws.scheduler.attempt-number>", String(attempt))
      .replaceAll("<aws.scheduler.schedule-arn>", this.arnOf(schedule.Properties.Name));
    return JSON.parse(text);
  }

  /** One delivery of a policy's schedule for `scheduledAt`; resolves when the target has answered. */
  async deliver(name: string, scheduledAt: Date | string, attempt = 1): Promise<Delivery> {
    const schedule = this.find(name);
    if (!schedule) throw new Error(`no schedule for ${name}`);
    const input = this.input(schedule, scheduledAt, attempt);
    const d: Delivery = {
      schedule: schedule.Properties.Name,
      scheduledAt: (input as { scheduledAt?: string }).scheduledAt ?? String(scheduledAt),
      attempt,
      input,
    };
    this.deliveries.push(d);
    try {
      d.result = await this.invoke(input);
    } catch (err) {
      d.error = (err as Error)?.message ?? String(err);
    }
    return d;
  }

  /** Deliver every enabled schedule at its times from now on (npm start). */
  start(): void {
    for (const s of Object.values(this.schedules)) if (s.Properties.State === "ENABLED") this.arm(s, Date.now());
  }

  private arm(s: ScheduleResource, after: number): void {
    const parsed = parseSchedule(s.Properties.ScheduleExpression);
    const tz = s.Properties.ScheduleExpressionTimezone ?? "UTC";
    const at =
      parsed.kind === "rate"
        ? this.created + Math.ceil((after + 1 - this.created) / parsed.everyMs) * parsed.everyMs
        : nextRun(parsed, tz, after);
    if (at === undefined) return;
    // setTimeout holds at most ~24.8 days: further runs are armed again when that passes
    const delay = Math.min(at - Date.now(), 2 ** 31 - 1);
    const timer = setTimeout(
      () => {
        if (Date.now() < at) return this.arm(s, after);
        void this.deliver(s.Properties.Name, new Date(at)).then(
          (d) => d.error && log("warn", "a local scheduled delivery failed", { schedule: d.schedule, error: d.error }),
        );
        this.arm(s, at);
      },
      Math.max(0, delay),
    );
    timer.unref();
    this.timers.set(s.Properties.Name, timer);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
