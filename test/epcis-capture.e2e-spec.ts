import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

const BASE = 'https://ledger.example.org';
const EXAMPLES = resolve(__dirname, '../standards/epcis');
const CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { tl: `${BASE}/epcis/vocab/` },
];

type EpcisEvent = Record<string, unknown>;
interface CaptureJob {
  captureID: string;
  running: boolean;
  success: boolean;
  captureErrorBehaviour: string;
  errors: { index: number; code: string; status: number; message: string }[];
  recorded: number;
  position?: string;
}

const document = (eventList: unknown[]) => ({
  '@context': CONTEXT,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-20T00:00:00Z',
  epcisBody: { eventList },
});
const lot = (batchId: string) => `${BASE}/batches/${batchId}`;
const facility = (orgId: string, facilityId: string) => `${BASE}/orgs/${orgId}/facilities/${facilityId}`;
const mining = (batchId: string, massKg: number, overrides: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  action: 'ADD',
  bizStep: 'commissioning',
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  quantityList: [{ epcClass: lot(batchId), quantity: massKg, uom: 'KGM' }],
  bizLocation: { id: facility('mineco', 'mt-weld') },
  ilmd: { 'tl:form': 'concentrate', 'tl:elements': ['Nd', 'Pr'], 'tl:grade': { TREO: 41.2 } },
  ...overrides,
});

/** Drops what differs between two ledgers recording the same facts: ids, positions and the ledger's clock. */
function comparable(view: unknown): unknown {
  if (Array.isArray(view)) return view.map(comparable);
  if (view === null || typeof view !== 'object') return view;
  return Object.fromEntries(
    Object.entries(view)
      .filter(
        ([key]) =>
          !['position', 'eventId', 'recordedAt', 'late', 'computedAt', 'created', 'updated'].includes(key),
      )
      .map(([key, value]) => [key, comparable(value)]),
  );
}

/** GS1 EPCIS 2.0 capture over HTTP: the schema first, then the ledger's own commands, atomically. */
describe('EPCIS 2.0: capture', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  const capture = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    ledger.request<CaptureJob>('POST', '/epcis/capture', {
      token,
      body,
      headers: { 'content-type': 'application/ld+json', ...headers },
    });

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  it('records a mined lot: 202, the job at its Location, and the same view the JSON command gives', async () => {
    const reply = await capture(parties.miner, document([mining('CAP-1', 1000.5)]));
    expect(reply.status).toBe(202);
    expect(reply.headers.get('location')).toBe(`/epcis/capture/${reply.body.captureID}`);
    expect(reply.body).toMatchObject({
      running: false,
      success: true,
      captureErrorBehaviour: 'rollback',
      errors: [],
    });
    const job = await ledger.get<CaptureJob>(`/epcis/capture/${reply.body.captureID}`, parties.miner);
    expect(job.status).toBe(200);
    expect(job.body).toEqual(reply.body);
    await expectRefusal(
      await ledger.get(`/epcis/capture/${reply.body.captureID}`, parties.refiner),
      404,
      'EPCIS_CAPTURE_NOT_FOUND',
    );

    const json = await ledger.post<{ position: string }>(
      '/batches/mined',
      parties.miner,
      minedBatch('JSON-1', 1000.5),
    );
    expect(json.status).toBe(201);
    const captured = await ledger.get(`/batches/CAP-1?minPosition=${json.body.position}`, parties.miner);
    const recorded = await ledger.get('/batches/JSON-1', parties.miner);
    expect(comparable({ ...captured.body, batchId: 'X' })).toEqual(
      comparable({ ...recorded.body, batchId: 'X' }),
    );
  });

  it('writes a document captured twice once: the capture id is the document’s', async () => {
    const body = document([mining('CAP-TWICE', 10)]);
    const first = await capture(parties.miner, body);
    const count = await ledger.eventCount();
    const second = await capture(parties.miner, body);
    expect(second.status).toBe(202);
    expect(second.body.captureID).toBe(first.body.captureID);
    expect(second.body.success).toBe(true);
    expect(await ledger.eventCount()).toBe(count);
  });

  it('rolls back the whole document when one event is refused (the default), naming its index', async () => {
    const body = document([
      mining('CAP-RB', 50),
      {
        type: 'ObjectEvent',
        action: 'OBSERVE',
        bizStep: 'receiving',
        eventTime: '2026-03-02T08:00:00+08:00',
        eventTimeZoneOffset: '+08:00',
        quantityList: [{ epcClass: lot('CAP-RB'), quantity: 50, uom: 'KGM' }],
        bizTransactionList: [{ type: 'desadv', bizTransaction: `${BASE}/shipments/NO-SUCH` }],
      },
    ]);
    const count = await ledger.eventCount();
    const reply = await capture(parties.miner, body);
    expect(reply.status).toBe(202);
    expect(reply.body.success).toBe(false);
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ index: 1, code: expect.stringMatching(/^[A-Z_]+$/) }),
    ]);
    expect(reply.body.errors[0]!.status).toBeLessThan(500);
    expect(await ledger.eventCount()).toBe(count);
    await expectRefusal(await ledger.get('/batches/CAP-RB', parties.miner), 404, 'BATCH_NOT_FOUND');

    const proceed = await capture(parties.miner, body, { 'GS1-Capture-Error-Behaviour': 'proceed' });
    expect(proceed.body).toMatchObject({ success: false, captureErrorBehaviour: 'proceed', recorded: 1 });
    expect(proceed.body.errors.map((e) => e.index)).toEqual([1]);
    const kept = await ledger.get(`/batches/CAP-RB?minPosition=${proceed.body.position}`, parties.miner);
    expect(kept.status).toBe(200);
  });

  it('decides as the capturing organisation: another’s facility or lot is refused, never written', async () => {
    const count = await ledger.eventCount();
    const atAnothers = await capture(parties.refiner, document([mining('CAP-STOLEN', 5)]));
    expect(atAnothers.body.errors).toEqual([
      expect.objectContaining({ index: 0, code: 'EPCIS_IDENTIFIER_UNKNOWN' }),
    ]);
    const regulatorMines = await capture(
      parties.regulator,
      document([mining('CAP-REG', 5, { bizLocation: { id: facility('customs-au', 'mt-weld') } })]),
    );
    expect(regulatorMines.body.success).toBe(false);
    expect(await ledger.eventCount()).toBe(count);
  });

  it.each([
    ['missing eventTime', (e: EpcisEvent) => ({ ...e, eventTime: undefined }), '/epcis/body'],
    ['a bad action', (e: EpcisEvent) => ({ ...e, action: 'CREATE' }), '/action'],
    ['a non-standard bizStep', (e: EpcisEvent) => ({ ...e, bizStep: 'mining' }), '/bizStep'],
    [
      'a quantity as text',
      (e: EpcisEvent) => ({ ...e, quantityList: [{ epcClass: lot('BAD'), quantity: '5', uom: 'KGM' }] }),
      '/quantityList/0/quantity',
    ],
    [
      'an unknown field in a quantity element',
      (e: EpcisEvent) => ({
        ...e,
        quantityList: [{ epcClass: lot('BAD'), quantity: 5, uom: 'KGM', grade: 1 }],
      }),
      '/quantityList/0',
    ],
  ])(
    'refuses a document with %s 400, naming the violation by its pointer, writing nothing',
    async (_what, change, pointer) => {
      const event = JSON.parse(JSON.stringify(change(mining('BAD', 5)))) as EpcisEvent;
      const reply = await expectRefusal(
        () => capture(parties.miner, document([event])),
        400,
        'EPCIS_DOCUMENT_INVALID',
        ledger,
      );
      expect(reply.body.type).toBe('epcisException:ValidationException');
      const violations = reply.body.violations as { pointer: string; message: string }[];
      const expected =
        pointer === '/epcis/body' ? '/epcisBody/eventList/0' : `/epcisBody/eventList/0${pointer}`;
      expect(violations.map((v) => v.pointer)).toContain(expected);
    },
  );

  it('refuses a document without @context 400, naming it', async () => {
    const { '@context': _context, ...bare } = document([mining('BAD', 5)]);
    const reply = await expectRefusal(
      () => capture(parties.miner, bare),
      400,
      'EPCIS_DOCUMENT_INVALID',
      ledger,
    );
    expect(JSON.stringify(reply.body.violations)).toContain('@context');
  });

  it('refuses an EPCIS version it does not speak', async () => {
    await expectRefusal(
      () => capture(parties.miner, document([mining('V', 5)]), { 'GS1-EPCIS-Version': '1.2' }),
      400,
      'EPCIS_VERSION_UNSUPPORTED',
      ledger,
    );
  });

  it('gives each of GS1’s example documents a definite answer: refused per event with a code, none a 5xx', async () => {
    const examples = readdirSync(EXAMPLES).filter(
      (name) => name.endsWith('.jsonld') && name !== 'epcis-context.jsonld',
    );
    for (const name of examples) {
      const example = JSON.parse(readFileSync(resolve(EXAMPLES, name), 'utf8')) as {
        epcisBody: { eventList: unknown[] };
      };
      const reply = await capture(parties.miner, example, { 'GS1-Capture-Error-Behaviour': 'proceed' });
      expect([name, reply.status]).toEqual([name, 202]);
      expect(reply.body.errors).toHaveLength(example.epcisBody.eventList.length);
      for (const error of reply.body.errors) expect(error.code).toMatch(/^EPCIS_/);
    }
  });

  it('refuses an error declaration and the corrective event it names, per event, writing neither', async () => {
    const declared = {
      ...mining('CAP-DECLARED', 10),
      eventID: 'urn:uuid:6c1c6a40-0000-4000-8000-000000000001',
      errorDeclaration: {
        declarationTime: '2026-03-02T00:00:00Z',
        reason: 'incorrect_data',
        correctiveEventIDs: ['urn:uuid:6c1c6a40-0000-4000-8000-000000000002'],
      },
    };
    // Captured on its own this would record a new lot: as a corrective event it must not be.
    const correcting = {
      ...mining('CAP-CORRECTIVE', 11),
      eventID: 'urn:uuid:6c1c6a40-0000-4000-8000-000000000002',
    };
    const count = await ledger.eventCount();
    const reply = await capture(parties.miner, document([declared, correcting, mining('CAP-BESIDE', 3)]), {
      'GS1-Capture-Error-Behaviour': 'proceed',
    });
    expect(reply.status).toBe(202);
    expect(reply.body.errors.map((e) => [e.index, e.code, e.status])).toEqual([
      [0, 'EPCIS_CORRECTION_NOT_CAPTURED', 422],
      [1, 'EPCIS_CORRECTION_NOT_CAPTURED', 422],
    ]);
    expect(reply.body.recorded).toBe(1);
    await expectRefusal(
      await ledger.get(`/batches/CAP-CORRECTIVE?minPosition=${reply.body.position}`, parties.miner),
      404,
      'BATCH_NOT_FOUND',
    );
    // The one event beside them: the lot, its capture record.
    expect(await ledger.eventCount()).toBe(count + 2);
  });

  it('captures an error declaration that an event did not occur as the void of that ledger event', async () => {
    await capture(parties.miner, document([mining('CAP-VOID', 9)]));
    const holding = {
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'holding',
      eventTime: '2026-03-03T08:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: lot('CAP-VOID') }],
      persistentDisposition: { set: ['non_sellable_other'] },
      'tl:reason': 'Permit review',
    };
    const held = await capture(parties.regulator, document([holding]));
    expect(held.body.errors).toEqual([]);
    const events = await ledger.get<{ eventId: string; type: string }[]>(
      `/batches/CAP-VOID/events?minPosition=${held.body.position}`,
      parties.regulator,
    );
    const eventId = events.body.find((event) => event.type === 'BatchHeld')!.eventId;
    const declaration = (id: string) =>
      document([
        {
          ...holding,
          eventID: `urn:uuid:${id}`,
          errorDeclaration: { declarationTime: '2026-03-04T00:00:00Z', reason: 'did_not_occur' },
          'tl:reason': 'Held in error: wrong lot',
        },
      ]);
    // Only who recorded an event voids it, and an unknown event is refused: both per event, nothing written.
    const count = await ledger.eventCount();
    const another = await capture(parties.miner, declaration(eventId));
    expect(another.body.success).toBe(false);
    expect(another.body.errors[0]!.status).toBeLessThan(500);
    const unknown = await capture(parties.regulator, declaration('00000000-0000-4000-8000-000000000000'));
    expect(unknown.body.errors.map((e) => e.code)).toEqual(['BATCH_EVENT_NOT_FOUND']);
    expect(await ledger.eventCount()).toBe(count);

    const voided = await capture(parties.regulator, declaration(eventId));
    expect([voided.status, voided.body.success, voided.body.errors]).toEqual([202, true, []]);
    const after = await ledger.get<{ type: string }[]>(
      `/batches/CAP-VOID/events?minPosition=${voided.body.position}`,
      parties.regulator,
    );
    expect(after.body.map((event) => event.type)).toEqual(['BatchMined', 'BatchHeld', 'EventVoided']);
    const view = await ledger.get(`/batches/CAP-VOID?minPosition=${voided.body.position}`, parties.miner);
    expect(view.body.held).toBe(false);
  });

  it('captures an error declaration with its corrective event in one document as the ledger’s correction, exported back as such', async () => {
    const mined = await ledger.post<{ position: string }>(
      '/batches/mined',
      parties.miner,
      minedBatch('CAP-CORR', 100),
    );
    expect(mined.status).toBe(201);
    const exported = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/CAP-CORR/epcis?minPosition=${mined.body.position}`,
      parties.miner,
    );
    const original = exported.body.epcisBody.eventList[0]!;
    const correctiveID = `urn:uuid:${randomUUID()}`;
    const declared = {
      ...original,
      errorDeclaration: {
        declarationTime: '2026-03-02T00:00:00Z',
        reason: 'incorrect_data',
        correctiveEventIDs: [correctiveID],
        'tl:reason': 'scale miscalibrated',
      },
    };
    const corrective = {
      ...original,
      eventID: correctiveID,
      quantityList: [{ epcClass: lot('CAP-CORR'), quantity: 99.5, uom: 'KGM' }],
    };
    const body = { ...document([declared, corrective]), '@context': CONTEXT };

    // Only who recorded the event corrects it: the refiner's capture is refused for the declaration, nothing written.
    const count = await ledger.eventCount();
    const anothers = await capture(parties.refiner, body);
    expect(anothers.body.success).toBe(false);
    // The mine is not the refiner's (index 0); its corrective event goes with the declaration (index 1).
    expect(anothers.body.errors.map((e) => [e.index, e.code])).toEqual([
      [0, 'EPCIS_IDENTIFIER_UNKNOWN'],
      [1, 'EPCIS_CORRECTION_NOT_CAPTURED'],
    ]);
    expect(await ledger.eventCount()).toBe(count);

    const reply = await capture(parties.miner, body);
    expect([reply.status, reply.body.errors, reply.body.recorded]).toEqual([202, [], 1]);
    const again = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/CAP-CORR/epcis?minPosition=${reply.body.position}`,
      parties.miner,
    );
    const events = again.body.epcisBody.eventList;
    expect(events.slice(1)).toEqual([
      expect.objectContaining({
        eventID: original.eventID,
        errorDeclaration: expect.objectContaining({
          reason: 'incorrect_data',
          'tl:reason': 'scale miscalibrated',
        }),
      }),
      expect.objectContaining({ quantityList: [{ epcClass: lot('CAP-CORR'), quantity: 99.5, uom: 'KGM' }] }),
    ]);
    // The same correction in another document (another capture id) is not recorded twice.
    const twice = await capture(parties.miner, { ...body, creationDate: '2026-03-21T00:00:00Z' });
    expect(twice.body.errors.map((e) => [e.index, e.code])).toEqual([[0, 'CORRECTION_ALREADY_RECORDED']]);
  });

  it('refuses, in proceed mode, every event sharing an eventID, so a mined lot is never silently dropped; nothing written', async () => {
    const mined = await ledger.post<{ position: string }>(
      '/batches/mined',
      parties.miner,
      minedBatch('CAP-DUP', 100),
    );
    const exported = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/CAP-DUP/epcis?minPosition=${mined.body.position}`,
      parties.miner,
    );
    const original = exported.body.epcisBody.eventList[0]!;
    const shared = `urn:uuid:${randomUUID()}`;
    const declared = {
      ...original,
      errorDeclaration: {
        declarationTime: '2026-03-02T00:00:00Z',
        reason: 'incorrect_data',
        correctiveEventIDs: [shared],
      },
    };
    const lotWithSharedId = mining('CAP-DUP-LOT', 5, { eventID: shared });
    const corrective = {
      ...original,
      eventID: shared,
      quantityList: [{ epcClass: lot('CAP-DUP'), quantity: 99.5, uom: 'KGM' }],
    };
    const count = await ledger.eventCount();
    const reply = await capture(parties.miner, document([declared, lotWithSharedId, corrective]), {
      'GS1-Capture-Error-Behaviour': 'proceed',
    });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ success: false, recorded: 0 });
    expect(reply.body.errors.map((e) => [e.index, e.code])).toEqual([
      [0, 'EPCIS_CORRECTION_NOT_CAPTURED'],
      [1, 'EPCIS_DUPLICATE_EVENT_ID'],
      [2, 'EPCIS_DUPLICATE_EVENT_ID'],
    ]);
    expect(await ledger.eventCount()).toBe(count);
  });

  it('reports a corrective event’s inexact mass at the corrective event’s index, nothing written', async () => {
    const mined = await ledger.post<{ position: string }>(
      '/batches/mined',
      parties.miner,
      minedBatch('CAP-KGM', 450),
    );
    const exported = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/CAP-KGM/epcis?minPosition=${mined.body.position}`,
      parties.miner,
    );
    const original = exported.body.epcisBody.eventList[0]!;
    const correctiveID = `urn:uuid:${randomUUID()}`;
    const declared = {
      ...original,
      errorDeclaration: {
        declarationTime: '2026-03-02T00:00:00Z',
        reason: 'incorrect_data',
        correctiveEventIDs: [correctiveID],
      },
    };
    const corrective = {
      ...original,
      eventID: correctiveID,
      quantityList: [{ epcClass: lot('CAP-KGM'), quantity: 450.0004, uom: 'KGM' }],
    };
    const count = await ledger.eventCount();
    const reply = await capture(parties.miner, document([declared, corrective]));
    expect(reply.body.errors.map((e) => [e.index, e.code])).toEqual([
      [0, 'EPCIS_CORRECTION_NOT_CAPTURED'],
      [1, 'EPCIS_QUANTITY_NOT_KGM'],
    ]);
    expect(await ledger.eventCount()).toBe(count);
  });

  it('captures one event with POST /epcis/events', async () => {
    const reply = await ledger.request<CaptureJob>('POST', '/epcis/events', {
      token: parties.miner,
      body: { '@context': CONTEXT, ...mining('CAP-ONE', 7) },
    });
    expect(reply.status).toBe(202);
    expect(reply.body.success).toBe(true);
  });

  it('keeps capture jobs across a restart, and the capture id stays an idempotency key', async () => {
    const good = document([mining('CAP-RESTART-1', 12)]);
    const refused = document([
      mining('CAP-RESTART-2', 13, { bizLocation: { id: facility('refco', 'kuantan') } }),
    ]);
    const partly = document([mining('CAP-RESTART-3', 14), mining('CAP-RESTART-3', 15)]);
    const proceed = { 'GS1-Capture-Error-Behaviour': 'proceed' };
    const before = [
      await capture(parties.miner, good),
      await capture(parties.miner, refused),
      await capture(parties.miner, partly, proceed),
    ];
    expect(before.map((reply) => [reply.status, reply.body.success, reply.body.errors.length])).toEqual([
      [202, true, 0],
      [202, false, 1],
      [202, false, 1],
    ]);
    const count = await ledger.eventCount();

    await ledger.shutdown();
    await ledger.launch();

    for (const { body } of before) {
      const job = await ledger.get<CaptureJob>(`/epcis/capture/${body.captureID}`, parties.miner);
      expect([job.status, job.body]).toEqual([200, body]);
      await expectRefusal(
        await ledger.get(`/epcis/capture/${body.captureID}`, parties.refiner),
        404,
        'EPCIS_CAPTURE_NOT_FOUND',
      );
    }
    // Captured again after the restart: the same ids, the same answers, nothing written twice.
    const again = [
      await capture(parties.miner, good),
      await capture(parties.miner, refused),
      await capture(parties.miner, partly, proceed),
    ];
    expect(again.map((reply) => reply.body.captureID)).toEqual(before.map((reply) => reply.body.captureID));
    expect(again.map((reply) => [reply.body.success, reply.body.errors.map((e) => e.code)])).toEqual(
      before.map((reply) => [reply.body.success, reply.body.errors.map((e) => e.code)]),
    );
    expect(await ledger.eventCount()).toBe(count);
  });

  it('round trip: a chain recorded by JSON, exported and captured into a fresh ledger gives equal views', async () => {
    await ledger.post('/batches/mined', parties.miner, minedBatch('RT-ORE', 1000));
    await ledger.post('/batches/RT-ORE/shipments', parties.miner, shipment('RT-S'));
    await ledger.post('/batches/RT-ORE/receipts', parties.refiner, {
      shipmentId: 'RT-S',
      receivedMassKg: 998.25,
      occurredAt: '2026-03-06T08:00:00+08:00',
    });
    const last = await ledger.post<{ position: string }>('/transformations', parties.refiner, {
      transformationId: 'RT-T',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-03-08T08:00:00+08:00',
      inputs: [{ batchId: 'RT-ORE', consumedKg: 998.25 }],
      outputs: [
        { batchId: 'RT-OX', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 300 },
        { batchId: 'RT-LC', material: { form: 'oxide', elements: ['La', 'Ce'] }, massKg: 200 },
      ],
      allocation: { method: 'economic', keys: { 'RT-OX': 0.86, 'RT-LC': 0.14 } },
      processEmissionsKgCo2e: 120,
    });
    expect(last.status).toBe(201);
    const exported = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/RT-OX/epcis?minPosition=${last.body.position}`,
      parties.refiner,
    );
    expect(exported.status).toBe(200);

    const fresh = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    try {
      const keys = await standardParties(fresh);
      const keyOf: Record<string, string> = { mineco: keys.miner, refco: keys.refiner };
      const actorOf = (event: EpcisEvent) => {
        const location = (event.bizLocation as { id: string } | undefined)?.id;
        const owner = (list: unknown) =>
          (list as { type: string; source?: string; destination?: string }[] | undefined)?.find(
            (entry) => entry.type === 'owning_party',
          );
        const party =
          event.bizStep === 'shipping'
            ? owner(event.sourceList)?.source
            : event.bizStep === 'receiving'
              ? owner(event.destinationList)?.destination
              : location;
        return /\/orgs\/([^/]+)/.exec(party ?? '')![1]!;
      };
      let position = '0';
      for (const event of exported.body.epcisBody.eventList) {
        const reply = await fresh.request<CaptureJob>('POST', '/epcis/capture', {
          token: keyOf[actorOf(event)]!,
          body: document([event]),
        });
        expect([reply.status, reply.body.errors]).toEqual([202, []]);
        position = reply.body.position!;
      }
      for (const view of ['', '/provenance', '/carbon']) {
        const original = await ledger.get(`/batches/RT-OX${view}`, parties.refiner);
        const copy = await fresh.get(`/batches/RT-OX${view}?minPosition=${position}`, keys.refiner);
        expect(copy.status).toBe(200);
        expect(comparable(copy.body)).toEqual(comparable(original.body));
      }
    } finally {
      await fresh.stop();
    }
  });
});
