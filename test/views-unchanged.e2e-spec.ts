import { openEventStore } from '@tracelode/event-store';
import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import { type LoggedEvent, normaliseViews } from '@tracelode/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/**
 * The views a rich chain gives, compared with those the ledger gave for the same commands before a
 * transformation was stored once in its own stream (schema 1: every output's event listed every input).
 * `fixtures/views-schema-1.json` was written by that code (TRACELODE_WRITE_VIEWS_FIXTURE=1 rewrites it,
 * with the log it read, which libs/evidence/src/schema-1-log.int-spec.ts projects again).
 */
export const VIEWS_FIXTURE = join(__dirname, 'fixtures/views-schema-1.json');

export interface ViewsFixture {
  /** Every view read over HTTP, by path, normalised (libs/testing/src/views-fixture.ts). */
  readonly views: Record<string, unknown>;
  /** The ledger's clock when the run began: instants from it on are the ledger's own. */
  readonly since: string;
  /** The whole log the run wrote. */
  readonly log: LoggedEvent[];
}

const BATCHES = ['A1', 'A2', 'B1', 'MC-1', 'NDPR-OX-1', 'LACE-1', 'METAL-1', 'METAL-2', 'OTHER-1'];
const BATCH_VIEWS = ['', '/provenance', '/carbon', '/certification', '/footprint'];
const AS_OF_VIEWS = ['', '/provenance', '/carbon', '/certification'];
const BUNDLED = ['A1', 'B1', 'METAL-1', 'OTHER-1'];

describe('the views of a rich chain are those the ledger gave before schema 2', () => {
  let ledger: LedgerHarness;
  const since = new Date().toISOString();
  const views: Record<string, unknown> = {};
  const log: LoggedEvent[] = [];

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    const parties = await standardParties(ledger);
    const serra = await ledger.organisation(
      'serra',
      'BR',
      ['producer'],
      [{ facilityId: 'serra-verde', kind: 'mine' }],
    );
    const metco = await ledger.organisation(
      'metco',
      'VN',
      ['producer'],
      [{ facilityId: 'hai-phong', kind: 'processing_plant' }],
    );
    const regulator = await ledger.organisation('customs-my', 'MY', ['regulator']);
    let head = '0';
    const ok = async (path: string, token: string, body: unknown) => {
      const reply = await ledger.post<{ position: string }>(path, token, body);
      if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
      head = reply.body.position;
      return head;
    };
    const certificate = (certificateId: string, subject: Record<string, string>) => ({
      certificateId,
      scheme: 'IRMA',
      level: 'IRMA 75',
      subject,
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/report.pdf' },
      occurredAt: '2026-01-01T00:00:00Z',
    });
    // Read as the operator: this pins the views' content; who may see them is test/visibility.e2e-spec.ts.
    const read = async (path: string, token = ADMIN_TOKEN) => {
      const reply = await ledger.get(`${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`, token);
      views[path] = { status: reply.status, body: reply.body };
    };

    await ok(
      '/certificates',
      parties.certifier,
      certificate('C-MINECO', { type: 'organisation', id: 'mineco' }),
    );
    await ok(
      '/certificates',
      parties.certifier,
      certificate('C-KUANTAN', { type: 'facility', id: 'kuantan', orgId: 'refco' }),
    );
    await ok('/batches/mined', parties.miner, {
      ...minedBatch('A1', 10_000),
      extractionEmissionsKgCo2e: 5_000,
    });
    await ok('/batches/mined', parties.miner, minedBatch('A2', 2_000));
    await ok('/batches/mined', serra, {
      ...minedBatch('B1', 8_000),
      facilityId: 'serra-verde',
      extractionEmissionsKgCo2e: 2_400,
      occurredAt: '2026-02-20T09:00:00-03:00',
    });
    await ok('/batches/A1/assays', parties.certifier, {
      assayId: 'AS-A1',
      lab: 'ALS Perth',
      method: 'ICP-MS',
      grade: { TREO: 40.7, Nd2O3: 8.8 },
      occurredAt: '2026-03-02T10:00:00+08:00',
    });
    for (const [batchId, token, receivedMassKg] of [
      ['A1', parties.miner, 10_000],
      ['A2', parties.miner, 2_000],
      ['B1', serra, 7_900],
    ] as const) {
      await ok(`/batches/${batchId}/shipments`, token, shipment(`S-${batchId}`));
      await ok(`/batches/${batchId}/receipts`, parties.refiner, {
        shipmentId: `S-${batchId}`,
        receivedMassKg,
        occurredAt: '2026-03-19T14:00:00+08:00',
      });
    }
    await ok('/transformations', parties.refiner, {
      transformationId: 'T1',
      facilityId: 'kuantan',
      process: 'cracking_leaching',
      occurredAt: '2026-03-25T08:00:00+08:00',
      inputs: [
        { batchId: 'A1', consumedKg: 6_000 },
        { batchId: 'A2', consumedKg: 2_000 },
        { batchId: 'B1', consumedKg: 4_000 },
      ],
      outputs: [
        {
          batchId: 'MC-1',
          material: { form: 'mixed_compound', elements: ['Nd', 'Pr', 'La', 'Ce'] },
          massKg: 9_000,
        },
      ],
      residues: [{ kind: 'tailings', massKg: 2_500 }],
      processEmissionsKgCo2e: 3_000,
    });
    const afterT2 = await ok('/transformations', parties.refiner, {
      transformationId: 'T2',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-04-02T08:00:00+08:00',
      inputs: [
        { batchId: 'MC-1', consumedKg: 6_000 },
        { batchId: 'B1', consumedKg: 1_000 },
      ],
      outputs: [
        {
          batchId: 'NDPR-OX-1',
          material: { form: 'oxide', elements: ['Nd', 'Pr'], grade: { Nd2O3: 75.5 } },
          massKg: 1_500,
        },
        { batchId: 'LACE-1', material: { form: 'mixed_compound', elements: ['La', 'Ce'] }, massKg: 3_500 },
      ],
      residues: [
        { kind: 'raffinate', massKg: 1_500 },
        { kind: 'sludge', massKg: 20 },
      ],
      processEmissionsKgCo2e: 6_000,
      allocation: { method: 'economic', keys: { 'NDPR-OX-1': 0.8, 'LACE-1': 0.2 } },
    });
    await ok('/batches/NDPR-OX-1/shipments', parties.refiner, {
      ...shipment('S-NDPR'),
      toOrgId: 'metco',
      toFacilityId: 'hai-phong',
      occurredAt: '2026-04-05T08:00:00+08:00',
    });
    await ok('/batches/NDPR-OX-1/receipts', metco, {
      shipmentId: 'S-NDPR',
      receivedMassKg: 1_500,
      occurredAt: '2026-04-12T10:00:00+07:00',
    });
    await ok('/transformations', metco, {
      transformationId: 'T3',
      facilityId: 'hai-phong',
      process: 'electrolysis',
      occurredAt: '2026-04-20T09:00:00+07:00',
      inputs: [{ batchId: 'NDPR-OX-1', consumedKg: 1_200 }],
      outputs: [
        { batchId: 'METAL-1', material: { form: 'metal', elements: ['Nd', 'Pr'] }, massKg: 680 },
        { batchId: 'METAL-2', material: { form: 'metal', elements: ['Nd', 'Pr'] }, massKg: 340 },
      ],
      processEmissionsKgCo2e: 3_096,
    });
    // Nothing waits on the clock between the last command and the next read: asOf falls between them.
    const afterT3 = new Date().toISOString();
    await new Promise((done) => setTimeout(done, 5));
    // A1 feeds a second transformation, off METAL-1's chain: METAL-1's evidence still holds A1's whole stream.
    await ok('/transformations', parties.refiner, {
      transformationId: 'T4',
      facilityId: 'kuantan',
      process: 'calcination',
      occurredAt: '2026-04-25T08:00:00+08:00',
      inputs: [
        { batchId: 'A1', consumedKg: 1_000 },
        { batchId: 'LACE-1', consumedKg: 500 },
      ],
      outputs: [{ batchId: 'OTHER-1', material: { form: 'oxide', elements: ['La'] }, massKg: 1_400 }],
      processEmissionsKgCo2e: 0,
    });
    await ok('/batches/A1/holds', regulator, {
      reason: 'Suspected undeclared origin',
      occurredAt: '2026-05-01T00:00:00Z',
    });
    await ok('/batches/B1/holds', regulator, {
      reason: 'Paperwork',
      occurredAt: '2026-05-01T00:00:00Z',
    });
    await ok('/batches/B1/releases', regulator, {
      reason: 'Paperwork in order',
      occurredAt: '2026-05-02T00:00:00Z',
    });

    for (const batchId of BATCHES) {
      for (const view of BATCH_VIEWS) await read(`/batches/${batchId}${view}`);
      await read(`/holds/${batchId}/impact`);
      for (const view of AS_OF_VIEWS) {
        await read(`/batches/${batchId}${view}?atPosition=${afterT2}`);
        await read(`/batches/${batchId}${view}?asOf=${afterT3}`);
      }
    }
    // The moments are named, not given: positions move on in schema 2, and each run has its own clock.
    for (const [path, view] of Object.entries(views)) {
      delete views[path];
      const named = (text: string) =>
        text.replace(`atPosition=${afterT2}`, 'atPosition=afterT2').replaceAll(afterT3, 'afterT3');
      views[named(path)] = JSON.parse(named(JSON.stringify(view))) as unknown;
    }
    for (const batchId of BATCHES.filter((id) => BUNDLED.includes(id))) {
      const reply = await ledger.get<AuditBundle>(`/batches/${batchId}/audit-bundle`, ADMIN_TOKEN);
      const verdict = verifyAuditBundle(reply.body);
      views[`/batches/${batchId}/audit-bundle`] = {
        status: reply.status,
        verified: verdict.ok ? 'ok' : verdict.failure,
        views: reply.body.views,
      };
    }

    await ledger.shutdown();
    const store = await openEventStore(ledger.storeUrl);
    try {
      for await (const stored of store.readAll(1n)) {
        log.push({
          position: stored.position.toString(),
          stream: stored.stream,
          revision: stored.revision.toString(),
          eventId: stored.eventId,
          type: stored.type,
          data: { ...stored.data },
          metadata: { ...stored.metadata },
          recordedAt: stored.recordedAt,
        });
      }
    } finally {
      await store.close();
    }
  });
  afterAll(() => ledger?.stop());

  it('serves every view of every batch — live, as of a moment, in its audit bundle — as before', () => {
    const normalised = normaliseViews(views, log, since) as Record<string, unknown>;
    if (process.env.TRACELODE_WRITE_VIEWS_FIXTURE === '1') {
      mkdirSync(dirname(VIEWS_FIXTURE), { recursive: true });
      writeFileSync(VIEWS_FIXTURE, `${JSON.stringify({ views: normalised, since, log }, null, 1)}\n`);
    }
    expect(existsSync(VIEWS_FIXTURE)).toBe(true);
    const fixture = JSON.parse(readFileSync(VIEWS_FIXTURE, 'utf8')) as ViewsFixture;
    expect(Object.keys(normalised).sort()).toEqual(Object.keys(fixture.views).sort());
    for (const [path, view] of Object.entries(fixture.views))
      expect({ path, view: normalised[path] }).toEqual({ path, view });
  });

  it('records each transformation once, on its own stream; a batch event names no other batch', () => {
    const recorded = log.filter((event) => event.type === 'TransformationRecorded');
    expect(recorded.map((event) => event.stream)).toEqual([
      'transformation-T1',
      'transformation-T2',
      'transformation-T3',
      'transformation-T4',
    ]);
    const batchEvents = log.filter(
      (event) => event.type === 'BatchProduced' || event.type === 'BatchRefined',
    );
    expect(batchEvents).toHaveLength(14); // T1 3 in, 1 out; T2 2, 2; T3 1, 2; T4 2, 1
    for (const event of batchEvents) {
      expect(Object.keys(event.data)).not.toEqual(expect.arrayContaining(['inputs']));
      expect(Object.keys(event.data)).not.toEqual(expect.arrayContaining(['outputBatchIds']));
    }
  });

  it('reads a rich chain: most views exist, and every bundle verifies', () => {
    const served = Object.values(views).filter((view) => (view as { status: number }).status === 200);
    expect(served.length).toBeGreaterThan(100);
    for (const batchId of BUNDLED)
      expect(views[`/batches/${batchId}/audit-bundle`]).toMatchObject({ status: 200, verified: 'ok' });
  });
});
