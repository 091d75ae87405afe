import { chainOf, eventHash, EventSealError } from '@tracelode/event-store';
import Database from 'better-sqlite3';
import { HASH_SIZE, leafHash } from './merkle/tree-hash';
import { MerkleAccumulator } from './merkle/merkle-accumulator';

/**
 * One range of a log file checked on its own (by a worker thread, or inline): every event's position,
 * hash against its content, notarised hash, and its chain to the previous event of its stream *within
 * the range*. What a range cannot know — the heads its streams had before it — goes back as each
 * stream's first event, for the coordinator (verifyLogFile) to chain in log order.
 */

/** What a range verifier opens: the event store file and, if given, the notary's integrity file. */
export interface RangeVerifierFiles {
  readonly storePath: string;
  readonly integrityPath?: string;
  /** The tree sizes of the checkpoints to check: the event at each is named if its root differs. */
  readonly checkpointSizes: readonly number[];
}

/** Positions `from`…`to` (inclusive, from 1) of the log. */
export interface RangeTask {
  readonly from: number;
  readonly to: number;
}

/** An event as a failure names it. */
export interface NamedEvent {
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly stream: string;
  readonly revision: number;
}

/** The first event of a stream in the range, and the stream's last event in it (before any failure). */
export interface StreamEdge {
  readonly stream: string;
  readonly first: NamedEvent & { readonly prevHash: string | null };
  readonly lastRevision: number;
  readonly lastHash: string;
}

export interface RangeFailure {
  /** The event the failure is about; the message is `Event … (…): reason` unless `message` is given. */
  readonly event: NamedEvent;
  readonly reason?: string;
  /** A whole message (an event the store cannot read back names itself, as the store words it). */
  readonly message?: string;
}

export interface RangeResult {
  readonly from: number;
  readonly to: number;
  /** Events that passed every check the range can make, from `from` on: positions from…from+checked-1. */
  readonly checked: number;
  /** Their leaf hashes, 32 bytes each, in order. */
  readonly leaves: ArrayBuffer;
  /** The root of the range's leaves when the range is whole, a power of two and aligned to its size. */
  readonly subtreeRoot?: ArrayBuffer;
  readonly edges: readonly StreamEdge[];
  /** The first event of the range as read (a gap before it is named by the coordinator). */
  readonly firstRead?: NamedEvent;
  /** The event ids at the checkpoint sizes the range checked (a differing root names that event). */
  readonly eventIdAt: Readonly<Record<number, string>>;
  readonly failure?: RangeFailure;
}

type RawRow = [
  position: number,
  stream: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
];

/**
 * Rows read per query, as arrays (`raw`). Small enough that a page's text (about 1.3 kB a row) dies
 * young: pages of 4,096 rows outlived V8's young generation, and copying and promoting them cost a fifth of
 * a worker's time in garbage collection (ADR 0022, "Verifying faster").
 */
const PAGE_ROWS = 256;

export class RangeVerifier {
  private readonly page: Database.Statement<[number, number, number], RawRow>;
  private readonly notarised?: Database.Statement<[number, number], [number, string]>;
  private readonly checkpointSizes: ReadonlySet<number>;
  /** The 32 bytes of an event hash, reused for each event (leafHash copies it). */
  private readonly entry = Buffer.alloc(HASH_SIZE);

  private constructor(
    private readonly store: Database.Database,
    private readonly integrity: Database.Database | undefined,
    checkpointSizes: readonly number[],
  ) {
    this.page = store
      .prepare<[number, number, number], RawRow>(
        'SELECT position, stream, revision, event_id, type, data, metadata FROM events ' +
          'WHERE position >= ? AND position <= ? ORDER BY position LIMIT ?',
      )
      .raw();
    this.notarised = integrity
      ?.prepare<[number, number], [number, string]>(
        'SELECT position, event_hash FROM notarised_events WHERE position >= ? AND position <= ?',
      )
      .raw();
    this.checkpointSizes = new Set(checkpointSizes);
  }

  static open(files: RangeVerifierFiles): RangeVerifier {
    const store = new Database(files.storePath, { readonly: true, fileMustExist: true });
    let integrity: Database.Database | undefined;
    try {
      store.pragma('busy_timeout = 5000');
      if (files.integrityPath !== undefined) {
        integrity = new Database(files.integrityPath, { readonly: true, fileMustExist: true });
        integrity.pragma('busy_timeout = 5000');
      }
      return new RangeVerifier(store, integrity, files.checkpointSizes);
    } catch (error) {
      integrity?.close();
      store.close();
      throw error;
    }
  }

  /** Checks positions from…to; stops at the first failure it can see on its own. */
  verify(task: RangeTask): RangeResult {
    const { from, to } = task;
    const leaves = new Uint8Array((to - from + 1) * HASH_SIZE);
    const heads = new Map<string, { edge: Mutable<StreamEdge> }>();
    const eventIdAt: Record<number, string> = {};
    let expected = from;
    let firstRead: NamedEvent | undefined;
    const result = (failure?: RangeFailure): RangeResult => {
      const checked = expected - from;
      const whole = failure === undefined && checked === to - from + 1;
      const size = to - from + 1;
      let subtreeRoot: ArrayBuffer | undefined;
      if (whole && (size & (size - 1)) === 0 && (from - 1) % size === 0) {
        const tree = new MerkleAccumulator();
        for (let i = 0; i < checked; i++) tree.push(leafAt(leaves, i));
        subtreeRoot = toArrayBuffer(tree.root());
      }
      return {
        from,
        to,
        checked,
        leaves: leaves.buffer.slice(0, checked * HASH_SIZE),
        ...(subtreeRoot ? { subtreeRoot } : {}),
        edges: [...heads.values()].map(({ edge }) => edge),
        ...(firstRead ? { firstRead } : {}),
        eventIdAt,
        ...(failure ? { failure } : {}),
      };
    };

    /** Named only when it fails (or opens the range): no object per event that passes. */
    const failed = (row: RawRow, reason: string) => result({ event: namedEvent(row), reason });

    for (let cursor = from; cursor <= to;) {
      const rows = this.page.all(cursor, to, PAGE_ROWS);
      if (rows.length === 0) break;
      const pageFrom = rows[0]![0];
      const notarised = this.notarisedIn(pageFrom, rows.at(-1)![0]);
      for (const row of rows) {
        const [position, stream, revision, eventId, type, dataText, metadataText] = row;
        if (firstRead === undefined) firstRead = namedEvent(row);
        let data: Record<string, unknown>;
        let metadata: Record<string, unknown>;
        try {
          data = parseColumn(row, 'data', dataText);
          metadata = parseColumn(row, 'metadata', metadataText);
        } catch (error) {
          if (!(error instanceof UnreadableEvent)) throw error;
          return result({ event: namedEvent(row), message: error.message });
        }
        if (position !== expected) {
          // A gap at the range's very start is the coordinator's to word: it knows where the log stopped.
          if (expected === from) return result({ event: namedEvent(row) });
          return failed(
            row,
            `position ${expected} is missing: the log skips from ${expected - 1} to ${position}`,
          );
        }
        const { hash, prevHash } = chainOf(metadata);
        if (hash === undefined || prevHash === undefined) return failed(row, 'it carries no hash');
        let recomputed: string;
        try {
          recomputed = eventHash(
            { stream, revision: BigInt(revision), eventId, type, data, metadata },
            prevHash,
          );
        } catch (error) {
          if (!(error instanceof EventSealError)) throw error;
          return failed(row, `it cannot be hashed: ${error.message}`);
        }
        if (recomputed !== hash) return failed(row, 'its content does not match its hash');
        const notarisedHash = notarised?.[position - pageFrom];
        if (notarisedHash !== undefined && notarisedHash !== hash) {
          return failed(
            row,
            `its hash differs from the one notarised at position ${position}: the log was rewritten`,
          );
        }
        const head = heads.get(stream);
        if (head === undefined) {
          heads.set(stream, {
            edge: { stream, first: { ...namedEvent(row), prevHash }, lastRevision: revision, lastHash: hash },
          });
        } else {
          if (revision !== head.edge.lastRevision + 1 || prevHash !== head.edge.lastHash) {
            return failed(row, 'it does not chain to the previous event of its stream');
          }
          head.edge.lastRevision = revision;
          head.edge.lastHash = hash;
        }
        // `hash` equals a SHA-256 hex digest just computed: always 32 bytes.
        this.entry.write(hash, 'hex');
        leaves.set(leafHash(this.entry), (position - from) * HASH_SIZE);
        if (this.checkpointSizes.has(position)) eventIdAt[position] = eventId;
        expected++;
      }
      cursor = rows.at(-1)![0] + 1;
    }
    return result();
  }

  close(): void {
    this.integrity?.close();
    this.store.close();
  }

  /** The hashes notarised at positions first…last, at their offset from `first` (a hole where none was). */
  private notarisedIn(first: number, last: number): (string | undefined)[] | undefined {
    if (!this.notarised) return undefined;
    const hashes: (string | undefined)[] = [];
    for (const [position, hash] of this.notarised.all(first, last)) hashes[position - first] = hash;
    return hashes;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

class UnreadableEvent extends Error {}

/** As the SQLite store words an unreadable column (CorruptEventError), so both verifiers name it alike. */
function parseColumn(row: RawRow, column: 'data' | 'metadata', text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    const [position, stream, revision, eventId] = row;
    throw new UnreadableEvent(
      `Event ${eventId} at position ${position} (${stream}@${revision}) is unreadable: its ${column} is not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

const namedEvent = ([position, stream, revision, eventId, type]: RawRow): NamedEvent => ({
  position,
  eventId,
  type,
  stream,
  revision,
});

export const leafAt = (leaves: Uint8Array, index: number): Buffer =>
  Buffer.from(leaves.buffer, leaves.byteOffset + index * HASH_SIZE, HASH_SIZE);

const toArrayBuffer = (bytes: Buffer): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
