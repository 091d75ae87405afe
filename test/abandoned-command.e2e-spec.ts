import Database from 'better-sqlite3';
import { connect } from 'node:net';
import { join } from 'node:path';
import { askUntil } from './support/ask-until';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * A command whose client goes after sending it whole, while its commit waits for the events file's write
 * lock (held by another process): the command is still committed, and its request is logged and counted
 * once, as 499, with the outcome its handler answered (`ok`) once it is committed (ADR 0027, amended). The SQLite writer in its worker (TRACELODE_WRITER=worker), so that the
 * server's thread sees the connection close while the commit waits. Not run on KurrentDB (jest.config.js).
 */
describe('a command whose client goes before its answer', () => {
  let ledger: LedgerHarness;
  let miner: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_WRITER: 'worker' });
    ({ miner } = await standardParties(ledger));
  });
  afterAll(() => ledger.stop());

  it('is committed, logged once and counted once, as 499 with outcome ok', async () => {
    const port = Number(new URL(ledger.baseUrl).port);
    const minedOk = async () => {
      const text = (await ledger.request<string>('GET', '/metrics', { token: ADMIN_TOKEN })).body;
      const found = /^tracelode_commands_total\{type="MineBatch",outcome="ok"\} (\d+)$/m.exec(text);
      return found ? Number(found[1]) : 0;
    };
    const before = await minedOk();
    const body = JSON.stringify(minedBatch('ABANDONED-1'));
    const lock = new Database(join(ledger.dir, 'ledger.db'));
    try {
      lock.exec('BEGIN IMMEDIATE');
      await new Promise<void>((gone) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(
            `POST /batches/mined HTTP/1.1\r\nHost: ledger\r\nx-request-id: abandoned-command\r\n` +
              `authorization: Bearer ${miner}\r\ncontent-type: application/json\r\n` +
              `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
          );
          setTimeout(() => {
            socket.destroy();
            gone();
          }, 500);
        });
        socket.on('error', () => undefined);
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      lock.exec('COMMIT');
      lock.close();
    }
    const read = await askUntil(
      () => ledger.get('/batches/ABANDONED-1', miner),
      (reply) => reply.status === 200,
      10_000,
    );
    expect(read.status).toBe(200);
    const metrics = await askUntil(
      () => ledger.request<string>('GET', '/metrics', { token: ADMIN_TOKEN }),
      (reply) => reply.body.includes('status="499"'),
      5_000,
    );
    expect(await minedOk()).toBe(before + 1);
    expect(metrics.body).not.toMatch(/outcome="CLIENT_CLOSED_REQUEST"/);
    expect(metrics.body).toMatch(
      /^tracelode_http_request_duration_seconds_count\{method="POST",route="\/batches\/mined",status="499"\} 1$/m,
    );
    const lines = ledger.output
      .split('\n')
      .filter((line) => line.includes('"requestId":"abandoned-command"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        route: '/batches/mined',
        commandType: 'MineBatch',
        status: 499,
        outcome: 'ok',
      }),
    ]);
  });
});

/**
 * Connections the ledger closes itself are logged with its reason, not as their clients' leaving (499):
 * a body that does not arrive whole within TRACELODE_REQUEST_TIMEOUT_MS (answered 408), a request not
 * answered before the connection idles past TRACELODE_CONNECTION_TIMEOUT_MS.
 */
describe('requests on connections the ledger closes itself', () => {
  let ledger: LedgerHarness;
  let miner: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({
      TRACELODE_REQUEST_TIMEOUT_MS: '1000',
      TRACELODE_CONNECTION_TIMEOUT_MS: '1500',
    });
    ({ miner } = await standardParties(ledger));
  });
  afterAll(() => ledger.stop());

  /** Sends `text` and keeps the connection open until the ledger closes it; what it answered, if anything. */
  const sendAndStay = (text: string) =>
    new Promise<string>((closed) => {
      const port = Number(new URL(ledger.baseUrl).port);
      let answer = '';
      const socket = connect(port, '127.0.0.1', () => socket.write(text));
      const timer = setTimeout(() => socket.destroy(), 10_000);
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => (clearTimeout(timer), closed(answer)));
    });
  const linesOf = (requestId: string) =>
    ledger.output
      .split('\n')
      .filter((line) => line.includes(`"requestId":"${requestId}"`))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  /** The request's log lines, once there is one (within 5 s). */
  const loggedLinesOf = (requestId: string) =>
    askUntil(
      () => Promise.resolve(linesOf(requestId)),
      (found) => found.length > 0,
      5_000,
    );

  it('a command whose body does not arrive whole in time: answered 408, logged once as 408 REQUEST_TIMEOUT', async () => {
    const body = JSON.stringify(minedBatch('TRICKLED-1'));
    const answer = await sendAndStay(
      `POST /batches/mined HTTP/1.1\r\nHost: ledger\r\nx-request-id: trickled-command\r\n` +
        `authorization: Bearer ${miner}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    const lines = await loggedLinesOf('trickled-command');
    expect(lines).toEqual([
      expect.objectContaining({ route: '/batches/mined', status: 408, outcome: 'REQUEST_TIMEOUT' }),
    ]);
  });

  it('a read not answered before its connection idles out: logged once as 503 CONNECTION_TIMEOUT', async () => {
    // The views never reach the position asked for: the read waits its 5 s, past the 1.5 s idle time-out.
    const answer = await sendAndStay(
      `GET /batches/NONE?minPosition=999999 HTTP/1.1\r\nHost: ledger\r\nx-request-id: idled-read\r\n` +
        `authorization: Bearer ${miner}\r\n\r\n`,
    );
    expect(answer).toBe('');
    const lines = await loggedLinesOf('idled-read');
    expect(lines).toEqual([
      expect.objectContaining({ route: '/batches/:batchId', status: 503, outcome: 'CONNECTION_TIMEOUT' }),
    ]);
    // Nothing more once the read's wait ends (to nobody).
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(linesOf('idled-read')).toHaveLength(1);
  });
});
