import {
  type Decider,
  DomainError,
  encodeEvent,
  type LedgerEvent,
  type OrganisationState,
  type RegisterFacility,
  type MineBatch,
  mineBatch,
  registerFacility,
  type TransformBatches,
  transformBatches,
} from '@tracelode/domain';
import {
  type EventStore,
  InMemoryEventStore,
  type StoredEvent,
  type StreamWrite,
} from '@tracelode/event-store';
import type { SignedRequest } from '@tracelode/request-signatures';
import { randomUUID } from 'node:crypto';
import type { CommandMeta } from './command-meta';
import { CommandExecutor, LedgerCommand } from './command-executor';
import { LedgerStreams } from './ledger-streams';

// @nestjs/common and @nestjs/cqrs are ESM-only, which Jest cannot load on Node 20; the executor needs only
// their decorators and the CQRS Command base class.
jest.mock('@nestjs/common', () => ({
  Inject: () => () => undefined,
  Injectable: () => () => undefined,
  Optional: () => () => undefined,
}));
jest.mock('@nestjs/cqrs', () => ({ Command: class {}, CommandHandler: () => () => undefined }));

const STREAM = 'org-mineco';

const registered: LedgerEvent = {
  type: 'OrganisationRegistered',
  data: { orgId: 'mineco', name: 'Mineco', country: 'AU', roles: ['producer'] },
};
const facility = (facilityId: string): LedgerEvent => ({
  type: 'FacilityRegistered',
  data: { orgId: 'mineco', facilityId, kind: 'mine', name: facilityId, country: 'AU' },
});

const meta: CommandMeta = {
  commandId: 'command-1',
  commandType: 'RegisterFacility',
  actor: { orgId: 'mineco', keyId: 'key-1', roles: ['producer'] },
  recordedAt: '2026-03-01T00:00:00.000Z',
  correlationId: 'command-1',
  requestSha256: 'ab'.repeat(32),
};

/** Appends as another process would: straight to the store, unseen by any executor or cache. */
function appendDirectly(
  store: EventStore,
  expectedRevision: StreamWrite['expectedRevision'],
  ...events: LedgerEvent[]
) {
  const envelope = {
    commandId: 'elsewhere',
    commandType: 'RegisterFacility',
    actor: meta.actor,
    recordedAt: meta.recordedAt,
    correlationId: 'elsewhere',
    causationId: 'elsewhere',
  };
  return store.append([
    {
      stream: STREAM,
      expectedRevision,
      events: events.map((event) => encodeEvent(event, envelope, randomUUID())),
    },
  ]);
}

/** The `from` of every readStream call on the stream, in order. */
function spyOnReads(store: EventStore, stream = STREAM): bigint[] {
  const froms: bigint[] = [];
  const readStream = store.readStream.bind(store);
  jest.spyOn(store, 'readStream').mockImplementation((read, from) => {
    if (read === stream) froms.push(from ?? 0n);
    return readStream(read, from);
  });
  return froms;
}

async function streamContents(store: EventStore, stream = STREAM): Promise<string[]> {
  const events: string[] = [];
  for await (const stored of store.readStream(stream))
    events.push(stored.type === 'FacilityRegistered' ? (stored.data.facilityId as string) : stored.type);
  return events;
}

const facilityIds = (state: OrganisationState) => (state.exists ? [...state.facilities.keys()] : []);

describe('LedgerStreams', () => {
  it('reads only the events after the folded revision, and still sees events appended meanwhile', async () => {
    const store = new InMemoryEventStore();
    const streams = new LedgerStreams(store);
    await appendDirectly(store, 'no_stream', registered, facility('mt-weld'));
    const froms = spyOnReads(store);

    expect(facilityIds((await streams.load('organisations', 'mineco')).state)).toEqual(['mt-weld']);
    await appendDirectly(store, 1n, facility('fremantle'));
    const loaded = await streams.load('organisations', 'mineco');

    expect(froms).toEqual([0n, 2n]);
    expect(facilityIds(loaded.state)).toEqual(['mt-weld', 'fremantle']);
    // A write expects the revision the load saw, cached or not.
    expect(loaded).toMatchObject({ stream: STREAM, revision: 2n });
  });

  it('folds each kind of stream apart: a batch and an organisation of the same id are two streams', async () => {
    const store = new InMemoryEventStore();
    const streams = new LedgerStreams(store);
    await appendDirectly(store, 'no_stream', registered, facility('mt-weld'));
    const organisationReads = spyOnReads(store);

    await streams.load('organisations', 'mineco');
    const batch = await streams.load('batches', 'mineco');

    expect(batch).toEqual({ stream: 'batch-mineco', state: { exists: false }, revision: 'no_stream' });
    expect(organisationReads).toEqual([0n]);
    expect((await streams.load('organisations', 'mineco')).state.exists).toBe(true);
    expect(organisationReads).toEqual([0n, 2n]);
  });

  it('does not fold a stream that has no events', async () => {
    const store = new InMemoryEventStore();
    const streams = new LedgerStreams(store);
    const froms = spyOnReads(store);

    expect(await streams.load('organisations', 'mineco')).toMatchObject({ revision: 'no_stream' });
    await appendDirectly(store, 'no_stream', registered);
    const loaded = await streams.load('organisations', 'mineco');

    expect(froms).toEqual([0n, 0n]);
    expect(loaded).toMatchObject({ revision: 0n, state: { exists: true } });
  });

  // The cache's bookkeeping, reached directly: which of two concurrent loads finishes last is not ours to choose.
  type Remembering = { remember(stream: string, revision: bigint, state: unknown): void };

  it('keeps the furthest revision when loads finish out of order', async () => {
    const store = new InMemoryEventStore();
    await appendDirectly(store, 'no_stream', registered, facility('a'), facility('b'));
    const streams = new LedgerStreams(store);
    const froms = spyOnReads(store);
    await streams.load('organisations', 'mineco'); // folded up to revision 2
    (streams as unknown as Remembering).remember(STREAM, 1n, 'older');

    const loaded = await streams.load('organisations', 'mineco');
    expect(froms).toEqual([0n, 3n]);
    expect(facilityIds(loaded.state)).toEqual(['a', 'b']);
  });

  it('forgets the least recently loaded stream beyond its capacity (1000 streams)', async () => {
    const store = new InMemoryEventStore();
    await appendDirectly(store, 'no_stream', registered);
    const streams = new LedgerStreams(store);
    const froms = spyOnReads(store);
    await streams.load('organisations', 'mineco');
    for (let i = 0; i < 999; i++) (streams as unknown as Remembering).remember(`org-other-${i}`, 0n, {});
    // Folded further, so remembered again as the most recent: kept when one more stream arrives.
    await appendDirectly(store, 0n, facility('mt-weld'));
    await streams.load('organisations', 'mineco');
    (streams as unknown as Remembering).remember('org-one-more', 0n, {});
    await streams.load('organisations', 'mineco');
    for (let i = 0; i < 1000; i++) (streams as unknown as Remembering).remember(`org-newer-${i}`, 0n, {});
    await streams.load('organisations', 'mineco'); // forgotten: folded from the start again

    expect(froms).toEqual([0n, 1n, 2n, 0n]);
  });
});

describe('CommandExecutor', () => {
  const register = (facilityId: string) => ({
    type: 'RegisterFacility' as const,
    data: { orgId: 'mineco', facilityId, kind: 'mine' as const, name: facilityId, country: 'AU' },
  });
  /** registerFacility, with a hook run on each decision after the streams were loaded. */
  const observed = (onDecide: (attempt: number) => void) => {
    const seen: string[][] = [];
    const decider: Decider<RegisterFacility> = {
      streams: registerFacility.streams,
      decide: (command, state) => {
        seen.push(facilityIds(state.organisation('mineco')));
        onDecide(seen.length);
        return registerFacility.decide(command, state);
      },
    };
    return { decider, seen };
  };
  const setUp = async () => {
    const store = new InMemoryEventStore();
    await appendDirectly(store, 'no_stream', registered);
    const executor = new CommandExecutor(store, new LedgerStreams(store), {
      maxRecordingDelayMs: 30 * 24 * 3600 * 1000,
    });
    return { store, executor };
  };
  const refusal = async (run: Promise<unknown>): Promise<DomainError> => {
    try {
      await run;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
    throw new Error('the command was not refused');
  };
  /** What the CommandBus does: hands a LedgerCommand of any use case to the one handler. */
  const send = <Body extends { type: string }, Result extends Record<string, unknown>>(
    executor: CommandExecutor,
    command: LedgerCommand<Body, Result>,
  ) => executor.execute(command as unknown as Parameters<CommandExecutor['execute']>[0]);

  it('decides on events another process appended since the stream was folded, and retries a lost race', async () => {
    const { store, executor } = await setUp();
    await send(
      executor,
      new LedgerCommand(registerFacility, register('mt-weld'), meta, { facilityId: 'mt-weld' }),
    );
    await appendDirectly(store, 1n, facility('fremantle'));
    // Another process appends between this command's load and its append: the append fails on the
    // expected revision, and the retry folds the newer event onto the cached state.
    const { decider, seen } = observed((attempt) => {
      if (attempt === 1) void appendDirectly(store, 2n, facility('port-hedland'));
    });

    const result = await send(
      executor,
      new LedgerCommand(decider, register('kuantan'), meta, { facilityId: 'kuantan' }),
    );

    expect(seen).toEqual([
      ['mt-weld', 'fremantle'],
      ['mt-weld', 'fremantle', 'port-hedland'],
    ]);
    expect(result).toEqual({ facilityId: 'kuantan', position: '5' });
    expect(await streamContents(store)).toEqual([
      'OrganisationRegistered',
      'mt-weld',
      'fremantle',
      'port-hedland',
      'kuantan',
    ]);
  });

  it('refuses with CONCURRENCY_CONFLICT after losing 5 races, having written nothing', async () => {
    const { store, executor } = await setUp();
    let revision = 0n;
    const { decider, seen } = observed(
      () => void appendDirectly(store, revision++, facility(`rival-${revision}`)),
    );

    const error = await refusal(send(executor, new LedgerCommand(decider, register('kuantan'), meta, {})));

    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', kind: 'conflict' });
    expect(seen).toHaveLength(5);
    expect(await streamContents(store)).not.toContain('kuantan');
  });

  it('answers a retry with the same Idempotency-Key from the log, without deciding again', async () => {
    const { store, executor } = await setUp();
    const idempotent = { ...meta, idempotencyKey: 'retry-me' };
    const { decider, seen } = observed(() => undefined);
    const first = await send(
      executor,
      new LedgerCommand(
        decider,
        register('kuantan'),
        idempotent,
        { facilityId: 'kuantan', secret: 's' },
        ({ facilityId }) => ({
          facilityId,
        }),
      ),
    );
    const again = await send(
      executor,
      new LedgerCommand(decider, register('kuantan'), idempotent, { facilityId: 'kuantan', secret: 's' }),
    );

    expect(first).toEqual({ facilityId: 'kuantan', secret: 's', position: '3' });
    // The replay answers what was recorded (the replayable part) at the same position.
    expect(again).toEqual({ facilityId: 'kuantan', position: '3' });
    expect(seen).toHaveLength(1);
    expect(await streamContents(store)).toEqual(['OrganisationRegistered', 'kuantan']);
  });

  it('refuses an Idempotency-Key reused for a different request with IDEMPOTENCY_KEY_REUSED', async () => {
    const { executor } = await setUp();
    const idempotent = { ...meta, idempotencyKey: 'once' };
    await send(executor, new LedgerCommand(registerFacility, register('kuantan'), idempotent, {}));

    const error = await refusal(
      send(
        executor,
        new LedgerCommand(
          registerFacility,
          register('fremantle'),
          { ...idempotent, requestSha256: 'cd'.repeat(32) },
          {},
        ),
      ),
    );

    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', kind: 'rule' });
  });

  it('writes nothing when the decision is refused, not even the Idempotency-Key', async () => {
    const { store, executor } = await setUp();
    await appendDirectly(store, 0n, facility('kuantan'));
    const head = await store.headPosition();

    const error = await refusal(
      send(
        executor,
        new LedgerCommand(registerFacility, register('kuantan'), { ...meta, idempotencyKey: 'refused' }, {}),
      ),
    );

    expect(error).toMatchObject({ code: 'FACILITY_ALREADY_EXISTS', kind: 'conflict' });
    expect(await store.headPosition()).toBe(head);
  });

  describe('a command that creates its stream (Decider.creates: a mined lot)', () => {
    const mine = (batchId: string, facilityId = 'mt-weld'): MineBatch => ({
      type: 'MineBatch',
      data: {
        batchId,
        facilityId,
        material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } },
        massGrams: 25_000_500,
        occurredAt: '2026-02-28T08:00:00.000Z',
      },
    });
    const mining = { ...meta, commandType: 'MineBatch' };
    /** The org with a mine, mt-weld, and a plant (not a mine), and every read of the given batch stream. */
    const withMine = async (batchStream: string) => {
      const set = await setUp();
      await appendDirectly(set.store, 0n, facility('mt-weld'), {
        type: 'FacilityRegistered',
        data: {
          orgId: 'mineco',
          facilityId: 'plant',
          kind: 'processing_plant',
          name: 'plant',
          country: 'AU',
        },
      });
      return { ...set, batchReads: spyOnReads(set.store, batchStream) };
    };
    /** mineBatch, counting its decisions. */
    const counted = () => {
      let decisions = 0;
      const decider: Decider<MineBatch> = {
        ...mineBatch,
        decide: (command, state) => {
          decisions++;
          return mineBatch.decide(command, state);
        },
      };
      return { decider, decisions: () => decisions };
    };

    it('records a new lot without reading its stream, at no_stream', async () => {
      const { store, executor, batchReads } = await withMine('batch-LOT-1');
      const append = jest.spyOn(store, 'append');

      const result = await send(executor, new LedgerCommand(mineBatch, mine('LOT-1'), mining, {}));

      expect(result).toEqual({ position: '4' });
      expect(batchReads).toEqual([]);
      expect(append.mock.calls[0]![0].find((write) => write.stream === 'batch-LOT-1')).toMatchObject({
        expectedRevision: 'no_stream',
      });
      expect(await streamContents(store, 'batch-LOT-1')).toEqual(['BatchMined']);
    });

    it('refuses a lot that exists as the ordinary path does (BATCH_ALREADY_EXISTS), having written nothing', async () => {
      const { store, executor, batchReads } = await withMine('batch-LOT-1');
      await send(executor, new LedgerCommand(mineBatch, mine('LOT-1'), mining, {}));
      // A fresh executor (another server, a restart): nothing cached says the lot exists.
      const fresh = new CommandExecutor(store, new LedgerStreams(store), {
        maxRecordingDelayMs: 30 * 24 * 3600 * 1000,
      });
      const head = await store.headPosition();
      const { decider, decisions } = counted();

      const error = await refusal(send(fresh, new LedgerCommand(decider, mine('LOT-1'), mining, {})));

      expect(error).toMatchObject({ code: 'BATCH_ALREADY_EXISTS', kind: 'conflict' });
      // Decided as new, refused by the append at no_stream, read, decided again: no attempt of the five lost.
      expect(decisions()).toBe(2);
      expect(batchReads).toEqual([0n]);
      expect(await store.headPosition()).toBe(head);
      expect(await streamContents(store, 'batch-LOT-1')).toEqual(['BatchMined']);
    });

    it('answers with the ordinary path’s refusal when the first attempt is refused for another reason', async () => {
      // Mining at a plant an existing lot's id: the ordinary path finds the lot first (BATCH_ALREADY_EXISTS),
      // the first attempt, taking the lot as new, finds the plant is not a mine. The ordinary path's answer wins.
      const { store, executor } = await withMine('batch-LOT-1');
      await send(executor, new LedgerCommand(mineBatch, mine('LOT-1'), mining, {}));
      const fresh = new CommandExecutor(store, new LedgerStreams(store), {
        maxRecordingDelayMs: 30 * 24 * 3600 * 1000,
      });

      const error = await refusal(
        send(fresh, new LedgerCommand(mineBatch, mine('LOT-1', 'plant'), mining, {})),
      );

      expect(error).toMatchObject({ code: 'BATCH_ALREADY_EXISTS' });
      const atPlant = await refusal(
        send(fresh, new LedgerCommand(mineBatch, mine('LOT-2', 'plant'), mining, {})),
      );
      expect(atPlant.code).not.toBe('BATCH_ALREADY_EXISTS');
      expect(await streamContents(store, 'batch-LOT-2')).toEqual([]);
    });

    it('reads a lot this executor already knows exists, and refuses it without an append', async () => {
      const { store, executor, batchReads } = await withMine('batch-LOT-1');
      await send(executor, new LedgerCommand(mineBatch, mine('LOT-1'), mining, {}));
      // The executor's cache folded the lot when it loaded it (for a custody command, say).
      const streams = new LedgerStreams(store);
      await streams.load('batches', 'LOT-1');
      const knowing = new CommandExecutor(store, streams, { maxRecordingDelayMs: 30 * 24 * 3600 * 1000 });
      const append = jest.spyOn(store, 'append');
      const { decider, decisions } = counted();

      const error = await refusal(send(knowing, new LedgerCommand(decider, mine('LOT-1'), mining, {})));

      expect(error).toMatchObject({ code: 'BATCH_ALREADY_EXISTS' });
      expect(decisions()).toBe(1);
      expect(append).not.toHaveBeenCalled();
      expect(batchReads.length).toBeGreaterThan(0);
    });
  });

  it('keeps a signed request in the first event it appends only; every other event names that event', async () => {
    const { store, executor } = await setUp();
    const body = JSON.stringify({ facilities: ['a', 'b'], partner: 'refco' });
    const signedRequest: SignedRequest = {
      keyId: 'mineco-sig',
      alg: 'ed25519',
      label: 'sig1',
      signatureParams: '("@method" "@path" "content-digest");created=1;keyid="mineco-sig";alg="ed25519"',
      signature: 'c2lnbmF0dXJl',
      components: { '@method': 'POST', '@path': '/x', 'content-digest': 'sha-256=:AA==:' },
      body,
    };
    // Two streams, three events, and the Idempotency-Key's record; the first attempt loses a race.
    let attempt = 0;
    const decider: Decider<RegisterFacility> = {
      streams: () => ({ organisations: ['mineco', 'refco'] }),
      decide: () => {
        if (++attempt === 1) void appendDirectly(store, 'any', facility('rival'));
        return [
          { stream: STREAM, events: [facility('a'), facility('b')] },
          {
            stream: 'org-refco',
            events: [
              {
                type: 'OrganisationRegistered',
                data: { orgId: 'refco', name: 'Refco', country: 'AU', roles: ['producer'] },
              },
            ],
          },
        ];
      },
    };

    const result = await send(
      executor,
      new LedgerCommand(decider, register('a'), { ...meta, idempotencyKey: 'signed', signedRequest }, {}),
    );

    expect(attempt).toBe(2);
    const written: StoredEvent[] = [];
    for await (const event of store.readAll())
      if (event.metadata.commandId === 'command-1') written.push(event);
    expect(written.map((event) => event.type)).toEqual([
      'FacilityRegistered',
      'FacilityRegistered',
      'OrganisationRegistered',
      'CommandRecorded',
    ]);
    expect(written.at(-1)!.position.toString()).toBe(result.position);
    const [first, ...rest] = written;
    expect(first!.metadata).toMatchObject({
      signedRequest,
      requestSignature: { keyId: 'mineco-sig', alg: 'ed25519', verified: true },
    });
    expect(first!.metadata.requestSignature).not.toHaveProperty('requestEventId');
    for (const event of rest) {
      expect(event.metadata).not.toHaveProperty('signedRequest');
      expect(event.metadata.requestSignature).toEqual({
        keyId: 'mineco-sig',
        alg: 'ed25519',
        verified: true,
        requestEventId: first!.eventId,
      });
    }
    expect(written.filter((event) => JSON.stringify(event.metadata).includes('partner'))).toHaveLength(1);
  });

  it('writes an unsigned command’s events with the same envelope, naming no request', async () => {
    const { store, executor } = await setUp();
    await send(executor, new LedgerCommand(registerFacility, register('kuantan'), meta, {}));
    let last: StoredEvent | undefined;
    for await (const event of store.readStream(STREAM)) last = event;
    expect(last!.metadata).not.toHaveProperty('signedRequest');
    expect(last!.metadata).not.toHaveProperty('requestSignature');
  });
  it('executeAll puts transformation declarations first, before a batch an earlier command wrote names them', async () => {
    const { store, executor } = await setUp();
    await send(executor, new LedgerCommand(registerFacility, register('mt-weld'), meta, {}));
    const occurredAt = '2026-02-20T00:00:00Z';
    await executor.executeAll(
      [
        {
          decider: mineBatch as Decider<{ type: string }>,
          command: <MineBatch>{
            type: 'MineBatch',
            data: {
              batchId: 'ORE',
              facilityId: 'mt-weld',
              material: { form: 'ore' },
              massGrams: 1000,
              occurredAt,
            },
          },
        },
        {
          decider: transformBatches as Decider<{ type: string }>,
          command: <TransformBatches>{
            type: 'TransformBatches',
            data: {
              transformationId: 'T1',
              facilityId: 'mt-weld',
              process: 'beneficiation',
              occurredAt,
              inputs: [{ batchId: 'ORE', consumedGrams: 1000 }],
              outputs: [{ batchId: 'CONC', material: { form: 'concentrate' }, massGrams: 400 }],
              residues: [],
              processEmissionsKgCo2e: 0,
              allocation: { method: 'mass' },
            },
          },
        },
      ],
      { ...meta, commandType: 'CaptureEpcisDocument' },
      {},
    );
    const log: string[] = [];
    for await (const stored of store.readAll()) log.push(`${stored.stream} ${stored.type}`);
    expect(log.slice(-4)).toEqual([
      'transformation-T1 TransformationRecorded',
      'batch-ORE BatchMined',
      'batch-ORE BatchRefined',
      'batch-CONC BatchProduced',
    ]);
  });
});
