import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

describe('Idempotency-Key', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
  });
  afterAll(() => ledger.stop());

  it('answers a retry with the first response and writes nothing more', async () => {
    const headers = { 'idempotency-key': 'retry-1' };
    const first = await ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-1'), headers);
    expect(first.status).toBe(201);
    const count = await ledger.eventCount();
    const retry = await ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-1'), headers);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(await ledger.eventCount()).toBe(count);
  });

  it('refuses the same key with a different body with 422, writing nothing', async () => {
    const headers = { 'idempotency-key': 'retry-2' };
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-2'), headers)).status).toBe(
      201,
    );
    await expectRefusal(
      () => ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-2b'), headers),
      422,
      'IDEMPOTENCY_KEY_REUSED',
      ledger,
    );
  });

  it('gives 20 concurrent retries one outcome and one set of events', async () => {
    const headers = { 'idempotency-key': 'storm-1' };
    const count = await ledger.eventCount();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () =>
        ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-3'), headers),
      ),
    );
    expect(new Set(replies.map((reply) => reply.status))).toEqual(new Set([201]));
    expect(new Set(replies.map((reply) => JSON.stringify(reply.body))).size).toBe(1);
    expect(await ledger.eventCount()).toBe(count + 2); // BatchMined + CommandRecorded
  });

  it('scopes keys to the organisation that sent them', async () => {
    const headers = { 'idempotency-key': 'shared-key' };
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-4'), headers)).status).toBe(
      201,
    );
    const other = await ledger.organisation(
      'minetwo',
      'CA',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    const reply = await ledger.post('/batches/mined', other, minedBatch('IDEM-5'), headers);
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ batchId: 'IDEM-5' });
  });

  it('never returns an API key again on a retried registration', async () => {
    const headers = { 'idempotency-key': 'org-1' };
    const body = { orgId: 'late-co', name: 'Late Co', country: 'VN', roles: ['producer'] };
    const first = await ledger.post<{ apiKey?: string; keyId: string }>('/orgs', ADMIN_TOKEN, body, headers);
    expect(first.body.apiKey).toMatch(/^tl_/);
    const retry = await ledger.post<{ apiKey?: string; keyId: string }>('/orgs', ADMIN_TOKEN, body, headers);
    expect(retry.status).toBe(201);
    expect(retry.body.apiKey).toBeUndefined();
    expect(retry.body.keyId).toBe(first.body.keyId);
  });

  it('refuses a malformed key with 400', async () => {
    await expectRefusal(
      await ledger.post('/batches/mined', parties.miner, minedBatch('IDEM-6'), {
        'idempotency-key': 'has space',
      }),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    );
  });
});
