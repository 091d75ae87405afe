import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { verifyCheckpoint } from './checkpoint';
import { MerkleAccumulator } from './merkle/merkle-accumulator';
import type { LogVerdict, LogVerifyOptions } from './verify-log';
import {
  leafAt,
  type NamedEvent,
  type RangeResult,
  type RangeTask,
  RangeVerifier,
  type RangeVerifierFiles,
} from './verify-log-range';

export interface LogFileVerifyOptions extends Omit<LogVerifyOptions, 'notarisedHashAt'> {
  /** The notary's integrity file: an event whose hash differs from the one notarised at its position is named. */
  readonly integrityPath?: string;
  /**
   * Worker threads that check ranges of the log (default: the machine's cores, at most 4); 0 checks
   * every range on this thread (the same code, one range after another).
   */
  readonly workers?: number;
  /** Events per range, a power of two (default 16,384). */
  readonly rangeEvents?: number;
}

const DEFAULT_RANGE_EVENTS = 16_384;
const MAX_DEFAULT_WORKERS = 4;
/** Ranges handed out ahead of the one the coordinator waits for, per worker: keeps each one busy. */
const AHEAD_PER_WORKER = 2;
/** Where the worker's script is built (beside this file, as JavaScript). */
/** The compiled worker, beside this file; asked for only when workers start (the explorer's browser build
 * loads this library's index, where `__dirname` does not exist). */
const workerScript = (): string => join(__dirname, 'verify-log.worker.js');

/**
 * `verifyLog` for the embedded store's file, on several cores: the log is cut into ranges of positions
 * that worker threads check side by side (each reading its range from its own connection: parse, hash
 * every field, check the notarised hash, chain the stream within the range, hash the leaves), while this
 * thread takes the ranges back in log order, chains each stream's first event in a range to its head
 * before it, and grows the RFC 9162 tree (a whole aligned range as one subtree root), checking the root
 * at each checkpoint's size. The verdict — its first failure, its event, counts and root — is the one
 * `verifyLog` gives reading the same file from its first event.
 */
export async function verifyLogFile(
  storePath: string,
  options: LogFileVerifyOptions = {},
): Promise<LogVerdict> {
  const rangeEvents = options.rangeEvents ?? DEFAULT_RANGE_EVENTS;
  if (!Number.isSafeInteger(rangeEvents) || rangeEvents < 1 || (rangeEvents & (rangeEvents - 1)) !== 0)
    throw new RangeError(`rangeEvents must be a power of two, got ${rangeEvents}`);
  const pending = [...(options.checkpoints ?? [])].sort((a, b) => a.treeSize - b.treeSize);
  const matched: number[] = [];
  const heads = new Map<string, { revision: number; hash: string }>();
  const tree = new MerkleAccumulator();
  /** Streams seen before the failing event (set with a failure found in a range). */
  let streams: number | undefined;
  const verdict = (failure?: LogVerdict['failure']): LogVerdict => ({
    ok: failure === undefined,
    events: tree.size,
    streams: streams ?? heads.size,
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

  const head = headOf(storePath);
  const files: RangeVerifierFiles = {
    storePath,
    ...(options.integrityPath !== undefined ? { integrityPath: options.integrityPath } : {}),
    checkpointSizes: [...new Set(pending.map((checkpoint) => checkpoint.treeSize))],
  };
  const tasks: RangeTask[] = [];
  for (let from = 1; from <= head; from += rangeEvents)
    tasks.push({ from, to: Math.min(head, from + rangeEvents - 1) });
  const workers = Math.min(
    options.workers ?? Math.min(availableParallelism(), MAX_DEFAULT_WORKERS),
    tasks.length,
  );
  const ranges = workers > 0 ? new WorkerRanges(files, workers) : new InlineRanges(files);

  /** The first position not seen in the log, when a range ended before its end: a gap, unless the log ends. */
  let missingFrom: number | undefined;
  const named = (event: NamedEvent, reason: string) => ({
    message: `Event ${event.eventId} (${event.type}, ${event.stream}@${event.revision}, position ${event.position}): ${reason}`,
    eventId: event.eventId,
    position: event.position.toString(),
  });
  /** Streams seen before `position`: the heads before this range, and the range's streams begun before it. */
  const streamsBefore = (range: RangeResult, position: number) =>
    heads.size +
    range.edges.filter((edge) => edge.first.position < position && !heads.has(edge.stream)).length;
  /** Pushes leaves up to (not including) `end`, checking each checkpoint root reached; a differing root fails. */
  const grow = (range: RangeResult, end: number): LogVerdict['failure'] | undefined => {
    const leaves = new Uint8Array(range.leaves);
    const inside = pending.length > 0 && pending[0]!.treeSize < range.to;
    if (range.subtreeRoot && end === range.to + 1 && !inside) {
      tree.pushPerfect(Buffer.from(range.subtreeRoot), Math.log2(range.to - range.from + 1));
      return checkRoots(range);
    }
    for (let position = range.from; position < end; position++) {
      tree.push(leafAt(leaves, position - range.from));
      const failure = checkRoots(range);
      if (failure) return failure;
    }
    return undefined;
  };
  const checkRoots = (range: RangeResult): LogVerdict['failure'] | undefined => {
    while (pending[0] && pending[0].treeSize === tree.size) {
      const checkpoint = pending.shift()!;
      if (tree.root().toString('hex') !== checkpoint.rootHash) {
        streams = streamsBefore(range, tree.size + 1);
        return {
          message: `The log's first ${checkpoint.treeSize} events are not the ones checkpoint ${checkpoint.treeSize} (signed ${checkpoint.timestamp}) signed: the root differs`,
          eventId: range.eventIdAt[tree.size]!,
          position: tree.size.toString(),
        };
      }
      if (matched.at(-1) !== checkpoint.treeSize) matched.push(checkpoint.treeSize);
    }
    return undefined;
  };

  try {
    let lastProgress = 0;
    for await (const range of ranges.results(tasks)) {
      // Where this range fails in log order: a gap before it, a stream's first event that does not chain
      // to its head, or the range's own first failure — whichever comes first.
      let failureAt = Infinity;
      let failure: LogVerdict['failure'] | undefined;
      if (missingFrom !== undefined && range.firstRead) {
        const event = range.firstRead;
        if (range.failure?.message !== undefined && range.failure.event.position === event.position) {
          failure = { message: range.failure.message, eventId: event.eventId, position: `${event.position}` };
        } else {
          failure = named(
            event,
            `position ${missingFrom} is missing: the log skips from ${missingFrom - 1} to ${event.position}`,
          );
        }
        failureAt = event.position;
      } else if (range.failure) {
        const { event, reason, message } = range.failure;
        failureAt = event.position;
        failure =
          message !== undefined
            ? { message, eventId: event.eventId, position: `${event.position}` }
            : named(
                event,
                reason ??
                  `position ${range.from} is missing: the log skips from ${range.from - 1} to ${event.position}`,
              );
      }
      for (const edge of range.edges) {
        const { first } = edge;
        if (first.position >= failureAt) continue;
        const before = heads.get(edge.stream);
        const chains =
          before === undefined
            ? first.revision === 0 && first.prevHash === null
            : first.revision === before.revision + 1 && first.prevHash === before.hash;
        if (!chains) {
          failureAt = first.position;
          failure = named(first, 'it does not chain to the previous event of its stream');
        }
      }
      if (failure) {
        const rootFailure = grow(range, Math.min(failureAt, range.from + range.checked));
        if (rootFailure) return verdict(rootFailure);
        streams = streamsBefore(range, failureAt);
        return verdict(failure);
      }
      if (missingFrom !== undefined && range.checked > 0) {
        // Unreachable: a range read after a gap names its first event above.
        throw new Error('verifyLogFile: a range after a gap was not named');
      }
      const rootFailure = grow(range, range.from + range.checked);
      if (rootFailure) return verdict(rootFailure);
      for (const edge of range.edges)
        heads.set(edge.stream, { revision: edge.lastRevision, hash: edge.lastHash });
      if (range.checked < range.to - range.from + 1) missingFrom ??= range.from + range.checked;
      if (options.onProgress && Math.floor(tree.size / 10_000) > Math.floor(lastProgress / 10_000)) {
        options.onProgress(tree.size);
        lastProgress = tree.size;
      }
    }
  } finally {
    await ranges.close();
  }
  const beyond = pending[0];
  if (beyond) {
    return verdict({
      message: `The log has ${tree.size} events, fewer than checkpoint ${beyond.treeSize} (signed ${beyond.timestamp}) covered: events were deleted`,
    });
  }
  return verdict();
}

/** The highest position in the file: the ranges cover 1…head (events appended later are not read). */
function headOf(storePath: string): number {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare<[], number>('SELECT COALESCE(MAX(position), 0) FROM events').pluck().get() ?? 0;
  } finally {
    db.close();
  }
}

/** Hands out ranges and yields their results in log order. */
interface Ranges {
  results(tasks: readonly RangeTask[]): AsyncIterable<RangeResult>;
  close(): Promise<void>;
}

/** Every range on this thread, one after another. */
class InlineRanges implements Ranges {
  private verifier?: RangeVerifier;

  constructor(private readonly files: RangeVerifierFiles) {}

  async *results(tasks: readonly RangeTask[]): AsyncIterable<RangeResult> {
    this.verifier = RangeVerifier.open(this.files);
    for (const task of tasks) {
      yield this.verifier.verify(task);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  close(): Promise<void> {
    this.verifier?.close();
    return Promise.resolve();
  }
}

type FromWorker =
  | { readonly type: 'result'; readonly result: RangeResult }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };

/**
 * Range i goes to worker i mod n (so which worker checks which range is fixed, and testable), a few
 * ranges ahead of the one awaited; results are taken back in log order.
 */
class WorkerRanges implements Ranges {
  private readonly workers: Worker[];

  constructor(files: RangeVerifierFiles, count: number) {
    const script = workerScript();
    if (!existsSync(script))
      throw new Error(`verifyLogFile: the worker script ${script} is not built (use workers: 0)`);
    this.workers = Array.from({ length: count }, () => new Worker(script, { workerData: files }));
  }

  async *results(tasks: readonly RangeTask[]): AsyncIterable<RangeResult> {
    const settled = new Map<number, { resolve: (r: RangeResult) => void; reject: (e: Error) => void }>();
    const promises = new Map<number, Promise<RangeResult>>();
    const queues = this.workers.map(() => [] as number[]);
    this.workers.forEach((worker, w) => {
      worker.on('message', (message: FromWorker) => {
        const index = queues[w]!.shift()!;
        const waiter = settled.get(index)!;
        settled.delete(index);
        if (message.type === 'result') waiter.resolve(message.result);
        else waiter.reject(Object.assign(new Error(message.message), { stack: message.stack }));
      });
      const fail = (error: Error) => {
        for (const index of queues[w]!) settled.get(index)?.reject(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`a verify-log worker stopped (exit code ${code})`)));
    });
    let posted = 0;
    const post = () => {
      const index = posted++;
      const w = index % this.workers.length;
      promises.set(
        index,
        new Promise<RangeResult>((resolve, reject) => settled.set(index, { resolve, reject })),
      );
      promises.get(index)!.catch(() => undefined);
      queues[w]!.push(index);
      this.workers[w]!.postMessage(tasks[index]);
    };
    const ahead = this.workers.length * AHEAD_PER_WORKER;
    for (let index = 0; index < tasks.length; index++) {
      while (posted < tasks.length && posted <= index + ahead) post();
      const result = await promises.get(index)!;
      promises.delete(index);
      yield result;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
