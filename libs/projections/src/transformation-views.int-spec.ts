import { type LedgerEvent, SCHEMA_VERSION } from '@tracelode/domain';
import { type EventToAppend, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { ReadModelStore } from '@tracelode/read-models';
import { transformationEvents } from '@tracelode/testing';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CARBON, type CarbonView } from './carbon.projection';
import { LEDGER_PROJECTIONS } from './index';
import { Projector, rebuildViews } from './projector';
import { PROVENANCE, type ProvenanceView, traceDescendants } from './provenance.projection';

function write(stream: string, ...events: LedgerEvent[]): StreamWrite {
  return {
    stream,
    expectedRevision: 'any',
    events: events.map((event): EventToAppend => ({
      eventId: randomUUID(),
      type: event.type,
      data: event.data,
      metadata: { commandId: randomUUID(), schemaVersion: SCHEMA_VERSION },
    })),
  };
}

const PARTIES: StreamWrite[] = [
  write(
    'org-mineco',
    {
      type: 'OrganisationRegistered',
      data: { orgId: 'mineco', name: 'M', country: 'AU', roles: ['producer'] },
    },
    {
      type: 'FacilityRegistered',
      data: { orgId: 'mineco', facilityId: 'mt-weld', kind: 'mine', name: 'Mt Weld', country: 'AU' },
    },
  ),
];

const mined = (batchId: string, massGrams: number, extractionEmissionsKgCo2e: number): StreamWrite =>
  write(`batch-${batchId}`, {
    type: 'BatchMined',
    data: {
      batchId,
      orgId: 'mineco',
      facilityId: 'mt-weld',
      material: { form: 'concentrate' },
      massGrams,
      extractionEmissionsKgCo2e,
      occurredAt: '2026-03-01T08:00:00+08:00',
    },
  });

/** One transformation as the API appends it: its own stream and every input's and output's, in one append. */
function transformation(
  transformationId: string,
  inputs: { batchId: string; consumedGrams: number }[],
  output: { batchId: string; massGrams: number },
  processEmissionsKgCo2e: number,
): StreamWrite[] {
  const [recorded, ...batchEvents] = transformationEvents(
    {
      transformationId,
      process: 'alloying',
      orgId: 'mineco',
      facilityId: 'mt-weld',
      inputs,
      outputs: [{ ...output, material: { form: 'alloy' }, allocation: { method: 'mass', share: 1 } }],
      residues: [],
      unaccountedLossGrams: 0,
      processEmissionsKgCo2e,
      occurredAt: '2026-03-10T00:00:00Z',
    },
    Object.fromEntries(inputs.map(({ batchId }) => [batchId, 1])),
  );
  return [
    write(`transformation-${transformationId}`, recorded),
    ...batchEvents.map((event) => write(`batch-${event.data.batchId}`, event)),
  ];
}

/**
 * A chain of LINKS transformations: step i consumes 1 t of the previous output and 1 t of a fresh mined
 * batch Mi (emitting 1 kg CO2e per kg) and makes 2 t, with 100 kg CO2e of its own.
 */
const LINKS = 150;
function chain(): StreamWrite[][] {
  const appends: StreamWrite[][] = [PARTIES, [mined('M0', 2_000_000, 2_000)]];
  for (let i = 1; i <= LINKS; i++) {
    appends.push([mined(`M${i}`, 1_000_000, 1_000)]);
    const previous = i === 1 ? 'M0' : `P${i - 1}`;
    appends.push(
      transformation(
        `T${i}`,
        [
          { batchId: previous, consumedGrams: 1_000_000 },
          { batchId: `M${i}`, consumedGrams: 1_000_000 },
        ],
        { batchId: `P${i}`, massGrams: 2_000_000 },
        100,
      ),
    );
  }
  return appends;
}

describe('provenance and carbon views through the projector (SQLite files)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const opened: ReadModelStore[] = [];
  const open = (name: string) => {
    const views = ReadModelStore.open(join(dir, name));
    opened.push(views);
    return views;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-transformation-views-'));
    store = SqliteEventStore.open(join(dir, 'ledger.db'));
    for (const writes of chain()) await store.append(writes);
  });
  afterAll(async () => {
    for (const views of opened) views.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes each produced batch from its inputs’ views, even inside one batched transaction', async () => {
    // Started after the appends, the projector catches up in batches of many events per transaction, so a
    // produced batch's inputs were often written by the same, not yet committed, transaction.
    const views = open('live.db');
    const projector = new Projector(store, views, LEDGER_PROJECTIONS);
    projector.start();
    expect(await projector.waitFor(await store.headPosition(), 10_000)).toBe(true);
    await projector.stop();
    expect(projector.error).toBeUndefined();

    // P_n = half P_{n-1}, half M_n: M_n's share is 1/2, M_{n-1}'s 1/4, …, M1's and M0's 1/2^n each.
    const last = views.get<ProvenanceView>(PROVENANCE, `P${LINKS}`)!;
    expect(last.depth).toBe(LINKS);
    expect(last.origins).toHaveLength(LINKS + 1);
    expect(last.origins.find((origin) => origin.batchId === `M${LINKS}`)!.massFraction).toBe(0.5);
    expect(last.origins.find((origin) => origin.batchId === `M${LINKS - 1}`)!.massFraction).toBe(0.25);
    const total = last.origins.reduce((sum, origin) => sum + origin.massFraction, 0);
    expect(Math.abs(total - 1)).toBeLessThan(1e-12);

    // Every link: intensity 1 kg CO2e/kg in, (1000 + 1000 + 100) / 2000 = 1.05 out: P_n = 1 + 0.1 × (1 − 2^−n).
    const carbon = views.get<CarbonView>(CARBON, `P${LINKS}`)!;
    const expected = 1 + 0.1 * (1 - 2 ** -LINKS);
    expect(Math.abs(carbon.intensityKgCo2ePerKg - expected) / expected).toBeLessThan(1e-9);
    const breakdownTotal = carbon.breakdown.reduce((sum, entry) => sum + entry.kgCo2e, 0);
    expect(Math.abs(breakdownTotal - carbon.embodiedKgCo2e) / carbon.embodiedKgCo2e).toBeLessThan(1e-9);
    expect(carbon.breakdown).toHaveLength(1 + LINKS); // one extraction entry for the one mine, one per step

    const descendants = traceDescendants(views.get<ProvenanceView>(PROVENANCE, 'M0')!, (id) =>
      views.get<ProvenanceView>(PROVENANCE, id),
    );
    expect(descendants.map((descendant) => descendant.depth)).toEqual(
      Array.from({ length: LINKS }, (_, i) => i + 1),
    );
  });

  it('rebuilds into the same provenance and carbon documents, whatever the chunk size and the documents kept in memory', async () => {
    const live = open('reference.db');
    const projector = new Projector(store, live, LEDGER_PROJECTIONS);
    projector.start();
    expect(await projector.waitFor(await store.headPosition(), 10_000)).toBe(true);
    await projector.stop();

    for (const [chunkSize, cachedDocuments] of [
      [1, undefined],
      [7, 3],
      [1000, undefined],
    ] as const) {
      const rebuilt = open(`rebuilt-${chunkSize}.db`);
      await rebuildViews(store, rebuilt, LEDGER_PROJECTIONS, { chunkSize, cachedDocuments });
      expect(rebuilt.all(PROVENANCE)).toEqual(live.all(PROVENANCE));
      expect(rebuilt.all(CARBON)).toEqual(live.all(CARBON));
    }
    expect(live.all(PROVENANCE)).toHaveLength(2 * LINKS + 1);
  });
});
