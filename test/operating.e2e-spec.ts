import { signRequest, toPublicJwk } from '@tracelode/request-signatures';
import { generateKeyPairSync } from 'node:crypto';
import { askUntil } from './support/ask-until';
import { ADMIN_TOKEN, LedgerHarness, minedBatch } from './support/ledger-harness';

/** One request's log line, as the ledger writes it (ADR 0027). */
interface RequestLine {
  msg: string;
  requestId: string;
  method: string;
  path: string;
  route: string;
  status: number;
  latencyMs: number;
  outcome: string;
  org?: string;
  commandType?: string;
}

/** Sample values of `name` with the given labels in a Prometheus text exposition (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (wanted.every((pair) => (match[2] ?? '').includes(pair))) total += Number(match[3]);
  }
  return total;
}

describe('operating the ledger: logs and metrics', () => {
  let ledger: LedgerHarness;
  const secrets: Record<string, string> = { adminToken: ADMIN_TOKEN };
  const requestIds: string[] = [];
  let lines: RequestLine[] = [];
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  const metrics = async (token = ADMIN_TOKEN) => {
    const reply = await ledger.request<string>('GET', '/metrics', { token });
    expect(reply.status).toBe(200);
    return reply.body;
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_METRICS_PORT: '0' });
  });
  afterAll(() => ledger.stop());

  it('serves the metrics to the admin token, and counters move after commands', async () => {
    const before = await metrics();
    const miner = await ledger.organisation(
      'opsmine',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    secrets.minerKey = miner;
    expect((await ledger.post('/batches/mined', miner, minedBatch('OPS-1'))).status).toBe(201);
    expect((await ledger.post('/batches/mined', miner, minedBatch('OPS-1'))).status).toBe(409);
    const after = await metrics();

    const mined = { type: 'MineBatch', outcome: 'ok' };
    expect(sample(after, 'tracelode_commands_total', mined)).toBe(
      sample(before, 'tracelode_commands_total', mined) + 1,
    );
    const duplicate = { type: 'MineBatch', outcome: 'BATCH_ALREADY_EXISTS' };
    expect(sample(after, 'tracelode_commands_total', duplicate)).toBe(1);
    const registered = { type: 'RegisterOrganisation', outcome: 'ok' };
    expect(sample(after, 'tracelode_commands_total', registered)).toBe(
      sample(before, 'tracelode_commands_total', registered) + 1,
    );
    const route = { method: 'POST', route: '/batches/mined', status: '201' };
    expect(sample(after, 'tracelode_http_request_duration_seconds_count', route)).toBe(1);
    // By route pattern, never the raw URL.
    expect(after).toContain('route="/orgs/:orgId/facilities"');
    expect(after).not.toContain('route="/orgs/opsmine/facilities"');
    expect(sample(after, 'tracelode_log_head_position')).toBeGreaterThan(
      sample(before, 'tracelode_log_head_position'),
    );
    expect(sample(after, 'tracelode_store_up')).toBe(1);
    expect(sample(after, 'tracelode_follower_state', { follower: 'views', state: 'following' })).toBe(1);
    for (const name of [
      'tracelode_projector_lag_events',
      'tracelode_notary_lag_events',
      'tracelode_seconds_since_checkpoint',
      'tracelode_concurrency_conflicts_total',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(after).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
    if (ledger.storeUrl.startsWith('sqlite:')) {
      expect(sample(after, 'tracelode_group_commit_size_count')).toBeGreaterThan(
        sample(before, 'tracelode_group_commit_size_count'),
      );
      expect(sample(after, 'tracelode_group_commit_duration_seconds_count')).toBeGreaterThan(0);
      expect(sample(after, 'tracelode_file_size_bytes', { file: 'events' })).toBeGreaterThan(0);
    }
    expect(sample(after, 'tracelode_file_size_bytes', { file: 'views' })).toBeGreaterThan(0);
  });

  it('reads no stream page from the log file for the commands of an organisation it knows', async () => {
    if (!ledger.storeUrl.startsWith('sqlite:')) return; // the count is the SQLite store's
    const miner = secrets.minerKey!;
    expect((await ledger.post('/batches/mined', miner, minedBatch('OPS-2'))).status).toBe(201);
    const scraped = await metrics();
    expect(scraped).toMatch(/^tracelode_stream_pages_read_total \d/m);
    const before = sample(scraped, 'tracelode_stream_pages_read_total');
    for (const id of ['OPS-3', 'OPS-4', 'OPS-5'])
      expect((await ledger.post('/batches/mined', miner, minedBatch(id))).status).toBe(201);
    // The organisation's and the key's streams are folded in memory and their heads known; a new lot's is
    // taken as new (ADR 0036). A scrape reads the count; it never reads a stream.
    expect(sample(await metrics(), 'tracelode_stream_pages_read_total')).toBe(before);
  });

  it('answers anyone else 404, as for a route that does not exist', async () => {
    const missing = await ledger.request('GET', '/no-such-route', {});
    for (const token of [secrets.minerKey, undefined, `tl_opsmine_${'x'.repeat(43)}`, 'not-a-key']) {
      const reply = await ledger.request('GET', '/metrics', token === undefined ? {} : { token });
      expect(reply.status).toBe(404);
      expect(reply.body).toMatchObject({
        code: 'NOT_FOUND',
        status: 404,
        type: (missing.body as { type: string }).type,
      });
      expect(JSON.stringify(reply.body)).not.toContain('tracelode_');
    }
  });

  it('serves them without auth on the loopback metrics port, and nothing else there', async () => {
    const url = /Metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(ledger.output)?.[1];
    expect(url).toBeDefined();
    const reply = await fetch(`${url}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/plain');
    const mined = { type: 'MineBatch', outcome: 'ok' };
    const count = sample(await reply.text(), 'tracelode_commands_total', mined);
    expect(count).toBeGreaterThan(0);
    expect(count).toBe(sample(await metrics(), 'tracelode_commands_total', mined)); // the same registry
    expect((await fetch(`${url}/orgs`)).status).toBe(404);
  });

  it('lists the operating routes in the OpenAPI document', async () => {
    const openApi = await ledger.request<{ paths: Record<string, unknown> }>('GET', '/docs/openapi.json');
    expect(Object.keys(openApi.body.paths)).toEqual(
      expect.arrayContaining(['/metrics', '/health/live', '/health/ready', '/health']),
    );
  });

  it('walks through keys, signed commands and admin use, logging one line per request and no secret', async () => {
    const send = async (method: string, path: string, options: Parameters<LedgerHarness['request']>[2]) => {
      const requestId = `ops-${requestIds.length + 1}`;
      const reply = await ledger.request(method, path, {
        ...options,
        headers: { ...options?.headers, 'x-request-id': requestId },
      });
      expect(reply.headers.get('x-request-id')).toBe(requestId);
      requestIds.push(requestId);
      return reply;
    };
    const registered = await send('POST', '/orgs', {
      token: ADMIN_TOKEN,
      body: { orgId: 'opsrefine', name: 'Ops Refining', country: 'MY', roles: ['producer'] },
    });
    expect(registered.status).toBe(201);
    const refiner = (registered.body as { apiKey: string }).apiKey;
    secrets.refinerKey = refiner;
    const second = await send('POST', '/orgs/opsrefine/api-keys', { token: refiner, body: { label: 'ci' } });
    expect(second.status).toBe(201);
    secrets.secondKey = (second.body as { apiKey: string }).apiKey;
    expect(
      (
        await send('POST', '/orgs/opsrefine/facilities', {
          token: secrets.secondKey,
          body: { facilityId: 'kuantan', kind: 'mine', name: 'Kuantan', country: 'MY' },
        })
      ).status,
    ).toBe(201);
    const jwk = toPublicJwk(publicKey);
    expect(
      (
        await send('POST', '/orgs/opsrefine/keys', {
          token: refiner,
          body: { keyId: 'ops-key', publicKey: jwk },
        })
      ).status,
    ).toBe(201);
    const privateJwk = privateKey.export({ format: 'jwk' });
    secrets.privateJwkD = privateJwk.d ?? '';
    const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    secrets.privatePem = privatePem.split('\n')[1] ?? '';

    const body = JSON.stringify({ ...minedBatch('OPS-SIGNED'), facilityId: 'kuantan' });
    const headers = signRequest({
      method: 'POST',
      path: '/batches/mined',
      body,
      privateKey,
      keyId: 'ops-key',
    });
    secrets.signature = /:([^:]+):/.exec(headers.signature)?.[1] ?? '';
    expect(
      (await send('POST', '/batches/mined', { token: refiner, rawBody: body, headers: { ...headers } }))
        .status,
    ).toBe(201);
    // Refusals too: an unsigned command, a bad key, a stranger's read, a validation failure.
    expect(
      (await send('POST', '/batches/mined', { token: refiner, body: minedBatch('OPS-UNSIGNED') })).status,
    ).toBe(401);
    expect(
      (await send('POST', '/batches/mined', { token: `${refiner}x`, body: minedBatch('OPS-X') })).status,
    ).toBe(401);
    expect((await send('GET', '/batches/OPS-SIGNED', { token: secrets.minerKey })).status).toBe(404);
    expect((await send('GET', '/batches/OPS-SIGNED?minPosition=1', { token: refiner })).status).toBe(200);
    // A read whose client goes while it waits for the views to reach a position they never reach.
    const abandoned = new AbortController();
    const waiting = fetch(`${ledger.baseUrl}/batches/OPS-SIGNED?minPosition=999999`, {
      headers: { authorization: `Bearer ${refiner}`, 'x-request-id': 'ops-abandoned' },
      signal: abandoned.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    abandoned.abort();
    await expect(waiting).rejects.toThrow();
    requestIds.push('ops-abandoned');
    const counted = await askUntil(
      () => ledger.request<string>('GET', '/metrics', { token: ADMIN_TOKEN }),
      (reply) => sample(reply.body, 'tracelode_http_request_duration_seconds_count', { status: '499' }) > 0,
      5_000,
    );
    expect(
      sample(counted.body, 'tracelode_http_request_duration_seconds_count', {
        route: '/batches/:batchId',
        status: '499',
      }),
    ).toBe(1);
    expect((await send('GET', '/metrics', { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await send('GET', '/health', {})).status).toBe(200);
    // A request id that is not a safe one is replaced, not logged.
    const unsafe = await ledger.request('GET', '/health/live', {
      headers: { 'x-request-id': 'a b "}<script>' },
    });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await ledger.shutdown(); // the log is whole once the process has exited
    lines = ledger.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as RequestLine)
      .filter((line) => line.msg === 'request');
  });

  it('logged not one of the secrets the run used', () => {
    expect(Object.keys(secrets)).toEqual(
      expect.arrayContaining([
        'adminToken',
        'minerKey',
        'refinerKey',
        'secondKey',
        'signature',
        'privatePem',
      ]),
    );
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.length).toBeGreaterThan(15);
      // The whole of stdout and stderr, as an operator's log collector would receive it.
      expect({ name, found: ledger.output.includes(secret) }).toEqual({ name, found: false });
      // Nor the secret part of an API key alone.
      const tail = secret.slice(-20);
      expect({ name, found: ledger.output.includes(tail) }).toEqual({ name, found: false });
    }
  });

  it('logged one line per request, with its id, organisation, command, outcome, status and latency', () => {
    for (const requestId of requestIds) {
      expect(lines.filter((line) => line.requestId === requestId)).toHaveLength(1);
    }
    const byId = (id: string) => lines.find((line) => line.requestId === id)!;
    expect(byId('ops-1')).toMatchObject({
      method: 'POST',
      path: '/orgs',
      route: '/orgs',
      org: 'ledger', // the admin token acts for the operator
      commandType: 'RegisterOrganisation',
      outcome: 'ok',
      status: 201,
      latencyMs: expect.any(Number),
    });
    expect(byId('ops-5')).toMatchObject({
      route: '/batches/mined',
      org: 'opsrefine',
      commandType: 'MineBatch',
      outcome: 'ok',
      status: 201,
    });
    expect(byId('ops-6')).toMatchObject({
      commandType: 'MineBatch',
      outcome: 'SIGNATURE_REQUIRED',
      status: 401,
    });
    expect(byId('ops-7')).toMatchObject({
      commandType: 'MineBatch',
      outcome: 'INVALID_API_KEY',
      status: 401,
    });
    expect(byId('ops-7').org).toBeUndefined();
    expect(byId('ops-8')).toMatchObject({
      route: '/batches/:batchId',
      path: '/batches/OPS-SIGNED',
      org: 'opsmine',
      outcome: 'BATCH_NOT_FOUND',
      status: 404,
    });
    expect(byId('ops-8').commandType).toBeUndefined();
    // Its client went before the answer: logged once, as nginx's 499.
    expect(byId('ops-abandoned')).toMatchObject({
      route: '/batches/:batchId',
      path: '/batches/OPS-SIGNED',
      org: 'opsrefine',
      outcome: 'CLIENT_CLOSED_REQUEST',
      status: 499,
    });
    expect(byId('ops-abandoned').latencyMs).toBeGreaterThanOrEqual(250);
    // Every request of the run has a line, whatever it was.
    expect(lines.length).toBeGreaterThanOrEqual(requestIds.length + 10);
    expect(lines.every((line) => typeof line.requestId === 'string' && line.requestId.length > 0)).toBe(true);
  });
});
