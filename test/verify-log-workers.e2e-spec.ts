import { eventHash, SealingEventStore, SqliteEventStore } from '@tracelode/event-store';
import { notes } from '@tracelode/testing';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * `tracelode verify-log` as built, with its worker threads (ADR 0033): the log is cut into ranges of 16
 * events and range i goes to worker i mod 2, so positions 17–32 and 49–64 are the second worker's. A
 * tampered event there is named exactly as the one-thread verifier names it.
 */
const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // From a directory of its own: verify-log reads ./data/integrity.db when it exists, which a server
    // started in the repository leaves there, of another log.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_MAIN, ...args], {
      cwd: tmpdir(),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface Row {
  position: number;
  stream: string;
  revision: number;
  event_id: string;
  type: string;
}

describe('tracelode verify-log with worker threads', () => {
  let dir: string;
  let pristine: string;
  let rows: Row[];
  let copies = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-verify-workers-'));
    pristine = join(dir, 'ledger.db');
    const store = new SealingEventStore(SqliteEventStore.open(pristine));
    for (let i = 0; i < 40; i++) await store.append([notes(`stream-${i % 7}`, 2)]);
    await store.close();
    const db = new Database(pristine, { readonly: true });
    rows = db.prepare<[], Row>('SELECT position, stream, revision, event_id, type FROM events').all();
    db.close();
    expect(rows).toHaveLength(80);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tampered = (sql: string): string => {
    const path = join(dir, `copy-${copies++}.db`);
    copyFileSync(pristine, path);
    const db = new Database(path);
    db.exec(sql);
    db.close();
    return path;
  };
  const verify = (path: string, workers: number) =>
    cli(['verify-log', '--store', `sqlite:${path}`, '--workers', `${workers}`, '--range-events', '16']);
  const failedLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('FAILED'));
  const named = (position: number, reason: string) => {
    const row = rows[position - 1]!;
    return `FAILED: Event ${row.event_id} (${row.type}, ${row.stream}@${row.revision}, position ${position}): ${reason}`;
  };

  it('verifies the untouched log with two workers, as on one thread', async () => {
    const [two, one] = [await verify(pristine, 2), await verify(pristine, 0)];
    expect(two.code).toBe(0);
    expect(two.stdout).toContain('80 events in 7 streams checked');
    expect(two.stdout).toContain('VERIFIED');
    const root = (stdout: string) => /root ([0-9a-f]{64})/.exec(stdout)?.[1];
    expect(root(two.stdout)).toBe(root(one.stdout));
  });

  it('names an event altered in the second worker’s range, exactly', async () => {
    const path = tampered(`UPDATE events SET data = json_set(data, '$.note', 'forged') WHERE position = 23`);
    const run = await verify(path, 2);
    expect(run.code).toBe(1);
    expect(failedLine(run.stdout)).toBe(named(23, 'its content does not match its hash'));
    expect(run.stdout).toContain('22 events in');
    expect(failedLine((await verify(path, 0)).stdout)).toBe(failedLine(run.stdout));
  });

  it('names the first of two altered events when the later one is in the first worker’s range', async () => {
    const path = tampered(
      `UPDATE events SET data = json_set(data, '$.note', 'forged') WHERE position IN (50, 40)`,
    );
    const run = await verify(path, 2);
    expect(failedLine(run.stdout)).toBe(named(40, 'its content does not match its hash'));
    const later = tampered(`UPDATE events SET data = json_set(data, '$.note', 'forged') WHERE position = 50`);
    expect(failedLine((await verify(later, 2)).stdout)).toBe(
      named(50, 'its content does not match its hash'),
    );
  });

  it('names the event after a position deleted at the start of the second worker’s range', async () => {
    const path = tampered('DELETE FROM events WHERE position = 17');
    const run = await verify(path, 2);
    expect(run.code).toBe(1);
    expect(failedLine(run.stdout)).toBe(named(18, 'position 17 is missing: the log skips from 16 to 18'));
  });

  it('names a stream’s event in the second worker’s range that no longer chains to the first worker’s', async () => {
    // The first event of its stream in 17–32 claims another predecessor, and is re-sealed so that its
    // own hash matches: only chaining it to its stream's head in the first worker's range catches it.
    const first = rows.find((row) => row.position >= 17 && row.revision > 0)!;
    const path = tampered('SELECT 1');
    const db = new Database(path);
    const stored = db
      .prepare<[number], { data: string; metadata: string }>(
        'SELECT data, metadata FROM events WHERE position = ?',
      )
      .get(first.position)!;
    const metadata = JSON.parse(stored.metadata) as Record<string, unknown>;
    metadata.prevHash = 'ab'.repeat(32);
    metadata.hash = eventHash(
      {
        stream: first.stream,
        revision: BigInt(first.revision),
        eventId: first.event_id,
        type: first.type,
        data: JSON.parse(stored.data) as Record<string, unknown>,
        metadata,
      },
      'ab'.repeat(32),
    );
    db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(
      JSON.stringify(metadata),
      first.position,
    );
    db.close();
    const run = await verify(path, 2);
    expect(run.code).toBe(1);
    expect(failedLine(run.stdout)).toBe(
      named(first.position, 'it does not chain to the previous event of its stream'),
    );
    expect(failedLine((await verify(path, 0)).stdout)).toBe(failedLine(run.stdout));
  });

  it('refuses --workers and --range-events that are not whole numbers or powers of two (exit 2)', async () => {
    expect((await cli(['verify-log', '--store', `sqlite:${pristine}`, '--workers', 'x'])).code).toBe(2);
    expect((await cli(['verify-log', '--store', `sqlite:${pristine}`, '--range-events', '12'])).code).toBe(2);
  });
});
