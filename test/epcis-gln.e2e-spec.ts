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
          ledger.post('/orgs/mineco/facilities', parties.miner, {
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

  it('gives MineCo its GLN (the operator only) and its mine its GLN (MineCo only), once', async () => {
    for (const token of [parties.miner, parties.refiner, parties.regulator, parties.certifier]) {
      await expectRefusal(
        () => ledger.post('/orgs/mineco/gln', token, { gln: MINECO_GLN }),
        403,
        'ROLE_REQUIRED',
        ledger,
      );
    }
    for (const token of [parties.refiner, parties.regulator, parties.certifier]) {
      await expectRefusal(
        () => ledger.post('/orgs/mineco/facilities/mt-weld/gln', token, { gln: MINE_GLN }),
        403,
        'NOT_YOUR_ORGANISATION',
        ledger,
      );
    }
    expect(await created('/orgs/mineco/gln', ADMIN_TOKEN, { gln: MINECO_GLN })).toMatchObject({
      orgId: 'mineco',
      gln: MINECO_GLN,
    });
    expect(
      await created('/orgs/mineco/facilities/mt-weld/gln', parties.miner, { gln: MINE_GLN }),
    ).toMatchObject({ orgId: 'mineco', facilityId: 'mt-weld', gln: MINE_GLN });
    await expectRefusal(
      () => ledger.post('/orgs/mineco/gln', ADMIN_TOKEN, { gln: NOBODYS_GLN }),
      409,
      'GLN_ALREADY_SET',
      ledger,
    );
    await expectRefusal(
      () => ledger.post('/orgs/mineco/facilities/nowhere/gln', parties.miner, { gln: NOBODYS_GLN }),
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
          ledger.post('/orgs/refco/facilities', parties.refiner, {
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
        () => ledger.post('/orgs/refco/facilities/kuantan/gln', parties.refiner, { gln }),
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

  it('registers an organisation and a facility with their GLNs', async () => {
    const key = (await created('/orgs', ADMIN_TOKEN, {
      orgId: 'glnco',
      name: 'GLN Co',
      country: 'DE',
      roles: ['producer'],
      gln: '4012345000016',
    })) as unknown as { apiKey: string };
    await created('/orgs/glnco/facilities', key.apiKey, {
      facilityId: 'depot',
      kind: 'warehouse',
      name: 'Depot',
      country: 'DE',
      gln: '0614141123452',
    });
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
});
