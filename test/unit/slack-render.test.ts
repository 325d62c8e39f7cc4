import { describe, expect, it } from "vitest";
import { BUTTON_VALUE_MAX, FIELD_TEXT_MAX, SECTION_TEXT_MAX } from "../../shared/slack/limits.js";
import {
  clip,
  confirmMessage,
  existsMessage,
  imageMessage,
  listMessage,
  PAGE_ROWS,
  serversMessage,
  textMessage,
} from "../../shared/slack/render.js";
import { helpText } from "../../functions/slack/commands.js";
import { blocksToText } from "../../shared/slack/text.js";
import { progressMessage } from "../../shared/slack/progress.js";
import type { Image } from "../../shared/model/image.js";

const image = (over: Partial<Image> = {}): Image => ({
  provider: "scp",
  account: "demo",
  region: "kr-west1",
  id: "4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13",
  name: "웹-서버-골든",
  description: "한글 설명",
  kind: "custom",
  visibility: "private",
  status: "creating",
  providerStatus: "saving",
  os: { family: "linux", distro: "rocky", version: "9.4", name: "Rocky Linux 9.4" },
  architecture: "arm64",
  sizeBytes: 10 * 2 ** 30,
  createdAt: "2026-01-04T09:00:00.000Z",
  sourceServerId: "srv-1",
  ...over,
});

type Block = {
  type: string;
  text?: { text: string };
  fields?: Array<{ text: string }>;
  elements?: Array<{ text?: unknown; value?: string; action_id?: string }>;
};
const blocks = (m: { blocks: unknown[] }) => m.blocks as Block[];

/** Every Block Kit limit the renderer promises to stay within. */
function withinSlackLimits(m: { text: string; blocks: unknown[] }) {
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.blocks.length).toBeGreaterThan(0);
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  for (const b of blocks(m)) {
    if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SECTION_TEXT_MAX);
    for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(FIELD_TEXT_MAX);
    expect((b.fields ?? []).length).toBeLessThanOrEqual(10);
    for (const e of b.elements ?? []) {
      if (typeof e.text === "string") expect(e.text.length).toBeLessThanOrEqual(FIELD_TEXT_MAX);
      if (e.value !== undefined) expect(e.value.length).toBeLessThanOrEqual(BUTTON_VALUE_MAX);
    }
  }
}

describe("list", () => {
  it("reads like a table of name, id, OS, status, created and cloud/region", () => {
    const msg = listMessage({ rows: [image()], remaining: 0, more: false, errors: [], filters: "scp --os rocky" });
    const text = blocksToText(msg.blocks);
    expect(text).toContain("*Images (scp --os rocky)*");
    expect(text).toContain(
      "*웹-서버-골든*  `4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13`  ·  custom  ·  Rocky Linux 9.4  ·  creating  ·  2026-01-04  ·  scp/kr-west1",
    );
    expect(text).not.toMatch(/more — narrow/);
    expect(blocks(msg).some((b) => b.type === "actions")).toBe(false);
    withinSlackLimits(msg);
  });

  it("says when nothing matched", () => {
    const msg = listMessage({ rows: [], remaining: 0, more: false, errors: [], filters: "--name nothing" });
    expect(blocksToText(msg.blocks)).toContain("No images match --name nothing");
    withinSlackLimits(msg);
  });

  it("stays within Slack's limits with a screenful of very long names and many cloud errors", () => {
    const rows = Array.from({ length: PAGE_ROWS }, (_, i) => image({ id: `id-${i}`, name: `이미지-${"가".repeat(250)}-${i}` }));
    const errors = Array.from({ length: 3 }, (_, i) => ({
      provider: "ncp" as const,
      account: `a${i}`,
      region: "KR",
      code: "PROVIDER_ERROR" as const,
      message: "x".repeat(3000),
    }));
    const msg = listMessage({ rows, remaining: 40, more: false, nextValue: "{}", errors, filters: "", narrow: ["--os", "--name"] });
    withinSlackLimits(msg);
    const text = blocksToText(msg.blocks);
    for (let i = 0; i < PAGE_ROWS; i++) expect(text).toContain(`\`id-${i}\``);
    expect(text).toContain("40 more — narrow with --os or --name");
  });

  it("drops the Next button rather than send a value Slack would refuse", () => {
    const msg = listMessage({
      rows: [image()],
      remaining: 3,
      more: true,
      nextValue: "x".repeat(BUTTON_VALUE_MAX + 1),
      errors: [],
      filters: "",
      narrow: ["--os", "--name"],
    });
    expect(blocks(msg).some((b) => b.type === "actions")).toBe(false);
    expect(blocksToText(msg.blocks)).toContain("3+ more — narrow with --os or --name");
  });
});

describe("show", () => {
  it("gives one image's details as fields", () => {
    const msg = imageMessage(image());
    const fields = blocks(msg)
      .flatMap((b) => b.fields ?? [])
      .map((f) => f.text);
    expect(fields).toEqual([
      "*Id*\n`4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13`",
      "*Status*\ncreating (saving)",
      "*Cloud*\nscp / demo / kr-west1",
      "*Kind*\ncustom, private",
      "*OS*\nRocky Linux 9.4",
      "*Architecture*\narm64",
      "*Size*\n10.0 GiB",
      "*Created*\n2026-01-04T09:00:00.000Z",
      "*Source server*\n`srv-1`",
    ]);
    expect(blocksToText(msg.blocks)).toContain("한글 설명");
    withinSlackLimits(msg);
  });

  it("clips a description past Slack's section limit", () => {
    withinSlackLimits(imageMessage(image({ description: "설".repeat(4000), sourceServerId: null, sizeBytes: null, createdAt: null })));
  });
});

describe("create confirmation", () => {
  const checks = [{ name: "server-state", ok: true, message: "state RUN can be imaged" }];

  it("carries the request in the Confirm button", () => {
    const request = { provider: "ncp" as const, serverId: "1234567", name: "web-golden", description: "한글 설명" };
    const msg = confirmMessage(request, checks, JSON.stringify(request));
    const confirm = blocks(msg)
      .find((b) => b.type === "actions")!
      .elements!.find((e) => e.action_id === "images_create_confirm")!;
    expect(JSON.parse(confirm.value!)).toEqual(request);
    expect(blocksToText(msg.blocks)).toContain(":white_check_mark: *server-state* — state RUN can be imaged");
    withinSlackLimits(msg);
  });

  it("offers no Confirm when the request would not fit a button, and says why", () => {
    const request = { provider: "ncp" as const, serverId: "1", name: "web", description: "설".repeat(2100) };
    const msg = confirmMessage(request, checks, JSON.stringify(request));
    expect(blocks(msg).some((b) => b.type === "actions")).toBe(false);
    expect(blocksToText(msg.blocks)).toMatch(/too long for Slack's Confirm button/);
    withinSlackLimits(msg);
  });
});

describe("text", () => {
  it("splits long text into sections within the limit", () => {
    const msg = textMessage(Array.from({ length: 100 }, (_, i) => `line ${i} ${"x".repeat(100)}`).join("\n"));
    expect(blocks(msg).length).toBeGreaterThan(1);
    withinSlackLimits(msg);
    expect(blocksToText(msg.blocks)).toContain("line 99");
  });

  it("help fits in a message", () => withinSlackLimits(textMessage(helpText("x".repeat(200), "list"))));

  it("clip never splits an emoji", () => {
    expect(clip("ab😀cd", 4)).toBe("ab…");
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("가나다라", 3)).toBe("가나…");
  });
});

describe("progress card", () => {
  const started = "2026-01-04T09:00:00.000Z";
  const at = (minutes: number) => Date.parse(started) + minutes * 60_000;
  const who = { requester: "U0REQUEST1", serverId: "srv-1", operation: "img-scp-0123" };

  it("names the requester, the source server and the cloud/account/region for everyone in the channel", () => {
    const msg = progressMessage(image(), started, at(4), who);
    const text = blocksToText(msg.blocks);
    expect(text).toContain("*Requested by*: <@U0REQUEST1>");
    expect(text).toContain("*Source server*: `srv-1`");
    expect(text).toContain("*Cloud*: scp / demo / kr-west1");
    expect(text).toContain("Operation `img-scp-0123`");
    expect(msg.text).toMatch(/^:hourglass_flowing_sand: Creating image \*웹-서버-골든\* — creating \(saving\), 4m 00s elapsed$/);
    withinSlackLimits(msg);
  });

  it("never stays at Creating when tracking ends without success: failed, stopped, timed out each say so and what to do", () => {
    const failed = progressMessage(image({ status: "failed", providerStatus: "killed" }), started, at(9), who);
    expect(failed.text).toMatch(/failed — failed \(killed\), 9m 00s elapsed — the cloud reports killed/);
    expect(blocksToText(failed.blocks)).toMatch(
      /What to do: Check the server in the scp console, delete the failed image, then run `\/images create` again/,
    );

    const stopped = progressMessage(image(), started, at(20), {
      ...who,
      end: { kind: "stopped", reason: "the cloud kept failing (PROVIDER_UNAVAILABLE)" },
    });
    expect(stopped.text).toMatch(
      /^:warning: Tracking of image \*웹-서버-골든\* stopped — creating \(saving\), 20m 00s elapsed — the cloud kept failing/,
    );
    expect(blocksToText(stopped.blocks)).toContain(
      "What to do: Nobody is watching it any more: the image may still be creating. Check it with `/images show scp 4c8e2a6b-1d3f-4a5b-9c7d-2e4f6a8b0c13`; repeating the same `/images create` tracks it again.",
    );

    const timedOut = progressMessage(image(), started, at(360), { ...who, end: { kind: "timed-out" } });
    expect(timedOut.text).toMatch(/is still creating after 6h 00m: tracking timed out/);
    expect(blocksToText(timedOut.blocks)).toMatch(
      /What to do: Check it with `\/images show scp .*`; repeating the same `\/images create` tracks it again. If it stays creating, look at it in the scp console/,
    );

    for (const m of [failed, stopped, timedOut]) {
      expect(m.text).not.toMatch(/Creating image/);
      withinSlackLimits(m);
    }
    const available = progressMessage(image({ status: "available", providerStatus: "active" }), started, at(7), who);
    expect(available.text).toMatch(/is available — available \(active\), 7m 00s elapsed$/);
    expect(blocksToText(available.blocks)).not.toContain("What to do");
  });

  it("stays within Slack's limits with a name and reason at their longest", () => {
    withinSlackLimits(
      progressMessage(image({ name: "가".repeat(255), id: "i".repeat(128) }), started, at(1), {
        ...who,
        serverId: "s".repeat(128),
        end: { kind: "stopped", reason: "x".repeat(5000) },
      }),
    );
  });
});

describe("servers and an existing image stay within Block Kit's limits", () => {
  const errors = Array.from({ length: 6 }, (_, i) => ({
    provider: "scp" as const,
    account: "x".repeat(64),
    region: `kr-west${i}`,
    code: "PROVIDER_TIMEOUT" as const,
    message: `scp: no answer within the time limit (waited 10.0 s over 2 attempts) ${"y".repeat(3000)}`,
  }));

  it("a long server list, with every cloud's failure said first", () => {
    const servers = Array.from({ length: 120 }, (_, i) => ({
      provider: "ncp",
      account: "demo",
      region: "KR",
      id: String(1_000_000 + i),
      name: `${"서버-".repeat(80)}${i}`,
      providerStatus: "RUN",
    }));
    const m = serversMessage(servers, { errors, filters: "ncp", cannotCreate: ["iwinv"] });
    withinSlackLimits(m);
    expect(blocksToText(m.blocks).split("\n")[0]).toMatch(
      /^:warning: \*scp\/x+\/kr-west0 could not be read\*: PROVIDER_TIMEOUT — no answer/,
    );
    expect(blocksToText(m.blocks)).toMatch(/80 more — narrow with --name/);
  });

  it("an existing image at its longest", () => {
    const m = existsMessage(image({ name: "가".repeat(255), description: "d".repeat(5000), status: "available" }), {
      operation: `img-ncp-${"0".repeat(40)}-999`,
      user: "U0LOCAL001",
      at: "2026-01-04T09:00:00.000Z",
    });
    withinSlackLimits(m);
    expect(blocksToText(m.blocks)).toMatch(/^:information_source: Already exists: image \*가+…?\* \(`4c8e2a6b-/);
    expect(blocksToText(m.blocks)).toContain("by <@U0LOCAL001>");
  });

  it("a list whose one cloud failed says so and no 'No images match'", () => {
    const m = listMessage({ rows: [], remaining: 0, more: false, errors: errors.slice(0, 1), filters: "scp", allFailed: true });
    withinSlackLimits(m);
    expect(blocksToText(m.blocks)).not.toMatch(/No images match/);
    expect(m.text).toBe("scp could not be read; no images shown");
  });
});
