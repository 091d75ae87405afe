import { InMemoryEventStore, SealingEventStore, SqliteEventStore } from '@tracelode/event-store';
import { EvidenceTooLargeError } from '@tracelode/evidence';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, type Reader, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { mined, organisation, transformation } from '@tracelode/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpensiveReads } from './expensive-reads';
import type { LiveViewJob, ReadHandles, ReadHost, ViewJob } from './read-jobs';
import { ReadCancelledError, ReadWorker } from './read-workers';

// @nestjs/common is ESM-only, which Jest cannot load on Node 20 (ADR 0007): the reads need only the
// HttpException their refusals are, with their code and status, and a Logger.
jest.mock('@nestjs/common', () => ({
  Inject: () => () => undefined,
  Optional: () => () => undefined,
  Injectable: () => () => undefined,
  Catch: () => () => undefined,
  BadRequestException: class BadRequestException extends Error {},
  Logger: class {
    error(): void {}
  },
  HttpException: class HttpException extends Error {
    constructor(
      readonly response: { code: string },
      readonly status: number,
    ) {
      super(response.code);
    }
  },
}));
jest.mock('../auth/api-key.guard', () => ({
  UnauthenticatedError: class UnauthenticatedError extends Error {},
}));

const ADMIN: Reader = { orgId: 'ledger', roles: ['admin'] };

/**
 * The expensive reads' queue (ADR 0019, 0020) on the request thread's real handles (an in-memory store and
 * views): a read as of a moment holds the one turn while the server's thread keeps it waiting for the
 * views (`viewsReach`, held here), so the reads queued behind it stay queued until the test lets it go.
 */
describe('expensive reads whose clients go while they wait', () => {
  let views: ReadModelStore;
  let handles: ReadHandles;
  let head: bigint;
  /** What a read as of a moment waits for until the test calls `letGo`, whether it is waiting yet or not. */
  let gate: Promise<void>;
  let letGo: () => void;
  beforeEach(() => {
    gate = new Promise<void>((resolve) => (letGo = resolve));
  });
  const held: ReadHost = {
    viewsReach: () => gate,
    signStatement: () => Promise.reject(new Error('no statement is signed here')),
  };

  beforeAll(async () => {
    const store = new InMemoryEventStore();
    await store.append([organisation('mineco', ['producer'], [['mt-weld', 'mine']])]);
    await store.append([mined('ROOT', 1_000_000, 100)]);
    views = ReadModelStore.open(':memory:');
    await rebuildViews(store, views, LEDGER_PROJECTIONS);
    head = await store.headPosition();
    handles = {
      store,
      lookup: (collection, key) => views.get(collection, key),
      readConsistently: (read) => views.readConsistently(read),
      log: undefined as unknown as ReadHandles['log'], // neither read here reads the Merkle log
    };
  });
  afterAll(() => views?.close());

  const asOf = (): ViewJob => ({
    kind: 'view',
    view: 'custody',
    batchId: 'ROOT',
    at: { position: head },
    maxEvents: 1000,
    maxGraphNodes: 1000,
    reader: ADMIN,
  });
  const live: LiveViewJob = {
    kind: 'live-view',
    view: 'descendants',
    batchId: 'ROOT',
    maxGraphNodes: 1000,
    reader: ADMIN,
  };
  const refusal = (read: Promise<unknown>) =>
    read.then(
      () => 'answered',
      (error: { response?: { code: string }; status?: number }) => `${error.status} ${error.response?.code}`,
    );

  it('takes a read whose client went out of the queue: the reads behind move up, a new one is queued, not refused', async () => {
    const reads = new ExpensiveReads({ concurrent: 1, queued: 2 }, held, { workers: [], handles });
    const holding = reads.view(asOf());
    const client = new AbortController();
    const gone = refusal(reads.view(live, client.signal));
    const waiting = reads.view(live);
    // The queue is full: one more is refused at once.
    expect(await refusal(reads.view(live))).toBe('503 READS_BUSY');

    client.abort();
    expect(await gone).toBe('499 CLIENT_CLOSED_REQUEST');
    // Its place is free: a new read waits for a turn instead of being refused.
    const queued = reads.view(live);

    letGo();
    const [first, second, third] = await Promise.all([holding, waiting, queued]);
    expect(JSON.parse(first!.toString())).toMatchObject({ batchId: 'ROOT' });
    expect(JSON.parse(second!.toString())).toMatchObject({ batchId: 'ROOT' });
    expect(third!.toString()).toBe(second!.toString());
  });

  it('stops a read on the request thread whose client goes while it waits for the views, and gives its turn on', async () => {
    const reads = new ExpensiveReads({ concurrent: 1, queued: 1 }, held, { workers: [], handles });
    const client = new AbortController();
    const gone = refusal(reads.view(asOf(), client.signal));
    const waiting = reads.view(live);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.abort();
    // Not held until the views reach the position (up to 5 s): a worker's read has its wait refused alike.
    const settled = await Promise.race([
      gone,
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000)),
    ]);
    expect(settled).toBe('499 CLIENT_CLOSED_REQUEST');
    expect((await waiting)?.toString()).toContain('"batchId":"ROOT"');
    letGo();
  });

  it('refuses a read whose client has already gone without taking a turn', async () => {
    const reads = new ExpensiveReads({ concurrent: 1, queued: 1 }, held, { workers: [], handles });
    const client = new AbortController();
    client.abort();
    expect(await refusal(reads.view(live, client.signal))).toBe('499 CLIENT_CLOSED_REQUEST');
    // The one turn is still free: a read runs at once, and one waits behind it.
    const holding = reads.view(asOf());
    const waiting = reads.view(live);
    letGo();
    expect((await holding)?.toString()).toContain('"batchId":"ROOT"');
    expect((await waiting)?.toString()).toContain('"batchId":"ROOT"');
  });

  it('answers a read cancelled for its gone client 499, and any other failure as that failure', async () => {
    /** A read whose client goes at once, in a worker that then fails it with `error`. */
    const readFailingWith = (error: Error) => {
      const worker = { reads: () => true, view: () => Promise.reject(error) } as unknown as ReadWorker;
      const reads = new ExpensiveReads({ concurrent: 1, queued: 0 }, held, { workers: [worker], handles });
      const client = new AbortController();
      const read = reads.view(live, client.signal);
      client.abort();
      return read;
    };
    expect(await refusal(readFailingWith(new ReadCancelledError('cancelled')))).toBe(
      '499 CLIENT_CLOSED_REQUEST',
    );
    // Not hidden behind the client's leaving: the error filter and its log see it as it is.
    const tooLarge = new EvidenceTooLargeError(10);
    await expect(readFailingWith(tooLarge)).rejects.toBe(tooLarge);
  });
});

/** The read worker runs the built script: `npm test` builds first (`npm run build`). */
const READ_WORKER_SCRIPT = join(__dirname, '../../../../dist/apps/api/apps/api/src/ledger/read-worker.js');
if (!existsSync(READ_WORKER_SCRIPT))
  throw new Error(`${READ_WORKER_SCRIPT} is not built: run \`npm run build\` before these tests`);

/** Lots made of ROOT, one transformation each: ROOT's history, which a view of it as of a moment replays. */
const OUTPUTS = 3000;

/**
 * Reads in a read worker whose client goes while they run (ADR 0020, amended): the worker is told, the
 * read stops at its next step, and the worker is free for the next read — not busy for nobody until the
 * read's end. On real files: a sealed SQLite log, its views and its integrity file.
 */
describe('a read in a read worker whose client goes', () => {
  let dir: string;
  let head: bigint;
  let worker: ReadWorker;
  /** What the worker's calls of `viewsReach` wait for, until the test lets them go. */
  let gate: Promise<void>;
  let letGo: () => void;
  let asked: Promise<void>;
  let wasAsked: () => void;
  const host: ReadHost = {
    viewsReach: () => (wasAsked(), gate),
    signStatement: () => Promise.reject(new Error('no statement is signed here')),
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-read-workers-'));
    const files = {
      storeFile: join(dir, 'ledger.db'),
      viewsPath: join(dir, 'views.db'),
      integrityPath: join(dir, 'integrity.db'),
    };
    const store = new SealingEventStore(SqliteEventStore.open(files.storeFile));
    await store.append([organisation('mineco', ['producer'], [['mt-weld', 'mine']])]);
    await store.append([organisation('refco', ['producer'], [['kuantan', 'processing_plant']])]);
    await store.append([mined('ROOT', 1_000 * (OUTPUTS + 1), 100)]);
    // One after another: the sealing store chains each append to ROOT's head it read.
    for (let i = 0; i < OUTPUTS; i++) {
      await store.append(
        transformation(
          `T-${i}`,
          [{ batchId: 'ROOT', consumedGrams: 1000, remainingGrams: 1000 * (OUTPUTS - i) }],
          { batchId: `OUT-${i}`, massGrams: 900 },
          1,
        ),
      );
    }
    head = await store.headPosition();
    const views = ReadModelStore.open(files.viewsPath);
    await rebuildViews(store, views, LEDGER_PROJECTIONS);
    views.close();
    const notary = LogNotary.open(store, files.integrityPath, CheckpointSigner.ephemeral(), {
      everyEvents: 100_000,
      everyMs: 60_000,
    });
    await notary.stop();
    await store.close();
    worker = new ReadWorker(READ_WORKER_SCRIPT, {
      viewsPath: files.viewsPath,
      log: { storeFile: files.storeFile, integrityPath: files.integrityPath },
    });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    gate = new Promise<void>((resolve) => (letGo = resolve));
    asked = new Promise<void>((resolve) => (wasAsked = resolve));
  });

  const asOf = (batchId = 'ROOT'): ViewJob => ({
    kind: 'view',
    view: 'custody',
    batchId,
    at: { position: head },
    maxEvents: 20_000,
    maxGraphNodes: 1000,
    reader: ADMIN,
  });
  /** How a read settled within `ms`: `answered`, `refused: <why>`, or `still running`. */
  const within = (read: Promise<unknown>, ms: number) =>
    Promise.race([
      read.then(
        () => 'answered',
        (error: { response?: { code: string }; message?: string }) =>
          `refused: ${error.response?.code ?? error.message}`,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running'), ms)),
    ]);

  it('stops a read waiting on the server’s thread when its client goes, and reads the next one', async () => {
    const client = new AbortController();
    const read = worker.view(asOf(), host, client.signal);
    await asked;
    client.abort();
    expect(await within(read, 2_000)).toMatch(
      /^refused: .*cancelled while it waited for the server’s thread/,
    );
    // The worker is free: the next read runs (and waits for the views no longer).
    letGo();
    const next = await worker.view(asOf('OUT-7'), host);
    expect(JSON.parse(next!.toString())).toMatchObject({ batchId: 'OUT-7' });
  });

  it('stops a read at its next step when its client goes while it works', async () => {
    letGo();
    // Run to its end, the read answers; how long it takes, here and now.
    let started = performance.now();
    const whole = await worker.view(asOf(), host);
    const takes = performance.now() - started;
    expect(JSON.parse(whole!.toString())).toMatchObject({ batchId: 'ROOT' });
    process.stderr.write(`read-workers: ROOT's custody as of the head took ${takes.toFixed(0)} ms\n`);

    asked = new Promise<void>((resolve) => (wasAsked = resolve));
    const client = new AbortController();
    started = performance.now();
    const read = worker.view(asOf(), host, client.signal);
    await asked;
    // Past the wait for the projector, answered by now: the read gathers and replays ROOT's history, which
    // takes many of the worker's slices of 20 ms.
    await new Promise((resolve) => setTimeout(resolve, 10));
    client.abort();
    expect(await within(read, 10_000)).toMatch(/^refused: .*cancelled while it worked/);
    expect(performance.now() - started).toBeLessThan(takes);
  });

  it('stops a read whose client goes while its worker starts, before the job is handed to it', async () => {
    // A worker that died is started again by its next read, which waits until it has opened its files.
    await worker.stop();
    const client = new AbortController();
    const read = worker.view(asOf(), host, client.signal);
    client.abort();
    expect(await within(read, 5_000)).toMatch(/^refused: /);
    letGo();
    const next = await worker.view(asOf('OUT-3'), host);
    expect(JSON.parse(next!.toString())).toMatchObject({ batchId: 'OUT-3' });
  });

  it('answers 499 for the read, and gives its turn to the read queued behind it', async () => {
    const reads = new ExpensiveReads({ concurrent: 1, queued: 1 }, host, {
      workers: [worker],
      handles: undefined as unknown as ReadHandles, // every job here runs in the worker
    });
    const client = new AbortController();
    const gone = within(reads.view(asOf(), client.signal), 5_000);
    await asked;
    const queued = reads.view(asOf('OUT-9'));
    client.abort();
    expect(await gone).toBe('refused: CLIENT_CLOSED_REQUEST');
    letGo();
    expect(JSON.parse((await queued)!.toString())).toMatchObject({ batchId: 'OUT-9' });
  });
});
