import { mineBatch, OPERATOR_ORG_ID, registerFacility, registerOrganisation } from '@tracelode/domain';
import {
  EventStoreUnavailableError,
  SealingEventStore,
  SqliteEventStore,
  type StoredEvent,
} from '@tracelode/event-store';
import { CheckpointSigner, LogNotary, readNotaryRecord, verifyLog } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendProblem, toProblem } from '../common/problem-details';
import type { CommandMeta } from './command-meta';
import { CommandExecutor, LedgerCommand } from './command-executor';
import { LedgerStreams } from './ledger-streams';

// @nestjs/common and @nestjs/cqrs are ESM-only, which Jest cannot load on Node 20 (the e2e suites run the
// built server for that reason, ADR 0007). The command path needs only their decorators, the Command base
// class and HttpException's shape; the problem mapping logs through Nest's Logger, captured here.
const logged: string[] = [];
jest.mock('@nestjs/common', () => ({
  Inject: () => () => undefined,
  Optional: () => () => undefined,
  Injectable: () => () => undefined,
  Catch: () => () => undefined,
  HttpException: class HttpException extends Error {},
  BadRequestException: class BadRequestException extends Error {},
  Logger: class {
    error(line: string) {
      logged.push(line);
    }
  },
}));
jest.mock('@nestjs/cqrs', () => ({ Command: class {}, CommandHandler: () => () => undefined }));
jest.mock('../auth/api-key.guard', () => ({
  UnauthenticatedError: class UnauthenticatedError extends Error {},
}));

const COLLECTIONS = LEDGER_PROJECTIONS.map((projection) => projection.collection);
const ADMIN = { orgId: OPERATOR_ORG_ID, keyId: 'admin', roles: ['admin'] as const };
const MINER = { orgId: 'mineco', keyId: 'key-1', roles: ['producer'] as const };

const metaOf = (commandType: string, actor: CommandMeta['actor'], idempotencyKey?: string): CommandMeta => {
  const commandId = randomUUID();
  return {
    commandId,
    commandType,
    actor,
    recordedAt: new Date().toISOString(),
    correlationId: commandId,
    requestSha256: `${idempotencyKey ?? commandId}`.padEnd(64, '0').slice(0, 64),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
};

/**
 * The store's own SQLite connection, where the faults are injected: `max_page_count` (the disk is full:
 * the file may not grow) and `query_only` (the file is read-only; as root a chmod would not stop the
 * handle already open) are settings of one connection, so they must be set on the one the store writes
 * through. Everything else — the executor, the sealing store, the group commit, the followers — is real.
 */
const connectionOf = (store: SqliteEventStore) => (store as unknown as { db: Connection }).db;

/** What the test uses of the store's better-sqlite3 connection (apps reach SQLite only through libs). */
interface Connection {
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/**
 * Acceptance: a full disk or a read-only store file makes commands fail with the store's
 * EventStoreUnavailableError — 503 STORE_UNAVAILABLE with Retry-After over HTTP — writes nothing partial
 * (no half group commit, no idempotency record of a failed command, no view or notary drift), and the
 * ledger recovers without a restart once the fault clears. The same for the views' and the notary's own
 * files: the followers wait and catch up.
 */
describe('storage faults on the command path', () => {
  let dir: string;
  let file: SqliteEventStore;
  let db: Connection;
  let store: SealingEventStore;
  let executor: CommandExecutor;
  let views: ReadModelStore;
  let projector: Projector;
  let notary: LogNotary;
  let serial = 0;

  const mine = (batchId = `FAULT-${++serial}`, idempotencyKey?: string) =>
    executor.execute(
      new LedgerCommand(
        mineBatch,
        {
          type: 'MineBatch',
          data: {
            batchId,
            facilityId: 'mt-weld',
            material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
            massGrams: 25_000_500,
            occurredAt: '2026-03-01T08:00:00+08:00',
          },
        },
        metaOf('MineBatch', MINER, idempotencyKey),
        { batchId },
      ) as never,
    );
  /** Each command's outcome: its position, or the code of the problem the API would answer with. */
  const outcome = (command: Promise<{ position: string }>) =>
    command.then(
      ({ position }) => ({ position }),
      (error: unknown) => ({ error }),
    );
  const problemOf = (error: unknown) => {
    const found = toProblem(error);
    const headers: Record<string, string> = {};
    const reply = {
      status: () => reply,
      headers: (set: Record<string, string>) => (Object.assign(headers, set), reply),
      send: () => reply,
    };
    sendProblem(reply as never, { url: '/batches/mined' } as never, found);
    return { status: found.status, code: found.code, retryAfter: headers['retry-after'] };
  };
  const STORE_UNAVAILABLE = { status: 503, code: 'STORE_UNAVAILABLE', retryAfter: '1' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-faults-'));
    file = SqliteEventStore.open(join(dir, 'ledger.db'));
    db = connectionOf(file);
    store = new SealingEventStore(file);
    executor = new CommandExecutor(store, new LedgerStreams(store), {
      maxRecordingDelayMs: 10 * 365 * 86_400_000,
    });
    views = ReadModelStore.open(join(dir, 'views.db'));
    projector = new Projector(store, views, LEDGER_PROJECTIONS);
    notary = LogNotary.open(store, join(dir, 'integrity.db'), CheckpointSigner.ephemeral(), {
      everyEvents: 50,
      everyMs: 60_000,
    });
    projector.start();
    notary.start();
    const orgId = 'mineco';
    await executor.execute(
      new LedgerCommand(
        registerOrganisation,
        {
          type: 'RegisterOrganisation',
          data: {
            orgId,
            name: 'Mineco',
            country: 'AU',
            roles: ['producer'],
            keyId: 'key-1',
            keySha256: 'ab'.repeat(32),
          },
        },
        metaOf('RegisterOrganisation', ADMIN),
        { orgId },
      ) as never,
    );
    await executor.execute(
      new LedgerCommand(
        registerFacility,
        {
          type: 'RegisterFacility',
          data: { orgId, facilityId: 'mt-weld', kind: 'mine', name: 'Mt Weld', country: 'AU' },
        },
        metaOf('RegisterFacility', MINER),
        { orgId },
      ) as never,
    );
    for (let i = 0; i < 5; i++) await mine();
  });

  afterAll(async () => {
    await projector?.stop();
    await notary?.stop();
    await store?.close();
    views?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    // Whatever a test did to the connection, the next one starts on a healthy store.
    db.pragma('query_only = OFF');
    db.pragma('max_page_count = 1073741823');
  });

  it('fails every command of a group on a full disk with 503 STORE_UNAVAILABLE, then recovers', async () => {
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    // The file may not grow: commands succeed while its last pages have room, then every one is refused.
    let refused: unknown;
    for (let i = 0; i < 500 && refused === undefined; i++) {
      const result = await outcome(mine());
      if ('error' in result) refused = result.error;
    }
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    expect(problemOf(refused)).toEqual(STORE_UNAVAILABLE);
    expect(logged.at(-1)).toMatch(/^STORE_UNAVAILABLE: Commit failed: .*full/i);
    const headAtFault = await store.headPosition();
    const commitsAtFault = file.stats.commits;

    // Commands started together are group-committed together: the failed commit fails every one of them.
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) => outcome(mine(undefined, `full-${i}`))),
    );
    expect(burst.map((result) => ('error' in result ? problemOf(result.error) : result))).toEqual(
      burst.map(() => STORE_UNAVAILABLE),
    );
    expect(await store.headPosition()).toBe(headAtFault);
    expect(file.stats.commits).toBe(commitsAtFault);

    // The fault clears (space is freed): the next commit succeeds, without a restart. Each keyed command,
    // retried with its key, is executed now — no failed attempt was recorded to be replayed.
    db.pragma('max_page_count = 1073741823');
    const retried = await Promise.all(
      Array.from({ length: 24 }, (_, i) => outcome(mine(undefined, `full-${i}`))),
    );
    expect(retried.filter((result) => 'error' in result)).toEqual([]);
    expect(file.stats.commits).toBeGreaterThan(commitsAtFault);
    // Each keyed mined batch is two events (BatchMined, CommandRecorded): the log grew by exactly that.
    expect(await store.headPosition()).toBe(headAtFault + 48n);
  });

  it('fails commands with 503 STORE_UNAVAILABLE while the store file is read-only, then recovers', async () => {
    db.pragma('query_only = ON');
    const headAtFault = await store.headPosition();
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, i) => outcome(mine(`RO-${i}`, `ro-${i}`))),
    );
    expect(burst.map((result) => ('error' in result ? problemOf(result.error) : result))).toEqual(
      burst.map(() => STORE_UNAVAILABLE),
    );
    expect(logged.at(-1)).toMatch(/^STORE_UNAVAILABLE: Commit failed: .*readonly/i);
    expect(await store.headPosition()).toBe(headAtFault);

    db.pragma('query_only = OFF');
    const again = await Promise.all(
      Array.from({ length: 16 }, (_, i) => outcome(mine(`RO-${i}`, `ro-${i}`))),
    );
    expect(again.filter((result) => 'error' in result)).toEqual([]);
    // A retry of an acknowledged command is answered from the log, with the same position.
    expect(await mine('RO-3', 'ro-3')).toEqual({
      batchId: 'RO-3',
      position: (again[3] as { position: string }).position,
    });
  });

  it("keeps taking commands while the views' and the notary's files cannot be written, and both catch up without a restart once they can", async () => {
    const viewsDb = (views as unknown as { db: Connection }).db;
    const notaryDb = (notary as unknown as { db: Connection }).db;
    viewsDb.pragma('query_only = ON');
    notaryDb.pragma(`max_page_count = ${notaryDb.pragma('page_count', { simple: true }) as number}`);
    try {
      // Commands are the store's: they go on. The followers' writes fail, and each says why it waits.
      for (let i = 0; i < 500 && !(projector.interruption && notary.interruption); i++) {
        expect(await outcome(mine())).toHaveProperty('position');
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(projector.interruption?.message).toMatch(/readonly/i);
      expect(notary.interruption?.message).toMatch(/full/i);
      expect(projector.error).toBeUndefined();
      expect(notary.error).toBeUndefined();
      const head = await store.headPosition();
      expect(projector.position).toBeLessThan(head);
      expect(BigInt(notary.size)).toBeLessThan(head);
      expect(await projector.waitFor(head, 300)).toBe(false);
    } finally {
      viewsDb.pragma('query_only = OFF');
      notaryDb.pragma('max_page_count = 1073741823');
    }
    // The fault clears: both read the log again from where they got to (the test below checks the views
    // and the tree against a rebuild and the log).
    const head = await store.headPosition();
    expect(await projector.waitFor(head, 10_000)).toBe(true);
    expect(await notary.waitFor(head, 10_000)).toBe(true);
    expect(projector.interruption).toBeUndefined();
    expect(notary.interruption).toBeUndefined();
  });

  it('leaves nothing partial: the log verifies, and the notary and the views equal a rebuild', async () => {
    const head = await store.headPosition();
    expect(await projector.waitFor(head, 10_000)).toBe(true);
    expect(await notary.waitFor(head, 10_000)).toBe(true);
    expect(projector.error).toBeUndefined();
    expect(notary.error).toBeUndefined();
    expect(notary.size).toBe(Number(head));
    const checkpoint = notary.checkpointCovering(Number(head))!;

    // Positions are gap-free, each stream's revisions too; every CommandRecorded follows its command's event.
    const events: StoredEvent[] = [];
    for await (const stored of store.readAll()) events.push(stored);
    expect(events.map((event) => event.position)).toEqual(events.map((_, i) => BigInt(i + 1)));
    const next = new Map<string, bigint>();
    for (const event of events) {
      expect(`${event.stream}@${event.revision}`).toBe(`${event.stream}@${next.get(event.stream) ?? 0n}`);
      next.set(event.stream, event.revision + 1n);
    }
    const recorded = events.filter((event) => event.type === 'CommandRecorded');
    expect(recorded).toHaveLength(24 + 16);
    for (const event of recorded) expect(events[Number(event.position) - 2]!.type).toBe('BatchMined');

    const record = readNotaryRecord(join(dir, 'integrity.db'));
    try {
      const verdict = await verifyLog(store.readAll(1n), {
        checkpoints: [checkpoint],
        notarisedHashAt: record.notarisedHashAt,
      });
      expect({ ok: verdict.ok, failure: verdict.failure?.message }).toEqual({ ok: true, failure: undefined });
      expect(verdict.checkpointsMatched).toContain(checkpoint.treeSize);
    } finally {
      record.close();
    }

    const rebuilt = ReadModelStore.open(join(dir, 'rebuilt.db'));
    try {
      await rebuildViews(store, rebuilt, LEDGER_PROJECTIONS);
      expect(rebuilt.checkpoint()).toBe(head);
      expect(views.checkpoint()).toBe(head);
      for (const collection of COLLECTIONS)
        expect({ collection, documents: views.all(collection) }).toEqual({
          collection,
          documents: rebuilt.all(collection),
        });
    } finally {
      rebuilt.close();
    }
  });
});
