import type { HttpClient, ThrottleSignal } from "../http/client.js";
import type { Image, ImageStatus, ProviderName } from "../model/image.js";
import type { Account } from "../secrets.js";
import type { IdShapes } from "./ids.js";

/** What every call of an adapter gets: whose credentials, which region, and the client to use. */
export interface CallContext {
  account: Account;
  region: string;
  http: HttpClient;
}

/** Provider-side filters an adapter may pass to the cloud; the caller filters again afterwards. */
export interface ListFilter {
  scope?: "public" | "custom" | "all";
  os?: string;
  name?: string;
  status?: ImageStatus;
}

export interface Server {
  id: string;
  name: string;
  /** the raw state, e.g. NCP RUN / NSTOP, SCP ACTIVE / SHUTOFF */
  providerStatus: string;
  /** whether an image can be made from the server in this state */
  imageable: boolean;
  /** why not, in words for the user, when the adapter knows more than the state (e.g. an NCP operation under way) */
  reason?: string;
  /** adapter-specific facts needed to create (e.g. NCP hypervisor type) */
  hypervisor?: string;
}

/** A server as a server list shows it: enough to tell servers of the same name apart. */
export type ServerRef = Pick<Server, "id" | "name" | "providerStatus">;

/** What an adapter's create is given: the server, the new image's name and description. */
export interface CreateCall {
  serverId: string;
  name: string;
  description?: string;
  /** the server as the caller has just read it (create's preflight): an adapter that needs it to choose its call need not read it again */
  server?: Server;
}

/**
 * An image as a delete needs to know it: the Image, and what the cloud says of it beyond the
 * contract's fields that decides whether (and how) it can be deleted.
 */
export interface DeleteTarget {
  image: Image;
  /**
   * whether it is positively this account's own custom image, as the adapter reads the cloud's
   * fields (NCP serverImageType SELF or a member image; SCP owner and scp_image_type); `says` is
   * what it read, and why not when it is not. Anything not known to be this account's is not.
   */
  own: { ok: boolean; says: string };
  /**
   * set when the cloud refuses to delete it until a protection is cleared (SCP `protected`): how
   * to clear it, in the adapter's words
   */
  protected?: string;
  /** whom it is shared with (login ids, account or project ids): they lose it too */
  sharedWith?: string[];
  /** set when the adapter could not read with whom it is shared */
  sharingUnknown?: string;
  /** the call that deletes it (NCP: deleteServerImage or deleteMemberServerImageInstances) */
  via: string;
}

/** A cloud's image creation: present only where the cloud documents a call that makes an image from a server. */
export interface ImageCreator {
  /** null when valid, else the reason; with the server, the rule of the call it would be imaged with (NCP: KVM and XEN differ) */
  validateImageName(name: string, server?: Server): string | null;
  /** one request, never retried (the caller resolves ambiguity by looking the name up) */
  createImage(ctx: CallContext, req: CreateCall): Promise<Image>;
  /** set when the cloud's create call has no field for a description: the warning the create preflight shows */
  readonly descriptionNotStored?: string;
}

/** A cloud's image deletion: present only where the cloud documents a call that deletes an image. */
export interface ImageDeleter {
  /** the image and its delete facts; NOT_FOUND when there is none */
  describeForDelete(ctx: CallContext, id: string): Promise<DeleteTarget>;
  /**
   * One delete request, with the cloud's documented retries only (SCP: 409); the caller resolves
   * an ambiguous failure by looking the image up. A NOT_FOUND answer means the image is gone.
   */
  deleteImage(ctx: CallContext, target: DeleteTarget): Promise<void>;
  /**
   * The servers that still use the image, from the cloud's server list (read only before a send:
   * the dry run and a new delete, never while tracking). Throws when the list cannot be read.
   */
  serversUsing(ctx: CallContext, target: DeleteTarget): Promise<ServerUsage>;
}

/** One account an image is shared with, as the cloud lists it. */
export interface ShareMember {
  /** the login id (NCP) or account id (SCP) */
  id: string;
  /** SCP's member status (pending, accepted, rejected); absent where the cloud has none (NCP) */
  status?: string;
}

/** An image as a share needs to know it: the Image, whether it is this account's own, and whom it is shared with now. */
export interface ShareTarget {
  image: Image;
  /** as DeleteTarget's: positively this account's own custom image, and what the adapter read */
  own: { ok: boolean; says: string };
  /** whom the cloud shows it shared with now */
  members: ShareMember[];
  /** the calls that add and remove (NCP: the server-image or the member-image API's) */
  via: { add: string; remove: string };
}

/** A cloud's image sharing: present only where the cloud documents calls that share an image with other accounts. */
export interface ImageSharer {
  /** what a target is, in words ("an NCP login id (the account's e-mail address)") */
  readonly targetForm: string;
  /** null when `target` has the cloud's documented form, else the reason */
  validateTarget(target: string): string | null;
  /** the image and whom it is shared with; NOT_FOUND when there is none */
  describeForShare(ctx: CallContext, id: string): Promise<ShareTarget>;
  /** shares the image with `targets` (none of them listed yet); never retried by the client */
  addTargets(ctx: CallContext, target: ShareTarget, targets: readonly string[]): Promise<void>;
  /** stops sharing the image with `targets` (each of them listed); never retried by the client */
  removeTargets(ctx: CallContext, target: ShareTarget, targets: readonly string[]): Promise<void>;
  /**
   * Set where the receiving account must accept a share (SCP): accepts image `imageId` as member
   * `memberId`, with the RECEIVING account's context (its own keys).
   */
  accept?(memberCtx: CallContext, imageId: string, memberId: string): Promise<void>;
  /** set where a share must be accepted: who must accept and how, when imageops holds no keys of the receiving account */
  acceptHow?(imageId: string, memberId: string): string;
  /** set with `accept`: the target a configured account of this cloud is (SCP: its secret's `accountId`), so its keys can accept */
  targetOf?(account: Account): string | undefined;
}

/** Which servers of the region use an image, as the cloud's server list says. */
export interface ServerUsage {
  servers: ServerRef[];
  /** how many servers the list had */
  read: number;
  /** set when some servers do not say which image they run: how many, in the adapter's words */
  unsure?: string;
}

/** Why a cloud has no such part, in the adapter's words: what its API lacks, and what to do instead. */
export interface Unsupported {
  /** "iwinv's API has no image-creation call" */
  readonly reason: string;
  /** "its Images API offers only Image List and Image Detail (iwinv.md §2.3): create the image in the iwinv console" */
  readonly instead: string;
}

/**
 * One cloud behind one interface. A provider difference lives in its adapter and nowhere else:
 * what it can do is data — a `creator`, a `deleter` and a `sharer` part where the cloud documents such calls,
 * and `unsupported` saying why not where it does not.
 * Errors are ImageOpsError: NOT_FOUND for a missing image/server, provider failures typed.
 */
export interface ProviderAdapter {
  readonly name: ProviderName;
  /** default base URL when the account gives no `endpoint` */
  readonly defaultEndpoint: string;
  /** the shape of the cloud's image and server ids (./ids.ts): any other id is refused before a request */
  readonly ids: IdShapes;
  /** request limits per access key, and the answers besides 429 by which the cloud says it is throttling */
  readonly limits: { concurrency: number; perMinute?: number; throttleSignals?: readonly ThrottleSignal[] };
  listImages(ctx: CallContext, filter?: ListFilter): Promise<Image[]>;
  describeImage(ctx: CallContext, id: string): Promise<Image>;
  getServer(ctx: CallContext, serverId: string): Promise<Server>;
  /** servers named exactly `name` in the region, from the cloud's server list (a user may name a server instead of giving its id) */
  findServersByName(ctx: CallContext, name: string): Promise<ServerRef[]>;
  /** every server of the region, from the same server list (`/images servers`: what a person can image) */
  listServers?(ctx: CallContext): Promise<ServerRef[]>;
  /** custom images with exactly this name (for preflight and for resolving an ambiguous create) */
  findImagesByName(ctx: CallContext, name: string): Promise<Image[]>;
  readonly creator?: ImageCreator;
  readonly deleter?: ImageDeleter;
  readonly sharer?: ImageSharer;
  /** why a part is absent */
  readonly unsupported?: { readonly create?: Unsupported; readonly delete?: Unsupported; readonly share?: Unsupported };
  /** a warning about how the account talks to the cloud (e.g. a deprecated API version), for the audit */
  accountWarning?(account: Account, now: number): string | undefined;
}

/** An adapter that has the named parts (a factory's type says what its cloud can do). */
export type AdapterWith<K extends "creator" | "deleter" | "sharer"> = ProviderAdapter & Required<Pick<ProviderAdapter, K>>;
