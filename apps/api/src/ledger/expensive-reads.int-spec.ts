import { InMemoryEventStore } from '@tracelode/event-store';
import { LEDGER_PROJECTIONS, type Reader, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { mined, organisation } from '@tracelode/testing';
import { ExpensiveReads } from './expensive-reads';
import type { LiveViewJob, ReadHandles, ReadHost, ViewJob } from './read-jobs';

// @nestjs/common is ESM-only, which Jest cannot load on Node 20 (ADR 0007): the queue needs only the
// HttpException its refusals are, with their code and status.
jest.mock('@nestjs/common', () => ({
  Inject: () => () => undefined,
  Injectable: () => () => undefined,
  Catch: () => () => undefined,
  BadRequestException: class BadRequestException extends Error {},
  Logger: class {},
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
});
