import type { KeyObject } from 'node:crypto';

/** What the followers' worker opens (ADR 0029): the files the server writes, and the notary's signing key. */
export interface FollowersWorkerData {
  readonly storeFile: string;
  readonly viewsPath: string;
  readonly integrityPath: string;
  /** The same key the server's thread signs with (a KeyObject crosses threads by postMessage). */
  readonly signingKey: KeyObject;
  readonly checkpoint: { readonly everyEvents: number; readonly everyMs: number };
  /** How long the projector gathers a batch (0: each turn's events at once). */
  readonly viewsGatherMs: number;
}

/** The server's thread to the followers' worker. */
export type ToFollowers =
  /** The server's store has committed events: read them now rather than at the next poll. */
  | { readonly type: 'committed' }
  /** A reader waits for the views or the notary to reach `position` (committed here): stop gathering until then. */
  | { readonly type: 'hurry'; readonly follower: 'projector' | 'notary'; readonly position: string }
  | { readonly type: 'stop' };

/** The followers' worker to the server's thread. */
export type FromFollowers =
  | { readonly type: 'open-failed'; readonly message: string }
  /** The log position the views reflect and the notary's tree size, after a batch applied (or on start). */
  | { readonly type: 'progress'; readonly views: string; readonly tree: number }
  | {
      readonly type: 'failed';
      readonly follower: 'projector' | 'notary';
      readonly name: string;
      readonly message: string;
    }
  | { readonly type: 'stopped' };
