import { expectRefusal } from './support/expect-refusal';
import {
  ADMIN_TOKEN,
  generalLicence,
  LedgerHarness,
  minedBatch,
  type Reply,
  shipment,
  standardParties,
} from './support/ledger-harness';

const BASE = 'https://ledger.example.org';

/**
 * Strangers get 404 from commands too (ADR 0023): a command naming a lot or a licence the sender may not
 * read is refused exactly as the same command naming an id nobody used — the same status, code and
 * detail — so no refusal tells a stranger that a competitor's lot exists, where it is, who holds it or who
 * licensed it. Those who may know the lot keep their own refusals.
 */
describe('a stranger’s command learns nothing of a lot or a licence it may not read', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;
  let stranger: string;
  let foreignRegulator: string;
  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  };
  const change = { reason: 'review', occurredAt: '2026-02-01T00:00:00Z' };

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_PUBLIC_URL: BASE });
    parties = await standardParties(ledger);
    stranger = await ledger.organisation(
      'strangeco',
      'CA',
      ['producer'],
      [
        { facilityId: 'thor-lake', kind: 'processing_plant' },
        { facilityId: 'nechalacho', kind: 'mine' },
      ],
    );
    foreignRegulator = await ledger.organisation('bafa-de', 'DE', ['regulator']);
    await created('/licences', parties.regulator, generalLicence('L-AU'));
    await created('/batches/mined', parties.miner, minedBatch('MW-1', 1000));
    await created('/batches/mined', parties.miner, minedBatch('MW-2', 1000));
    await created('/batches/MW-2/shipments', parties.miner, shipment('S-2'));
  }, 60_000);
  afterAll(() => ledger.stop());

  /** The refusal of a command naming `real`, beside that of the same command naming `unused`. */
  const sameAsUnused = async (
    send: (id: string) => Promise<Reply<unknown>>,
    real: string,
    unused: string,
  ) => {
    const before = await ledger.eventCount();
    const [toReal, toUnused] = [await send(real), await send(unused)];
    expect(await ledger.eventCount()).toBe(before);
    const told = (reply: Reply<unknown>, id: string) => ({
      status: reply.status,
      contentType: reply.headers.get('content-type'),
      body: JSON.parse(JSON.stringify(reply.body).replaceAll(id, '<id>')) as unknown,
    });
    expect(told(toReal, real)).toEqual(told(toUnused, unused));
    expect(toReal.status).toBe(404);
    return toReal.body as { code: string; detail: string };
  };

  it.each([
    ['ships', (id: string) => ledger.post(`/batches/${id}/shipments`, stranger, shipment('S-X'))],
    [
      'splits',
      (id: string) =>
        ledger.post(`/batches/${id}/splits`, stranger, {
          splitId: 'SP-X',
          outputs: [{ batchId: `${id}-A`, massKg: 10 }],
          occurredAt: '2026-03-02T08:00:00+08:00',
        }),
    ],
    [
      'discloses',
      (id: string) =>
        ledger.post(`/batches/${id}/disclosures`, stranger, {
          disclosureId: 'D-X',
          toOrgId: 'refco',
          scope: 'segment',
        }),
    ],
    [
      'receives',
      (id: string) =>
        ledger.post(`/batches/${id}/receipts`, stranger, {
          shipmentId: 'S-2',
          receivedMassKg: 1000,
          occurredAt: '2026-03-06T06:00:00+08:00',
        }),
    ],
    [
      'refines',
      (id: string) =>
        ledger.post('/transformations', stranger, {
          transformationId: 'T-X',
          facilityId: 'thor-lake',
          process: 'solvent_extraction',
          occurredAt: '2026-03-03T00:00:00Z',
          inputs: [{ batchId: id, consumedKg: 100 }],
          outputs: [{ batchId: 'OX-X', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 50 }],
          residues: [{ kind: 'tailings', massKg: 50 }],
          processEmissionsKgCo2e: 10,
        }),
    ],
  ])('a producer with no part in the lot %s it: as for a lot nobody mined', async (_, send) => {
    for (const lot of ['MW-1', 'MW-2']) {
      const refusal = await sameAsUnused(send, lot, 'NOBODY-1');
      expect(refusal.code).toBe('BATCH_NOT_FOUND');
      expect(refusal.detail).not.toMatch(/mineco|mt-weld|refco|kuantan|AU|MY/);
    }
  });

  it('a certifier engaged by nobody on the chain assays a lot: not told who holds it, nor where', async () => {
    const refusal = await sameAsUnused(
      (id) =>
        ledger.post(`/batches/${id}/assays`, parties.certifier, {
          assayId: 'AS-X',
          lab: 'ALS Perth',
          method: 'ICP-MS',
          grade: { TREO: 40 },
          occurredAt: '2026-03-02T10:00:00+08:00',
        }),
      'MW-1',
      'NOBODY-1',
    );
    expect(refusal.code).toBe('BATCH_NOT_FOUND');
  });

  it('a regulator of a country the lot never was in holds it: not told its country, custodian or site', async () => {
    const hold = (id: string) =>
      ledger.post(`/batches/${id}/holds`, foreignRegulator, {
        reason: 'inquiry',
        occurredAt: '2026-03-06T00:00:00Z',
      });
    const refusal = await sameAsUnused(hold, 'MW-1', 'NOBODY-1');
    expect(refusal.code).toBe('BATCH_NOT_FOUND');
  });

  it('a regulator that did not grant a licence and may not read it suspends it: as for a licence nobody granted', async () => {
    const refusal = await sameAsUnused(
      (id) => ledger.post(`/licences/${id}/suspensions`, foreignRegulator, change),
      'L-AU',
      'L-NOBODY',
    );
    expect(refusal.code).toBe('LICENCE_NOT_FOUND');
    expect(refusal.detail).not.toContain('customs-au');
  });

  describe('an EPCIS error declaration naming a lot it may not read, beside an event id it made up', () => {
    // The declaration names its lot (its quantity) beside the event's id: the lot is the sender's choice,
    // not the event's, so it is hidden as any other.
    const holding = (id: string) => ({
      type: 'ObjectEvent',
      action: 'OBSERVE',
      bizStep: 'holding',
      eventTime: '2026-03-06T00:00:00Z',
      eventTimeZoneOffset: '+00:00',
      quantityList: [{ epcClass: `${BASE}/batches/${id}`, quantity: 10, uom: 'KGM' }],
      persistentDisposition: { set: ['non_sellable_other'] },
      'tl:reason': 'inquiry',
    });
    const declared = { declarationTime: '2026-03-07T00:00:00Z' };
    const madeUp = 'urn:uuid:00000000-0000-7000-8000-000000000000';
    const corrective = 'urn:uuid:00000000-0000-7000-8000-000000000001';
    const documents: Record<string, (id: string) => unknown[]> = {
      'voids it': (id) => [
        { ...holding(id), eventID: madeUp, errorDeclaration: { ...declared, reason: 'did_not_occur' } },
      ],
      'corrects it': (id) => [
        {
          ...holding(id),
          eventID: madeUp,
          errorDeclaration: { ...declared, reason: 'incorrect_data', correctiveEventIDs: [corrective] },
        },
        { ...holding(id), eventID: corrective, eventTime: '2026-03-06T01:00:00Z' },
      ],
    };
    const cases = Object.keys(documents).flatMap((what) =>
      ['rollback', 'proceed'].map((behaviour) => [what, behaviour] as const),
    );

    it.each(cases)('%s (%s): as for a lot nobody mined', async (what, behaviour) => {
      const capture = async (id: string) => {
        const reply = await ledger.request<{ captureID?: string }>('POST', '/epcis/capture', {
          token: stranger,
          body: {
            '@context': [
              'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
              { tl: `${BASE}/epcis/vocab/` },
            ],
            type: 'EPCISDocument',
            schemaVersion: '2.0',
            creationDate: '2026-03-20T00:00:00Z',
            epcisBody: { eventList: documents[what]!(id) },
          },
          headers: { 'content-type': 'application/ld+json', 'GS1-Capture-Error-Behaviour': behaviour },
        });
        // The capture id is the document's digest, which differs with the id named.
        delete reply.body.captureID;
        return reply;
      };
      const before = await ledger.eventCount();
      const [real, unused] = [await capture('MW-2'), await capture('NOBODY-1')];
      expect(await ledger.eventCount()).toBe(before);
      const told = (reply: Reply<unknown>, id: string) =>
        JSON.parse(JSON.stringify(reply.body).replaceAll(id, '<id>')) as unknown;
      expect([real.status, told(real, 'MW-2')]).toEqual([unused.status, told(unused, 'NOBODY-1')]);
      expect(real.body).toMatchObject({
        success: false,
        errors: [{ code: 'BATCH_NOT_FOUND', status: 404 }],
      });
    });
  });

  describe('those who may know the lot keep their refusals', () => {
    it('its custodian, shipping it while it is in transit', () =>
      expectRefusal(
        () => ledger.post('/batches/MW-2/shipments', parties.miner, shipment('S-3')),
        409,
        'BATCH_IN_TRANSIT',
        ledger,
      ));

    it('its receiver, naming a shipment that is not the one on its way', async () => {
      const reply = await expectRefusal(
        () =>
          ledger.post('/batches/MW-2/receipts', parties.refiner, {
            shipmentId: 'S-OTHER',
            receivedMassKg: 1000,
            occurredAt: '2026-03-06T06:00:00+08:00',
          }),
        404,
        'SHIPMENT_NOT_FOUND',
        ledger,
      );
      expect(reply.body.code).not.toBe('BATCH_NOT_FOUND');
    });

    it('its miner, once it has left its custody', async () => {
      await created('/batches/MW-1/shipments', parties.miner, {
        ...shipment('S-1'),
        toFacilityId: 'kuantan',
      });
      await created('/batches/MW-1/receipts', parties.refiner, {
        shipmentId: 'S-1',
        receivedMassKg: 1000,
        occurredAt: '2026-03-06T06:00:00+08:00',
      });
      await expectRefusal(
        () => ledger.post('/batches/MW-1/shipments', parties.miner, shipment('S-4')),
        422,
        'BATCH_NOT_IN_CUSTODY',
        ledger,
      );
    });

    it('a regulator of its country, holding it twice', async () => {
      await created('/batches/MW-2/holds', parties.regulator, {
        reason: 'inquiry',
        occurredAt: '2026-03-06T00:00:00Z',
      });
      const again = await ledger.post('/batches/MW-2/holds', parties.regulator, {
        reason: 'again',
        occurredAt: '2026-03-06T00:00:01Z',
      });
      expect(again.status).not.toBe(404);
    });

    it('the operator, who reads everything', async () => {
      const reply = await ledger.post('/batches/MW-2/holds', ADMIN_TOKEN, {
        reason: 'x',
        occurredAt: '2026-03-06T00:00:00Z',
      });
      expect(reply.status).not.toBe(404);
    });

    it('anyone minting a lot under an id already taken: ids are one namespace', () =>
      expectRefusal(
        () =>
          ledger.post('/batches/mined', stranger, { ...minedBatch('MW-1', 10), facilityId: 'nechalacho' }),
        409,
        'BATCH_ALREADY_EXISTS',
        ledger,
      ));
  });
});
