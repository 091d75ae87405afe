import { SealingEventStore, SqliteEventStore } from '@tracelode/event-store';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, type Reader, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { mined, organisation, transformation } from '@tracelode/testing';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExpensiveReads } from './expensive-reads';
import type { ReadHandles, ReadHost, ViewJob } from './read-jobs';
import { ReadWorker } from './read-workers';

// @nestjs/common is ESM-only, which Jest cannot load on Node 20 (ADR 0007): the reads need only the
// HttpException their refusals are, with their code and status, and a Logger.
jest.mock('@nestjs/common', () => ({
  Inject: () => () => undefined,
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

/** The read worker runs the built script: `npm test` builds first (`npm run build`). */
const READ_WORKER_SCRIPT = join(__dirname, '../../../../dist/apps/api/apps/api/src/ledger/read-worker.js');
if (!existsSync(READ_WORKER_SCRIPT))
  throw new Error(`${READ_WORKER_SCRIPT} is not built: run \`npm run build\` before these tests`);

const ADMIN: Reader = { orgId: 'ledger', roles: ['admin'] };
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
