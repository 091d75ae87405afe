import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

describe('concurrent commands on one batch', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  it('lets exactly one of 50 simultaneous shipments through; the rest get 409', async () => {
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('RACE-1'))).status).toBe(201);
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        ledger.post('/batches/RACE-1/shipments', parties.miner, shipment(`S-${i}`)),
      ),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(49);
    const events = await ledger.get<{ type: string }[]>('/batches/RACE-1/events', parties.miner);
    expect(events.body.filter((event) => event.type === 'BatchShipped')).toHaveLength(1);
  });
});
