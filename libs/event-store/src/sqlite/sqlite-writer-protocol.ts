import type { EncodedWrite } from '../validate-append';
import type { WireOutcome } from './sqlite-group-writer';

/** What the writer's worker is started with (ADR 0037). */
export interface WriterWorkerData {
  readonly path: string;
  readonly busyTimeoutMs: number;
}

export type ToWriter =
  | { readonly type: 'write'; readonly group: readonly (readonly EncodedWrite[])[] }
  | { readonly type: 'close' };

export type FromWriter =
  /** The group's outcomes; `othersCommitted`: another connection committed since the writer last said. */
  | {
      readonly type: 'written';
      readonly outcomes: readonly WireOutcome[];
      readonly seconds: number;
      /** The worker connection's data_version inside the group (the store's own connection has its own). */
      readonly dataVersion: number;
      readonly othersCommitted: boolean;
    }
  /** A storage fault failed the whole group; nothing of it was written. */
  | { readonly type: 'failed'; readonly message: string }
  /** The writer could not open the file. */
  | { readonly type: 'unavailable'; readonly message: string };
