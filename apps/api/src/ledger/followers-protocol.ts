import type { SignedCheckpoint } from '@tracelode/log';
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
  /**
   * Keep an EPCIS capture job in the views file (ADR 0031), through the worker's connection: the file's one
   * writer, so the server's thread never waits for its write lock.
   */
  | {
      readonly type: 'keep-capture-job';
      readonly id: number;
      readonly captureId: string;
      readonly orgId: string;
      readonly job: unknown;
    }
  /** Sign a checkpoint covering the first `size` events unless the latest does (the notary's file's one writer). */
  | { readonly type: 'sign-checkpoint'; readonly id: number; readonly size: number }
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
  /**
   * A follower reads the log again after a failure that may pass (`message`: why; none: it follows again),
   * as `LogFollower.interruption` says.
   */
  | { readonly type: 'interrupted'; readonly follower: 'projector' | 'notary'; readonly message?: string }
  /**
   * The answer to the write asked as `id` (`keep-capture-job`, `sign-checkpoint`): `done` (with the
   * checkpoint a `sign-checkpoint` found or signed; none when the tree is short of the size); `stopping`,
   * so the server's thread does it itself; or `failed`, with the store's message.
   */
  | {
      readonly type: 'answered';
      readonly id: number;
      readonly outcome: 'done' | 'stopping' | 'failed';
      readonly checkpoint?: SignedCheckpoint;
      readonly error?: string;
    }
  | { readonly type: 'stopped' };
