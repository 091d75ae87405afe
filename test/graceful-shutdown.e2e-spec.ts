import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  custodyChains,
  LedgerHarness,
  minedBatch,
  type SendCustodyCommand,
  standardParties,
} from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');
const CLIENTS = 16;
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Acknowledged {
  readonly batchId: string;
  readonly type: string;
  readonly position: number;
  readonly idempotencyKey?: string;
}

interface ViewRow {
  collection: string;
  key: string;
  view: string;
  position: number;
}

function readOnly<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const viewRows = (path: string) =>
  readOnly(path, (db) => ({
    checkpoint: db.prepare<[], number>('SELECT position FROM checkpoint WHERE id = 1').pluck().get(),
    rows: db
      .prepare<[], ViewRow>('SELECT collection, key, view, position FROM views ORDER BY collection, key')
      .all(),
  }));

/** Whether a new TCP connection to the port is refused (ECONNREFUSED) rather than accepted. */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED'));
  });
}

/**
 * A command whose request is still arriving: its head (with `Expect: 100-continue`, so that the server
 * says when it has read it) and half its body are sent now, the rest when `finish` is called. Once
 * `started` resolves the server is handling it (its API key was checked on the head): it is in flight.
 */
function trickledCommand(port: number, token: string, path: string, body: unknown) {
  const text = JSON.stringify(body);
  const half = Math.floor(text.length / 2);
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let continued: () => void = () => undefined;
  const started = new Promise<void>((done) => (continued = done));
  socket.on('data', (chunk) => {
    received += chunk.toString();
    if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) continued();
  });
  socket.on('error', (error) => (received += `\r\n\r\n${JSON.stringify({ socketError: String(error) })}`));
  const closed = new Promise<string>((done) => socket.once('close', () => done(received)));
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${token}\r\nexpect: 100-continue\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n`,
  );
  return {
    started: started.then(() => void socket.write(text.slice(0, half))),
    async finish(): Promise<{
      status: number;
      connection: string | undefined;
      body: Record<string, unknown>;
    }> {
      socket.write(text.slice(half));
      // The server answers with Connection: close while shutting down, so the answer ends with the socket.
      const raw = (await closed).replace('HTTP/1.1 100 Continue\r\n\r\n', '');
      const [head = '', payload = ''] = raw.split('\r\n\r\n');
      return {
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        connection: /\r\nconnection: ([^\r]*)/i.exec(head)?.[1],
        body: payload ? (JSON.parse(payload) as Record<string, unknown>) : {},
      };
    },
  };
}

/**
 * Acceptance: SIGTERM during a write load. The server stops accepting connections at once, answers every
 * request already in flight (each command's group commit flushed and acknowledged), stops the projector
 * and the notary at the log's head, closes the store and exits 0 within 10 s; afterwards every 201 a
 * client received is in the log, the log verifies against the checkpoint signed at shutdown, and the views
 * equal a rebuild.
 */
// Both places of the SQLite writer (ADR 0037): the request thread (the default) and its worker.
describe.each(['thread', 'worker'])(
  'a graceful shutdown under write load (TRACELODE_WRITER=%s)',
  (writer) => {
    let dir: string;
    let server: LedgerHarness | undefined;

    beforeAll(() => {
      if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run "npm run build" first`);
    });
    beforeEach(() => {
      // Our own directory: the harness's stop() removes only its own, and we need the files after it.
      dir = mkdtempSync(join(tmpdir(), 'tracelode-shutdown-'));
    });
    afterEach(async () => {
      await server?.kill();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses new connections, finishes the commands in flight and exits 0 with everything acknowledged kept', async () => {
      const storePath = join(dir, 'ledger.db');
      const viewsPath = join(dir, 'views.db');
      const ledger = await LedgerHarness.start({
        TRACELODE_STORE: `sqlite:${storePath}`,
        TRACELODE_VIEWS: viewsPath,
        TRACELODE_WRITER: writer,
      });
      server = ledger;
      const port = Number(new URL(ledger.baseUrl).port);
      const parties = await standardParties(ledger);
      let exited = false;
      void ledger.exit.then(() => (exited = true));

      const acknowledged: Acknowledged[] = [];
      const refusedBeforeSignal: unknown[] = [];
      const refusedAfterSignal: { status: number; code: unknown }[] = [];
      let lost = 0;
      let signalled = false;
      const send: SendCustodyCommand = async (batchId, type, path, token, body, idempotencyKey) => {
        try {
          const reply = await ledger.post<{ position: string; code?: string }>(
            path,
            token,
            body,
            idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined,
          );
          if (reply.status === 201) {
            acknowledged.push({
              batchId,
              type,
              position: Number(reply.body.position),
              ...(idempotencyKey ? { idempotencyKey } : {}),
            });
            return true;
          }
          if (signalled) refusedAfterSignal.push({ status: reply.status, code: reply.body.code });
          else refusedBeforeSignal.push(reply.body);
          return false;
        } catch {
          lost += 1; // refused or cut connection: never acknowledged, so the ledger owes it nothing
          return false;
        }
      };
      const client = (c: number) => custodyChains('STOP', c, parties, send);
      const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
      // At least 1.5 s and 100 commands of load (on a busy shared machine that can take longer).
      await sleep(1500);
      for (const until = Date.now() + 10_000; acknowledged.length < 100 && Date.now() < until;)
        await sleep(50);

      // A command still arriving when the signal comes: the shutdown must wait for it and acknowledge it.
      const trickled = trickledCommand(port, parties.miner, '/batches/mined', minedBatch('STOP-TRICKLED'));
      await trickled.started;
      const acknowledgedAtSignal = acknowledged.length;
      const signalledAt = Date.now();
      signalled = true;
      process.kill(ledger.pid!, 'SIGTERM');

      // New connections are refused while the server is still finishing the command in flight.
      let refused = false;
      for (const until = Date.now() + 3000; !refused && Date.now() < until; await sleep(10))
        refused = await connectionRefused(port);
      expect({ refused, exited }).toEqual({ refused: true, exited: false });
      const refusedAfterMs = Date.now() - signalledAt;

      const answer = await trickled.finish();
      expect({ status: answer.status, connection: answer.connection }).toEqual({
        status: 201,
        connection: 'close',
      });
      acknowledged.push({
        batchId: 'STOP-TRICKLED',
        type: 'BatchMined',
        position: Number(answer.body.position),
      });

      const code = await ledger.exit;
      const stoppedAfterMs = Date.now() - signalledAt;
      await Promise.all(clients);
      server = undefined;
      expect(code).toBe(0);
      expect(stoppedAfterMs).toBeLessThan(10_000);
      expect(ledger.output).toMatch(/Shut down cleanly in \d+ ms/);

      // The load was real and went on until the signal; afterwards only the shutdown refused anything.
      expect(refusedBeforeSignal).toEqual([]);
      expect(acknowledgedAtSignal).toBeGreaterThanOrEqual(100);
      for (const refusal of refusedAfterSignal)
        expect(refusal).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });

      // Every 201 is in the log at the position it was given, after its command's own event when keyed.
      const log = readOnly(storePath, (db) => ({
        positions: db.prepare<[], number>('SELECT position FROM events ORDER BY position').pluck().all(),
        at: new Map(
          db
            .prepare<[], { position: number; type: string; stream: string }>(
              'SELECT position, type, stream FROM events',
            )
            .all()
            .map((row) => [row.position, row]),
        ),
        integrity: db.pragma('integrity_check', { simple: true }),
      }));
      const head = log.positions.length;
      expect(log.integrity).toBe('ok');
      expect(log.positions.every((position, i) => position === i + 1)).toBe(true);
      const missing = acknowledged.filter(({ batchId, type, position, idempotencyKey }) => {
        const own = log.at.get(idempotencyKey ? position - 1 : position);
        const last = log.at.get(position);
        return (
          own?.type !== type ||
          own.stream !== `batch-${batchId}` ||
          (idempotencyKey !== undefined && last?.type !== 'CommandRecorded')
        );
      });
      expect(missing).toEqual([]);

      // The notary reached the head and signed a checkpoint covering it; the whole log verifies against it.
      const treeSize = readOnly(join(dir, 'integrity.db'), (db) =>
        db.prepare<[], number>('SELECT MAX(tree_size) FROM checkpoints').pluck().get(),
      );
      expect(treeSize).toBe(head);
      const verified = await run(process.execPath, [
        CLI_MAIN,
        'verify-log',
        '--store',
        `sqlite:${storePath}`,
        '--integrity',
        join(dir, 'integrity.db'),
      ]);
      expect(verified.stdout).toContain('VERIFIED');

      // The projector stopped at the head, and its views equal a full rebuild, row for row.
      const rebuiltPath = join(dir, 'rebuilt.db');
      await run(process.execPath, [
        CLI_MAIN,
        'rebuild',
        '--store',
        `sqlite:${storePath}`,
        '--views',
        rebuiltPath,
      ]);
      const live = viewRows(viewsPath);
      const rebuilt = viewRows(rebuiltPath);
      expect(live.checkpoint).toBe(head);
      expect(rebuilt.checkpoint).toBe(head);
      expect(live.rows).toEqual(rebuilt.rows);

      console.info(
        `graceful shutdown: ${acknowledgedAtSignal} commands acknowledged before SIGTERM, ${acknowledged.length} in all; ` +
          `new connections refused ${refusedAfterMs} ms after it; ${refusedAfterSignal.length} requests answered 503 ` +
          `and ${lost} connections refused or cut after it; exit 0 after ${stoppedAfterMs} ms; log head ${head}`,
      );
    });

    it('exits 1 with a log line when the shutdown outlasts TRACELODE_SHUTDOWN_TIMEOUT', async () => {
      const ledger = await LedgerHarness.start({
        TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
        TRACELODE_VIEWS: join(dir, 'views.db'),
        TRACELODE_SHUTDOWN_TIMEOUT: '1s',
      });
      server = ledger;
      const parties = await standardParties(ledger);
      // A request that never finishes arriving holds the drain (up to its 5 s) past the 1 s deadline.
      const port = Number(new URL(ledger.baseUrl).port);
      await trickledCommand(port, parties.miner, '/batches/mined', minedBatch('NEVER-FINISHED')).started;
      const signalledAt = Date.now();
      process.kill(ledger.pid!, 'SIGTERM');

      const code = await ledger.exit;
      server = undefined;
      expect(code).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(4000);
      expect(ledger.output).toContain('Shutdown did not finish within 1000 ms; exiting with code 1');
    });
  },
);
