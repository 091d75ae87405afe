import {
  chainOf,
  CorruptEventError,
  eventHash,
  EventSealError,
  type StoredEvent,
} from '@tracelode/event-store';
import type { KeyObject } from 'node:crypto';
import { type SignedCheckpoint, verifyCheckpoint } from './checkpoint';
import { leafHash, MerkleAccumulator } from './merkle';

export interface LogVerdict {
  readonly ok: boolean;
  /** Events read and checked. */
  readonly events: number;
  readonly streams: number;
  /** The tree sizes of the checkpoints the recomputed tree was found consistent with, each once. */
  readonly checkpointsMatched: readonly number[];
  readonly failure?: { readonly message: string; readonly eventId?: string; readonly position?: string };
  /** Root hash of the whole log as read (hex). */
  readonly rootHash: string;
}

export interface LogVerifyOptions {
  /** Signed checkpoints (e.g. ones an auditor kept) the log must still be consistent with. */
  readonly checkpoints?: readonly SignedCheckpoint[];
  /** When given, every checkpoint's signature is checked with it. */
  readonly publicKey?: KeyObject;
  /**
   * The event hash the notary recorded at a position (its integrity database), when the verifier has it:
   * an event moved or rewritten with matching hashes is then named, not only caught at a checkpoint.
   */
  readonly notarisedHashAt?: (position: number) => string | undefined;
  readonly onProgress?: (events: number) => void;
}

/**
 * Checks a whole log from its first event: positions dense from 1, every event's hash against its
 * content, every stream's chain, and the RFC 9162 root recomputed at each given checkpoint's tree size
 * against the root it signed — so an event altered, deleted or reordered after a checkpoint was handed
 * out is found, and named, even when the hashes were rewritten to match. Stops at the first failure.
 */
export async function verifyLog(
  events: AsyncIterable<StoredEvent>,
  options: LogVerifyOptions = {},
): Promise<LogVerdict> {
  const pending = [...(options.checkpoints ?? [])].sort((a, b) => a.treeSize - b.treeSize);
  const matched: number[] = [];
  const heads = new Map<string, { revision: bigint; hash: string }>();
  const tree = new MerkleAccumulator();
  const verdict = (failure?: LogVerdict['failure']): LogVerdict => ({
    ok: failure === undefined,
    events: tree.size,
    streams: heads.size,
    checkpointsMatched: matched,
    rootHash: tree.root().toString('hex'),
    ...(failure ? { failure } : {}),
  });

  for (const checkpoint of pending) {
    if (options.publicKey && !verifyCheckpoint(checkpoint, options.publicKey)) {
      return verdict({
        message: `The checkpoint of tree size ${checkpoint.treeSize} is not signed by the given key`,
      });
    }
  }
  const checkRoot = (): LogVerdict['failure'] | undefined => {
    while (pending[0] && pending[0].treeSize === tree.size) {
      const checkpoint = pending.shift()!;
      if (tree.root().toString('hex') !== checkpoint.rootHash) {
        return {
          message: `The log's first ${checkpoint.treeSize} events are not the ones checkpoint ${checkpoint.treeSize} (signed ${checkpoint.timestamp}) signed: the root differs`,
        };
      }
      // The same tree size may come twice (a checkpoint file and the integrity database): count it once.
      if (matched.at(-1) !== checkpoint.treeSize) matched.push(checkpoint.treeSize);
    }
    return undefined;
  };

  try {
    for await (const stored of events) {
      const bad = (message: string) =>
        verdict({
          message: `Event ${stored.eventId} (${stored.type}, ${stored.stream}@${stored.revision}, position ${stored.position}): ${message}`,
          eventId: stored.eventId,
          position: stored.position.toString(),
        });
      if (stored.position !== BigInt(tree.size + 1)) {
        return bad(
          `position ${tree.size + 1} is missing: the log skips from ${tree.size} to ${stored.position}`,
        );
      }
      const { hash, prevHash } = chainOf(stored.metadata);
      if (hash === undefined || prevHash === undefined) return bad('it carries no hash');
      let recomputed: string;
      try {
        recomputed = eventHash(stored, prevHash);
      } catch (error) {
        if (!(error instanceof EventSealError)) throw error;
        return bad(`it cannot be hashed: ${error.message}`);
      }
      if (recomputed !== hash) return bad('its content does not match its hash');
      const notarised = options.notarisedHashAt?.(Number(stored.position));
      if (notarised !== undefined && notarised !== hash) {
        return bad(
          `its hash differs from the one notarised at position ${stored.position}: the log was rewritten`,
        );
      }
      const head = heads.get(stored.stream);
      if (
        !head
          ? stored.revision !== 0n || prevHash !== null
          : stored.revision !== head.revision + 1n || prevHash !== head.hash
      ) {
        return bad('it does not chain to the previous event of its stream');
      }
      heads.set(stored.stream, { revision: stored.revision, hash });
      tree.push(leafHash(Buffer.from(hash, 'hex')));
      const failure = checkRoot();
      if (failure)
        return verdict({ ...failure, eventId: stored.eventId, position: stored.position.toString() });
      if (tree.size % 10_000 === 0) options.onProgress?.(tree.size);
    }
  } catch (error) {
    if (!(error instanceof CorruptEventError)) throw error;
    return verdict({ message: error.message, eventId: error.eventId, position: error.position.toString() });
  }
  const beyond = pending[0];
  if (beyond) {
    return verdict({
      message: `The log has ${tree.size} events, fewer than checkpoint ${beyond.treeSize} (signed ${beyond.timestamp}) covered: events were deleted`,
    });
  }
  return verdict();
}
