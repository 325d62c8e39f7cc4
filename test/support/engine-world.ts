/**
 * A world for the operation engine with no simulator: a clock that moves only when told or when
 * the engine waits, the operations table in memory (./memory-store.ts), a tracker whose runs a
 * test steps or kills, and a cloud that is eventually consistent (reads and lists lag a create
 * and a delete by `lagMs`), can lose an answer after acting, refuse, or answer 404 to a DELETE
 * without acting. Each request is a process whose every port call (store, cloud, tracker) may be
 * the one at which it dies — before the call, or after the call took effect but before its answer.
 * Port calls can be handed to fast-check's scheduler, which interleaves concurrent processes.
 */
import { ImageOpsError } from "../../shared/model/errors.js";
import { type Image, type ProviderName, unknownImage } from "../../shared/model/image.js";
import type { EngineDeps } from "../../shared/operations/engine.js";
import type { OperationStore, StoredRecord } from "../../shared/operations/store.js";
import type { CallContext, DeleteTarget, ProviderAdapter, Server } from "../../shared/providers/types.js";
import type { Runtime } from "../../shared/runtime.js";
import type { Tracker, TrackInput } from "../../shared/tracking/types.js";
import type { MemoryStore } from "./memory-store.js";

export const T0 = Date.parse("2026-12-01T00:00:00Z");
export const SERVERS = ["1000001", "1000002"] as const;

/** What a process was told to die of: at its n-th port call, before it (nothing done) or after it (done, answer lost). */
export interface Death {
  atCall: number;
  afterEffect: boolean;
}

/** What the cloud does with one process's create or delete. */
export type CloudFault = "none" | "lost" | "refused" | "not-found" | "fails";

export class Died extends Error {
  constructor() {
    super("the process died");
    this.name = "Died";
  }
}

export class Clock {
  constructor(public t = T0) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += Math.max(0, Math.round(ms));
  }
}

interface TruthImage {
  id: string;
  name: string;
  serverId: string;
  createdAt: number;
  readyAt: number;
  outcome: "available" | "failed";
  deletedAt?: number;
}

/** The cloud's truth, and what it shows through its lag. */
export class CloudModel {
  readonly images = new Map<string, TruthImage>();
  /** what the invariants read: every create and DELETE the cloud received */
  readonly creates: Array<{ name: string; serverId: string; at: number; made?: string; clashedWith?: string }> = [];
  readonly deletes: Array<{ imageId: string; at: number; took: boolean; afterTaken: boolean }> = [];
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    readonly options: {
      lagMs: number;
      createMs: number;
      duplicateNames: "accept" | "refuse";
      serverShown: boolean;
      /** where its images are (what an image says of its account and region) */
      account?: string;
      region?: string;
    },
  ) {}

  private shown(i: TruthImage): boolean {
    const now = this.clock.now();
    if (now < i.createdAt + this.options.lagMs) return false;
    return i.deletedAt === undefined || now < i.deletedAt + this.options.lagMs;
  }

  /** An image of this name that still stands for it: not deleted, and not known to have failed. */
  private standing(name: string, now: number): TruthImage | undefined {
    return [...this.images.values()].find(
      (i) => i.name === name && i.deletedAt === undefined && !(i.outcome === "failed" && now >= i.readyAt),
    );
  }

  view(i: TruthImage): Image {
    const now = this.clock.now();
    const status = now < i.readyAt ? "creating" : i.outcome;
    return {
      ...unknownImage({
        provider: "ncp",
        account: this.options.account ?? "model",
        region: this.options.region ?? "R1",
        id: i.id,
        name: i.name,
      }),
      status,
      providerStatus: status,
      createdAt: new Date(i.createdAt).toISOString(),
      // a cloud that names an image's server (NCP member images, SCP's instance_uuid), or one that does not (NCP KVM)
      sourceServerId: this.options.serverShown ? i.serverId : null,
    };
  }

  describe(id: string): Image {
    const i = this.images.get(id);
    if (!i || !this.shown(i)) throw new ImageOpsError("NOT_FOUND", `model: no image ${id}`, { provider: "ncp" });
    return this.view(i);
  }

  byName(name: string): Image[] {
    return [...this.images.values()].filter((i) => i.name === name && this.shown(i)).map((i) => this.view(i));
  }

  create(name: string, serverId: string, fault: CloudFault): Image {
    const now = this.clock.now();
    if (fault === "refused") throw new ImageOpsError("CONFLICT", "model: refused", { provider: "ncp" });
    if (this.options.duplicateNames === "refuse" && this.byName(name).some((i) => i.status !== "failed"))
      throw new ImageOpsError("CONFLICT", `model: name ${name} is taken`, { provider: "ncp" });
    const clash = this.standing(name, now);
    const id = `img-${++this.seq}`;
    this.images.set(id, {
      id,
      name,
      serverId,
      createdAt: now,
      readyAt: now + this.options.createMs,
      outcome: fault === "fails" ? "failed" : "available",
    });
    this.creates.push({ name, serverId, at: now, made: id, ...(clash ? { clashedWith: clash.id } : {}) });
    if (fault === "lost") throw new ImageOpsError("PROVIDER_UNAVAILABLE", "model: 503 after acting", { provider: "ncp" });
    // as the SCP adapter answers an image it cannot read yet: its id and name, nothing invented
    return this.shown(this.images.get(id)!)
      ? this.view(this.images.get(id)!)
      : unknownImage({ provider: "ncp", account: "model", region: "R1", id, name });
  }

  delete(imageId: string, fault: CloudFault): void {
    const now = this.clock.now();
    const i = this.images.get(imageId);
    const afterTaken = i?.deletedAt !== undefined;
    if (fault === "refused") {
      this.deletes.push({ imageId, at: now, took: false, afterTaken });
      throw new ImageOpsError("CONFLICT", "model: refused", { provider: "ncp" });
    }
    if (!i || afterTaken || fault === "not-found") {
      this.deletes.push({ imageId, at: now, took: false, afterTaken });
      throw new ImageOpsError("NOT_FOUND", `model: no image ${imageId}`, { provider: "ncp" });
    }
    i.deletedAt = now;
    this.deletes.push({ imageId, at: now, took: true, afterTaken });
    if (fault === "lost") throw new ImageOpsError("PROVIDER_UNAVAILABLE", "model: 503 after acting", { provider: "ncp" });
  }

  serverOf(imageId: string): string | undefined {
    return this.images.get(imageId)?.serverId;
  }

  failed(imageId: string): boolean {
    const i = this.images.get(imageId);
    return i?.outcome === "failed" && this.clock.now() >= i.readyAt;
  }

  isGone(imageId: string): boolean {
    const i = this.images.get(imageId);
    return !i || i.deletedAt !== undefined;
  }
}

/** A tracker whose runs the test drives: started, stepped, killed (ended with nothing recorded). */
export class ModelTracker implements Tracker {
  readonly runs = new Map<string, { input: TrackInput; status: "running" | "ended" }>();
  async start(input: TrackInput, execution: string): Promise<"started" | "exists"> {
    if (this.runs.has(execution)) return "exists";
    this.runs.set(execution, { input, status: "running" });
    return "started";
  }
  async status(execution: string): Promise<"running" | "ended" | "missing"> {
    return this.runs.get(execution)?.status ?? "missing";
  }
  running(): Array<[string, { input: TrackInput; status: "running" | "ended" }]> {
    return [...this.runs.entries()].filter(([, r]) => r.status === "running");
  }
}

/**
 * One process's life: its port calls counted, each maybe its last, each maybe a point where
 * another process runs; and, like a Lambda invocation, killed at its timeout (`killAt`).
 */
export class Life {
  private calls = 0;
  dead = false;
  killAt = Infinity;
  constructor(
    private readonly death: Death | undefined,
    private readonly yieldPoint: (label: string) => Promise<unknown>,
    private readonly now: () => number = () => 0,
  ) {}

  async call<T>(label: string, f: () => Promise<T> | T): Promise<T> {
    if (this.dead) throw new Died();
    await this.yieldPoint(label);
    if (this.now() >= this.killAt) this.dead = true;
    if (this.dead) throw new Died();
    this.calls++;
    if (this.death && this.calls === this.death.atCall) {
      this.dead = true;
      if (this.death.afterEffect) await Promise.resolve(f()).catch(() => undefined);
      throw new Died();
    }
    return f();
  }
}

/** The store as one process sees it. */
function storeOf(store: MemoryStore, life: Life): OperationStore {
  return {
    get: <R extends StoredRecord>(key: string, sort?: string) => life.call(`get ${key}`, () => store.get<R>(key, sort)),
    put: (record, expected) => life.call(`put ${record.key}`, () => store.put(record, expected)),
    query: <R extends StoredRecord>(key: string, prefix: string, o?: { newestFirst?: boolean; limit?: number }) =>
      life.call(`query ${key}`, () => store.query<R>(key, prefix, o)),
  };
}

/** The cloud as one process's adapter: every call through its life, its create or delete meeting `fault`. */
export function adapterOf(cloud: CloudModel, life: Life, fault: CloudFault, provider: ProviderName = "ncp"): ProviderAdapter {
  // every server id of digits exists (SERVERS are the model's two; a policy at its maximum names twenty)
  const server = (id: string): Server => {
    if (!/^\d+$/.test(id)) throw new ImageOpsError("NOT_FOUND", `model: no server ${id}`, { provider });
    return { id, name: `server-${id}`, providerStatus: "RUN", imageable: true };
  };
  return {
    name: provider,
    defaultEndpoint: "http://127.0.0.1:1",
    limits: { concurrency: 10 },
    ids: {
      image: { pattern: /^img-\d+$/, expected: "a model image id" },
      server: { pattern: /^\d+$/, expected: "a model server id (digits)" },
    },
    listImages: async () => [],
    describeImage: (_c, id) => life.call(`describe ${id}`, () => cloud.describe(id)),
    getServer: (_c, id) => life.call(`server ${id}`, () => server(id)),
    findServersByName: async () => [],
    findImagesByName: (_c, name) => life.call(`list ${name}`, () => cloud.byName(name)),
    creator: {
      validateImageName: () => null,
      createImage: (_c, req) => life.call(`create ${req.name}`, () => cloud.create(req.name, req.serverId, fault)),
    },
    deleter: {
      describeForDelete: (_c, id) =>
        life.call(
          `describe ${id}`,
          (): DeleteTarget => ({ image: cloud.describe(id), own: { ok: true, says: "a model image" }, via: "model delete" }),
        ),
      deleteImage: (_c, target) => life.call(`delete ${target.image.id}`, () => cloud.delete(target.image.id, fault)),
      // no server runs a model image; not a step of the model (no effect to interleave)
      serversUsing: async () => ({ servers: [], read: 0 }),
    },
  };
}

export const CTX = { account: { provider: "ncp", name: "model", regions: ["R1"] }, region: "R1" } as unknown as CallContext;

/** Everything a request or a tracking step needs, for one process. */
export function processOf(
  world: { clock: Clock; store: MemoryStore; tracker: ModelTracker; graceMs: number },
  life: Life,
  yieldPoint: (label: string) => Promise<unknown>,
): { rt: Runtime; deps: EngineDeps } {
  const started = world.clock.now();
  // Lambda ends the invocation at its timeout; the runtime's deadline is a second before it (shared/runtime.ts)
  life.killAt = started + 31_000;
  const rt: Runtime = {
    credentials: undefined as never,
    now: world.clock.now,
    deadline: started + 30_000,
    sleep: async (ms) => {
      await yieldPoint(`sleep ${ms}`);
      world.clock.advance(ms);
    },
  };
  const tracker: Tracker = {
    start: (input, execution) => life.call(`start ${execution}`, () => world.tracker.start(input, execution)),
    status: (execution) => life.call(`status ${execution}`, () => world.tracker.status(execution)),
  };
  return { rt, deps: { store: storeOf(world.store, life), tracker, graceMs: world.graceMs } };
}
