import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRefusal } from './support/expect-refusal';
import { LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * Trust boundaries, input: what a body, a header, a path or a query may hold. Every refusal is
 * problem+json with a stable code and writes nothing.
 */
describe('input limits', () => {
  let ledger: LedgerHarness;
  let parties: Awaited<ReturnType<typeof standardParties>>;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    parties = await standardParties(ledger);
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('IN-1'))).status).toBe(201);
  });
  afterAll(() => ledger.stop());

  const mineRaw =
    (rawBody: string, headers: Record<string, string> = {}) =>
    () =>
      ledger.request('POST', '/batches/mined', { token: parties.miner, rawBody, headers });
  const mine = (body: unknown) => () => ledger.post('/batches/mined', parties.miner, body);

  describe('bodies are bounded before anything reads them', () => {
    it('refuses JSON nested 10,000 deep with 400 BODY_TOO_DEEP', () =>
      expectRefusal(
        mineRaw('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)),
        400,
        'BODY_TOO_DEEP',
        ledger,
      ));

    it('refuses arrays nested 10,000 deep inside a field with 400 BODY_TOO_DEEP', () => {
      const body = JSON.stringify(minedBatch('DEEP-1')).replace(
        '"elements":["Nd","Pr"]',
        `"elements":${'['.repeat(10_000)}${']'.repeat(10_000)}`,
      );
      return expectRefusal(mineRaw(body), 400, 'BODY_TOO_DEEP', ledger);
    });

    it('refuses 33 levels but takes brackets inside strings as text', async () => {
      await expectRefusal(mineRaw('{"a":'.repeat(33) + '1' + '}'.repeat(33)), 400, 'BODY_TOO_DEEP', ledger);
      // 32 levels parse, then fail validation as any unknown field does
      await expectRefusal(
        mineRaw('{"a":'.repeat(32) + '1' + '}'.repeat(32)),
        400,
        'VALIDATION_FAILED',
        ledger,
      );
      const reason = '{['.repeat(100) + '"\\"';
      const held = await ledger.post('/batches/IN-1/holds', parties.regulator, {
        reason,
        occurredAt: '2026-03-02T00:00:00Z',
      });
      expect(held.status).toBe(201);
      const released = await ledger.post('/batches/IN-1/releases', parties.regulator, {
        reason: 'done',
        occurredAt: '2026-03-02T01:00:00Z',
      });
      expect(released.status).toBe(201);
    });

    it.each(['1e400', '-1e400', '1E999'])('refuses the number %s with 400 NUMBER_OUT_OF_RANGE', (number) =>
      expectRefusal(
        mineRaw(JSON.stringify(minedBatch('BIG-1')).replace('25000.5', number)),
        400,
        'NUMBER_OUT_OF_RANGE',
        ledger,
      ),
    );

    it.each([
      ['__proto__ at the top', '{"__proto__":{"admin":true},'],
      ['constructor at the top', '{"constructor":{"prototype":{"x":1}},'],
      ['prototype at the top', '{"prototype":1,'],
    ])('refuses %s with 400 RESERVED_KEY', (_case, prefix) =>
      expectRefusal(
        mineRaw(JSON.stringify(minedBatch('PROTO-1')).replace(/^\{/, prefix)),
        400,
        'RESERVED_KEY',
        ledger,
      ),
    );

    it('refuses __proto__ nested in a field with 400 RESERVED_KEY', () =>
      expectRefusal(
        mineRaw(
          JSON.stringify(minedBatch('PROTO-2')).replace('"grade":{', '"grade":{"__proto__":{"TREO":1},'),
        ),
        400,
        'RESERVED_KEY',
        ledger,
      ));
  });

  describe('timestamps name real instants', () => {
    it.each([
      '2026-02-30T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T23:60:00Z',
      '2026-03-01T23:59:60Z',
      '0000-03-01T00:00:00Z',
      '1899-12-31T23:59:59Z',
      '2026-03-01T08:00:00+24:00',
      '2026-03-01T08:00:00+05:60',
    ])('refuses occurredAt %s with 400 VALIDATION_FAILED', (occurredAt) =>
      expectRefusal(mine({ ...minedBatch('TIME-1'), occurredAt }), 400, 'VALIDATION_FAILED', ledger),
    );

    it('takes a leap day and an offset crossing into another date', async () => {
      const leap = await ledger.post('/batches/mined', parties.miner, {
        ...minedBatch('LEAP-1'),
        occurredAt: '2024-02-29T23:30:00.123-05:30',
      });
      expect(leap.status).toBe(201);
    });

    it.each(['2026-02-30T00:00:00Z', '2026-03-01T24:00:00Z', '0000-01-01T00:00:00Z'])(
      'refuses asOf=%s with 400 INVALID_AS_OF',
      async (asOf) =>
        expectRefusal(
          () => ledger.get(`/batches/IN-1?asOf=${encodeURIComponent(asOf)}`, parties.miner),
          400,
          'INVALID_AS_OF',
          ledger,
        ),
    );

    it('refuses an export window from 2026-02-30 with 400 INVALID_TIME', () =>
      expectRefusal(
        () => ledger.get('/exports?from=2026-02-30T00:00:00Z', parties.regulator),
        400,
        'INVALID_TIME',
        ledger,
      ));
  });

  it('refuses economic allocation keys given as strings with 400 VALIDATION_FAILED', () =>
    expectRefusal(
      () =>
        ledger.post('/transformations', parties.miner, {
          transformationId: 'T-STR',
          facilityId: 'mt-weld',
          process: 'beneficiation',
          occurredAt: '2026-03-02T08:00:00Z',
          inputs: [{ batchId: 'IN-1', consumedKg: 100 }],
          outputs: [
            { batchId: 'STR-A', material: { form: 'concentrate', elements: ['Nd'] }, massKg: 60 },
            { batchId: 'STR-B', material: { form: 'concentrate', elements: ['Pr'] }, massKg: 40 },
          ],
          processEmissionsKgCo2e: 10,
          allocation: { method: 'economic', keys: { 'STR-A': '0.5', 'STR-B': '0.5' } },
        }),
      400,
      'VALIDATION_FAILED',
      ledger,
    ));

  describe('correlation ids', () => {
    it.each([
      ['8,000 characters', 'c'.repeat(8000)],
      ['256 characters', 'c'.repeat(256)],
      ['a space', 'has space'],
    ])('refuses one of %s with 400 INVALID_CORRELATION_ID', (_case, id) =>
      expectRefusal(
        () => ledger.post('/batches/mined', parties.miner, minedBatch('CORR-1'), { 'x-correlation-id': id }),
        400,
        'INVALID_CORRELATION_ID',
        ledger,
      ),
    );

    it('takes one of 255 visible characters and stores it', async () => {
      const id = `${'c'.repeat(250)}-!~:/`;
      const mined = await ledger.post<{ position: string }>(
        '/batches/mined',
        parties.miner,
        minedBatch('CORR-2'),
        { 'x-correlation-id': id },
      );
      expect(mined.status).toBe(201);
      const events = await ledger.get<{ correlationId?: string; metadata?: { correlationId?: string } }[]>(
        `/batches/CORR-2/events?minPosition=${mined.body.position}`,
        parties.miner,
      );
      expect(JSON.stringify(events.body)).toContain(id);
    });
  });

  describe('ids of every valid length reach every route', () => {
    const longId = `L${'x'.repeat(126)}9`;

    it('creates, holds, reads and lists the events of a 128-character batch', async () => {
      expect(longId).toHaveLength(128);
      expect((await ledger.post('/batches/mined', parties.miner, minedBatch(longId))).status).toBe(201);
      const held = await ledger.post(`/batches/${longId}/holds`, parties.regulator, {
        reason: 'inquiry',
        occurredAt: '2026-03-02T00:00:00Z',
      });
      expect(held.status).toBe(201);
      const read = await ledger.get<{ batchId: string }>(
        `/batches/${longId}?minPosition=${held.body.position as string}`,
        parties.miner,
      );
      expect(read.status).toBe(200);
      expect(read.body.batchId).toBe(longId);
      const events = await ledger.get<unknown[]>(`/batches/${longId}/events`, parties.miner);
      expect(events.status).toBe(200);
      expect(events.body.length).toBeGreaterThanOrEqual(2);
    });

    it('reads it by its fully percent-encoded spelling too', async () => {
      const encoded = [...longId].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
      const events = await ledger.get<unknown[]>(`/batches/${encoded}/events`, parties.miner);
      expect(events.status).toBe(200);
    });

    it('answers a path parameter too long for any id with 414 URI_TOO_LONG as problem+json', () =>
      expectRefusal(
        () => ledger.post(`/batches/${'A'.repeat(2000)}/holds`, parties.regulator, { reason: 'x' }),
        414,
        'URI_TOO_LONG',
        ledger,
      ));

    it('answers headers too large with 431 HEADERS_TOO_LARGE as problem+json', () =>
      expectRefusal(
        () =>
          ledger.post('/batches/mined', parties.miner, minedBatch('HDR-1'), {
            'x-filler': 'f'.repeat(20_000),
          }),
        431,
        'HEADERS_TOO_LARGE',
        ledger,
      ));
  });

  it('replays a command retried under another spelling of its path', async () => {
    expect((await ledger.post('/batches/mined', parties.miner, minedBatch('ID-1'))).status).toBe(201);
    const headers = { 'idempotency-key': 'spelling-1' };
    const body = { reason: 'inquiry', occurredAt: '2026-03-02T00:00:00Z' };
    const first = await ledger.post('/batches/ID-1/holds', parties.regulator, body, headers);
    expect(first.status).toBe(201);
    const count = await ledger.eventCount();
    const retry = await ledger.post('/batches/ID%2D1/holds', parties.regulator, body, headers);
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });
    expect(await ledger.eventCount()).toBe(count);
  });
});

describe('data files', () => {
  it('creates the data directory owner-only (0700) and every database file 0600', async () => {
    const base = mkdtempSync(join(tmpdir(), 'tracelode-modes-'));
    const data = join(base, 'data');
    const ledger = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(data, 'ledger.db')}`,
      TRACELODE_VIEWS: join(data, 'views.db'),
    });
    try {
      const parties = await standardParties(ledger);
      expect((await ledger.post('/batches/mined', parties.miner, minedBatch('MODE-1'))).status).toBe(201);
      const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
      expect(mode(data)).toBe('700');
      const files = ['ledger.db', 'views.db', 'integrity.db'].flatMap((db) => [db, `${db}-wal`, `${db}-shm`]);
      expect(Object.fromEntries(files.map((file) => [file, mode(join(data, file))]))).toEqual(
        Object.fromEntries(files.map((file) => [file, '600'])),
      );
      expect(mode(join(data, 'ledger-signing-key.pem'))).toBe('600');
    } finally {
      await ledger.stop();
      rmSync(base, { recursive: true, force: true });
    }
  });
});
