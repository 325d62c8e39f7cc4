// The local Slack console: sends signed slash commands and button clicks to /slack/events as
// Slack would, and renders what the bot answers and posts, applying chat.update in place.
const messages = document.getElementById("messages");
const input = document.getElementById("command");
const info = await (await fetch("/__local")).json();
let seq = 0;
/** response_url → the message a replace_original answer replaces */
const byResponseUrl = new Map();
/** channel message ts → its DOM node */
const byTs = new Map();

// Slack emoji codes as symbols every font has (no emoji font needed), colored like Slack's.
const dot = (color) => `<span style="color:${color}">●</span>`;
const EMOJI = {
  large_green_circle: dot("#2eb67d"),
  red_circle: dot("#e01e5a"),
  white_circle: dot("#bbb"),
  large_orange_circle: dot("#ecb22e"),
  large_blue_circle: dot("#36c5f0"),
  white_check_mark: '<span style="color:#2eb67d">✔</span>',
  x: '<span style="color:#e01e5a">✘</span>',
  warning: '<span style="color:#ecb22e">⚠</span>',
  hourglass_flowing_sand: dot("#ecb22e"),
  mag: "›",
  rocket: "➜",
  no_entry: '<span style="color:#e01e5a">⊘</span>',
  clipboard: "☐",
  construction: "⚠",
  information_source: '<span style="color:#1264a3">ⓘ</span>',
  hourglass: "…",
  wastebasket: "✕",
  grey_question: "?",
  gear: "⚙",
  camera_with_flash: "◉",
};
const esc = (s) =>
  s
    .replace(/&(?!(amp|lt|gt);)/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
function mrkdwn(text = "") {
  return esc(text)
    .replace(/&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;/g, "$1")
    .replace(/&lt;@(U[A-Z0-9]+)&gt;/g, "<b>@$1</b>")
    .replace(/&lt;#(C[A-Z0-9]+)&gt;/g, "<b>#$1</b>")
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*([^*\n]+)\*/g, "<b>$1</b>")
    .replace(/(^|\s)_([^_\n]+)_/g, "$1<i>$2</i>")
    .replace(/:([a-z_]+):/g, (m, name) => EMOJI[name] ?? m);
}
const plain = (t) => (typeof t === "string" ? t : (t?.text ?? ""));

function renderBlocks(body, holder) {
  const blocks = body.blocks?.length ? body.blocks : [{ type: "section", text: { text: body.text ?? "" } }];
  const out = document.createElement("div");
  for (const b of blocks) {
    const el = document.createElement("div");
    el.className = `block ${b.type}`;
    if (b.type === "section") {
      if (b.text) el.innerHTML = mrkdwn(b.text.text);
      if (b.fields) {
        const grid = document.createElement("div");
        grid.className = "fields";
        grid.innerHTML = b.fields.map((f) => `<div>${mrkdwn(f.text)}</div>`).join("");
        el.appendChild(grid);
      }
    } else if (b.type === "context") el.innerHTML = b.elements.map((e) => mrkdwn(plain(e.text ?? e))).join(" ");
    else if (b.type === "divider") el.innerHTML = '<hr class="divider">';
    else if (b.type === "actions") {
      for (const a of b.elements) {
        const button = document.createElement("button");
        button.textContent = plain(a.text);
        if (a.style === "primary" || a.style === "danger") button.className = a.style;
        button.dataset.actionId = a.action_id;
        // a button's own confirmation dialog, as Slack shows it before sending the click
        button.addEventListener(
          "click",
          () => (!a.confirm || window.confirm(`${plain(a.confirm.title)}\n\n${plain(a.confirm.text)}`)) && click(a, holder, button),
        );
        el.appendChild(button);
      }
    }
    out.appendChild(el);
  }
  return out;
}

function addMessage({ who, meta, body, ephemeral, user }) {
  const node = document.createElement("div");
  node.className = `msg${user ? " user" : ""}`;
  node.innerHTML = `<div class="avatar">${user ? "U" : "io"}</div><div><div class="who">${who}<span class="meta">${meta ?? ""}</span></div><div class="content${ephemeral ? " ephemeral" : ""}"></div></div>`;
  messages.appendChild(node);
  setBody(node, body);
  messages.scrollTop = messages.scrollHeight;
  return node;
}
function setBody(node, body) {
  const content = node.querySelector(".content");
  content.replaceChildren(renderBlocks(body, node));
}
const time = () => new Date().toLocaleTimeString();

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
  addMessage({ who: "you", meta: time(), body: { text: `/images ${command}` }, user: true });
  const url = responseUrl();
  const form = new URLSearchParams({
    token: "console",
    team_id: info.teamId,
    team_domain: "local",
    channel_id: info.channel,
    channel_name: "imageops",
    user_id: info.user,
    user_name: "you",
    command: "/images",
    text: command,
    api_app_id: "A0LOCAL0001",
    response_url: url,
    trigger_id: `${Date.now()}.${++seq}.console`,
  }).toString();
  const ack = await signedPost(form);
  const node = addMessage({
    who: "imageops",
    meta: `${time()} · only visible to you`,
    body: ack.body ?? { text: `(HTTP ${ack.status})` },
    ephemeral: true,
  });
  byResponseUrl.set(url, node);
}

async function click(action, holder, button) {
  button.disabled = true;
  const url = responseUrl();
  byResponseUrl.set(url, holder);
  const payload = {
    type: "block_actions",
    team: { id: info.teamId, domain: "local" },
    user: { id: info.user, username: "you", team_id: info.teamId },
    api_app_id: "A0LOCAL0001",
    token: "console",
    trigger_id: `${Date.now()}.${++seq}.console`,
    container: {
      type: "message",
      message_ts: holder.dataset.ts ?? `${Date.now() / 1000}`,
      channel_id: info.channel,
      is_ephemeral: !holder.dataset.ts,
    },
    channel: { id: info.channel, name: "imageops" },
    response_url: url,
    actions: [{ type: "button", block_id: "b", action_id: action.action_id, value: action.value, action_ts: `${Date.now() / 1000}` }],
  };
  await signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

// What the bot does through the Slack API and response_url, live.
const events = new EventSource("/__console/events");
events.onmessage = (e) => {
  const event = JSON.parse(e.data);
  if (event.type === "response") {
    const { url, body } = event.response;
    const target = byResponseUrl.get(url);
    if (target && body.replace_original) setBody(target, body);
    else
      byResponseUrl.set(
        url,
        addMessage({
          who: "imageops",
          meta: `${time()}${body.response_type === "in_channel" ? "" : " · only visible to you"}`,
          body,
          ephemeral: body.response_type !== "in_channel",
        }),
      );
  } else if (event.type === "post") {
    // a D… channel is the app's DM with you (the last way a result reaches you)
    const dm = event.message.channel.startsWith("D");
    const node = addMessage({
      who: "imageops",
      meta: `${time()}${dm ? " · direct message to you" : event.message.channel !== info.channel ? ` · in ${event.message.channel}` : ""}`,
      body: event.message,
    });
    node.dataset.ts = event.message.ts;
    node.classList.add("channel-message");
    byTs.set(event.message.ts, node);
  } else if (event.type === "update") {
    const node = byTs.get(event.message.ts);
    if (node) {
      setBody(node, event.message);
      node.querySelector(".meta").textContent = `${time()} (edited)`;
    }
  }
};

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

// The demo servers of a cloud: a name or an id works in /images create (click one to start the command).
const attr = (s) => esc(s).replace(/"/g, "&quot;");
function serverLines(cloud) {
  const servers = info.servers?.[cloud] ?? [];
  if (!servers.length) return "";
  return `<div class="state">servers (name or id):</div>${servers.map((s) => `<div class="state server"><code data-server="${attr(s.name)}">${esc(s.name)}</code> ${esc(s.id)} · ${esc(s.state)}</div>`).join("")}`;
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
      el.innerHTML = `<div class="name">${c.name}</div><div class="state${mode === "ok" ? "" : " bad"}">${c.accounts.join(", ") || "no account"} · ${c.images} images · ${mode === "ok" ? "healthy" : mode === "slow" ? "slow (5 s)" : "failing (503)"}</div>${serverLines(c.name)}`;
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
  not_in_channel: "bot not in #imageops",
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
      el.innerHTML = `<div class="state${active ? " bad" : ""}">${SLACK_LABELS[fault] ?? fault}</div>`;
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
