// The local Slack console: sends signed slash commands and button clicks to /slack/events as
// Slack would, and shows the conversation as Slack does: the bot's answers (mrkdwn, mentions and
// emoji rendered, ./mrkdwn.js), chat.update applied in place, thread replies under their parent.
// The conversation is the local session's (the stack keeps it, /__console/events replays it), so
// a reload shows it again.
import { mrkdwn, plainText } from "/mrkdwn.js";

const messages = document.getElementById("messages");
const conversation = document.getElementById("conversation");
const input = document.getElementById("command");
const [info, workspace] = await Promise.all([(await fetch("/__local")).json(), (await fetch("/__console/workspace")).json()]);
const nameOf = (user) => workspace.users?.[user] ?? user;
const channelName = (channel) => workspace.channels?.[channel] ?? channel;
document.getElementById("channel-name").textContent = channelName(info.channel);
document.querySelector("#welcome h1").lastChild.textContent = channelName(info.channel);
let seq = 0;

/** message key → its DOM node: `ack:<response_url>`, `resp:<response_url>`, `ts:<channel>:<ts>` */
const nodes = new Map();
/** response_url → the message a replace_original answer to it replaces */
const byResponseUrl = new Map();
/** while the conversation is replayed, nothing scrolls */
let replaying = false;

const md = (text) => mrkdwn(text ?? "", workspace);
// plain_text shows emoji codes as emoji too (its `emoji` flag, true unless said otherwise) and nothing else
const textOf = (t) => (typeof t === "string" ? md(t) : t?.type === "plain_text" ? plainText(t.text, t.emoji !== false) : md(t?.text));
const label = (t) => (typeof t === "string" ? t : (t?.text ?? ""));

function renderBlocks(body, holder) {
  const blocks = body.blocks?.length ? body.blocks : [{ type: "section", text: { type: "mrkdwn", text: body.text ?? "" } }];
  const out = document.createElement("div");
  for (const b of blocks) {
    const el = document.createElement("div");
    el.className = `block ${b.type}`;
    if (b.type === "section") {
      if (b.text) el.innerHTML = `<div class="text">${textOf(b.text)}</div>`;
      if (b.fields) {
        const grid = document.createElement("div");
        grid.className = "fields";
        grid.innerHTML = b.fields.map((f) => `<div>${textOf(f)}</div>`).join("");
        el.appendChild(grid);
      }
    } else if (b.type === "header") el.innerHTML = textOf(b.text);
    else if (b.type === "context")
      el.innerHTML = (b.elements ?? []).map((e) => `<span>${e.type === "image" ? "" : textOf(e)}</span>`).join("");
    else if (b.type === "divider") el.innerHTML = '<hr class="divider">';
    else if (b.type === "actions") {
      for (const a of b.elements ?? []) {
        const button = document.createElement("button");
        button.textContent = label(a.text);
        if (a.style === "primary" || a.style === "danger") button.className = a.style;
        button.dataset.actionId = a.action_id;
        // a button's own confirmation dialog, as Slack shows it before sending the click
        button.addEventListener(
          "click",
          () => (!a.confirm || window.confirm(`${label(a.confirm.title)}\n\n${label(a.confirm.text)}`)) && click(a, b, holder, button),
        );
        el.appendChild(button);
      }
    }
    out.appendChild(el);
  }
  return out;
}

const clock = (at) => new Date(at ?? Date.now()).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
const initials = (name) => (name === "imageops" ? "io" : name.slice(0, 1).toUpperCase());

/** A message: who, when, what; `where` says what Slack says beside it (only visible to you, a DM, another channel). */
function messageNode({ key, who, at, where, body, ephemeral, user, channel, ts }) {
  const node = document.createElement("div");
  node.className = `msg${user ? " user" : ""}${ephemeral ? " ephemeral" : ""}`;
  node.dataset.key = key;
  if (channel) node.dataset.channel = channel;
  if (ts) node.dataset.ts = ts;
  node.innerHTML =
    `<div class="avatar">${initials(who)}</div><div class="main"><div class="who"><span class="name"></span>` +
    `<span class="meta"><span class="time"></span><span class="where"></span><span class="edited"></span></span></div>` +
    '<div class="content"></div></div>';
  node.querySelector(".name").textContent = who;
  node.querySelector(".time").textContent = clock(at);
  node.querySelector(".where").textContent = where ? ` · ${where}` : "";
  if (body) setBody(node, body);
  nodes.set(key, node);
  return node;
}
function setBody(node, body) {
  node.querySelector(".content").replaceChildren(renderBlocks(body, node));
  node.hidden = false;
}
function add(node, into = conversation) {
  into.appendChild(node);
  reveal(node);
  return node;
}

/** Brings a new or changed message into view, as Slack does with what arrives while you watch. */
function reveal(node) {
  if (replaying || node.hidden) return;
  requestAnimationFrame(() => {
    // a message taller than the view shows from its top; any other, the end of the conversation
    if (node.offsetHeight > messages.clientHeight) node.scrollIntoView({ block: "start" });
    else messages.scrollTop = messages.scrollHeight;
  });
}

/** A thread reply under its parent: Slack's "N replies", opened with a click. */
function reply(parent, node) {
  let thread = parent.querySelector(":scope > .main > .thread");
  if (!thread) {
    thread = document.createElement("div");
    thread.className = "thread";
    thread.innerHTML = '<button type="button" class="replies-toggle" aria-expanded="false"></button><div class="replies" hidden></div>';
    const toggle = thread.querySelector(".replies-toggle");
    toggle.addEventListener("click", () => {
      const replies = thread.querySelector(".replies");
      replies.hidden = !replies.hidden;
      toggle.setAttribute("aria-expanded", String(!replies.hidden));
      if (!replies.hidden) replies.lastElementChild?.scrollIntoView({ block: "nearest" });
    });
    parent.querySelector(".main").appendChild(thread);
  }
  const replies = thread.querySelector(".replies");
  replies.appendChild(node);
  const n = replies.children.length;
  thread.querySelector(".replies-toggle").textContent =
    `${n} ${n === 1 ? "reply" : "replies"} · last reply ${clock(Number(node.dataset.at))}`;
  reveal(replies.hidden ? parent : node);
}

function whereOf(channel) {
  // a D… channel is the app's DM with you (the last way a result reaches you)
  if (channel.startsWith("D")) return "direct message to you";
  return channel === info.channel ? "" : `in #${channelName(channel)}`;
}

const handlers = {
  reset() {
    conversation.replaceChildren();
    nodes.clear();
    byResponseUrl.clear();
    replaying = true;
  },
  replayed() {
    replaying = false;
    messages.scrollTop = messages.scrollHeight;
  },
  turn({ turn }) {
    if (turn.type === "command") {
      const who = nameOf(turn.user);
      const typed = { blocks: [{ type: "section", text: { type: "plain_text", text: `/images ${turn.text}`, emoji: false } }] };
      add(messageNode({ key: `cmd:${turn.responseUrl}`, who, at: turn.at, body: typed, user: true }));
      // the ack's place, right under the command (filled when the ack, or an answer replacing it, comes)
      const ack = messageNode({
        key: `ack:${turn.responseUrl}`,
        who: "imageops",
        at: turn.at,
        where: "only visible to you",
        ephemeral: true,
      });
      ack.hidden = true;
      conversation.appendChild(ack);
      byResponseUrl.set(turn.responseUrl, ack);
    } else if (turn.type === "ack") {
      const node = nodes.get(`ack:${turn.responseUrl}`);
      // an answer that replaced the ack already is newer than it
      if (node && !node.dataset.replaced) {
        setBody(node, turn.body ?? { text: `(HTTP ${turn.status})` });
        reveal(node);
      }
    } else if (turn.type === "click") {
      const target = nodes.get(turn.target);
      if (target) byResponseUrl.set(turn.responseUrl, target);
    }
  },
  response({ response }) {
    const { url, body, at } = response;
    const target = byResponseUrl.get(url);
    if (target && body.delete_original) target.remove();
    else if (target && body.replace_original) {
      setBody(target, body);
      target.dataset.replaced = "1";
      reveal(target);
    } else {
      const node = messageNode({
        key: `resp:${url}:${at}`,
        who: "imageops",
        at,
        where: body.response_type === "in_channel" ? "" : "only visible to you",
        body,
        ephemeral: body.response_type !== "in_channel",
      });
      byResponseUrl.set(url, node);
      add(node);
    }
  },
  post({ message }) {
    const node = messageNode({
      key: `ts:${message.channel}:${message.ts}`,
      who: "imageops",
      at: message.at,
      where: whereOf(message.channel),
      body: message,
      channel: message.channel,
      ts: message.ts,
    });
    node.dataset.at = String(message.at ?? Date.now());
    node.classList.add("channel-message");
    const parent = message.threadTs && message.threadTs !== message.ts && nodes.get(`ts:${message.channel}:${message.threadTs}`);
    if (parent) {
      node.classList.add("reply");
      reply(parent, node);
    } else add(node);
  },
  update({ message }) {
    const node = nodes.get(`ts:${message.channel}:${message.ts}`);
    if (!node) return;
    // an edit keeps your place, unless you were following the end of the conversation
    const following = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
    setBody(node, message);
    node.querySelector(".edited").textContent = ` · edited ${clock(message.at)}`;
    if (following) reveal(node.closest(".replies")?.hidden ? node.closest(".msg:not(.reply)") : node);
  },
};

// The conversation: replayed from the start on every (re)connection, then live.
const events = new EventSource("/__console/events");
events.onmessage = (e) => {
  const event = JSON.parse(e.data);
  handlers[event.type]?.(event);
};

const turn = (t) => fetch("/__console/turn", { method: "POST", body: JSON.stringify(t) });

async function signedPost(body) {
  const { timestamp, signature } = await (await fetch("/__console/sign", { method: "POST", body })).json();
  const res = await fetch("/slack/events", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": timestamp,
      "x-slack-signature": signature,
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const responseUrl = () => `${info.slackApi}/response/console-${Date.now()}-${++seq}`;

async function send(text) {
  const command = text.trim().replace(/^\/images\b\s*/, "");
  const url = responseUrl();
  // said before it is sent: the ack and the answers find the command in place
  await turn({ type: "command", text: command, user: info.user, channel: info.channel, responseUrl: url });
  const form = new URLSearchParams({
    token: "console",
    team_id: info.teamId,
    team_domain: "local",
    channel_id: info.channel,
    channel_name: channelName(info.channel),
    user_id: info.user,
    user_name: nameOf(info.user),
    command: "/images",
    text: command,
    api_app_id: "A0LOCAL0001",
    response_url: url,
    trigger_id: `${Date.now()}.${++seq}.console`,
  }).toString();
  const ack = await signedPost(form);
  await turn({ type: "ack", responseUrl: url, status: ack.status, body: ack.body });
}

async function click(action, block, holder, button) {
  button.disabled = true;
  const url = responseUrl();
  await turn({ type: "click", responseUrl: url, target: holder.dataset.key });
  const channel = holder.dataset.channel ?? info.channel;
  const payload = {
    type: "block_actions",
    team: { id: info.teamId, domain: "local" },
    user: { id: info.user, username: nameOf(info.user), team_id: info.teamId },
    api_app_id: "A0LOCAL0001",
    token: "console",
    trigger_id: `${Date.now()}.${++seq}.console`,
    container: {
      type: "message",
      message_ts: holder.dataset.ts ?? `${Date.now() / 1000}`,
      channel_id: channel,
      is_ephemeral: !holder.dataset.ts,
    },
    channel: { id: channel, name: channelName(channel) },
    response_url: url,
    actions: [
      {
        type: "button",
        block_id: block.block_id ?? "b",
        action_id: action.action_id,
        value: action.value,
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
  await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

document.getElementById("composer").addEventListener("submit", (e) => {
  e.preventDefault();
  if (!input.value.trim()) return;
  void send(input.value);
  input.value = "";
});
for (const code of document.querySelectorAll(".examples code"))
  code.addEventListener("click", () => {
    input.value = code.textContent;
    input.focus();
  });

// The side panel; below 900 px wide it is a drawer the header's button opens and closes.
const toggle = document.getElementById("panel-toggle");
toggle.addEventListener("click", () => {
  const open = !document.body.classList.contains("panel-open");
  document.body.classList.toggle("panel-open", open);
  toggle.setAttribute("aria-expanded", String(open));
});

// The demo servers of a cloud: a name or an id works in /images create (click one to start the command).
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function serverLines(cloud) {
  const servers = info.servers?.[cloud] ?? [];
  if (!servers.length) return "";
  return `<div class="state">servers (name or id):</div>${servers.map((s) => `<div class="state server"><code data-server="${esc(s.name)}">${esc(s.name)}</code> ${esc(s.id)} · ${esc(s.state)}</div>`).join("")}`;
}

// The side panel: simulator state and fault switches.
async function refreshClouds() {
  const { clouds, slack } = await (await fetch("/__console/state")).json();
  renderSlack(slack);
  const box = document.getElementById("clouds");
  box.replaceChildren(
    ...clouds.map((c) => {
      const el = document.createElement("div");
      el.className = "cloud";
      el.dataset.cloud = c.name;
      const mode = c.faults?.status ? "fail" : c.faults?.latencyMs ? "slow" : "ok";
      el.innerHTML = `<div class="name">${esc(c.name)}</div><div class="state${mode === "ok" ? "" : " bad"}">${esc(c.accounts.join(", ") || "no account")} · ${c.images} images · ${mode === "ok" ? "healthy" : mode === "slow" ? "slow (5 s)" : "failing (503)"}</div>${serverLines(c.name)}`;
      for (const code of el.querySelectorAll("code[data-server]"))
        code.addEventListener("click", () => {
          input.value = `/images create ${c.name} ${code.dataset.server} `;
          input.focus();
        });
      for (const m of ["ok", "slow", "fail"]) {
        const b = document.createElement("button");
        b.textContent = m === "ok" ? "healthy" : m;
        b.dataset.mode = m;
        if (m === mode) b.classList.add("on");
        b.addEventListener("click", async () => {
          await fetch("/__console/faults", { method: "POST", body: JSON.stringify({ cloud: c.name, mode: m }) });
          await refreshClouds();
        });
        el.appendChild(b);
      }
      return el;
    }),
  );
}
const SLACK_LABELS = {
  not_in_channel: `bot not in #${channelName(info.channel)}`,
  slow_auth_test: "auth.test takes 4 s",
  update_429: "chat.update answers 429",
  slow_response_url: "response_url takes 5 s",
};
function renderSlack({ switches, on }) {
  const box = document.getElementById("slack");
  box.replaceChildren(
    ...switches.map((fault) => {
      const el = document.createElement("div");
      el.className = "switch";
      el.dataset.slackFault = fault;
      const active = on.includes(fault);
      el.innerHTML = `<div class="state${active ? " bad" : ""}">${esc(SLACK_LABELS[fault] ?? fault)}</div>`;
      const b = document.createElement("button");
      b.textContent = active ? "turn off" : "turn on";
      if (active) b.classList.add("on");
      b.addEventListener("click", async () => {
        await fetch("/__console/slack-faults", { method: "POST", body: JSON.stringify({ fault, on: !active }) });
        await refreshClouds();
      });
      el.appendChild(b);
      return el;
    }),
  );
}

await refreshClouds();
setInterval(refreshClouds, 3000);
