import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/**
 * Every refusal answers problem+json with a stable code, and not a single event is written. Here: what
 * HTTP decides (validation, media type, API keys, routes), and one domain refusal per status and code
 * family; every domain refusal is specified in the decider specs, libs/domain/src/<area>/*.decider.spec.ts.
 */
describe('refused commands write nothing', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('OK-1'))).status).toBe(201);
  });
  afterAll(() => ledger.stop());

  const mine =
    (body: unknown, token = parties.miner) =>
    () =>
      ledger.post('/batches/mined', token, body);

  it.each([
    ['an unknown field', { ...minedBatch('X-1'), colour: 'red' }],
    ['a missing field', { ...minedBatch('X-1'), facilityId: undefined }],
    ['a wrong type', { ...minedBatch('X-1'), massKg: '25' }],
    ['zero mass', minedBatch('X-1', 0)],
    ['negative mass', minedBatch('X-1', -5)],
    ['mass with 4 decimals', minedBatch('X-1', 1.0001)],
    ['an unknown material form', { ...minedBatch('X-1'), material: { form: 'slurry' } }],
    ['an unknown element', { ...minedBatch('X-1'), material: { form: 'oxide', elements: ['Xx'] } }],
    ['an unknown nested field', { ...minedBatch('X-1'), material: { form: 'oxide', colour: 'red' } }],
    ['a time without offset', { ...minedBatch('X-1'), occurredAt: '2026-03-01T08:00:00' }],
    ['a bad batch id', { ...minedBatch('X-1'), batchId: 'has space' }],
  ])('refuses %s with 400 VALIDATION_FAILED', (_case, body) =>
    expectRefusal(mine(body), 400, 'VALIDATION_FAILED', ledger),
  );

  it('refuses malformed JSON with 400 MALFORMED_JSON', () =>
    expectRefusal(
      () => ledger.request('POST', '/batches/mined', { token: parties.miner, rawBody: '{"batchId": ' }),
      400,
      'MALFORMED_JSON',
      ledger,
    ));

  it('refuses a body that is not an object', () =>
    expectRefusal(
      () => ledger.request('POST', '/batches/mined', { token: parties.miner, rawBody: '[1,2]' }),
      400,
      'VALIDATION_FAILED',
      ledger,
    ));

  it('refuses a non-JSON media type with 415', () =>
    expectRefusal(
      () =>
        ledger.request('POST', '/batches/mined', {
          token: parties.miner,
          rawBody: 'batchId=1',
          headers: { 'content-type': 'text/plain' },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      ledger,
    ));

  it('refuses a request without an API key with 401', () =>
    expectRefusal(
      () => ledger.request('POST', '/batches/mined', { body: minedBatch('X-2') }),
      401,
      'MISSING_API_KEY',
      ledger,
    ));
  it('refuses an unknown API key with 401', () =>
    expectRefusal(mine(minedBatch('X-2'), 'tl_not-a-key'), 401, 'INVALID_API_KEY', ledger));
  it('refuses reads without an API key with 401', () =>
    expectRefusal(() => ledger.request('GET', '/batches/OK-1'), 401, 'MISSING_API_KEY', ledger));

  it('refuses a regulator recording a mined batch with 403', () =>
    expectRefusal(mine(minedBatch('X-3'), parties.regulator), 403, 'ROLE_REQUIRED', ledger));
  it('refuses shipping an unknown batch with 404', () =>
    expectRefusal(
      () => ledger.post('/batches/NOPE/shipments', parties.miner, shipment('S-9')),
      404,
      'BATCH_NOT_FOUND',
      ledger,
    ));
  it('refuses a batch id that already exists with 409', () =>
    expectRefusal(mine(minedBatch('OK-1')), 409, 'BATCH_ALREADY_EXISTS', ledger));
  it('refuses acting on a batch you never held, and may not read, with 404: as if it did not exist', () =>
    expectRefusal(
      () => ledger.post('/batches/OK-1/shipments', parties.refiner, shipment('S-9')),
      404,
      'BATCH_NOT_FOUND',
      ledger,
    ));
  it('refuses an occurredAt in the future with 422', () =>
    expectRefusal(
      mine({ ...minedBatch('X-5'), occurredAt: '2099-01-01T00:00:00Z' }),
      422,
      'OCCURRED_IN_FUTURE',
      ledger,
    ));
  it('answers 404 for an unknown batch view and an unknown route', async () => {
    await expectRefusal(() => ledger.get('/batches/NOPE', parties.miner), 404, 'BATCH_NOT_FOUND', ledger);
    await expectRefusal(() => ledger.get('/nothing-here', parties.miner), 404, 'NOT_FOUND', ledger);
  });
});
