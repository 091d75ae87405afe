import { LedgerHarness } from './support/ledger-harness';

/**
 * What a lot's past custodians are shown of its life after they let it go (docs/visibility.md): the
 * routes that build their answers from more than the custody view and events — the hold impact's
 * descendants and the EPCIS export of a chain — must stop where those stop.
 *
 * The chain: MineCo (AU) mines MW-1 and ships it to RefCo (MY); OtherCo (CA) mines OT-1 and ships it there
 * too; RefCo refines both into OX-1 and sells it to TradeCo's warehouse (SG), which sells it on to MagCo
 * (JP), which sinters it into MAG-1. MineCo has no claim on OT-1 (another miner's lot), nor RefCo on who
 * bought OX-1 from the trader.
 */
describe('visibility after custody: what a past custodian sees of a lot it let go', () => {
  let ledger: LedgerHarness;
  const keys: Record<string, string> = {};
  let head = '0';

  const post = async (path: string, who: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, keys[who]!, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
  };
  const get = <T = Record<string, unknown>>(path: string, who: string) =>
    ledger.get<T>(`${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`, keys[who]!);
  const day = (n: number, hour = '06') => `2026-03-${String(n).padStart(2, '0')}T${hour}:00:00Z`;
  const mine = (who: string, batchId: string, facilityId: string) =>
    post('/batches/mined', who, {
      batchId,
      facilityId,
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      massKg: 1000,
      occurredAt: day(1),
    });
  const move = async (batchId: string, from: string, to: [string, string], shipmentId: string, n: number) => {
    await post(`/batches/${batchId}/shipments`, from, {
      shipmentId,
      toOrgId: to[0],
      toFacilityId: to[1],
      occurredAt: day(n),
      documents: [{ type: 'bill_of_lading', number: `BOL-${shipmentId}` }],
    });
    await post(`/batches/${batchId}/receipts`, to[0], {
      shipmentId,
      receivedMassKg: batchId === 'OX-1' ? 600 : 1000,
      occurredAt: day(n, '18'),
    });
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    const org = async (orgId: string, country: string, facility: [string, string]) => {
      keys[orgId] = await ledger.organisation(
        orgId,
        country,
        ['producer'],
        [{ facilityId: facility[0], kind: facility[1] }],
      );
    };
    await org('mineco', 'AU', ['mt-weld', 'mine']);
    await org('otherco', 'CA', ['nechalacho', 'mine']);
    await org('refco', 'MY', ['kuantan', 'processing_plant']);
    await org('tradeco', 'SG', ['sg-wh', 'warehouse']);
    await org('magco', 'JP', ['osaka', 'processing_plant']);

    await mine('mineco', 'MW-1', 'mt-weld');
    await mine('otherco', 'OT-1', 'nechalacho');
    await move('MW-1', 'mineco', ['refco', 'kuantan'], 'S-MW', 2);
    await move('OT-1', 'otherco', ['refco', 'kuantan'], 'S-OT', 3);
    await post('/transformations', 'refco', {
      transformationId: 'T-OX',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: day(5),
      inputs: [
        { batchId: 'MW-1', consumedKg: 1000 },
        { batchId: 'OT-1', consumedKg: 1000 },
      ],
      outputs: [{ batchId: 'OX-1', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 600 }],
      processEmissionsKgCo2e: 900,
    });
    await move('OX-1', 'refco', ['tradeco', 'sg-wh'], 'S-OX-1', 7);
    await move('OX-1', 'tradeco', ['magco', 'osaka'], 'S-OX-2', 9);
    await post('/transformations', 'magco', {
      transformationId: 'T-MAG',
      facilityId: 'osaka',
      process: 'sintering',
      occurredAt: day(11),
      inputs: [{ batchId: 'OX-1', consumedKg: 600 }],
      outputs: [{ batchId: 'MAG-1', material: { form: 'magnet', elements: ['Nd', 'Pr'] }, massKg: 550 }],
      processEmissionsKgCo2e: 100,
    });
  }, 120_000);
  afterAll(() => ledger.stop());

  it('lists a descendant in the hold impact as the reader’s own view of it shows it, never its later custodian', async () => {
    const own = (await get<{ status: string; custodian: { orgId: string } | null }>('/batches/OX-1', 'refco'))
      .body;
    expect(own.status).toBe('left_custody');
    const impact = await get<{ descendants: { batchId: string; status: string | null }[] }>(
      '/holds/MW-1/impact',
      'refco',
    );
    expect(impact.status).toBe(200);
    const oxide = impact.body.descendants.find((descendant) => descendant.batchId === 'OX-1');
    expect(oxide).toMatchObject({ status: 'left_custody', custodian: null });
    // Who bought the oxide from the trader, and that it was consumed there, are not RefCo's to know.
    expect(JSON.stringify(impact.body)).not.toContain('magco');
    expect(JSON.stringify(impact.body)).not.toContain('consumed');
    const asOf = await get('/holds/MW-1/impact?asOf=2099-01-01T00:00:00Z', 'refco');
    expect(JSON.stringify(asOf.body)).not.toContain('magco');
  });

  it('keeps a later custodian’s transformation, and the other lots it consumed, out of a past custodian’s EPCIS export', async () => {
    const events = await get<{ type: string; eventId: string }[]>('/batches/MW-1/events', 'mineco');
    expect(events.body.map((event) => event.type)).toEqual(['BatchMined', 'BatchShipped', 'BatchReceived']);
    expect((await get('/batches/OT-1', 'mineco')).status).toBe(404);
    const epcis = await get<{ epcisBody: { eventList: { type: string }[] } }>(
      '/batches/MW-1/epcis',
      'mineco',
    );
    expect(epcis.status).toBe(200);
    expect(epcis.body.epcisBody.eventList.map((event) => event.type)).toEqual([
      'ObjectEvent',
      'ObjectEvent',
      'ObjectEvent',
    ]);
    const text = JSON.stringify(epcis.body);
    for (const secret of ['OT-1', 'T-OX', 'solvent_extraction']) expect(text).not.toContain(secret);
  });

  it('still gives the refiner, who made the oxide, its transformation in the EPCIS export', async () => {
    const epcis = await get<{ epcisBody: { eventList: { type: string }[] } }>('/batches/MW-1/epcis', 'refco');
    expect(epcis.body.epcisBody.eventList.map((event) => event.type)).toContain('TransformationEvent');
    // …and the magnet maker, a downstream holder, the refinings that fed its magnets.
    const maker = await get<{ epcisBody: { eventList: { type: string }[] } }>('/batches/MW-1/epcis', 'magco');
    expect(maker.body.epcisBody.eventList.map((event) => event.type)).toContain('TransformationEvent');
  });
});
