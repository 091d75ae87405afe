import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/** A hold on a mined batch reaches, through two transformations, every descendant and who has it. */
describe('holds through the chain', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  const created = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.position;
  };
  const output = (batchId: string, form: string, massKg: number) => ({
    batchId,
    material: { form, elements: ['Nd', 'Pr'] },
    massKg,
  });

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    await created('/batches/mined', parties.miner, minedBatch('ORE-1', 1000));
    await created('/batches/mined', parties.miner, minedBatch('ORE-2', 1000));
    // First transformation at the mine: ORE-1 (in part) and ORE-2 into two concentrates.
    await created('/transformations', parties.miner, {
      transformationId: 'T-BEN',
      facilityId: 'mt-weld',
      process: 'beneficiation',
      occurredAt: '2026-03-02T08:00:00+08:00',
      inputs: [
        { batchId: 'ORE-1', consumedKg: 600 },
        { batchId: 'ORE-2', consumedKg: 400 },
      ],
      outputs: [output('CONC-A', 'concentrate', 500), output('CONC-B', 'concentrate', 300)],
      processEmissionsKgCo2e: 10,
    });
    await created('/batches/CONC-A/shipments', parties.miner, shipment('S-CONC-A'));
    await created('/batches/CONC-A/receipts', parties.refiner, {
      shipmentId: 'S-CONC-A',
      receivedMassKg: 500,
      occurredAt: '2026-03-06T08:00:00+08:00',
    });
    // Second transformation at the refinery: CONC-A into an oxide.
    await created('/transformations', parties.refiner, {
      transformationId: 'T-SX',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-03-08T08:00:00+08:00',
      inputs: [{ batchId: 'CONC-A', consumedKg: 500 }],
      outputs: [output('OX-A', 'oxide', 200)],
      processEmissionsKgCo2e: 10,
    });
  });
  afterAll(() => ledger.stop());

  it('lists every descendant of the held mined batch, with its custodian', async () => {
    const position = await created('/batches/ORE-1/holds', parties.regulator, {
      reason: 'Suspected undeclared origin',
      occurredAt: '2026-03-09T00:00:00Z',
    });
    const impact = await ledger.get<{
      batchId: string;
      held: boolean;
      descendants: { batchId: string; depth: number; custodian: unknown; status: string }[];
    }>(`/holds/ORE-1/impact?minPosition=${position}`, parties.regulator);
    expect(impact.status).toBe(200);
    expect(impact.body.held).toBe(true);
    expect(
      impact.body.descendants.map(({ batchId, depth, custodian, status }) => ({
        batchId,
        depth,
        custodian,
        status,
      })),
    ).toEqual([
      {
        batchId: 'CONC-A',
        depth: 1,
        custodian: { orgId: 'refco', facilityId: 'kuantan' },
        status: 'consumed',
      },
      {
        batchId: 'CONC-B',
        depth: 1,
        custodian: { orgId: 'mineco', facilityId: 'mt-weld' },
        status: 'in_custody',
      },
      {
        batchId: 'OX-A',
        depth: 2,
        custodian: { orgId: 'refco', facilityId: 'kuantan' },
        status: 'in_custody',
      },
    ]);
  });

  it('shows the held ancestor on each descendant, and nothing on a batch outside the hold', async () => {
    const oxide = await ledger.get('/batches/OX-A', parties.refiner);
    expect(oxide.body).toMatchObject({ held: false, heldVia: 'ORE-1' });
    const concentrate = await ledger.get('/batches/CONC-B', parties.miner);
    expect(concentrate.body).toMatchObject({ held: false, heldVia: 'ORE-1' });
    const held = await ledger.get('/batches/ORE-1', parties.miner);
    expect(held.body).toMatchObject({ held: true, status: 'held', heldVia: null });
    const other = await ledger.get('/batches/ORE-2', parties.miner);
    expect(other.body).toMatchObject({ held: false, heldVia: null });
  });

  it('clears the derived hold once the ancestor is released', async () => {
    const position = await created('/batches/ORE-1/releases', parties.regulator, {
      reason: 'Origin confirmed',
      occurredAt: '2026-03-10T00:00:00Z',
    });
    const oxide = await ledger.get(`/batches/OX-A?minPosition=${position}`, parties.refiner);
    expect(oxide.body).toMatchObject({ held: false, heldVia: null });
  });

  it('answers 404 for the impact of an unknown batch', async () => {
    await expectRefusal(await ledger.get('/holds/NOPE/impact', parties.regulator), 404, 'BATCH_NOT_FOUND');
  });
});
