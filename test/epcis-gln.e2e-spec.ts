import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

const BASE = 'https://ledger.example.org';
const SCHEMA = resolve(__dirname, '../standards/epcis/EPCIS-JSON-Schema.json');
const CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { tl: `${BASE}/epcis/vocab/` },
];
// GLNs with the GS1 check digit (worked in libs/domain/src/shared/gln.spec.ts): MineCo, its mine, and
// one nobody holds (the SGLN 0614141.00888.0 of GS1's examples).
const MINECO_GLN = '0614141000012';
const MINE_GLN = '0614141007776';
const NOBODYS_GLN = '0614141008889';
// A trader's (CarlCo's) GLN and its yard's, and RefCo's plant's (check digits worked by gs1CheckDigit).
const CARL_GLN = '4000000000013';
const YARD_GLN = '4000000000037';
const PLANT_GLN = '4000000000044';
const location = (gln: string) => `https://id.gs1.org/414/${gln}`;
const party = (gln: string) => `https://id.gs1.org/417/${gln}`;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);
const violations = (document: unknown) =>
  validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

type EpcisEvent = Record<string, unknown> & { type: string; bizStep?: string };
interface CaptureJob {
  success: boolean;
  errors: { index: number; code: string; status: number; message: string }[];
  recorded: number;
  position?: string;
}
interface QueryDocument {
  epcisBody: { queryResults: { resultsBody: { eventList: EpcisEvent[] } } };
}

const mining = (batchId: string, bizLocation: string) => ({
  type: 'ObjectEvent',
  action: 'ADD',
  bizStep: 'commissioning',
  eventTime: '2026-03-01T08:00:00+08:00',
  eventTimeZoneOffset: '+08:00',
  quantityList: [{ epcClass: `${BASE}/batches/${batchId}`, quantity: 10, uom: 'KGM' }],
  bizLocation: { id: bizLocation },
  ilmd: { 'tl:form': 'concentrate', 'tl:elements': ['Nd', 'Pr'], 'tl:grade': { TREO: 41.2 } },
});

const captureDocument = (eventList: unknown[]) => ({
  '@context': CONTEXT,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-20T00:00:00Z',
  epcisBody: { eventList },
});

/** GS1 GLNs on organisations and facilities (ADR 0031): given once, held once, and named in EPCIS. */
describe('GS1 GLNs: registration, and EPCIS export, capture and query by GS1 Digital Link', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let head = '0';

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
    return reply.body;
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  it.each([
    ['a wrong check digit', '0614141000013'],
    ['12 digits', '061414100001'],
    ['a letter', '061414100001X'],
    ['a number', 614141000012],
    ['all zeros (GS1 allocates no such key)', '0000000000000'],
  ])(
    'refuses a GLN with %s: 400 (INVALID_GLN; VALIDATION_FAILED for a non-string), nothing written',
    async (_case, gln) => {
      await expectRefusal(
        () =>
          ledger.post('/orgs', ADMIN_TOKEN, {
            orgId: 'badgln',
            name: 'B',
            country: 'AU',
            roles: ['producer'],
            gln,
          }),
        400,
        typeof gln === 'string' ? 'INVALID_GLN' : 'VALIDATION_FAILED',
        ledger,
      );
      if (typeof gln !== 'string') return;
      await expectRefusal(
        () =>
          ledger.post('/orgs/mineco/facilities', ADMIN_TOKEN, {
            facilityId: 'pit-2',
            kind: 'mine',
            name: 'Pit 2',
            country: 'AU',
            gln,
          }),
        400,
        'INVALID_GLN',
        ledger,
      );
      await expectRefusal(
        () => ledger.post('/orgs/mineco/gln', ADMIN_TOKEN, { gln }),
        400,
        'INVALID_GLN',
        ledger,
      );
    },
  );

  it('gives MineCo its GLN and its mine its GLN (the operator only), once', async () => {
    for (const token of [parties.miner, parties.refiner, parties.regulator, parties.certifier]) {
      await expectRefusal(
        () => ledger.post('/orgs/mineco/gln', token, { gln: MINECO_GLN }),
        403,
        'ROLE_REQUIRED',
        ledger,
      );
    }
    // Not even MineCo gives its own facility a GLN: the operator checks GS1's registry first (ADR 0031).
    for (const token of [parties.miner, parties.refiner, parties.regulator, parties.certifier]) {
      await expectRefusal(
        () => ledger.post('/orgs/mineco/facilities/mt-weld/gln', token, { gln: MINE_GLN }),
        403,
        'ROLE_REQUIRED',
        ledger,
      );
    }
    expect(await created('/orgs/mineco/gln', ADMIN_TOKEN, { gln: MINECO_GLN })).toMatchObject({
      orgId: 'mineco',
      gln: MINECO_GLN,
    });
    expect(
      await created('/orgs/mineco/facilities/mt-weld/gln', ADMIN_TOKEN, { gln: MINE_GLN }),
    ).toMatchObject({ orgId: 'mineco', facilityId: 'mt-weld', gln: MINE_GLN });
    await expectRefusal(
      () => ledger.post('/orgs/mineco/gln', ADMIN_TOKEN, { gln: NOBODYS_GLN }),
      409,
      'GLN_ALREADY_SET',
      ledger,
    );
    await expectRefusal(
      () => ledger.post('/orgs/mineco/facilities/nowhere/gln', ADMIN_TOKEN, { gln: NOBODYS_GLN }),
      404,
      'FACILITY_NOT_FOUND',
      ledger,
    );
    const whoami = await ledger.get<{ gln?: string; facilities: { facilityId: string; gln?: string }[] }>(
      `/whoami`,
      parties.miner,
    );
    expect(whoami.body.gln).toBe(MINECO_GLN);
    expect(whoami.body.facilities.find((f) => f.facilityId === 'mt-weld')?.gln).toBe(MINE_GLN);
  });

  it('refuses a GLN already held, by an organisation or a facility: 409 GLN_TAKEN, nothing written', async () => {
    for (const gln of [MINECO_GLN, MINE_GLN]) {
      await expectRefusal(
        () =>
          ledger.post('/orgs', ADMIN_TOKEN, {
            orgId: 'copycat',
            name: 'C',
            country: 'AU',
            roles: ['producer'],
            gln,
          }),
        409,
        'GLN_TAKEN',
        ledger,
      );
      await expectRefusal(
        () =>
          ledger.post('/orgs/refco/facilities', ADMIN_TOKEN, {
            facilityId: 'twin',
            kind: 'warehouse',
            name: 'Twin',
            country: 'MY',
            gln,
          }),
        409,
        'GLN_TAKEN',
        ledger,
      );
      await expectRefusal(
        () => ledger.post('/orgs/refco/facilities/kuantan/gln', ADMIN_TOKEN, { gln }),
        409,
        'GLN_TAKEN',
        ledger,
      );
    }
    expect((await ledger.get('/whoami', parties.refiner)).body).not.toHaveProperty('gln');
  });

  it('records one of two organisations claiming the same GLN at once; the other is refused GLN_TAKEN', async () => {
    const gln = '9506000134352';
    const replies = await Promise.all(
      ['racer-a', 'racer-b'].map((orgId) =>
        ledger.post('/orgs', ADMIN_TOKEN, { orgId, name: orgId, country: 'AU', roles: ['producer'], gln }),
      ),
    );
    expect(replies.map((reply) => reply.status).sort()).toEqual([201, 409]);
    const refused = replies.find((reply) => reply.status === 409)!;
    await expectRefusal(refused, 409, 'GLN_TAKEN');
  });

  it('registers an organisation and (by the operator) a facility with their GLNs; an organisation giving its facility a GLN is refused 403 ROLE_REQUIRED, nothing written', async () => {
    const key = (await created('/orgs', ADMIN_TOKEN, {
      orgId: 'glnco',
      name: 'GLN Co',
      country: 'DE',
      roles: ['producer'],
      gln: '4012345000016',
    })) as unknown as { apiKey: string };
    const depot = {
      facilityId: 'depot',
      kind: 'warehouse',
      name: 'Depot',
      country: 'DE',
      gln: '0614141123452',
    };
    await expectRefusal(
      () => ledger.post('/orgs/glnco/facilities', key.apiKey, depot),
      403,
      'ROLE_REQUIRED',
      ledger,
    );
    await created('/orgs/glnco/facilities', ADMIN_TOKEN, depot);
    const whoami = await ledger.get<{ gln?: string; facilities: { gln?: string }[] }>('/whoami', key.apiKey);
    expect([whoami.body.gln, whoami.body.facilities[0]?.gln]).toEqual(['4012345000016', '0614141123452']);
  });

  it('exports a facility and an organisation with GLNs by their GS1 Digital Links, valid against the GS1 schema', async () => {
    await created('/batches/mined', parties.miner, minedBatch('GLN-1'));
    await created('/batches/GLN-1/shipments', parties.miner, shipment('GLN-SHP-1'));
    const reply = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/GLN-1/epcis?minPosition=${head}`,
      parties.miner,
    );
    expect(reply.status).toBe(200);
    expect(violations(reply.body)).toEqual([]);
    const [mined, shipped] = reply.body.epcisBody.eventList;
    expect(mined).toMatchObject({
      readPoint: { id: location(MINE_GLN) },
      bizLocation: { id: location(MINE_GLN) },
    });
    expect(shipped).toMatchObject({
      readPoint: { id: location(MINE_GLN) },
      sourceList: [
        { type: 'owning_party', source: party(MINECO_GLN) },
        { type: 'location', source: location(MINE_GLN) },
      ],
      // RefCo has no GLN: the ledger's own URIs.
      destinationList: [
        { type: 'owning_party', destination: `${BASE}/orgs/refco` },
        { type: 'location', destination: `${BASE}/orgs/refco/facilities/kuantan` },
      ],
    });
  });

  it('carries the GLN assignments in the lot’s audit bundle, which the offline verifier accepts', async () => {
    const reply = await ledger.get<AuditBundle>(
      `/batches/GLN-1/audit-bundle?minPosition=${head}`,
      parties.miner,
    );
    expect(reply.status).toBe(200);
    expect(
      reply.body.events.filter((event) => event.type === 'GlnAssigned').map((event) => event.data),
    ).toEqual([
      { orgId: 'mineco', gln: MINECO_GLN },
      { orgId: 'mineco', facilityId: 'mt-weld', gln: MINE_GLN },
    ]);
    const verdict = verifyAuditBundle(reply.body);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
  });

  it('answers EQ_bizLocation given the Digital Link (or SGLN) as given the ledger URI, valid against the GS1 schema', async () => {
    const query = async (bizLocation: string) => {
      const reply = await ledger.get<QueryDocument>(
        `/epcis/events?minPosition=${head}&EQ_bizLocation=${encodeURIComponent(bizLocation)}`,
        parties.miner,
      );
      expect([bizLocation, reply.status, violations(reply.body)]).toEqual([bizLocation, 200, []]);
      return reply.body.epcisBody.queryResults.resultsBody.eventList;
    };
    const byGln = await query(location(MINE_GLN));
    expect(byGln.length).toBeGreaterThan(0);
    expect(byGln.every((event) => (event.bizLocation as { id: string }).id === location(MINE_GLN))).toBe(
      true,
    );
    expect(await query(`${BASE}/orgs/mineco/facilities/mt-weld`)).toEqual(byGln);
    expect(await query('urn:epc:id:sgln:0614141.00777.0')).toEqual(byGln);
    expect(await query(location(NOBODYS_GLN))).toEqual([]);
    // An organisation's GLN names no place.
    expect(await query(location(MINECO_GLN))).toEqual([]);
  });

  it('captures an event at the mine named by its Digital Link or SGLN; a GLN nobody holds is refused for that event, nothing written', async () => {
    const capture = (body: unknown, token = parties.miner) =>
      ledger.request<CaptureJob>('POST', '/epcis/capture', {
        token,
        body,
        headers: { 'content-type': 'application/ld+json' },
      });
    const document = (eventList: unknown[]) => ({
      '@context': CONTEXT,
      type: 'EPCISDocument',
      schemaVersion: '2.0',
      creationDate: '2026-03-20T00:00:00Z',
      epcisBody: { eventList },
    });
    const captured = await capture(
      document([
        mining('GLN-CAP-1', location(MINE_GLN)),
        mining('GLN-CAP-2', 'urn:epc:id:sgln:0614141.00777.0'),
      ]),
    );
    expect([captured.status, captured.body.errors, captured.body.recorded]).toEqual([202, [], 2]);
    const view = await ledger.get<{ facilityId?: string; custodian?: { facilityId?: string } }>(
      `/batches/GLN-CAP-1?minPosition=${captured.body.position}`,
      parties.miner,
    );
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).toContain('mt-weld');

    const before = await ledger.eventCount();
    const refused = await capture(
      document([mining('GLN-CAP-3', location(MINE_GLN)), mining('GLN-CAP-4', location(NOBODYS_GLN))]),
    );
    expect(refused.status).toBe(202);
    expect(refused.body.success).toBe(false);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        index: 1,
        code: 'EPCIS_IDENTIFIER_UNKNOWN',
        status: 422,
        message: expect.stringContaining(`GLN ${NOBODYS_GLN}`),
      }),
    ]);
    // The mine's GLN is MineCo's: RefCo capturing an event there is refused as at any other's facility.
    const anothers = await capture(document([mining('GLN-CAP-5', location(MINE_GLN))]), parties.refiner);
    expect(anothers.body.errors).toEqual([
      expect.objectContaining({ index: 0, code: 'EPCIS_IDENTIFIER_UNKNOWN' }),
    ]);
    expect(await ledger.eventCount()).toBe(before);
  });

  it('answers capture at another organisation’s facility named by its GLN exactly as at a GLN nobody holds, naming no holder; nothing written', async () => {
    const capture = (body: unknown) =>
      ledger.request<CaptureJob>('POST', '/epcis/capture', {
        token: parties.refiner,
        body,
        headers: { 'content-type': 'application/ld+json' },
      });
    const answers: string[] = [];
    const before = await ledger.eventCount();
    for (const place of [location(MINE_GLN), 'urn:epc:id:sgln:0614141.00777.0', location(NOBODYS_GLN)]) {
      const reply = await capture(captureDocument([mining('GLN-ORACLE', place)]));
      expect(reply.status).toBe(202);
      expect(reply.body.errors).toHaveLength(1);
      const [error] = reply.body.errors;
      expect(error).toMatchObject({ index: 0, code: 'EPCIS_IDENTIFIER_UNKNOWN', status: 422 });
      expect(error!.message).not.toContain('mineco');
      answers.push(`${error!.code} ${error!.message.replace(place, 'URI').replace(/\d{13}/g, 'GLN')}`);
    }
    expect(new Set(answers).size).toBe(1);
    expect(await ledger.eventCount()).toBe(before);
  });

  it('shows in EPCIS export and query the GLN only of organisations the reader may identify: a custody-only trader’s is the ledger’s URI to a downstream holder', async () => {
    const carl = await ledger.organisation(
      'carlco',
      'SG',
      ['producer'],
      [{ facilityId: 'yard', kind: 'warehouse' }],
    );
    await created('/orgs/carlco/gln', ADMIN_TOKEN, { gln: CARL_GLN });
    await created('/orgs/carlco/facilities/yard/gln', ADMIN_TOKEN, { gln: YARD_GLN });
    await created('/orgs/refco/facilities/kuantan/gln', ADMIN_TOKEN, { gln: PLANT_GLN });
    await created('/batches/mined', parties.miner, minedBatch('GLN-V-1', 10));
    const leg = (shipmentId: string, toOrgId: string, toFacilityId: string, day: string) => ({
      shipmentId,
      toOrgId,
      toFacilityId,
      occurredAt: `2026-03-${day}T06:00:00+08:00`,
      documents: [],
    });
    const receipt = (shipmentId: string, day: string) => ({
      shipmentId,
      receivedMassKg: 10,
      occurredAt: `2026-03-${day}T07:00:00+08:00`,
    });
    await created('/batches/GLN-V-1/shipments', parties.miner, leg('GLN-V-S1', 'carlco', 'yard', '05'));
    await created('/batches/GLN-V-1/receipts', carl, receipt('GLN-V-S1', '06'));
    await created('/batches/GLN-V-1/shipments', carl, leg('GLN-V-S2', 'refco', 'kuantan', '07'));
    await created('/batches/GLN-V-1/receipts', parties.refiner, receipt('GLN-V-S2', '08'));

    const hidden = [CARL_GLN, YARD_GLN];
    const exported = await ledger.get<{ epcisBody: { eventList: EpcisEvent[] } }>(
      `/batches/GLN-V-1/epcis?minPosition=${head}`,
      parties.refiner,
    );
    expect(exported.status).toBe(200);
    expect(violations(exported.body)).toEqual([]);
    const queried = await ledger.get<QueryDocument>(
      `/epcis/events?minPosition=${head}&MATCH_anyEPCClass=${encodeURIComponent(`${BASE}/batches/GLN-V-1`)}`,
      parties.refiner,
    );
    expect(queried.status).toBe(200);
    expect(violations(queried.body)).toEqual([]);
    for (const text of [JSON.stringify(exported.body), JSON.stringify(queried.body)]) {
      for (const gln of hidden) expect(text).not.toContain(gln);
      // The trader's shipment to RefCo is RefCo's to see: CarlCo by the ledger's URIs.
      expect(text).toContain(`"${BASE}/orgs/carlco/facilities/yard"`);
      // Its own plant and the mine (a site of the chain, which it may identify) by their GLNs.
      expect(text).toContain(`"${location(PLANT_GLN)}"`);
      expect(text).toContain(`"${location(MINE_GLN)}"`);
    }
    // The bundle withholds the same GLNs from RefCo.
    const bundle = await ledger.get<AuditBundle>(
      `/batches/GLN-V-1/audit-bundle?minPosition=${head}`,
      parties.refiner,
    );
    expect(JSON.stringify(bundle.body.events.filter((event) => event.type === 'GlnAssigned'))).not.toContain(
      YARD_GLN,
    );
    // CarlCo itself, and the operator, see CarlCo's GLNs.
    for (const token of [carl, ADMIN_TOKEN]) {
      const own = await ledger.get(`/batches/GLN-V-1/epcis?minPosition=${head}`, token);
      expect(JSON.stringify(own.body)).toContain(`"${location(YARD_GLN)}"`);
      expect(JSON.stringify(own.body)).toContain(`"${party(CARL_GLN)}"`);
    }
    // Asking the query by a GLN the reader may not see answers nothing: it would tell who holds it.
    const byHiddenGln = await ledger.get<QueryDocument>(
      `/epcis/events?minPosition=${head}&EQ_bizLocation=${encodeURIComponent(location(YARD_GLN))}`,
      parties.refiner,
    );
    expect(byHiddenGln.body.epcisBody.queryResults.resultsBody.eventList).toEqual([]);
    const byOwnGln = await ledger.get<QueryDocument>(
      `/epcis/events?minPosition=${head}&EQ_bizLocation=${encodeURIComponent(location(YARD_GLN))}`,
      carl,
    );
    expect(byOwnGln.body.epcisBody.queryResults.resultsBody.eventList.length).toBeGreaterThan(0);
  });

  it('refuses a captured shipment whose destination owning party is not the holder of its GLN location (EPCIS_PARTY_MISMATCH, its index), nothing written', async () => {
    await created('/batches/mined', parties.miner, minedBatch('GLN-SQ-1', 10));
    const shipping = (owner: string, place: string, shipmentId: string) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'shipping',
      eventTime: '2026-03-05T06:00:00+08:00',
      eventTimeZoneOffset: '+08:00',
      quantityList: [{ epcClass: `${BASE}/batches/GLN-SQ-1`, quantity: 10, uom: 'KGM' }],
      bizTransactionList: [{ type: 'desadv', bizTransaction: `${BASE}/shipments/${shipmentId}` }],
      destinationList: [
        { type: 'owning_party', destination: owner },
        { type: 'location', destination: place },
      ],
    });
    const capture = (eventList: unknown[]) =>
      ledger.request<CaptureJob>('POST', '/epcis/capture', {
        token: parties.miner,
        body: captureDocument(eventList),
        headers: { 'content-type': 'application/ld+json', 'GS1-Capture-Error-Behaviour': 'proceed' },
      });
    const before = await ledger.eventCount();
    // RefCo named as the buyer, but the location the GLN of CarlCo's yard: not diverted to CarlCo.
    for (const owner of [`${BASE}/orgs/refco`, party(MINECO_GLN)]) {
      const refused = await capture([shipping(owner, location(YARD_GLN), 'GLN-SQ-S1')]);
      expect(refused.body).toMatchObject({ success: false, recorded: 0 });
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ index: 0, code: 'EPCIS_PARTY_MISMATCH', status: 422 }),
      ]);
    }
    expect(await ledger.eventCount()).toBe(before);
    // RefCo named by its ledger URI, at its plant named by the GLN: shipped to RefCo's plant.
    const shipped = await capture([shipping(`${BASE}/orgs/refco`, location(PLANT_GLN), 'GLN-SQ-S2')]);
    expect([shipped.body.errors, shipped.body.recorded]).toEqual([[], 1]);
    const view = await ledger.get<{ inTransit?: unknown }>(
      `/batches/GLN-SQ-1?minPosition=${shipped.body.position}`,
      parties.miner,
    );
    expect(JSON.stringify(view.body)).toContain('kuantan');
  });
});
