import { Logger } from '@nestjs/common';
import type { EventStore, LogFollower } from '@tracelode/event-store';
import { type CheckpointSigner, LogNotary, type NotaryOptions, type SignedCheckpoint } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector } from '@tracelode/projections';
import type { ReadModelStore } from '@tracelode/read-models';
import { Worker } from 'node:worker_threads';
import type { FollowersWorkerData, FromFollowers, ToFollowers } from './followers-protocol';

/** The worker's answer to a write asked of it. */
type Answer = Extract<FromFollowers, { type: 'answered' }>;

/** How long a stop waits for the worker to close its files before it is terminated. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The followers' worker as the server's thread sees it (ADR 0029): started once, told of every commit,
 * and the source of how far the views and the notary have got. Waiters are settled on its messages, so a
 * read waiting for its own write (`minPosition`) is woken by the worker, never by polling.
 */
export class FollowersWorker {
  /** The log position the views reflect; the notary's tree size. */
  views: bigint;
  tree = 0;
  projectorError?: Error;
  notaryError?: Error;
  /** Why each follower is reading the log again just now (LogFollower.interruption), in the worker. */
  projectorInterruption?: Error;
  notaryInterruption?: Error;
  /** The last log position the server's store committed (and so may have acknowledged). */
  acknowledged = 0n;
  /** The furthest position each follower was asked to hurry to. */
  private readonly hurried = { projector: 0n, notary: 0n };
  private worker?: Worker;
  private stopping?: Promise<void>;
  /** Writes asked of the worker, by request id: settled with its answer, or undefined if it has none. */
  private readonly asked = new Map<number, (answer: Answer | undefined) => void>();
  private nextAsk = 0;
  private readonly listeners = new Set<() => void>();
  private readonly logger = new Logger('FollowersWorker');

  constructor(
    private readonly script: string,
    private readonly data: Omit<FollowersWorkerData, 'signingKey'>,
    private readonly signer: CheckpointSigner,
    views: bigint,
    /** The log's head when the server started: in the log, though not committed by this process. */
    private readonly headAtStart = 0n,
  ) {
    this.views = views;
  }

  /** Calls `listener` on every change of progress or failure. */
  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  start(): void {
    if (this.worker || this.stopping) return;
    const worker = new Worker(this.script, {
      workerData: { ...this.data, signingKey: this.signer.keyForWorker() } satisfies FollowersWorkerData,
    });
    this.worker = worker;
    worker.on('message', (message: FromFollowers) => this.receive(message));
    worker.on('error', (error) =>
      this.logger.error(`The followers' worker failed: ${error.stack ?? error.message}`),
    );
    worker.once('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      // Unanswered: the server's thread does them itself (a second save of a job replaces it; a
      // checkpoint signed twice at one size is kept once).
      for (const settle of this.asked.values()) settle(undefined);
      this.asked.clear();
      if (this.stopping) return;
      const error = new Error(`The followers' worker stopped (exit code ${code})`);
      this.projectorError ??= error;
      this.notaryError ??= error;
      this.changed();
    });
  }

  /** The server's store committed up to `position`: the worker reads on now. */
  committed(position: bigint): void {
    if (position > this.acknowledged) this.acknowledged = position;
    this.worker?.postMessage({ type: 'committed' } satisfies ToFollowers);
  }

  /**
   * A reader waits for `follower` to reach `position`: the worker stops gathering until it has. Only up to
   * what is known to be in the log — the head at start, or what this server committed since (a larger
   * position, such as another process's newer write, is waited for with the gather) — and once per new
   * position.
   */
  hurry(follower: 'projector' | 'notary', position: bigint): void {
    const known = this.acknowledged > this.headAtStart ? this.acknowledged : this.headAtStart;
    const target = position < known ? position : known;
    if (target <= this.hurried[follower]) return;
    this.hurried[follower] = target;
    this.worker?.postMessage({ type: 'hurry', follower, position: target.toString() } satisfies ToFollowers);
  }

  /**
   * Keeps an EPCIS capture job in the views file through the worker's connection, the file's one writer
   * (ADR 0031, amended): the server's thread never waits for the views' write lock, which the projector
   * holds for each batch it applies. Resolves false when there is no worker to ask, or it is stopping: the
   * caller keeps the job through its own connection. Rejects when the worker could not write it.
   */
  async keepCaptureJob(captureId: string, orgId: string, job: unknown): Promise<boolean> {
    const answer = await this.ask((id) => ({ type: 'keep-capture-job', id, captureId, orgId, job }));
    if (answer === undefined || answer.outcome === 'stopping') return false;
    if (answer.outcome === 'failed') throw new Error(`The capture job could not be kept: ${answer.error}`);
    return true;
  }

  /**
   * A checkpoint covering the first `size` events, signed by the worker's notary unless the latest covers
   * them: the notary's file's one writer, so the server's thread never waits for its write lock. `false`
   * when there is no worker to ask, or it is stopping: the caller signs through its own connection.
   * Rejects when the worker could not sign or write it.
   */
  async signCheckpoint(size: number): Promise<SignedCheckpoint | undefined | false> {
    const answer = await this.ask((id) => ({ type: 'sign-checkpoint', id, size }));
    if (answer === undefined || answer.outcome === 'stopping') return false;
    if (answer.outcome === 'failed') throw new Error(`The checkpoint could not be signed: ${answer.error}`);
    return answer.checkpoint;
  }

  /** Posts a write to the worker and waits for its answer; undefined at once if there is no worker to ask. */
  private ask(message: (id: number) => ToFollowers): Promise<Answer | undefined> {
    const worker = this.worker;
    if (!worker || this.stopping) return Promise.resolve(undefined);
    const id = ++this.nextAsk;
    return new Promise((resolve, reject) => {
      this.asked.set(id, resolve);
      try {
        worker.postMessage(message(id));
      } catch (error) {
        this.asked.delete(id); // not sent (it could not be cloned): nothing will answer it
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopWorker();
    return this.stopping;
  }

  private async stopWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    const stopped = new Promise<void>((resolve) =>
      worker.on('message', (message: FromFollowers) => message.type === 'stopped' && resolve()),
    );
    worker.postMessage({ type: 'stop' } satisfies ToFollowers);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      stopped,
      exited,
      new Promise((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    await worker.terminate();
    this.changed();
  }

  private receive(message: FromFollowers): void {
    if (message.type === 'answered') {
      const settle = this.asked.get(message.id);
      this.asked.delete(message.id);
      settle?.(message);
      return;
    }
    if (message.type === 'progress') {
      this.views = BigInt(message.views);
      this.tree = message.tree;
    } else if (message.type === 'failed') {
      const error = Object.assign(new Error(message.message), { name: message.name });
      if (message.follower === 'projector') this.projectorError = error;
      else this.notaryError = error;
      this.logger.error(`The ${message.follower} stopped: ${message.message}`);
    } else if (message.type === 'interrupted') {
      const interruption = message.message === undefined ? undefined : new Error(message.message);
      if (message.follower === 'projector') this.projectorInterruption = interruption;
      else this.notaryInterruption = interruption;
      logInterruption(this.logger, message.follower, interruption);
    } else if (message.type === 'open-failed') {
      const error = new Error(`The followers' worker cannot open the ledger's files: ${message.message}`);
      this.projectorError = error;
      this.notaryError = error;
      this.logger.error(error.message);
    } else return;
    this.changed();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** Says when a follower begins reading the log again after a failure that may pass, and when it follows again. */
function logInterruption(
  logger: Logger,
  follower: 'projector' | 'notary',
  interruption: Error | undefined,
): void {
  if (interruption) logger.warn(`The ${follower} reads the log again after: ${interruption.message}`);
  else logger.log(`The ${follower} follows the log again`);
}

/** A follower on this thread (no followers' worker: KurrentDB, memory), its interruptions logged. */
export function loggingInterruptions<F extends LogFollower>(follower: F, name: 'projector' | 'notary'): F {
  const logger = new Logger(name === 'projector' ? 'Projector' : 'LogNotary');
  follower.onInterruption((interruption) => logInterruption(logger, name, interruption));
  return follower;
}

/**
 * The projector as the server's thread sees it when the projector runs in the followers' worker: its
 * position, failure and waits come from there; the views are read through the server's own handle.
 */
export class ProjectorInWorker extends Projector {
  constructor(
    store: EventStore,
    views: ReadModelStore,
    private readonly worker: FollowersWorker,
  ) {
    super(store, views, LEDGER_PROJECTIONS);
    worker.onChange(() => (this.error ? this.failWaiters() : this.settleWaiters()));
  }

  override get position(): bigint {
    return this.worker.views;
  }

  protected override get reached(): bigint {
    return this.worker.views;
  }

  override get error(): Error | undefined {
    return this.worker.projectorError;
  }

  override get interruption(): Error | undefined {
    return this.worker.projectorInterruption;
  }

  /** A reader waits: the worker's projector stops gathering until it has reached `position`. */
  override waitFor(position: bigint | number, timeoutMs: number): Promise<boolean> {
    if (BigInt(position) > this.position) this.worker.hurry('projector', BigInt(position));
    return super.waitFor(position, timeoutMs);
  }

  override start(): void {
    this.worker.start();
  }

  override async stop(): Promise<void> {
    await this.worker.stop();
    await super.stop();
  }
}

/**
 * The notary as the server's thread sees it when the notary runs in the followers' worker: it answers
 * proofs and checkpoints from the notary's file through a handle of its own, and takes the tree's size,
 * failure and waits from the worker. It never follows the log itself.
 */
export class NotaryInWorker extends LogNotary {
  private constructor(
    store: EventStore,
    path: string,
    signer: CheckpointSigner,
    options: NotaryOptions,
    private readonly worker: FollowersWorker,
  ) {
    super(store, LogNotary.openDatabase(path), signer, options);
    worker.tree = super.size;
    worker.onChange(() => (this.error ? this.failWaiters() : this.settleWaiters()));
  }

  static beside(
    store: EventStore,
    path: string,
    signer: CheckpointSigner,
    options: NotaryOptions,
    worker: FollowersWorker,
  ): NotaryInWorker {
    return new NotaryInWorker(store, path, signer, options, worker);
  }

  override get size(): number {
    return this.worker.tree;
  }

  protected override get reached(): bigint {
    return BigInt(this.worker.tree);
  }

  override get error(): Error | undefined {
    return this.worker.notaryError;
  }

  override get interruption(): Error | undefined {
    return this.worker.notaryInterruption;
  }

  /**
   * The latest checkpoint if it covers `size` events, else one the worker's notary signs (the file's one
   * writer); signed here only when the worker is not there to ask.
   */
  override async signedCheckpointCovering(size: number): Promise<SignedCheckpoint | undefined> {
    const found = this.latestCoveringOr(size, () => null);
    if (found !== null) return found;
    const signed = await this.worker.signCheckpoint(size);
    return signed === false ? this.checkpointCovering(size) : signed;
  }

  /** A reader waits: the worker's notary stops gathering until its tree holds `size` events. */
  override waitFor(size: bigint | number, timeoutMs: number): Promise<boolean> {
    if (BigInt(size) > BigInt(this.size)) this.worker.hurry('notary', BigInt(size));
    return super.waitFor(size, timeoutMs);
  }

  override start(): void {
    this.worker.start();
  }

  override async stop(): Promise<void> {
    await this.worker.stop();
    await super.stop();
  }
}
