import { describe, expect, it } from "vitest";
import { COMMANDS, helpText, parseCommand } from "../../functions/slack/commands.js";
import { tokenize } from "../../shared/slack/grammar.js";
import { confirmMessage, imageRow, listMessage } from "../../shared/slack/render.js";
import { slackSignature, verifySlackRequest } from "../../shared/slack/signature.js";
import { blocksToText } from "../../shared/slack/text.js";
import type { Image } from "../../shared/model/image.js";
import { parse as parseYaml } from "yaml";
import { readFileSync } from "node:fs";

describe("/images grammar", () => {
  it("parses every command of the table", () => {
    expect(parseCommand("list ncp --os ubuntu --name web --scope custom --account a --region KR")).toEqual({
      ok: true,
      command: "list",
      args: { query: { provider: "ncp", os: "ubuntu", name: "web", scope: "custom", account: "a", region: "KR" } },
    });
    expect(parseCommand("list")).toEqual({ ok: true, command: "list", args: { query: {} } });
    expect(parseCommand("SHOW NCP 123")).toEqual({ ok: true, command: "show", args: { provider: "ncp", id: "123" } });
    expect(parseCommand('create scp srv-1 "web golden" --description "한글 설명, with spaces"')).toEqual({
      ok: true,
      command: "create",
      args: { provider: "scp" as const, serverId: "srv-1", name: "web golden", description: "한글 설명, with spaces" },
    });
    expect(parseCommand("create ncp 1 web --description “smart quotes”")).toMatchObject({
      ok: true,
      args: { description: "smart quotes" },
    });
    expect(parseCommand("audit")).toEqual({ ok: true, command: "audit", args: { kind: "run" } });
    expect(parseCommand("delete scp 4c8e2a6b --region kr-west1")).toEqual({
      ok: true,
      command: "delete",
      args: { provider: "scp", id: "4c8e2a6b", region: "kr-west1" },
    });
    expect(parseCommand("policy list")).toEqual({ ok: true, command: "policy", args: { action: "list" } });
    expect(parseCommand("policy run demo-web-golden")).toEqual({
      ok: true,
      command: "policy",
      args: { action: "run", name: "demo-web-golden" },
    });
    expect(parseCommand("")).toEqual({ ok: true, command: "help", args: {} });
  });

  it.each([
    ["toString", /"toString" is not a command/],
    ["list --__proto__ x", /no option --__proto__/],
    ["show ncp", /show needs <id>/],
    ["show ncp 1 2", /"2" is one too many/],
    ["list gcp", /must be one of ncp, scp, iwinv/],
    ["list --os", /--os needs a value/],
    ['create ncp 1 "half', /quote is not closed/],
    ["delete ncp", /delete needs <id>/],
    ["policy", /policy needs <action>/],
    ["policy run", /policy run needs <name>/],
    ["policy list web", /policy list takes no name/],
    ["policy stop web", /<action> must be one of list, run/],
  ])("says exactly what is wrong with %j", (text, problem) => {
    const out = parseCommand(text);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.error).toMatch(problem);
  });

  it("help lists every command of the table; a problem with no command in question names them in one line", () => {
    const help = helpText();
    for (const c of Object.values(COMMANDS)) expect(help).toContain(c.usage);
    const oops = helpText("oops");
    expect(oops.startsWith(":warning: oops")).toBe(true);
    for (const name of Object.keys(COMMANDS)) expect(oops).toContain(`\`${name}\``);
    expect(oops.split("\n").length).toBeLessThanOrEqual(3);
  });

  it("tokenizes quotes of every kind", () => {
    expect(tokenize(`a "b c" 'd e' “f g” ‘h i’`)).toEqual(["a", "b c", "d e", "f g", "h i"]);
  });
});

const image: Image = {
  provider: "ncp",
  account: "demo",
  region: "KR",
  id: "31000001",
  name: "web<base>",
  description: null,
  kind: "custom",
  visibility: "private",
  status: "available",
  providerStatus: "CREAT",
  os: { family: "linux", distro: "ubuntu", version: "24.04", name: null },
  architecture: "x86_64",
  sizeBytes: 1,
  createdAt: "2025-05-02T04:20:00.000Z",
  sourceServerId: null,
};

describe("rendering", () => {
  it("a row reads like a table line and escapes Slack markup", () => {
    expect(imageRow(image)).toBe(
      ":large_green_circle: *web&lt;base&gt;*  `31000001`  ·  custom  ·  Ubuntu 24.04  ·  available  ·  2025-05-02  ·  ncp/KR",
    );
  });

  it("a list says how many more and offers the next page", () => {
    const msg = listMessage({
      rows: [image],
      remaining: 20,
      more: true,
      nextValue: "{}",
      errors: [{ provider: "scp", account: "demo", region: "kr-west1", code: "PROVIDER_TIMEOUT", message: "slow" }],
      filters: "ncp",
      narrow: ["--os", "--name", "--scope custom"],
    });
    const text = blocksToText(msg.blocks);
    expect(text).toContain("20+ more — narrow with --os, --name or --scope custom");
    expect(text).toContain("[ Next page ]");
    expect(text).toContain(":warning: *scp/demo/kr-west1 could not be read*: PROVIDER_TIMEOUT — slow");
  });

  it("a confirmation offers Confirm/Cancel only when every check passed", () => {
    const req = { provider: "ncp" as const, serverId: "1", name: "web" };
    expect(blocksToText(confirmMessage(req, [{ name: "server", ok: true, message: "ok" }], "{}").blocks)).toContain(
      "[ Confirm ] [ Cancel ]",
    );
    expect(blocksToText(confirmMessage(req, [{ name: "server", ok: false, message: "gone" }], "{}").blocks)).not.toContain("Confirm");
  });
});

describe("Slack request signature", () => {
  it("matches Slack's documented example", () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    expect(slackSignature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body)).toBe(
      "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    );
    expect(
      verifySlackRequest(
        "8f742231b10e8888abcd99yyyzzz85a5",
        { timestamp: "1531420618", signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" },
        body,
        1531420618 + 299,
      ),
    ).toEqual({ ok: true });
    expect(
      verifySlackRequest(
        "8f742231b10e8888abcd99yyyzzz85a5",
        { timestamp: "1531420618", signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503" },
        body,
        1531420618 - 301,
      ).ok,
    ).toBe(false);
  });
});

describe("Slack app manifest", () => {
  it("declares the slash command, interactivity and exactly the scopes the code uses", () => {
    const manifest = parseYaml(readFileSync(new URL("../../infra/slack-manifest.yaml", import.meta.url), "utf8"));
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(["/images"]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // chat:write.public: public channels the bot was not invited to (https://docs.slack.dev/reference/scopes/chat.write.public)
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(["chat:write", "chat:write.public", "commands"]);
    // the DM fallback is readable in the app's Messages tab
    expect(manifest.features.app_home).toMatchObject({ messages_tab_enabled: true });
  });
});

describe("/images help", () => {
  it("help <command> shows that command's options from the table", () => {
    const parsed = parseCommand("help list");
    expect(parsed).toEqual({ ok: true, command: "help", args: { command: "list" } });
    const help = helpText(undefined, "list");
    for (const flag of Object.keys(COMMANDS.list.flags)) expect(help).toContain(`\`--${flag}\``);
  });

  it("a mistake names its command, so the help can show that command's options", () => {
    const out = parseCommand("create ncp 1 web --colour red");
    expect(out).toMatchObject({ ok: false, command: "create" });
    expect(helpText("x", "create")).toContain("*Usage of create*");
    expect(helpText("x", "create")).toContain("`--description`");
  });

  it("refuses an option given twice", () => {
    expect(parseCommand("list --os ubuntu --os rocky")).toMatchObject({ ok: false, error: "--os is given twice" });
  });

  it("takes --flag=value and Korean values", () => {
    expect(parseCommand("list --name=웹서버 --os=ubuntu")).toEqual({
      ok: true,
      command: "list",
      args: { query: { name: "웹서버", os: "ubuntu" } },
    });
  });
});

// issue #26 item 6: a typo gets the nearest command or value, and the usage of that one command
describe("typos", () => {
  it.each([
    ["lsit", /"lsit" is not a command — did you mean `list`\?/, "list"],
    ["creat ncp web-01 web-golden", /"creat" is not a command — did you mean `create`\?/, "create"],
    ["list nccp", /<provider> must be one of ncp, scp, iwinv, not "nccp" — did you mean `ncp`\?/, "list"],
    ["list --os ubunto", /"ubunto" is not a distro imageops knows — did you mean `ubuntu`\? \(it knows ubuntu, rocky, /, "list"],
    ["list --scope custum", /--scope is one of public, custom, all, not "custum" — did you mean `custom`\?/, "list"],
    ["list --nmae web", /list has no option --nmae — did you mean --name\?/, "list"],
    ["help craete", /did you mean `create`\?/, "help"],
  ])("%j: names what was meant", (text, problem, command) => {
    const out = parseCommand(text);
    expect(out).toMatchObject({ ok: false, command });
    if (out.ok) return;
    expect(out.error).toMatch(problem);
    // the answer is that command's usage alone, not every command's
    const help = helpText(out.error, out.command);
    expect(help).toContain(COMMANDS[out.command!].usage);
    const others = Object.entries(COMMANDS).filter(([name]) => name !== out.command);
    for (const [, c] of others) expect(help).not.toContain(c.usage);
    expect(help.split("\n").length).toBeLessThan(14);
  });

  it("a word near no command gets the command names, not the whole usage", () => {
    const out = parseCommand("frobnicate");
    expect(out).toEqual({ ok: false, error: '"frobnicate" is not a command' });
    const help = helpText(!out.ok ? out.error : "", undefined);
    expect(help).toMatch(/Commands: `list`, `show`, `create`, `servers`/);
    expect(help).not.toContain(COMMANDS.create.usage);
  });

  it("an OS is taken as people write it", () => {
    expect(parseCommand("list --os Ubuntu")).toMatchObject({ ok: true, args: { query: { os: "Ubuntu" } } });
    expect(parseCommand('list --os "rocky linux"')).toMatchObject({ ok: true });
    expect(parseCommand("list --scope CUSTOM")).toMatchObject({ ok: true, args: { query: { scope: "custom" } } });
  });

  it("help create gives the name rules of each cloud and who may create", () => {
    const out = parseCommand("help create");
    expect(out).toEqual({ ok: true, command: "help", args: { command: "create" } });
    const help = COMMANDS.help.answer!({ command: "create" }, { creators: ["U0LOCAL001", "U0OTHER999"] });
    expect(help).toContain("*Usage of create*");
    expect(help).toMatch(/• ncp: 3–30 characters/);
    expect(help).toMatch(/• scp: 1–255 characters/);
    expect(help).toMatch(/iwinv's API cannot create images \(use the iwinv console\)/);
    expect(help).toContain("*Who may create images:* <@U0LOCAL001>, <@U0OTHER999> (IMAGE_CREATORS)");
    expect(COMMANDS.help.answer!({ command: "create" }, { creators: [] })).toContain("nobody here yet: IMAGE_CREATORS is not set");
    // a usage error stays short: no rules
    expect(helpText("x", "create")).not.toContain("Who may");
  });
});
