import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

const BASE = 'https://ledger.example.org';
const SCHEMA = resolve(__dirname, '../standards/epcis/EPCIS-JSON-Schema.json');

/** The GS1 EPCIS 2.0 JSON schema, straight from the vendored file (standards/epcis/), with every format checked. */
function gs1Schema() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
}
const validate = gs1Schema();
const violations = (document: unknown) =>
  validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

type EpcisEvent = Record<string, unknown> & { type: string; bizStep?: string };
interface QueryDocument {
  type: string;
  epcisBody: { queryResults: { resultsBody: { eventList: EpcisEvent[] } } };
}
interface EpcisDocument {
  type: string;
  epcisBody: { eventList: EpcisEvent[] };
}

/** GS1 EPCIS 2.0 export and query over HTTP: the GS1 schema, the filters, paging and who sees what. */
describe('EPCIS 2.0: export and query', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let stranger: string;
  let auditor: string;
  let buyer: string;
  let head = '0';

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
    return reply.body.position;
  };
  const query = (params: string, token: string) =>
    ledger.get<QueryDocument>(`/epcis/events?minPosition=${head}${params ? `&${params}` : ''}`, token);
  const eventsOf = (reply: { body: QueryDocument }) =>
    reply.body.epcisBody.queryResults.resultsBody.eventList;
  const lot = (batchId: string) => `${BASE}/batches/${batchId}`;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    parties = await standardParties(ledger);
    stranger = await ledger.organisation(
      'strangeco',
      'CA',
      ['producer'],
      [{ facilityId: 'pit', kind: 'mine' }],
    );
    auditor = await ledger.organisation('consortium-audit', 'CH', ['auditor']);
    buyer = await ledger.organisation(
      'buyco',
      'JP',
      ['producer'],
      [{ facilityId: 'yard', kind: 'warehouse' }],
    );
    await created('/batches/mined', parties.miner, minedBatch('ORE-1', 1000));
    await created('/batches/mined', parties.miner, minedBatch('ORE-2', 400.25));
    await created('/batches/ORE-1/assays', parties.miner, {
      assayId: 'AS-1',
      lab: 'ALS Perth',
      method: 'ICP-MS',
      grade: { TREO: 41.5 },
      radioactivityBqPerG: 1.7,
      occurredAt: '2026-03-02T08:00:00+08:00',
    });
    await created('/batches/ORE-2/holds', parties.regulator, {
      reason: 'Origin under review',
      occurredAt: '2026-03-03T00:00:00Z',
    });
    await created('/batches/ORE-2/releases', parties.regulator, {
      reason: 'Cleared',
      occurredAt: '2026-03-04T00:00:00Z',
    });
    await created('/batches/ORE-1/shipments', parties.miner, shipment('S-1'));
    await created('/batches/ORE-1/receipts', parties.refiner, {
      shipmentId: 'S-1',
      receivedMassKg: 999.5,
      occurredAt: '2026-03-06T08:00:00+08:00',
    });
    await created('/transformations', parties.refiner, {
      transformationId: 'T-SX',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-03-08T08:00:00+08:00',
      inputs: [{ batchId: 'ORE-1', consumedKg: 999.5 }],
      outputs: [
        { batchId: 'OX-A', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 300 },
        { batchId: 'OX-B', material: { form: 'oxide', elements: ['La', 'Ce'] }, massKg: 200 },
      ],
      processEmissionsKgCo2e: 120,
    });
    await created('/batches/OX-A/shipments', parties.refiner, {
      shipmentId: 'S-2',
      toOrgId: 'buyco',
      toFacilityId: 'yard',
      occurredAt: '2026-03-09T08:00:00+08:00',
      documents: [{ type: 'bill_of_lading', number: 'ONE-2' }],
    });
    await created('/batches/OX-A/receipts', buyer, {
      shipmentId: 'S-2',
      receivedMassKg: 300,
      occurredAt: '2026-03-12T08:00:00+09:00',
    });
    await created('/batches/mined', stranger, { ...minedBatch('PIT-1', 50), facilityId: 'pit' });
  });
  afterAll(() => ledger.stop());

  describe('GET /batches/{batchId}/epcis', () => {
    it('answers the lot’s chain as an EPCISDocument in JSON-LD, valid against the GS1 schema', async () => {
      const reply = await ledger.get<EpcisDocument>(`/batches/OX-A/epcis`, parties.refiner);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/^application\/ld\+json/);
      expect(reply.headers.get('gs1-epcis-version')).toBe('2.0.0');
      expect(violations(reply.body)).toEqual([]);
      const events = reply.body.epcisBody.eventList;
      expect(events.map((e) => `${e.type}:${e.bizStep}`)).toEqual([
        'ObjectEvent:commissioning',
        'ObjectEvent:inspecting',
        'ObjectEvent:shipping',
        'ObjectEvent:receiving',
        'TransformationEvent:commissioning',
        'ObjectEvent:shipping',
        'ObjectEvent:receiving',
      ]);
      expect(events[0]).toMatchObject({
        action: 'ADD',
        quantityList: [{ epcClass: lot('ORE-1'), quantity: 1000, uom: 'KGM' }],
        bizLocation: { id: `${BASE}/orgs/mineco/facilities/mt-weld` },
        ilmd: { 'tl:form': 'concentrate', 'tl:grade': { TREO: 41.2 } },
      });
      expect(events[3]).toMatchObject({
        sourceList: [
          { type: 'owning_party', source: `${BASE}/orgs/mineco` },
          { type: 'location', source: `${BASE}/orgs/mineco/facilities/mt-weld` },
        ],
        destinationList: [
          { type: 'owning_party', destination: `${BASE}/orgs/refco` },
          { type: 'location', destination: `${BASE}/orgs/refco/facilities/kuantan` },
        ],
        quantityList: [{ epcClass: lot('ORE-1'), quantity: 999.5, uom: 'KGM' }],
      });
      expect(events[4]).toMatchObject({
        transformationID: `${BASE}/transformations/T-SX`,
        inputQuantityList: [{ epcClass: lot('ORE-1'), quantity: 999.5, uom: 'KGM' }],
        'tl:process': 'solvent_extraction',
        'tl:processEmissionsKgCo2e': 120,
      });
    });

    it('answers a stranger as for a lot that does not exist, and an auditor the whole chain', async () => {
      await expectRefusal(await ledger.get('/batches/OX-A/epcis', stranger), 404, 'BATCH_NOT_FOUND');
      await expectRefusal(
        await ledger.get('/batches/NO-SUCH/epcis', parties.refiner),
        404,
        'BATCH_NOT_FOUND',
      );
      const full = await ledger.get<EpcisDocument>('/batches/OX-A/epcis', auditor);
      expect(full.status).toBe(200);
      expect(violations(full.body)).toEqual([]);
      expect(full.body.epcisBody.eventList).toHaveLength(7);
    });

    it('leaves out what a downstream holder may not see: upstream shipments, their papers, sibling outputs', async () => {
      // The buyer holds OX-A: it sees how ORE-1 came into being and the refining that fed OX-A, no more.
      const reply = await ledger.get<EpcisDocument>('/batches/OX-A/epcis', buyer);
      expect(reply.status).toBe(200);
      expect(violations(reply.body)).toEqual([]);
      const events = reply.body.epcisBody.eventList;
      expect(events.map((e) => `${e.type}:${e.bizStep}`)).toEqual([
        'ObjectEvent:commissioning',
        'TransformationEvent:commissioning',
        'ObjectEvent:shipping',
        'ObjectEvent:receiving',
      ]);
      expect(events[1]!.outputQuantityList).toEqual([{ epcClass: lot('OX-A'), quantity: 300, uom: 'KGM' }]);
      const text = JSON.stringify(reply.body);
      for (const hidden of ['MAEU-1', 'S-1', 'OX-B', 'AS-1']) expect(text).not.toContain(hidden);
      expect(text).toContain('ONE-2');
    });
  });

  describe('GET /epcis/events', () => {
    it('answers an EPCISQueryDocument valid against the GS1 schema, filtered by event type and bizStep', async () => {
      const reply = await query('eventType=ObjectEvent&EQ_bizStep=shipping', parties.miner);
      expect(reply.status).toBe(200);
      expect(reply.headers.get('content-type')).toMatch(/^application\/ld\+json/);
      expect(violations(reply.body)).toEqual([]);
      expect(
        eventsOf(reply).map((e) => [e.bizStep, (e.quantityList as { epcClass: string }[])[0]!.epcClass]),
      ).toEqual([['shipping', lot('ORE-1')]]);
      const cbvUri = await query('EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping', parties.miner);
      expect(eventsOf(cbvUri)).toEqual(eventsOf(reply));
    });

    it('filters by lot (any, input, output), by place, by time and by the disposition set', async () => {
      const bizSteps = async (params: string, token = auditor) => {
        const reply = await query(params, token);
        expect(reply.status).toBe(200);
        expect(violations(reply.body)).toEqual([]);
        return eventsOf(reply).map((e) => `${e.type}:${e.bizStep}`);
      };
      expect(await bizSteps(`MATCH_anyEPCClass=${lot('ORE-2')}`)).toEqual([
        'ObjectEvent:commissioning',
        'ObjectEvent:holding',
        'ObjectEvent:holding',
      ]);
      expect(await bizSteps(`MATCH_inputEPCClass=${lot('ORE-1')}`)).toEqual([
        'TransformationEvent:commissioning',
      ]);
      expect(await bizSteps(`MATCH_outputEPCClass=${lot('OX-A')},${lot('OX-B')}`)).toEqual([
        'TransformationEvent:commissioning',
        'TransformationEvent:commissioning',
      ]);
      expect(await bizSteps(`MATCH_outputEPCClass=${lot('ORE-1')}`)).toEqual([]);
      expect(
        await bizSteps(`EQ_bizLocation=${BASE}/orgs/refco/facilities/kuantan&eventType=ObjectEvent`),
      ).toEqual(['ObjectEvent:receiving']);
      expect(await bizSteps('EQ_persistentDisposition_set=non_sellable_other')).toEqual([
        'ObjectEvent:holding',
      ]);
      expect(
        await bizSteps(
          'GE_eventTime=2026-03-02T00:00:00Z&LT_eventTime=2026-03-04T00:00:00Z&eventType=ObjectEvent',
        ),
      ).toEqual(['ObjectEvent:inspecting', 'ObjectEvent:holding']);
      const future = new Date(Date.now() + 3_600_000).toISOString();
      expect(await bizSteps(`GE_recordTime=${future}`)).toEqual([]);
      expect((await bizSteps(`LT_recordTime=${future}`)).length).toBeGreaterThanOrEqual(10);
    });

    it('pages with perPage and a nextPageToken in the Link header, every event once, in log order', async () => {
      const all = eventsOf(await query('perPage=1000', auditor));
      const paged: EpcisEvent[] = [];
      let path: string | undefined = `/epcis/events?minPosition=${head}&perPage=3`;
      let pages = 0;
      while (path) {
        const reply: Awaited<ReturnType<typeof query>> = await ledger.get<QueryDocument>(path, auditor);
        expect(reply.status).toBe(200);
        expect(violations(reply.body)).toEqual([]);
        expect(eventsOf(reply).length).toBeLessThanOrEqual(3);
        paged.push(...eventsOf(reply));
        pages += 1;
        path = /<([^>]+)>; rel="next"/.exec(reply.headers.get('link') ?? '')?.[1];
      }
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(all.length / 3));
      expect(paged.map((e) => e.eventID)).toEqual(all.map((e) => e.eventID));
      expect(new Set(all.map((e) => e.eventID)).size).toBe(all.length);
    });

    it('answers only what the reader may see: a stranger sees none of another organisation’s lots', async () => {
      const seen = async (token: string) => {
        const found: EpcisEvent[] = [];
        let path: string | undefined = `/epcis/events?minPosition=${head}&perPage=2`;
        while (path) {
          const reply: Awaited<ReturnType<typeof query>> = await ledger.get<QueryDocument>(path, token);
          expect(reply.status).toBe(200);
          found.push(...eventsOf(reply));
          path = /<([^>]+)>; rel="next"/.exec(reply.headers.get('link') ?? '')?.[1];
        }
        return JSON.stringify(found);
      };
      const strangers = await seen(stranger);
      expect(strangers).toContain(lot('PIT-1'));
      for (const other of ['ORE-1', 'ORE-2', 'OX-A', 'OX-B']) expect(strangers).not.toContain(lot(other));
      const miners = await seen(parties.miner);
      expect(miners).not.toContain(lot('PIT-1'));
      expect(miners).toContain(lot('ORE-2'));
      // The certifier has no certificate and no disclosure: nothing at all.
      expect(await seen(parties.certifier)).toBe('[]');
      // The buyer sees its own lot and how ORE-1 came into being, not ORE-1's shipment nor OX-B.
      const buyers = await seen(buyer);
      expect(buyers).toContain(lot('OX-A'));
      expect(buyers).toContain(lot('ORE-1'));
      for (const hidden of ['MAEU-1', 'OX-B', 'ORE-2', 'PIT-1']) expect(buyers).not.toContain(hidden);
    });

    it.each([
      ['an unknown parameter', 'EQ_whatever=1'],
      ['an unknown event type', 'eventType=ReadingEvent'],
      ['a time without an offset', 'GE_eventTime=2026-03-01T00:00:00'],
      ['a time that is no date', 'LT_recordTime=2026-02-30T00:00:00Z'],
      ['perPage of 0', 'perPage=0'],
      ['perPage beyond 1000', 'perPage=1001'],
      ['perPage that is no number', 'perPage=ten'],
      ['a page token the ledger never gave', 'nextPageToken=bm9wZQ'],
      ['a lot that is no URI', 'MATCH_anyEPCClass=ORE-1'],
      ['an empty bizStep', 'EQ_bizStep='],
    ])('refuses %s 400 QueryParameterException', async (_what, params) => {
      const reply = await expectRefusal(
        () => ledger.get(`/epcis/events?${params}`, auditor),
        400,
        'EPCIS_QUERY_PARAMETER_INVALID',
        ledger,
      );
      expect(reply.body).toMatchObject({
        type: 'epcisException:QueryParameterException',
        title: 'QueryParameterException',
      });
    });
  });
});
