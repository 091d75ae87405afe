import Fastify, { type FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { COMMAND_TYPES, cutEveryConnection, observeRequests, routeKey } from './request-facts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A request's head, and its body when given (JSON, whole unless `cut` bytes are left unsent). */
function http(method: string, path: string, body?: string, cut = 0): string {
  const head = `${method} ${path} HTTP/1.1\r\nHost: ledger\r\nx-request-id: ${method}${path}\r\n`;
  if (body === undefined) return `${head}\r\n`;
  const sent = body.slice(0, body.length - cut);
  return `${head}content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${sent}`;
}

/** Sends `text` on a connection of its own and closes it (RST) after `closeAfterMs`. */
function sendThenGo(port: number, text: string, closeAfterMs: number): Promise<void> {
  return new Promise((gone) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      setTimeout(() => {
        socket.destroy();
        gone();
      }, closeAfterMs);
    });
    socket.on('error', () => undefined);
  });
}

/**
 * Fastify with the hooks the ledger observes requests by, and routes that answer after 300 ms (long after
 * their client has gone) or at once; `POST /slow`, `POST /refused` and `POST /hangs` are command routes
 * (the last answers after 1 s, past the wait for an abandoned command's answer, 500 ms here). Each
 * description is kept as `requestId status outcome`.
 */
describe('observeRequests: each request is logged and counted once, answered or abandoned', () => {
  let fastify: FastifyInstance;
  let port: number;
  const described: string[] = [];

  beforeAll(async () => {
    fastify = Fastify({ genReqId: (raw) => String(raw.headers['x-request-id']) });
    for (const path of ['/slow', '/refused', '/hangs', '/reset'])
      COMMAND_TYPES.set(routeKey('POST', path), 'Slow');
    observeRequests(
      fastify,
      (request, status, _seconds, facts) => described.push(`${request.id} ${status} ${facts.outcome}`),
      { abandonedCommandWaitMs: 500 },
    );
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, JSON.parse(body as string)),
    );
    fastify.get('/slow', async () => (await pause(300), { ok: true }));
    fastify.post('/slow', async () => (await pause(300), { ok: true }));
    fastify.post('/refused', async (_request, reply) => {
      await pause(300);
      return reply
        .code(409)
        .type('application/problem+json')
        .send(JSON.stringify({ code: 'WRONG_REVISION', status: 409 }));
    });
    fastify.post('/hangs', async () => (await pause(1000), { ok: true }));
    // Its client's reset is taken just before the handler answers, the connection's close just after.
    fastify.post('/reset', async (request) => {
      await pause(100);
      request.raw.socket.destroy();
      return { ok: true };
    });
    fastify.get('/fast', () => ({ ok: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (fastify.server.address() as { port: number }).port;
  });
  afterAll(() => (COMMAND_TYPES.clear(), fastify.close()));
  beforeEach(() => (described.length = 0));

  /** What was described once the slow routes have answered (to nobody). */
  const settled = async () => (await pause(600), [...described]);

  it('a command whose body has arrived whole and whose client goes before its answer: 499 with what it answered, once', async () => {
    await sendThenGo(port, http('POST', '/slow', '{"batchId":"B-1"}'), 50);
    // Not described when its client went: its handler still ran (a command may still be committed).
    expect(described).toEqual([]);
    expect(await settled()).toEqual(['POST/slow 499 ok']);
  });

  it('a command refused after its client went: 499 with the refusal’s code, once', async () => {
    await sendThenGo(port, http('POST', '/refused', '{"batchId":"B-5"}'), 50);
    expect(await settled()).toEqual(['POST/refused 499 WRONG_REVISION']);
  });

  it('a command whose handler answers nobody within the wait: 499 CLIENT_CLOSED_REQUEST, once', async () => {
    await sendThenGo(port, http('POST', '/hangs', '{"batchId":"B-6"}'), 50);
    expect(await settled()).toEqual(['POST/hangs 499 CLIENT_CLOSED_REQUEST']);
    await pause(600);
    expect(described).toEqual(['POST/hangs 499 CLIENT_CLOSED_REQUEST']);
  });

  it('a command whose connection closes just after its handler answered: 499 with what it answered, at once', async () => {
    // The handler has answered (onSend has run) before the close is seen: nothing is left to wait for.
    await sendAndStay(port, http('POST', '/reset', '{"batchId":"B-7"}'), 1000);
    await pause(100);
    expect(described).toEqual(['POST/reset 499 ok']);
  });

  it('a read whose client goes before its answer: 499, once', async () => {
    await sendThenGo(port, http('GET', '/slow'), 50);
    expect(await settled()).toEqual(['GET/slow 499 CLIENT_CLOSED_REQUEST']);
  });

  it('a body cut off mid-upload, on a route and on none: 499, once each', async () => {
    await sendThenGo(port, http('POST', '/slow', '{"batchId":"B-2"}', 5), 50);
    await sendThenGo(port, http('POST', '/nowhere', '{"batchId":"B-3"}', 5), 50);
    expect(await settled()).toEqual([
      'POST/slow 499 CLIENT_CLOSED_REQUEST',
      'POST/nowhere 499 CLIENT_CLOSED_REQUEST',
    ]);
  });

  it('a connection kept alive: the answered request as answered, the abandoned one as 499', async () => {
    await sendThenGo(port, http('GET', '/fast') + http('GET', '/slow'), 100);
    expect(await settled()).toEqual(['GET/fast 200 ok', 'GET/slow 499 CLIENT_CLOSED_REQUEST']);
  });

  it('requests pipelined behind one whose client goes: each 499, once; the command with what it answered', async () => {
    // Node hands a pipelined request to its handler at once (its answer waits its turn), so the command ran.
    await sendThenGo(port, http('GET', '/slow') + http('POST', '/slow', '{"batchId":"B-4"}'), 50);
    expect((await settled()).sort()).toEqual(['GET/slow 499 CLIENT_CLOSED_REQUEST', 'POST/slow 499 ok']);
  });

  it('an answered request whose client then closes: as answered, once', async () => {
    await sendThenGo(port, http('GET', '/fast'), 100);
    expect(await settled()).toEqual(['GET/fast 200 ok']);
  });
});

/** Sends `text` on a connection of its own and keeps it open until the server closes it (or `ms` pass). */
function sendAndStay(port: number, text: string, ms: number): Promise<void> {
  return new Promise((closed) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const timer = setTimeout(() => socket.destroy(), ms);
    socket.on('error', () => undefined);
    socket.on('close', () => (clearTimeout(timer), closed()));
  });
}

/**
 * The server closes the connection itself: a request not answered before the connection's idle time-out,
 * one cut by a shutdown. Each is described with the server's reason, not as its client's leaving. (One that
 * does not arrive whole in time is answered 408 by the ledger's client-error handler, which imports Nest:
 * test/abandoned-command.e2e-spec.ts.)
 */
describe('observeRequests: requests on connections the server closes itself', () => {
  let fastify: FastifyInstance;
  let port: number;
  const described: string[] = [];

  beforeAll(async () => {
    fastify = Fastify({
      genReqId: (raw) => String(raw.headers['x-request-id']),
      connectionTimeout: 600,
      http: { connectionsCheckingInterval: 100 },
    });
    observeRequests(fastify, (request, status, _seconds, facts) =>
      described.push(`${request.id} ${status} ${facts.outcome}`),
    );
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, JSON.parse(body as string)),
    );
    fastify.get('/slow', async () => (await pause(1500), { ok: true }));
    fastify.post('/slow', async () => (await pause(1500), { ok: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    port = (fastify.server.address() as { port: number }).port;
  });
  afterAll(() => fastify.close());
  beforeEach(() => (described.length = 0));

  it('a request not answered before the connection idles out: 503 CONNECTION_TIMEOUT, once', async () => {
    await sendAndStay(port, http('GET', '/slow'), 3000);
    await pause(1500);
    expect(described).toEqual(['GET/slow 503 CONNECTION_TIMEOUT']);
  });

  it('a request cut by a shutdown: 503 CUT_AT_SHUTDOWN, once', async () => {
    const cut = sendAndStay(port, http('GET', '/slow'), 3000);
    await pause(200);
    cutEveryConnection(fastify.server, 503, 'CUT_AT_SHUTDOWN');
    await cut;
    await pause(1500);
    expect(described).toEqual(['GET/slow 503 CUT_AT_SHUTDOWN']);
  });
});

/**
 * The server closes (a shutdown's last step for HTTP) while a command whose client went is still decided:
 * the process exits soon after, so the command is described then, not never.
 */
describe('observeRequests: a command whose client went, when the server closes before it answers', () => {
  it('is described as 499 CLIENT_CLOSED_REQUEST when the server closes, once', async () => {
    const described: string[] = [];
    const fastify = Fastify({ genReqId: (raw) => String(raw.headers['x-request-id']) });
    COMMAND_TYPES.set(routeKey('POST', '/closing'), 'Slow');
    observeRequests(fastify, (request, status, _seconds, facts) =>
      described.push(`${request.id} ${status} ${facts.outcome}`),
    );
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) =>
      done(null, JSON.parse(body as string)),
    );
    fastify.post('/closing', async () => (await pause(1000), { ok: true }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const { port } = fastify.server.address() as { port: number };
    try {
      await sendThenGo(port, http('POST', '/closing', '{"batchId":"B-8"}'), 50);
      await pause(50);
      await fastify.close();
      expect(described).toEqual(['POST/closing 499 CLIENT_CLOSED_REQUEST']);
      // Its handler answers later, to nobody: not described again.
      await pause(1100);
      expect(described).toEqual(['POST/closing 499 CLIENT_CLOSED_REQUEST']);
    } finally {
      COMMAND_TYPES.clear();
    }
  });
});
