/**
 * EventBridge Scheduler's schedule expressions, read the way Scheduler reads them
 * (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):
 *   cron(minutes hours day-of-month month day-of-week year), evaluated in the schedule's time zone;
 *   rate(value unit), unit minute|minutes|hour|hours|day|days (singular for 1, plural above).
 * Checked when the policies are built and packaged (a wrong expression fails there, naming the
 * policy, instead of at deploy time), and used to say when a policy runs next. Also the time
 * tokens of an image name template, formatted in the policy's time zone.
 */

export type Schedule =
  | {
      kind: "cron";
      expression: string;
      minutes: number[];
      hours: number[];
      dom: DayOfMonth;
      months: number[];
      dow: DayOfWeek;
      years: number[] | "*";
    }
  | { kind: "rate"; expression: string; everyMs: number; value: number; unit: "minute" | "hour" | "day" };

/** `?` (any: the other day field decides), a list of days, or L (the last day of the month). */
type DayOfMonth = { any: true } | { days: number[]; last: boolean };
/** `?`, a list of weekdays (1 = SUN … 7 = SAT), or the Nth weekday of the month (`2#1`: the first Monday). */
type DayOfWeek = { any: true } | { days: number[] } | { nth: { day: number; n: number } };

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export class ScheduleError extends Error {}

/** The expression, parsed; throws ScheduleError saying what is wrong. */
export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(text);
  if (rate) {
    const value = Number(rate[1]);
    const word = rate[2]!;
    const unit = word.replace(/s$/, "") as "minute" | "hour" | "day";
    if (value < 1) throw new ScheduleError(`${text}: the value must be a positive whole number`);
    // Scheduler refuses rate(1 minutes) and rate(5 minute)
    if ((value === 1) !== (word === unit))
      throw new ScheduleError(`${text}: write rate(1 ${unit}) for one, rate(${value} ${unit}s) for more`);
    return { kind: "rate", expression: text, everyMs: value * UNIT_MS[unit], value, unit };
  }
  const cron = /^cron\((.*)\)$/.exec(text);
  if (!cron)
    throw new ScheduleError(
      `"${text.slice(0, 60)}" is neither cron(minutes hours day-of-month month day-of-week year) nor rate(value unit)`,
    );
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new ScheduleError(
      `${text}: a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`,
    );
  const [mi, h, dom, mo, dow, y] = fields as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?"))
    throw new ScheduleError(`${text}: exactly one of day-of-month and day-of-week must be "?" (Scheduler does not take both)`);
  return {
    kind: "cron",
    expression: text,
    minutes: list(mi, 0, 59, "minutes"),
    hours: list(h, 0, 23, "hours"),
    dom: dom === "?" ? { any: true } : dom === "L" ? { days: [], last: true } : { days: list(dom, 1, 31, "day-of-month"), last: false },
    months: list(mo, 1, 12, "month", MONTHS),
    dow: dayOfWeek(dow),
    years: y === "*" ? "*" : list(y, 1970, 2199, "year"),
  };
}

function dayOfWeek(field: string): DayOfWeek {
  if (field === "?") return { any: true };
  const nth = /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)#([1-5])$/i.exec(field);
  if (nth) return { nth: { day: value(nth[1]!, DAYS, "day-of-week"), n: Number(nth[2]) } };
  if (/[LW]/i.test(field.replace(/SAT|SUN|MON|TUE|WED|THU|FRI/gi, "")))
    throw new ScheduleError(`day-of-week "${field}": L and W are not supported here; use a list of days or N#k`);
  return { days: list(field, 1, 7, "day-of-week", DAYS) };
}

function value(token: string, names: string[] | undefined, what: string, min = 1): number {
  const named = names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + min;
  if (!/^\d+$/.test(token)) throw new ScheduleError(`${what} "${token}" is not a number${names ? ` or a name (${names.join(", ")})` : ""}`);
  return Number(token);
}

/** `*`, `a`, `a-b`, `*\/n`, `a/n`, `a-b/n`, joined by commas; names for months and days. */
function list(field: string, min: number, max: number, what: string, names?: string[]): number[] {
  if (/[LW#?]/.test(field.replace(/JUL|WED/gi, "")))
    throw new ScheduleError(
      `${what} "${field}": ${field.includes("?") ? '"?" only in day-of-month or day-of-week' : "L, W and # are not supported in this field"}`,
    );
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) throw new ScheduleError(`${what} "${part}" is not a value, a range or a step`);
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) throw new ScheduleError(`${what} "${part}": the step must be at least 1`);
    let from = min;
    let to = max;
    if (m[1] !== "*") {
      const [a, b] = m[1]!.split("-");
      from = value(a!, names, what, min);
      to = b === undefined ? (m[2] === undefined ? from : max) : value(b, names, what, min);
    }
    if (from < min || to > max || from > to) throw new ScheduleError(`${what} "${part}" is outside ${min}–${max}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** A time zone Intl knows (IANA name): Scheduler takes the same names. */
export function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function parts(at: number, tz: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  let f = formats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(tz, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour) % 24,
    minute: Number(p.minute),
    second: Number(p.second),
  };
}

/** The UTC instant of a wall-clock time in a time zone. */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offset = (at: number) => {
    const p = parts(at, tz);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
  };
  let utc = wall - offset(wall);
  const again = wall - offset(utc);
  if (again !== utc) utc = again;
  return utc;
}

const DAY_MS = 86_400_000;

/** The first run of a cron schedule after `after` (epoch ms), in `tz`; undefined when none within six years. */
export function nextCronRun(s: Extract<Schedule, { kind: "cron" }>, tz: string, after: number): number | undefined {
  const start = parts(after, tz);
  const first = Date.UTC(start.year, start.month - 1, start.day);
  for (let i = 0; i < 366 * 6; i++) {
    const date = new Date(first + i * DAY_MS);
    const year = date.getUTCFullYear();
    const month = date.getUTCMonth() + 1;
    const day = date.getUTCDate();
    if (s.years !== "*" && !s.years.includes(year)) continue;
    if (!s.months.includes(month)) continue;
    if (!dayMatches(s, year, month, day, date.getUTCDay() + 1)) continue;
    for (const hour of s.hours) {
      for (const minute of s.minutes) {
        const at = zonedTime(year, month, day, hour, minute, tz);
        if (at > after) return at;
      }
    }
  }
  return undefined;
}

function dayMatches(s: Extract<Schedule, { kind: "cron" }>, year: number, month: number, day: number, weekday: number): boolean {
  if (!("any" in s.dom)) {
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return s.dom.last ? day === last : s.dom.days.includes(day);
  }
  if ("any" in s.dow) return true;
  if ("nth" in s.dow) return weekday === s.dow.nth.day && Math.ceil(day / 7) === s.dow.nth.n;
  return s.dow.days.includes(weekday);
}

/**
 * When a schedule runs next after `after`: a cron's next time; a rate counts from its last run
 * (Scheduler counts a rate from when the schedule was created: without a last run, unknown).
 */
export function nextRun(s: Schedule, tz: string, after: number, lastRun?: number): number | undefined {
  if (s.kind === "cron") return nextCronRun(s, tz, after);
  if (lastRun === undefined) return undefined;
  const behind = Math.max(0, Math.ceil((after - lastRun) / s.everyMs));
  return lastRun + Math.max(1, behind) * s.everyMs;
}

/** The next `count` runs from `from` (a rate's first is `from` itself); fewer when the schedule has no more. */
export function upcomingRuns(s: Schedule, tz: string, from: number, count: number): number[] {
  if (s.kind === "rate") return Array.from({ length: count }, (_, k) => from + k * s.everyMs);
  const runs: number[] = [];
  for (let at = nextCronRun(s, tz, from); at !== undefined && runs.length < count; at = nextCronRun(s, tz, at)) runs.push(at);
  return runs;
}

/** Two consecutive runs. */
export function twoRuns(s: Schedule, tz: string, from: number): [number, number] | undefined {
  const [a, b] = upcomingRuns(s, tz, from, 2);
  return a !== undefined && b !== undefined ? [a, b] : undefined;
}

/** `yyyy`, `yy`, `MM`, `dd`, `HH`, `mm` of the instant in the time zone; other characters kept. */
export function formatTime(at: number, tz: string, pattern: string): string {
  const p = parts(at, tz);
  const two = (n: number) => String(n).padStart(2, "0");
  return pattern.replace(/yyyy|yy|MM|dd|HH|mm/g, (t) =>
    t === "yyyy"
      ? String(p.year)
      : t === "yy"
        ? two(p.year % 100)
        : t === "MM"
          ? two(p.month)
          : t === "dd"
            ? two(p.day)
            : t === "HH"
              ? two(p.hour)
              : two(p.minute),
  );
}

/** Tokens of an image name template: `{server}`, `{serverId}`, `{policy}`, and a time pattern such as `{yyyyMMdd-HHmm}`. */
export const TIME_TOKEN = /^(?:yyyy|yy|MM|dd|HH|mm|[-_.])+$/;

/** The tokens of a template that are not known; empty when every one is. */
export function unknownTokens(template: string): string[] {
  return [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((t) => !["server", "serverId", "policy"].includes(t) && !(TIME_TOKEN.test(t) && /[yMdHm]/.test(t)));
}

/** Whether a template has a time token at all (a name that differs from run to run). */
export const hasTimeToken = (template: string) =>
  [...template.matchAll(/\{([^}]*)\}/g)].some((m) => TIME_TOKEN.test(m[1]!) && /[yMdHm]/.test(m[1]!));

/** An image name from a template, for one server at one scheduled time in the policy's time zone. */
export function renderImageName(template: string, v: { server: string; serverId: string; policy: string; at: number; tz: string }): string {
  return template.replace(/\{([^}]*)\}/g, (whole, token: string) => {
    if (token === "server") return v.server;
    if (token === "serverId") return v.serverId;
    if (token === "policy") return v.policy;
    if (TIME_TOKEN.test(token)) return formatTime(v.at, v.tz, token);
    return whole;
  });
}
