// Slack's mrkdwn as Slack renders it, for the local console (HTML) and `npm run slack` (plain text).
// The rules are Slack's "Formatting text for app surfaces"
// (https://api.slack.com/reference/surfaces/formatting, now https://docs.slack.dev/messaging/formatting-message-text):
// &, < and > arrive escaped as &amp; &lt; &gt; and only those are decoded; <…> are control
// sequences — <@U…> a user, <#C…> a channel (shown by name), <!date^ts^format(^link)|fallback> a
// date in the reader's own time zone, <!here>/<!channel>/<!everyone>, <url|text> a link; *bold*,
// _italic_, ~strike~, `code`, ```preformatted```, "> " quoted lines; :name: an emoji, and an
// unknown :name: stays its text, as Slack shows a custom emoji the workspace does not have.

/**
 * The emoji the product uses (grep ':[a-z_]+:' in shared/ and functions/), as Slack shows them:
 * Slack's emoji set is iamcal/emoji-data's, short name → Unicode (with VS16 where that data has it).
 */
export const EMOJI = {
  large_green_circle: "🟢",
  large_orange_circle: "🟠",
  large_blue_circle: "🔵",
  red_circle: "🔴",
  white_circle: "⚪",
  white_check_mark: "✅",
  x: "❌",
  warning: "⚠️",
  no_entry: "⛔",
  hourglass_flowing_sand: "⏳",
  mag: "🔍",
  rocket: "🚀",
  clipboard: "📋",
  information_source: "ℹ️",
  wastebasket: "🗑️",
  grey_question: "❔",
  gear: "⚙️",
  camera_with_flash: "📸",
  pushpin: "📌",
  calendar: "📆",
  zipper_mouth_face: "🤐",
  desktop_computer: "🖥️",
  handshake: "🤝",
};

const html = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
/** Slack's own escapes, the only entities it decodes for display */
const unslack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const emoji = (s) => s.replace(/:([a-z0-9_+'-]+):/g, (m, name) => EMOJI[name] ?? m);

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const ordinal = (n) => `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;
const pad = (n) => String(n).padStart(2, "0");

/**
 * A <!date^…> in the reader's time zone: the tokens of Slack's date formatting ({date_num} 2014-02-18,
 * {date} February 18th, 2014, {date_short} Feb 18, 2014, {date_long} Tuesday, February 18th, 2014, the
 * _pretty ones saying today/yesterday/tomorrow, {time} 6:39 AM, {time_secs} 6:39:42 AM); undefined
 * for a token it does not know (then the fallback is shown, as Slack does when it cannot format).
 */
export function formatDate(seconds, format, now = new Date()) {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return undefined;
  const day = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const diff = Math.round((day(d) - day(now)) / 86_400_000);
  const relative = diff === 0 ? "today" : diff === -1 ? "yesterday" : diff === 1 ? "tomorrow" : undefined;
  const date = `${MONTHS[d.getMonth()]} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const short = `${MONTHS[d.getMonth()].slice(0, 3)} ${d.getDate()}, ${d.getFullYear()}`;
  const long = `${DAYS[d.getDay()]}, ${date}`;
  const h12 = d.getHours() % 12 || 12;
  const ampm = d.getHours() < 12 ? "AM" : "PM";
  const tokens = {
    date_num: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
    date,
    date_short: short,
    date_long: long,
    date_pretty: relative ?? date,
    date_short_pretty: relative ?? short,
    date_long_pretty: relative ?? long,
    time: `${h12}:${pad(d.getMinutes())} ${ampm}`,
    time_secs: `${h12}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${ampm}`,
  };
  let unknown = false;
  const out = format.replace(/\{([a-z_]+)\}/g, (m, t) => tokens[t] ?? ((unknown = true), m));
  return unknown ? undefined : out;
}

/** A <…> control sequence (its inside, Slack-escaped) as HTML, or as plain text. */
function control(inner, dir, asHtml, now) {
  const text = (s) => (asHtml ? html(unslack(s)) : unslack(s));
  const [target, label] = splitLabel(inner);
  if (target.startsWith("@")) {
    const name = label ?? dir.users?.[target.slice(1)] ?? target.slice(1);
    return asHtml ? `<span class="mention" data-user="${html(target.slice(1))}">@${text(name)}</span>` : `@${unslack(name)}`;
  }
  if (target.startsWith("#")) {
    const name = label ?? dir.channels?.[target.slice(1)] ?? target.slice(1);
    return asHtml ? `<span class="mention" data-channel="${html(target.slice(1))}">#${text(name)}</span>` : `#${unslack(name)}`;
  }
  if (target.startsWith("!date^")) {
    const [, ts, format = "", link] = target.split("^");
    const shown = formatDate(Number(ts), unslack(format), now) ?? unslack(label ?? "");
    if (!asHtml) return shown;
    const at = new Date(Number(ts) * 1000);
    const iso = Number.isNaN(at.getTime()) ? "" : at.toISOString();
    const time = `<time datetime="${iso}" title="${html(unslack(label ?? ""))}">${html(shown)}</time>`;
    return link && /^https?:\/\//.test(unslack(link))
      ? `<a href="${html(unslack(link))}" target="_blank" rel="noopener">${time}</a>`
      : time;
  }
  if (target.startsWith("!")) {
    const name = label ?? (/^!subteam\^/.test(target) ? target.split("^")[1] : target.slice(1));
    return asHtml ? `<span class="mention">@${text(name)}</span>` : `@${unslack(name)}`;
  }
  const url = unslack(target);
  const shown = label ?? target;
  if (!asHtml) return label ? `${unslack(label)} (${url})` : url;
  // only web and mail links are followed: a javascript: or data: target stays text
  if (!/^(https?:|mailto:)/i.test(url)) return text(shown);
  return `<a href="${html(url)}" target="_blank" rel="noopener">${text(shown)}</a>`;
}
function splitLabel(inner) {
  const bar = inner.indexOf("|");
  return bar < 0 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}

/**
 * *bold*, _italic_, ~strike~: a marker opens after a line start, a space or punctuation and
 * before a non-space, and closes after a non-space and before a space, punctuation or the end.
 */
const around = "\\s.,;:!?&()\\[\\]{}'\"“”‘’—–-";
function emphasis(s) {
  for (const [mark, tag] of [
    ["\\*", "b"],
    ["_", "i"],
    ["~", "s"],
  ])
    s = s.replace(new RegExp(`(^|[${around}])${mark}(?=\\S)([^\\n]*?\\S)${mark}(?=$|[${around}])`, "gm"), `$1<${tag}>$2</${tag}>`);
  return s;
}

/**
 * Slack mrkdwn → HTML, every character of the message text escaped first (no markup of its own
 * reaches the page). `dir` names the workspace's users and channels ({users: {U…: name}, channels: {C…: name}}).
 */
export function mrkdwn(text = "", dir = {}, now = new Date()) {
  const held = [];
  const hold = (h) => `\u0000${held.push(h) - 1}\u0000`;
  let s = String(text);
  // code first: nothing inside it is formatted (only Slack's escapes are decoded)
  s = s.replace(/```\n?([\s\S]*?)```/g, (_, code) => hold(`<pre>${html(unslack(code))}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${html(unslack(code))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => hold(control(inner, dir, true, now)));
  s = html(unslack(s));
  // a quote: lines starting with ">" (the escaped &gt; of the text, or >>> for the rest of the message)
  s = s.replace(/(^|\n)&gt;&gt;&gt; ?([\s\S]*)$/, (_, start, rest) => `${start}<blockquote>${rest}</blockquote>`);
  s = s.replace(/(^|\n)((?:&gt; ?[^\n]*(?:\n|$))+)/g, (_, start, lines) => {
    const body = lines.replace(/\n$/, "").replace(/(^|\n)&gt; ?/g, "$1");
    return `${start}<blockquote>${body}</blockquote>${lines.endsWith("\n") ? "\n" : ""}`;
  });
  s = emoji(emphasis(s));
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => held[Number(i)]);
}

/** A plain_text object as HTML: escaped, emoji codes shown as emoji (its `emoji` flag, on unless set false). */
export function plainText(text = "", withEmoji = true) {
  const s = html(String(text));
  return withEmoji ? emoji(s) : s;
}

/** Slack mrkdwn → readable plain text (a terminal): names for mentions, dates, links with their URL, emoji. */
export function mrkdwnToPlain(text = "", dir = {}, now = new Date()) {
  const held = [];
  const hold = (h) => `\u0000${held.push(h) - 1}\u0000`;
  let s = String(text).replace(/`[^`]*`/g, (code) => hold(unslack(code)));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => hold(control(inner, dir, false, now)));
  s = emoji(unslack(s));
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => held[Number(i)]);
}
