import { eventHash, SealingEventStore, SqliteEventStore } from '@tracelode/event-store';
import { notes } from '@tracelode/testing';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint';
import { MerkleAccumulator } from './merkle/merkle-accumulator';
import { naiveLeaf, naiveRoot } from './merkle/naive-merkle-tree';
import { leafHash } from './merkle/tree-hash';
import { LogNotary } from './notary';
import { type LogVerdict, verifyLog } from './verify-log';
import { verifyLogFile } from './verify-log-file';

/**
 * verifyLogFile checks a log by ranges (here inline: the worker script is built JavaScript, run by the
 * CLI's e2e test) and stitches them in log order. Every case compares its verdict with the sequential
 * verifyLog reading the same file from its first event: the same failure, event, counts and root, for
 * ranges of 1, 4, 8 and 64 events (a failure at a range's first or last event, a gap across ranges).
 */
describe('verifyLogFile (ranges stitched in log order)', () => {
  const signer = CheckpointSigner.ephemeral();
  let dir: string;
  let pristine: string;
  let integrity: string;
  /** Each row as stored: position, stream, revision, event id, data, metadata. */
  let rows: Row[];
  let checkpoints: SignedCheckpoint[];
  let file = 0;

  interface Row {
    position: number;
    stream: string;
    revision: number;
    event_id: string;
    type: string;
    data: string;
    metadata: string;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-verify-file-'));
    pristine = join(dir, 'pristine.db');
    const store = new SealingEventStore(SqliteEventStore.open(pristine));
    // 31 events on five streams, interleaved unevenly: streams cross every range boundary.
    for (let i = 0; i < 16; i++) await store.append([notes(`s${i % 5}`, 1 + (i % 3))]);
    const notary = LogNotary.open(store, join(dir, 'integrity.db'), signer, {
      everyEvents: 1_000_000,
      everyMs: 3_600_000,
    });
    notary.start();
    expect(await notary.waitFor(31, 10_000)).toBe(true);
    await notary.stop();
    await store.close();
    integrity = join(dir, 'integrity.db');
    const db = new Database(pristine, { readonly: true });
    rows = db.prepare<[], Row>('SELECT * FROM events ORDER BY position').all();
    db.close();
    expect(rows).toHaveLength(31);
    const leaves = rows.map((row) => naiveLeaf(Buffer.from(hashOf(row), 'hex')));
    checkpoints = [5, 16, 17, 30, 31].map((treeSize) =>
      signer.sign({
        treeSize,
        rootHash: naiveRoot(leaves.slice(0, treeSize)).toString('hex'),
        timestamp: new Date(Date.UTC(2026, 10, 29, 12, treeSize)).toISOString(),
      }),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const hashOf = (row: Row) => (JSON.parse(row.metadata) as { hash: string }).hash;
  const row = (position: number) => rows[position - 1]!;
  const dataOf = (stored: Row) => JSON.parse(stored.data) as Record<string, unknown>;

  /** A copy of the pristine log, changed by `tamper` (SQL on the copy). */
  function tampered(tamper: (db: Database.Database) => void = () => undefined): string {
    const path = join(dir, `copy-${file++}.db`);
    copyFileSync(pristine, path);
    const db = new Database(path);
    tamper(db);
    db.close();
    return path;
  }

  /** The sequential verdict, then the ranged one for each range size: all equal; returns the first. */
  async function verdicts(
    path: string,
    options: { checkpoints?: SignedCheckpoint[]; integrity?: boolean } = {},
  ): Promise<LogVerdict> {
    const store = SqliteEventStore.open(path);
    const notarised = options.integrity ? new Database(integrity, { readonly: true }) : undefined;
    const hashAt = notarised
      ?.prepare<[number], string>('SELECT event_hash FROM notarised_events WHERE position = ?')
      .pluck();
    let sequential: LogVerdict;
    try {
      sequential = await verifyLog(store.readAll(1n), {
        checkpoints: options.checkpoints ?? checkpoints,
        publicKey: signer.publicKey,
        ...(hashAt ? { notarisedHashAt: (position: number) => hashAt.get(position) } : {}),
      });
    } finally {
      await store.close();
      notarised?.close();
    }
    for (const rangeEvents of [1, 4, 8, 64]) {
      const ranged = await verifyLogFile(path, {
        checkpoints: options.checkpoints ?? checkpoints,
        publicKey: signer.publicKey,
        ...(options.integrity ? { integrityPath: integrity } : {}),
        workers: 0,
        rangeEvents,
      });
      expect({ rangeEvents, ...ranged }).toEqual({ rangeEvents, ...sequential });
    }
    return sequential;
  }

  /** Rewrites an event's data and re-seals it, so its own hash matches again (its successors' links do not). */
  function reseal(db: Database.Database, position: number, data: Record<string, unknown>, prevHash?: string) {
    const stored = row(position);
    const metadata = JSON.parse(stored.metadata) as Record<string, unknown>;
    if (prevHash !== undefined) metadata.prevHash = prevHash;
    const salts = metadata.salts as { data: Record<string, string> };
    for (const name of Object.keys(data)) salts.data[name] ??= 'A'.repeat(24);
    metadata.hash = eventHash(
      {
        stream: stored.stream,
        revision: BigInt(stored.revision),
        eventId: stored.event_id,
        type: stored.type,
        data,
        metadata,
      },
      metadata.prevHash as string | null,
    );
    db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(
      JSON.stringify(data),
      JSON.stringify(metadata),
      position,
    );
    return metadata.hash as string;
  }

  it('passes the untouched log, every checkpoint matched, with the same root', async () => {
    const verdict = await verdicts(tampered(), { integrity: true });
    expect(verdict).toMatchObject({
      ok: true,
      events: 31,
      streams: 5,
      checkpointsMatched: [5, 16, 17, 30, 31],
    });
  });

  it.each([1, 4, 5, 8, 9, 16, 17, 20, 31])('names an event altered at position %i', async (position) => {
    const path = tampered((db) =>
      db.prepare(`UPDATE events SET data = json_set(data, '$.note', 'x') WHERE position = ?`).run(position),
    );
    const verdict = await verdicts(path);
    expect(verdict.failure).toMatchObject({ eventId: row(position).event_id, position: `${position}` });
    expect(verdict.failure!.message).toContain('its content does not match its hash');
    expect(verdict.events).toBe(position - 1);
  });

  it('names an event whose hash was removed', async () => {
    const path = tampered((db) =>
      db.prepare(`UPDATE events SET metadata = json_remove(metadata, '$.hash') WHERE position = 12`).run(),
    );
    expect((await verdicts(path)).failure).toMatchObject({ position: '12' });
  });

  it.each([
    [[9], 'a range’s first event'],
    [[8], 'a range’s last event'],
    [[6, 7, 8], 'the end of a range'],
    [[9, 10, 11, 12, 13, 14, 15, 16, 17], 'whole ranges'],
    [[31], 'the tail (no checkpoint covers it)'],
  ])('names the event after missing positions %j (%s)', async (positions) => {
    const path = tampered((db) =>
      db.prepare(`DELETE FROM events WHERE position IN (${positions.join(',')})`).run(),
    );
    const verdict = await verdicts(path, { checkpoints: [] });
    const after = Math.max(...positions) + 1;
    if (after > 31) {
      expect(verdict).toMatchObject({ ok: true, events: 30 });
      return;
    }
    expect(verdict.failure).toMatchObject({ eventId: row(after).event_id, position: `${after}` });
    expect(verdict.failure!.message).toContain(`position ${positions[0]} is missing`);
  });

  it('names an event that no longer chains: re-sealed over new content, its successor’s link breaks', async () => {
    // s1's events sit at positions 2, 3, 9, 10, 14, …: re-seal position 9, and 10 names the break.
    const stream = row(9).stream;
    const next = rows.find((r) => r.stream === stream && r.position > 9)!;
    const path = tampered((db) => {
      reseal(db, 9, { ...dataOf(row(9)), note: 'rewritten' });
    });
    const verdict = await verdicts(path, { checkpoints: [] });
    expect(verdict.failure).toMatchObject({ eventId: next.event_id, position: `${next.position}` });
    expect(verdict.failure!.message).toContain('does not chain');
  });

  it('catches a stream re-sealed to the end at the next checkpoint, and names the event with the notarised hashes', async () => {
    const stream = row(18).stream;
    const path = tampered((db) => {
      let prevHash: string | undefined;
      for (const r of rows.filter((r) => r.stream === stream && r.position >= 18)) {
        prevHash = reseal(db, r.position, { ...dataOf(r), note: 'forged' }, prevHash);
      }
    });
    const atCheckpoint = await verdicts(path);
    expect(atCheckpoint.failure).toMatchObject({ eventId: row(30).event_id, position: '30' });
    expect(atCheckpoint.failure!.message).toContain('the root differs');
    expect(atCheckpoint.checkpointsMatched).toEqual([5, 16, 17]);
    const named = await verdicts(path, { integrity: true });
    expect(named.failure).toMatchObject({ eventId: row(18).event_id, position: '18' });
  });

  it('names a stream’s first event in a later range when it claims another predecessor', async () => {
    const first = rows.find((r) => r.stream === 's4')!;
    const path = tampered((db) => reseal(db, first.position, dataOf(first), 'ab'.repeat(32)));
    const verdict = await verdicts(path, { checkpoints: [] });
    expect(verdict.failure).toMatchObject({ eventId: first.event_id, position: `${first.position}` });
  });

  it('reports a log shorter than a checkpoint covered', async () => {
    const path = tampered((db) => db.prepare('DELETE FROM events WHERE position > 28').run());
    const verdict = await verdicts(path);
    expect(verdict).toMatchObject({ ok: false, events: 28, checkpointsMatched: [5, 16, 17] });
  });

  it('names an event the store cannot read back, as the store words it, after the events before it', async () => {
    const path = tampered((db) => db.prepare(`UPDATE events SET data = '{' WHERE position = 11`).run());
    const store = SqliteEventStore.open(path);
    const sequential = await verifyLog(store.readAll(1n), { checkpoints });
    await store.close();
    for (const rangeEvents of [1, 4, 64]) {
      const ranged = await verifyLogFile(path, { checkpoints, workers: 0, rangeEvents });
      // The same failure; the sequential reader had not checked the events of the page it could not read.
      expect(ranged.failure).toEqual(sequential.failure);
      expect(ranged.events).toBe(10);
    }
  });

  it('grows the tree by whole aligned ranges exactly as leaf by leaf', () => {
    const leaves = rows.map((r) => leafHash(Buffer.from(hashOf(r), 'hex')));
    for (const level of [0, 1, 2, 3, 4]) {
      const size = 2 ** level;
      const byLeaf = new MerkleAccumulator();
      const byRange = new MerkleAccumulator();
      for (let from = 0; from + size <= 16; from += size) {
        const range = new MerkleAccumulator();
        for (const leaf of leaves.slice(from, from + size)) {
          range.push(leaf);
          byLeaf.push(leaf);
        }
        byRange.pushPerfect(range.root(), level);
        expect(byRange.size).toBe(byLeaf.size);
        expect(byRange.root()).toEqual(byLeaf.root());
      }
    }
    expect(() => new MerkleAccumulator().pushPerfect(leaves[0]!, -1)).toThrow(RangeError);
    const odd = new MerkleAccumulator();
    odd.push(leaves[0]!);
    expect(() => odd.pushPerfect(leaves[1]!, 1)).toThrow('cannot follow 1 leaves');
  });
});

/**
 * A range read in several pages (a worker reads 256 rows a query): the notarised hashes and the chains
 * are looked up across page boundaries as within one page. 700 events, so a range of 1,024 spans three
 * pages; every verdict equals the sequential one.
 */
describe('verifyLogFile over ranges of several pages', () => {
  const signer = CheckpointSigner.ephemeral();
  const EVENTS = 700;
  let dir: string;
  let pristine: string;
  let integrity: string;
  let checkpoint: SignedCheckpoint;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-verify-pages-'));
    pristine = join(dir, 'pristine.db');
    const store = new SealingEventStore(SqliteEventStore.open(pristine));
    for (let i = 0; i < EVENTS / 10; i++) await store.append([notes(`s${i % 7}`, 10)]);
    const notary = LogNotary.open(store, join(dir, 'integrity.db'), signer, {
      everyEvents: 1_000_000,
      everyMs: 3_600_000,
    });
    notary.start();
    expect(await notary.waitFor(EVENTS, 10_000)).toBe(true);
    checkpoint = notary.checkpointCovering(EVENTS)!;
    await notary.stop();
    await store.close();
    integrity = join(dir, 'integrity.db');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The sequential verdict and the ranged ones (ranges of 1,024, 256 and 64 events): all equal. */
  async function verdicts(path: string): Promise<LogVerdict> {
    const store = SqliteEventStore.open(path);
    const notarised = new Database(integrity, { readonly: true });
    const hashAt = notarised
      .prepare<[number], string>('SELECT event_hash FROM notarised_events WHERE position = ?')
      .pluck();
    let sequential: LogVerdict;
    try {
      sequential = await verifyLog(store.readAll(1n), {
        checkpoints: [checkpoint],
        notarisedHashAt: (position: number) => hashAt.get(position),
      });
    } finally {
      await store.close();
      notarised.close();
    }
    for (const rangeEvents of [1024, 256, 64]) {
      const ranged = await verifyLogFile(path, {
        checkpoints: [checkpoint],
        integrityPath: integrity,
        workers: 0,
        rangeEvents,
      });
      expect({ rangeEvents, ...ranged }).toEqual({ rangeEvents, ...sequential });
    }
    return sequential;
  }

  it('verifies the untouched log', async () => {
    expect(await verdicts(pristine)).toMatchObject({
      ok: true,
      events: EVENTS,
      checkpointsMatched: [EVENTS],
    });
  });

  it.each([300, 511, 513, 650])(
    'names the event at %i, re-sealed to the end of its stream, by its notarised hash',
    async (position) => {
      const path = join(dir, `resealed-${position}.db`);
      copyFileSync(pristine, path);
      const db = new Database(path);
      type Row = { position: number; stream: string; revision: number; event_id: string; type: string };
      const at = db.prepare<[number], Row & { data: string; metadata: string }>(
        'SELECT * FROM events WHERE position = ?',
      );
      const target = at.get(position)!;
      const later = db
        .prepare<[string, number], { position: number }>(
          'SELECT position FROM events WHERE stream = ? AND position >= ? ORDER BY position',
        )
        .all(target.stream, position);
      let prevHash: string | undefined;
      for (const { position: p } of later) {
        const stored = at.get(p)!;
        const data = { ...(JSON.parse(stored.data) as Record<string, unknown>), note: 'forged' };
        const metadata = JSON.parse(stored.metadata) as Record<string, unknown>;
        if (prevHash !== undefined) metadata.prevHash = prevHash;
        metadata.hash = eventHash(
          {
            stream: stored.stream,
            revision: BigInt(stored.revision),
            eventId: stored.event_id,
            type: stored.type,
            data,
            metadata,
          },
          metadata.prevHash as string | null,
        );
        prevHash = metadata.hash as string;
        db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?').run(
          JSON.stringify(data),
          JSON.stringify(metadata),
          p,
        );
      }
      db.close();
      const verdict = await verdicts(path);
      expect(verdict.failure).toMatchObject({ eventId: target.event_id, position: `${position}` });
      expect(verdict.failure!.message).toContain(`notarised at position ${position}`);
    },
  );
});
