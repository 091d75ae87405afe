import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

/** Finding 7 of "Trust boundaries": slow bodies held memory for as long as the client liked. */
describe('slow clients', () => {
  let ledger: LedgerHarness;
  beforeAll(async () => {
    ledger = await LedgerHarness.start({
      TRACELODE_REQUEST_TIMEOUT_MS: '2000',
      TRACELODE_CONNECTION_TIMEOUT_MS: '1500',
      TRACELODE_MAX_CONNECTIONS_PER_CLIENT: '250',
    });
  });
  afterAll(() => ledger.stop());

  const rssKb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${ledger.pid}/status`, 'utf8'))?.[1]);
  const open = (head: string) =>
    new Promise<Socket>((ready) => {
      const url = new URL(ledger.baseUrl);
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(head);
        ready(socket);
      });
      socket.on('error', () => undefined);
    });
  const post = (token?: string) =>
    `POST /batches/mined HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${1024 * 1024}\r\n` +
    (token ? `authorization: Bearer ${token}\r\n` : '') +
    '\r\n';
  const closed = (socket: Socket) =>
    new Promise<string>((done) => {
      let reply = '';
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
      socket.once('close', () => done(reply));
    });

  /** RSS once the server has settled: its read workers start after it listens (ADR 0020) and grow it for a while. */
  const settledRssKb = async () => {
    let last = rssKb();
    for (let steady = 0, waited = 0; steady < 3 && waited < 20_000; waited += 500) {
      await new Promise((done) => setTimeout(done, 500));
      const now = rssKb();
      steady = Math.abs(now - last) < 1024 ? steady + 1 : 0;
      last = now;
    }
    return last;
  };

  it('closes 200 connections trickling authenticated bodies at the request timeout, and the memory comes back', async () => {
    const before = await settledRssKb();
    const sockets = await Promise.all(Array.from({ length: 200 }, () => open(post(ADMIN_TOKEN))));
    const ends = sockets.map(closed);
    let sent = 0;
    const trickle = setInterval(() => {
      sent++;
      for (const socket of sockets) if (!socket.destroyed) socket.write('x'.repeat(1024));
    }, 100);
    const started = performance.now();
    await Promise.all(ends);
    clearInterval(trickle);
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(6000); // 2 s timeout, checked every 200 ms
    expect(sent).toBeGreaterThan(5);
    // The buffers are freed when the connections close; V8 gives the pages back on its next collections.
    let after = rssKb();
    for (let waited = 0; after - before >= 20 * 1024 && waited < 15_000; waited += 500) {
      await new Promise((done) => setTimeout(done, 500));
      after = rssKb();
    }
    console.info(
      `slow clients: RSS ${before} kB before, ${after} kB after; closed in ${Math.round(tookMs)} ms`,
    );
    expect(after - before).toBeLessThan(20 * 1024);
  }, 70_000);

  it('refuses a body without a key before reading it, and closes the connection', async () => {
    const socket = await open(post());
    const reply = await closed(socket);
    expect(reply).toMatch(/^HTTP\/1\.1 401/);
    expect(reply).toContain('"code":"MISSING_API_KEY"');
    const unknown = await closed(await open(post('tl_nobody_' + 'a'.repeat(43))));
    expect(unknown).toContain('"code":"INVALID_API_KEY"');
    expect((await ledger.request('GET', '/health')).status).toBe(200);
  });

  it('answers connections beyond the cap per client address 429 and closes them', async () => {
    const sockets = await Promise.all(Array.from({ length: 260 }, () => open('')));
    const replies = sockets.map((socket) => {
      const reply = { text: '' };
      socket.on('data', (chunk: Buffer) => (reply.text += chunk.toString()));
      return reply;
    });
    await new Promise((done) => setTimeout(done, 500));
    const refused = replies.filter((reply) => reply.text.startsWith('HTTP/1.1 429'));
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused[0]?.text).toContain('"code":"TOO_MANY_REQUESTS"');
    sockets.forEach((socket) => socket.destroy());
  });
});
