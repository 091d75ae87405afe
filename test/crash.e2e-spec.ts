import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  ADMIN_TOKEN,
  type CustodyEventType,
  custodyChains,
  LedgerHarness,
  type SendCustodyCommand,
  standardParties,
} from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');
const CLIENTS = 16;

/** A command the ledger answered 201, and what it answered. */
interface Acknowledged {
  readonly batchId: string;
  readonly type: CustodyEventType;
  readonly path: string;
  readonly token: string;
  readonly body: unknown;
  readonly idempotencyKey?: string;
  readonly reply: { position: string } & Record<string, unknown>;
}

interface StoredEventDto {
  position: string;
  stream: string;
  revision: string;
  type: string;
  metadata: { idempotencyKey?: string };
}

interface ViewRow {
  collection: string;
  key: string;
  view: string;
  position: number;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Runs `work` over `items` with at most `width` at a time. */
async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
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

/**
 * Acceptance: SIGKILL the server during a write load, restart it on the same files, and show that every
 * command that got a 201 has its events and that the custody views equal a full rebuild.
 */
// Both places of the SQLite writer (ADR 0037): the request thread (the default) and its worker.
describe.each(['thread', 'worker'])('a crash under write load (TRACELODE_WRITER=%s)', (writer) => {
  let dir: string;
  let ledger: LedgerHarness | undefined;

  beforeAll(() => {
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run "npm run build" first`);
    // Our own directory: the harness's stop() removes only its own, and we need the files after it.
    dir = mkdtempSync(join(tmpdir(), 'tracelode-crash-'));
  });
  afterAll(async () => {
    await ledger?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged command and rebuilds to the same views after a SIGKILL', async () => {
    const started = Date.now();
    const storePath = join(dir, 'ledger.db');
    const viewsPath = join(dir, 'views.db');
    const rebuiltPath = join(dir, 'rebuilt.db');
    const server = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${storePath}`,
      TRACELODE_VIEWS: viewsPath,
      TRACELODE_WRITER: writer,
    });
    ledger = server;
    const parties = await standardParties(server);

    // --- The load: CLIENTS loops, each taking its own batches through mined → shipped → received. Odd
    // clients send an Idempotency-Key, so their appends also write a CommandRecorded (multi-stream).
    const acknowledged: Acknowledged[] = [];
    const refused: { path: string; status: number; body: unknown }[] = [];
    const lost: { path: string; sentBeforeKill: boolean; error: string }[] = [];
    const attempted = new Set<string>();
    let inFlight = 0;
    let killed = false;
    let inFlightAtKill = 0;
    let acknowledgedAtKill = 0;
    // Once armed, the next 201 triggers the SIGKILL: the server has just answered, so an acknowledgement
    // that ran ahead of its commit would be caught, while the other clients' requests are mid-flight.
    let armed = false;
    let crashed: Promise<void> | undefined;
    const crash = () => {
      if (crashed) return;
      killed = true;
      inFlightAtKill = inFlight;
      acknowledgedAtKill = acknowledged.length;
      crashed = server.kill(); // SIGKILL is sent synchronously; the promise is the exit
    };

    const send: SendCustodyCommand = async (batchId, type, path, token, body, idempotencyKey) => {
      const sentBeforeKill = !killed;
      attempted.add(batchId);
      inFlight += 1;
      let settled = false;
      try {
        const reply = await server.post<Acknowledged['reply']>(
          path,
          token,
          body,
          idempotencyKey ? { 'idempotency-key': idempotencyKey } : undefined,
        );
        if (reply.status !== 201) {
          refused.push({ path, status: reply.status, body: reply.body });
          return false;
        }
        acknowledged.push({
          batchId,
          type,
          path,
          token,
          body,
          reply: reply.body,
          ...(idempotencyKey ? { idempotencyKey } : {}),
        });
        settled = true;
        inFlight -= 1;
        if (armed) crash();
        return true;
      } catch (error) {
        // Reset, refused or cut off mid-reply: not acknowledged, so the ledger owes this command nothing.
        lost.push({ path, sentBeforeKill, error: String((error as Error).cause ?? error) });
        return false;
      } finally {
        if (!settled) inFlight -= 1;
      }
    };

    const client = (c: number) => custodyChains('CRASH', c, parties, send, () => killed);
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    const loadMs = 1500 + Math.floor(Math.random() * 1500);
    await sleep(loadMs);
    armed = true;
    for (let waited = 0; !crashed && waited < 2000; waited += 10) await sleep(10);
    crash(); // no 201 within 2 s of arming: kill anyway (the load assertions below will say so)
    await crashed;
    await Promise.all(clients);
    const lostInFlight = lost.filter((request) => request.sentBeforeKill);

    // The load was real and the kill landed mid-flight: otherwise this test could not fail.
    expect(refused).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(inFlightAtKill).toBeGreaterThan(0);
    // Requests in flight at the kill either lost their connection or had been answered just before it
    // (their replies already written): both happen, so only their sum is checked, not that some were lost.
    expect(lostInFlight.length).toBeLessThanOrEqual(inFlightAtKill);

    // --- Restart on the same files; the projector resumes from its checkpoint and catches up.
    await server.launch();
    let health = { logPosition: '', viewsPosition: '-' };
    for (const deadline = Date.now() + 10000; Date.now() < deadline; await sleep(50)) {
      const reply = await server.request<typeof health>('GET', '/health');
      expect(reply.status).toBe(200);
      health = reply.body;
      if (health.viewsPosition === health.logPosition) break;
    }
    expect(health.viewsPosition).toBe(health.logPosition);
    const head = Number(health.logPosition);

    // (a) Every acknowledged command has its event, once, in its batch's stream.
    const batchIds = [...attempted].sort();
    const eventsByBatch = new Map<string, StoredEventDto[]>();
    await inParallel(batchIds, 16, async (batchId) => {
      const reply = await server.get<StoredEventDto[]>(`/batches/${batchId}/events`, parties.regulator);
      expect([200, 404]).toContain(reply.status);
      if (reply.status === 200) eventsByBatch.set(batchId, reply.body);
    });
    const missing = acknowledged.filter(({ batchId, type, reply, idempotencyKey }) => {
      const matches = (eventsByBatch.get(batchId) ?? []).filter(
        (event) =>
          event.type === type &&
          (idempotencyKey === undefined
            ? event.position === reply.position
            : event.metadata.idempotencyKey === idempotencyKey &&
              Number(event.position) < Number(reply.position)),
      );
      return matches.length !== 1;
    });
    expect(missing).toEqual([]);
    for (const [batchId, events] of eventsByBatch) {
      const types = events.map((event) => event.type);
      expect({ batchId, types }).toEqual({
        batchId,
        types: ['BatchMined', 'BatchShipped', 'BatchReceived'].slice(0, types.length),
      });
      expect(events.map((event) => event.revision)).toEqual(events.map((_, i) => String(i)));
      for (const event of events) expect(Number(event.position)).toBeLessThanOrEqual(head);
    }

    // An acknowledged idempotent command is still answered from the log, with the same position.
    const retries = acknowledged.filter((command) => command.idempotencyKey).slice(0, 40);
    expect(retries.length).toBeGreaterThan(0);
    await inParallel(retries, 8, async ({ path, token, body, idempotencyKey, reply }) => {
      const again = await server.post(path, token, body, { 'idempotency-key': idempotencyKey! });
      expect({ path, status: again.status, body: again.body }).toEqual({ path, status: 201, body: reply });
    });

    // The custody views the restarted server serves, for every batch the log has.
    const served = new Map<string, unknown>();
    await inParallel([...eventsByBatch.keys()], 16, async (batchId) => {
      // The operator reads every lot whole (docs/visibility.md).
      const reply = await server.get<{ visibility: string }>(`/batches/${batchId}`, ADMIN_TOKEN);
      const { visibility, ...view } = reply.body;
      expect({ batchId, status: reply.status, visibility }).toEqual({
        batchId,
        status: 200,
        visibility: 'full',
      });
      served.set(batchId, view);
    });
    expect(await server.eventCount()).toBe(head);

    // --- A clean stop, then the log and the views on disk.
    await server.stop();
    ledger = undefined;

    // (b) Positions are gap-free (1..head), every stream's revisions too, and each acknowledged append
    // ends at its reported position (a keyed one with its CommandRecorded).
    const log = readOnly(storePath, (db) => ({
      positions: db.prepare<[], number>('SELECT position FROM events ORDER BY position').pluck().all(),
      streamGaps: db
        .prepare<[], { stream: string }>(
          'SELECT stream FROM events GROUP BY stream HAVING MIN(revision) <> 0 OR MAX(revision) <> COUNT(*) - 1',
        )
        .all(),
      at: db.prepare<[number], { type: string; stream: string; data: string }>(
        'SELECT type, stream, data FROM events WHERE position = ?',
      ),
      byPosition: new Map(
        db
          .prepare<[], { position: number; type: string; stream: string }>(
            'SELECT position, type, stream FROM events',
          )
          .all()
          .map((row) => [row.position, row]),
      ),
    }));
    expect(log.positions).toHaveLength(head);
    expect(log.positions.every((position, i) => position === i + 1)).toBe(true);
    expect(log.streamGaps).toEqual([]);
    const misplaced = acknowledged.filter(({ batchId, type, reply, idempotencyKey }) => {
      const last = log.byPosition.get(Number(reply.position));
      if (idempotencyKey === undefined) return last?.type !== type || last.stream !== `batch-${batchId}`;
      const before = log.byPosition.get(Number(reply.position) - 1);
      return (
        last?.type !== 'CommandRecorded' || before?.type !== type || before.stream !== `batch-${batchId}`
      );
    });
    expect(misplaced).toEqual([]);

    // (c) A full rebuild with the CLI equals the incrementally projected views, row for row.
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI_MAIN,
      'rebuild',
      '--store',
      `sqlite:${storePath}`,
      '--views',
      rebuiltPath,
    ]);
    expect(stdout).toContain(`applied ${head} events up to position ${head}`);
    const live = viewRows(viewsPath);
    const rebuilt = viewRows(rebuiltPath);
    expect(live.checkpoint).toBe(head);
    expect(rebuilt.checkpoint).toBe(head);
    expect(rebuilt.rows.length).toBeGreaterThan(eventsByBatch.size);
    expect(live.rows).toEqual(rebuilt.rows);
    const rebuiltCustody = new Map(
      rebuilt.rows
        .filter((row) => row.collection === 'batch_custody')
        .map((row) => [row.key, JSON.parse(row.view)]),
    );
    expect([...rebuiltCustody.keys()].sort()).toEqual([...served.keys()].sort());
    for (const [batchId, view] of served)
      expect({ batchId, view }).toEqual({ batchId, view: rebuiltCustody.get(batchId) });

    const ackedEvents = new Set(acknowledged.map(({ batchId, type }) => `${batchId}/${type}`));
    const committedUnacknowledged = [...eventsByBatch].flatMap(([batchId, events]) =>
      events.filter((event) => !ackedEvents.has(`${batchId}/${event.type}`)),
    ).length;
    console.info(
      `crash test: ${loadMs} ms of load by ${CLIENTS} clients; ${acknowledgedAtKill} commands acknowledged ` +
        `before the kill, ${acknowledged.length} in all; ${inFlightAtKill} requests in flight at the kill, ` +
        `${lostInFlight.length} lost (${[...new Set(lostInFlight.map((l) => l.error))].join('; ')}); ` +
        `${committedUnacknowledged} committed without a reply; log head ${head}, ${eventsByBatch.size} ` +
        `batches; ${Date.now() - started} ms in all`,
    );
  }, 45000);
});
