import { CorruptEventError, SqliteEventStore } from '@tracelode/event-store';
import { assembleAuditBundle, type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import {
  CheckpointSigner,
  importLedgerKey,
  LogNotary,
  type PublicKeyDocument,
  type SignedCheckpoint,
  verifyLog,
} from '@tracelode/log';
import { ReadModelStore } from '@tracelode/read-models';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');
const MUTATIONS = 200;

/** Runs the built CLI; resolves with its exit code and output, whatever the code. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_MAIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** A small seeded generator (mulberry32), so a failing mutation can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface EventRow {
  position: number;
  event_id: string;
  data: string;
  metadata: string;
}

/**
 * The demo chain (mine → concentrate → oxide → metal → alloy → magnets) through the real API; then, with
 * the ledger stopped, its magnet's audit bundle checked offline by the CLI, and the SQLite file tampered
 * with — single bytes, deleted and reordered events — each tamper caught by a fresh bundle and by the
 * whole-log check against the checkpoint handed out before, naming the event.
 */
describe('verifiable history of the demo chain', () => {
  let ledger: LedgerHarness;
  let magnets: string;
  let auditor: string;
  let bundle: AuditBundle;
  let publicKey: PublicKeyDocument;
  let checkpoint: SignedCheckpoint;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_CHECKPOINT_EVERY: '25' });
    const demo = await cli(['demo', '--url', ledger.baseUrl, '--admin-token', ADMIN_TOKEN]);
    expect(demo.code).toBe(0);
    magnets = /"magnets": "([^"]+)"/.exec(demo.stdout)?.[1] ?? '';
    // The whole bundle is an auditor's (or the operator's) to read (docs/visibility.md).
    auditor = /auditor\s+(tl_\S+)/.exec(demo.stdout)?.[1] ?? '';
    expect(magnets).toMatch(/^HM-MAG-001/);

    const reply = await ledger.get<AuditBundle>(`/batches/${magnets}/audit-bundle`, auditor);
    expect(reply.status).toBe(200);
    bundle = reply.body;
    publicKey = (await ledger.request<PublicKeyDocument>('GET', '/log/public-key')).body;
    checkpoint = (await ledger.request<SignedCheckpoint>('GET', '/log/checkpoint')).body;

    // The views the bundle claims are the ones the API serves.
    for (const [name, path] of [
      ['custody', ''],
      ['provenance', '/provenance'],
      ['carbon', '/carbon'],
      ['certification', '/certification'],
    ] as const) {
      const { visibility, ...served } = (await ledger.get(`/batches/${magnets}${path}`, auditor)).body;
      expect(visibility).toBe(name === 'custody' ? 'full' : undefined);
      expect(served).toEqual(bundle.views![name]);
    }
    await ledger.shutdown();
    writeFileSync(join(ledger.dir, 'bundle.json'), JSON.stringify(bundle));
    writeFileSync(join(ledger.dir, 'public-key.json'), JSON.stringify(publicKey));
    writeFileSync(join(ledger.dir, 'checkpoint.json'), JSON.stringify(checkpoint));
  });

  afterAll(async () => {
    await ledger?.stop();
  });

  it('covers the magnet, its whole ancestry and the parties, against the latest checkpoint', () => {
    const streams = new Set(bundle.events.map((event) => event.stream));
    expect(streams.has(`batch-${magnets}`)).toBe(true);
    expect([...streams].filter((stream) => stream.startsWith('batch-')).length).toBeGreaterThanOrEqual(6);
    expect([...streams].some((stream) => stream.startsWith('org-'))).toBe(true);
    expect(bundle.checkpoint.treeSize).toBe(checkpoint.treeSize);
    expect(bundle.views!.provenance.depth).toBeGreaterThanOrEqual(4);
  });

  it('verifies offline, with the ledger stopped, given only the published public key', async () => {
    const run = await cli([
      'verify',
      join(ledger.dir, 'bundle.json'),
      '--public-key',
      join(ledger.dir, 'public-key.json'),
    ]);
    expect(run.stdout).toContain('VERIFIED');
    expect(run.code).toBe(0);
  });

  it('refuses the bundle against another ledger’s key', async () => {
    const other = join(ledger.dir, 'other-key.json');
    const { publicKey: key } = CheckpointSigner.ephemeral();
    writeFileSync(other, key.export({ format: 'pem', type: 'spki' }).toString());
    const run = await cli(['verify', join(ledger.dir, 'bundle.json'), '--public-key', other]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/checkpoint.*not signed/);
  });

  describe('with the SQLite file altered behind the ledger’s back', () => {
    let store: SqliteEventStore;
    let notary: LogNotary;
    let views: ReadModelStore;
    let raw: Database.Database;
    const key = () => importLedgerKey(publicKey);

    beforeAll(() => {
      store = SqliteEventStore.open(join(ledger.dir, 'ledger.db'));
      notary = LogNotary.open(
        store,
        join(ledger.dir, 'integrity.db'),
        CheckpointSigner.fromFile(join(ledger.dir, 'ledger-signing-key.pem')),
        { everyEvents: 1_000_000, everyMs: 3_600_000 },
      );
      views = ReadModelStore.open(join(ledger.dir, 'views.db'));
      raw = new Database(join(ledger.dir, 'ledger.db'));
    });

    afterAll(async () => {
      raw?.close();
      views?.close();
      await notary?.stop();
      await store?.close();
    });

    /** What a fresh bundle and the whole-log check say now: the event each names, or undefined if fooled. */
    async function detections(): Promise<{ bundle?: string; log?: string }> {
      let fromBundle: string | undefined;
      try {
        const fresh = await assembleAuditBundle(store, notary, (c, k) => views.get(c, k), magnets);
        const verdict = fresh ? verifyAuditBundle(fresh, { publicKey: key() }) : undefined;
        fromBundle = verdict && !verdict.ok ? (verdict.failure?.eventId ?? 'unnamed') : undefined;
      } catch (error) {
        if (!(error instanceof CorruptEventError)) throw error;
        fromBundle = error.eventId; // the ledger cannot even read the event back, and says which
      }
      const log = await verifyLog(store.readAll(1n), {
        checkpoints: [checkpoint],
        publicKey: key(),
        notarisedHashAt: (position) => notary.eventHashAt(position),
      });
      return { bundle: fromBundle, log: log.ok ? undefined : (log.failure?.eventId ?? 'unnamed') };
    }

    it('is untouched to begin with: a fresh bundle and the whole log verify', async () => {
      expect(await detections()).toEqual({ bundle: undefined, log: undefined });
    });

    it(`catches each of ${MUTATIONS} random single-byte changes to an event's data or metadata, naming it`, async () => {
      const seed = 20261128;
      const next = random(seed);
      const rows = raw
        .prepare<[], EventRow>('SELECT position, event_id, data, metadata FROM events ORDER BY position')
        .all()
        .filter((row) => bundle.events.some((event) => event.eventId === row.event_id));
      const update = {
        data: raw.prepare<[string, number]>('UPDATE events SET data = ? WHERE position = ?'),
        metadata: raw.prepare<[string, number]>('UPDATE events SET metadata = ? WHERE position = ?'),
      };
      const missed: string[] = [];
      for (let i = 0; i < MUTATIONS; i++) {
        const row = rows[Math.floor(next() * rows.length)]!;
        const column = next() < 0.5 ? 'data' : 'metadata';
        const original = Buffer.from(row[column], 'utf8');
        let at = Math.floor(next() * original.length);
        while (original[at]! >= 0x80) at = (at + 1) % original.length; // an ASCII byte: the text stays UTF-8
        let replacement = original[at]!;
        while (replacement === original[at]) replacement = 0x20 + Math.floor(next() * 95);
        const altered = Buffer.from(original);
        altered[at] = replacement;
        update[column].run(altered.toString('utf8'), row.position);
        try {
          const found = await detections();
          if (found.bundle !== row.event_id || found.log !== row.event_id) {
            missed.push(
              `#${i} (seed ${seed}) position ${row.position} ${column}[${at}] ${String.fromCharCode(original[at]!)}→${String.fromCharCode(replacement)}: bundle named ${found.bundle}, log named ${found.log}`,
            );
          }
        } finally {
          update[column].run(row[column], row.position);
        }
      }
      expect(missed).toEqual([]);
      expect(await detections()).toEqual({ bundle: undefined, log: undefined });
    });

    it('catches a deleted event, in the middle of a stream or at its end, naming it or its successor', async () => {
      const byStream = new Map<string, typeof bundle.events>();
      for (const event of bundle.events)
        byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event]);
      const [, long] = [...byStream].find(([, events]) => events.length >= 3)!;
      const cases = [
        { deleted: long[1]!, bundleNames: long[2]!.eventId }, // a gap in the chain
        { deleted: long.at(-1)!, bundleNames: long.at(-1)!.eventId }, // a stream cut short
      ];
      for (const { deleted, bundleNames } of cases) {
        const row = raw
          .prepare<[string], Record<string, unknown>>('SELECT * FROM events WHERE event_id = ?')
          .get(deleted.eventId)!;
        raw.prepare('DELETE FROM events WHERE event_id = ?').run(deleted.eventId);
        try {
          const found = await detections();
          expect(found.bundle).toBe(bundleNames);
          // The whole-log check names the first event after the hole (the deleted one is gone).
          const successor = raw
            .prepare<[number], { event_id: string }>(
              'SELECT event_id FROM events WHERE position > ? ORDER BY position LIMIT 1',
            )
            .get(Number(deleted.position));
          expect(found.log).toBe(successor?.event_id ?? 'unnamed');
        } finally {
          raw
            .prepare(
              'INSERT INTO events (position, stream, revision, event_id, type, data, metadata, recorded_at) VALUES (@position, @stream, @revision, @event_id, @type, @data, @metadata, @recorded_at)',
            )
            .run(row);
        }
      }
      expect(await detections()).toEqual({ bundle: undefined, log: undefined });
    });

    it('catches two events swapped in the log, naming the first of them', async () => {
      const first = bundle.events[3]!;
      const second = bundle.events.slice(9).find((event) => event.stream !== first.stream)!;
      const swap = (a: typeof first, b: typeof first) => {
        raw.transaction(() => {
          raw.prepare('UPDATE events SET position = -1 WHERE position = ?').run(Number(a.position));
          raw
            .prepare('UPDATE events SET position = ? WHERE position = ?')
            .run(Number(a.position), Number(b.position));
          raw.prepare('UPDATE events SET position = ? WHERE position = -1').run(Number(b.position));
        })();
      };
      swap(first, second);
      try {
        expect(await detections()).toEqual({ bundle: second.eventId, log: second.eventId });
      } finally {
        swap(first, second);
      }
      expect(await detections()).toEqual({ bundle: undefined, log: undefined });
    });

    it('has the CLI name a tampered event, in the store file against the kept checkpoint and in a fresh bundle', async () => {
      const target = bundle.events[5]!;
      const original = raw
        .prepare<[string], { data: string }>('SELECT data FROM events WHERE event_id = ?')
        .get(target.eventId)!.data;
      raw.prepare('UPDATE events SET data = ? WHERE event_id = ?').run(
        original.replace(/\d/, (d) => String((Number(d) + 1) % 10)),
        target.eventId,
      );
      try {
        const run = await cli([
          'verify-log',
          '--store',
          `sqlite:${join(ledger.dir, 'ledger.db')}`,
          '--checkpoint',
          join(ledger.dir, 'checkpoint.json'),
          '--integrity',
          join(ledger.dir, 'integrity.db'),
          '--public-key',
          join(ledger.dir, 'public-key.json'),
        ]);
        expect(run.code).toBe(1);
        expect(run.stdout).toContain(`FAILED: Event ${target.eventId}`);

        // A fresh bundle made from the altered file fails `tracelode verify` at the same event.
        const fresh = await assembleAuditBundle(store, notary, (c, k) => views.get(c, k), magnets);
        writeFileSync(join(ledger.dir, 'tampered-bundle.json'), JSON.stringify(fresh));
        const verified = await cli([
          'verify',
          join(ledger.dir, 'tampered-bundle.json'),
          '--public-key',
          join(ledger.dir, 'public-key.json'),
        ]);
        expect(verified.code).toBe(1);
        expect(verified.stdout).toContain(`FAILED at event ${target.eventId}`);
      } finally {
        raw.prepare('UPDATE events SET data = ? WHERE event_id = ?').run(original, target.eventId);
      }
    });
  });
});
