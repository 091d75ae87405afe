import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

const CLI_MAIN = resolve(__dirname, '../dist/apps/cli/apps/cli/src/main.js');
const CLIENTS = 8;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; resolves with its exit code and output whatever the code. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_MAIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function readOnly<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const eventsUpTo = (path: string, head: number) =>
  readOnly(path, (db) => db.prepare('SELECT * FROM events WHERE position <= ? ORDER BY position').all(head));

const viewRows = (path: string) =>
  readOnly(path, (db) => ({
    checkpoint: db.prepare<[], number>('SELECT position FROM checkpoint WHERE id = 1').pluck().get(),
    rows: db.prepare('SELECT collection, key, view, position FROM views ORDER BY collection, key').all(),
  }));

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

interface Manifest {
  format: string;
  store: { file: string; bytes: number; sha256: string; headPosition: number };
  integrity: { file: string; bytes: number; sha256: string; treeSize: number };
  credentials?: { file: string; bytes: number; sha256: string };
  checkpoint: { treeSize: number; rootHash: string; keyId: string; signature: string } | null;
  publicKey: string | null;
}

/** The status-list index a product passport was issued with (ADR 0032). */
type Passport = { credentialStatus: { statusListIndex: string } };

/**
 * Acceptance: `tracelode backup` copies the log and the integrity file from a running server under a
 * write load, consistently, with a manifest; `tracelode restore` refuses a non-empty target and a file
 * that does not match the manifest, restores, verifies the log against the manifest's checkpoint and
 * rebuilds the views — which equal the source's views as of the backup's head, row for row; and a
 * server started on the restored directory serves and takes commands.
 */
describe('backup and restore under a write load', () => {
  let dir: string;
  let source: LedgerHarness | undefined;
  let restored: LedgerHarness | undefined;

  beforeAll(() => {
    if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run "npm run build" first`);
    dir = mkdtempSync(join(tmpdir(), 'tracelode-backup-'));
  });
  afterAll(async () => {
    await source?.kill();
    await restored?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up online, restores into a new directory, verifies it, and rebuilds the views of the backup head', async () => {
    const sourceDir = join(dir, 'source');
    const env = {
      TRACELODE_STORE: `sqlite:${join(sourceDir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(sourceDir, 'views.db'),
    };
    const server = await LedgerHarness.start({ ...env, TRACELODE_CHECKPOINT_EVERY: '50' });
    source = server;
    const parties = await standardParties(server);

    let acknowledged = 0;
    let stopping = false;
    const failures: unknown[] = [];
    const client = async (c: number) => {
      for (let n = 0; !stopping; n++) {
        const batchId = `BACKUP-${c}-${n}`;
        const steps: [string, string, unknown][] = [
          ['/batches/mined', parties.miner, minedBatch(batchId)],
          [`/batches/${batchId}/shipments`, parties.miner, shipment(`S-${batchId}`)],
          [
            `/batches/${batchId}/receipts`,
            parties.refiner,
            { shipmentId: `S-${batchId}`, receivedMassKg: 25000.25, occurredAt: '2026-03-19T14:00:00+08:00' },
          ],
        ];
        for (const [path, token, body] of steps) {
          const reply = await server.post(
            path,
            token,
            body,
            c % 2 ? { 'idempotency-key': `${batchId}${path}` } : {},
          );
          if (reply.status !== 201) failures.push(reply.body);
          else acknowledged += 1;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    for (const until = Date.now() + 10_000; acknowledged < 100 && Date.now() < until;) await sleep(50);

    // A passport issued before the backup: its status-list index lives in the credentials registry,
    // which the log cannot rebuild, so the backup must carry it.
    const issued = await server.get<Passport>('/batches/BACKUP-0-0/passport?format=json', parties.refiner);
    expect(issued.status).toBe(200);
    const issuedIndex = issued.body.credentialStatus.statusListIndex;

    // --- The backup, while the clients go on writing.
    const backupDir = join(dir, 'backup');
    const acknowledgedBefore = acknowledged;
    const backedUp = await cli(['backup', '--out', backupDir], env);
    const acknowledgedDuring = acknowledged - acknowledgedBefore;
    await sleep(300);
    stopping = true;
    await Promise.all(clients);
    expect(failures).toEqual([]);
    expect(backedUp).toMatchObject({ code: 0, stderr: '' });
    expect(backedUp.stdout).toMatch(/^Backed up .* log head \d+/);
    expect(acknowledgedDuring).toBeGreaterThan(0);

    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as Manifest;
    const head = manifest.store.headPosition;
    const sourceHead = await server.eventCount();
    // The server wrote on after the snapshot: the backup is of a moment, not of the end.
    expect(sourceHead).toBeGreaterThan(head);
    expect(manifest.format).toBe('tracelode.backup.v1');
    expect(sha256(join(backupDir, 'ledger.db'))).toBe(manifest.store.sha256);
    expect(sha256(join(backupDir, 'integrity.db'))).toBe(manifest.integrity.sha256);
    expect(manifest.integrity.treeSize).toBeLessThanOrEqual(head);
    expect(manifest.checkpoint!.treeSize).toBeGreaterThan(0);
    expect(manifest.checkpoint!.treeSize).toBeLessThanOrEqual(manifest.integrity.treeSize);
    expect(manifest.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(readdirSync(backupDir).sort()).toEqual([
      'credentials.db',
      'integrity.db',
      'ledger.db',
      'manifest.json',
    ]);
    expect(sha256(join(backupDir, 'credentials.db'))).toBe(manifest.credentials!.sha256);
    await server.shutdown();
    source = undefined;

    // --- A tampered backup and a non-empty target are refused, leaving the target as it was.
    const tampered = join(dir, 'tampered');
    cpSync(backupDir, tampered, { recursive: true });
    const bytes = readFileSync(join(tampered, 'ledger.db'));
    const at = bytes.length - 100;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    writeFileSync(join(tampered, 'ledger.db'), bytes);
    const refusedTampered = await cli(['restore', '--from', tampered, '--data', join(dir, 'from-tampered')]);
    expect(refusedTampered.code).toBe(1);
    expect(refusedTampered.stderr).toContain('ledger.db does not match the manifest');
    expect(existsSync(join(dir, 'from-tampered'))).toBe(false);

    // A forged backup: an event's content changed and the manifest's digest made to match. The restore
    // verifies the log (by ranges on worker threads) and refuses it, naming the event.
    const forged = join(dir, 'forged');
    cpSync(backupDir, forged, { recursive: true });
    const forgedDb = new Database(join(forged, 'ledger.db'));
    const victim = Math.max(1, Math.floor(head / 2));
    forgedDb.prepare("UPDATE events SET data = json_set(data, '$.forged', 1) WHERE position = ?").run(victim);
    forgedDb.pragma('journal_mode = DELETE');
    forgedDb.close();
    const forgedManifest = {
      ...manifest,
      store: { ...manifest.store, sha256: sha256(join(forged, 'ledger.db')) },
    };
    forgedManifest.store.bytes = readFileSync(join(forged, 'ledger.db')).length;
    writeFileSync(join(forged, 'manifest.json'), JSON.stringify(forgedManifest));
    const refusedForged = await cli(['restore', '--from', forged, '--data', join(dir, 'from-forged')]);
    expect(refusedForged.code).toBe(1);
    expect(refusedForged.stderr).toContain('verify-log failed');
    expect(refusedForged.stderr).toContain(`position ${victim}`);
    expect(readdirSync(join(dir, 'from-forged'))).toEqual([]); // left as found: empty

    const occupied = join(dir, 'occupied');
    cpSync(backupDir, occupied, { recursive: true });
    const refusedOccupied = await cli(['restore', '--from', backupDir, '--data', occupied]);
    expect(refusedOccupied.code).toBe(1);
    expect(refusedOccupied.stderr).toContain('is not empty');

    // --- The restore: verified against the manifest's checkpoint, views rebuilt.
    const restoredDir = join(dir, 'restored');
    const restoredRun = await cli(['restore', '--from', backupDir, '--data', restoredDir]);
    expect(restoredRun).toMatchObject({ code: 0, stderr: '' });
    expect(restoredRun.stdout).toContain(
      `${head} events verified up to position ${head}, against the checkpoint signed at tree size ` +
        `${manifest.checkpoint!.treeSize} (signature checked); views rebuilt to position ${head}`,
    );
    expect(restoredRun.stdout).toContain('VERIFIED');
    expect(readdirSync(restoredDir).sort()).toEqual([
      'credentials.db',
      'integrity.db',
      'ledger.db',
      'views.db',
    ]);

    // The restored log is the source's log up to the backup's head, row for row.
    const restoredEvents = eventsUpTo(join(restoredDir, 'ledger.db'), Number.MAX_SAFE_INTEGER);
    expect(restoredEvents).toHaveLength(head);
    expect(restoredEvents).toEqual(eventsUpTo(join(sourceDir, 'ledger.db'), head));

    // Every view equals the source's views as of the backup's head (replayed from the source's log).
    const replayDir = join(dir, 'replay');
    const replayed = await cli(['replay', '--to', String(head), '--out', replayDir], env);
    expect(replayed.code).toBe(0);
    const asOfHead = viewRows(join(replayDir, 'views.db'));
    const restoredViews = viewRows(join(restoredDir, 'views.db'));
    expect(asOfHead.checkpoint).toBe(head);
    expect(restoredViews.checkpoint).toBe(head);
    expect(restoredViews.rows.length).toBeGreaterThan(100);
    expect(restoredViews.rows).toEqual(asOfHead.rows);

    // --- A server on the restored directory, with the source's signing key: it serves and writes on.
    const ledger = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(restoredDir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(restoredDir, 'views.db'),
      TRACELODE_SIGNING_KEY: join(sourceDir, 'ledger-signing-key.pem'),
    });
    restored = ledger;
    expect(await ledger.eventCount()).toBe(head);
    const batch = await ledger.get<{ batchId: string }>('/batches/BACKUP-0-0', parties.miner);
    expect({ status: batch.status, batchId: batch.body.batchId }).toEqual({
      status: 200,
      batchId: 'BACKUP-0-0',
    });
    // The restored registry: the same passport keeps its index, and another lot's never takes it.
    const reissued = await ledger.get<Passport>('/batches/BACKUP-0-0/passport?format=json', parties.refiner);
    expect(reissued.body.credentialStatus.statusListIndex).toBe(issuedIndex);
    const other = await ledger.get<Passport>('/batches/BACKUP-1-0/passport?format=json', parties.refiner);
    expect(other.status).toBe(200);
    expect(other.body.credentialStatus.statusListIndex).not.toBe(issuedIndex);
    const again = await ledger.post('/batches/mined', parties.miner, minedBatch('AFTER-RESTORE'));
    expect(again.status).toBe(201);
    const key = await ledger.request<{ keyId: string }>('GET', '/log/public-key', {
      token: parties.regulator,
    });
    expect(key.body.keyId).toBe(manifest.checkpoint!.keyId);

    console.info(
      `backup under load: ${acknowledgedDuring} commands acknowledged while the backup ran; backup head ${head} ` +
        `of ${sourceHead} at the end; checkpoint at ${manifest.checkpoint!.treeSize}; ` +
        `${restoredViews.rows.length} view rows equal`,
    );
  });
});
