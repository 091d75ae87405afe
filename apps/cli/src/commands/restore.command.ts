import { SqliteEventStore } from '@tracelode/event-store';
import { importLedgerKey, readNotaryRecord, verifyLogFile } from '@tracelode/log';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';
import {
  BACKUP_FORMAT,
  type BackupManifest,
  CREDENTIALS_FILE,
  INTEGRITY_FILE,
  MANIFEST_FILE,
  sha256OfFile,
  STORE_FILE,
} from './backup-manifest';
import { rebuildViewsFile } from './rebuild.command';

/** The views file restore rebuilds, named as the server's default layout names it. */
export const VIEWS_FILE = 'views.db';

export const RESTORE_HELP = `Usage: tracelode restore --from DIR --data DIR

Restores a backup written by \`tracelode backup\` into a new data directory: checks each file against the
SHA-256 in DIR/${MANIFEST_FILE}, copies the event log and the integrity file in, checks the whole log
(hashes, hash chains, positions, the manifest's head position, every kept checkpoint's root and the
manifest's signed checkpoint, with the manifest's public key), then rebuilds the views from the log.
Exits 0 when restored and verified, 1 when refused or when verification fails (the data directory is
then left empty), 2 on a usage error.

Options:
  --from DIR   the backup (holding ${MANIFEST_FILE}, ${STORE_FILE}, ${INTEGRITY_FILE})
  --data DIR   the data directory to restore into: created if missing, refused if not empty
  -h, --help   show this help

Start the server on it with TRACELODE_STORE=sqlite:DIR/${STORE_FILE} TRACELODE_VIEWS=DIR/${VIEWS_FILE} (the
integrity file is found beside the views) and the ledger's signing key as TRACELODE_SIGNING_KEY, so that
its checkpoints go on being signed by the same key.`;

interface RestoreOptions {
  readonly fromDir: string;
  readonly dataDir: string;
}

export interface RestoreReport {
  readonly manifest: BackupManifest;
  readonly eventsVerified: number;
  readonly viewsPosition: bigint;
}

/** `tracelode restore --from DIR --data DIR`: 0 when restored and verified, 2 on a bad option, 1 otherwise. */
export function restore(args: string[]): Promise<number> {
  return runCommand(
    'restore',
    RESTORE_HELP,
    () => parseOptions(args),
    async (options) => {
      const report = await restoreLedger(options);
      const { manifest } = report;
      console.log(
        `Restored ${options.fromDir} into ${options.dataDir}: ${report.eventsVerified} events verified up to ` +
          `position ${manifest.store.headPosition}` +
          (manifest.checkpoint
            ? `, against the checkpoint signed at tree size ${manifest.checkpoint.treeSize}` +
              (manifest.publicKey ? ' (signature checked)' : '')
            : ' (the backup holds no signed checkpoint)') +
          `; views rebuilt to position ${report.viewsPosition}`,
      );
      console.log(
        'VERIFIED: every file matches the manifest, and the log its hashes, chains and checkpoints.',
      );
      return 0;
    },
  );
}

function parseOptions(args: string[]): RestoreOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      from: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (!values.from) throw new Error('--from DIR is required');
  if (!values.data) throw new Error('--data DIR is required');
  return { fromDir: resolve(values.from), dataDir: resolve(values.data) };
}

export async function restoreLedger(options: RestoreOptions): Promise<RestoreReport> {
  const manifest = readManifest(options.fromDir);
  if (existsSync(options.dataDir) && readdirSync(options.dataDir).length > 0)
    throw new Error(`${options.dataDir} is not empty; restore into a new directory`);
  const files = [manifest.store, manifest.integrity, ...(manifest.credentials ? [manifest.credentials] : [])];
  for (const { file, sha256 } of files) {
    const path = join(options.fromDir, file);
    if (!existsSync(path)) throw new Error(`The backup lacks ${file}`);
    const actual = sha256OfFile(path);
    if (actual !== sha256)
      throw new Error(`${file} does not match the manifest (SHA-256 ${actual}, manifest ${sha256})`);
  }

  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const storePath = join(options.dataDir, STORE_FILE);
  const integrityPath = join(options.dataDir, INTEGRITY_FILE);
  try {
    for (const [file, target] of [
      [manifest.store.file, storePath],
      [manifest.integrity.file, integrityPath],
      // The passports' registry goes beside the views, where the server looks for it (ADR 0032).
      ...(manifest.credentials
        ? [[manifest.credentials.file, join(options.dataDir, CREDENTIALS_FILE)] as const]
        : []),
    ] as const) {
      copyFileSync(join(options.fromDir, file), target);
      chmodSync(target, 0o600);
      syncFile(target);
    }
    const eventsVerified = await verifyRestored(manifest, storePath, integrityPath);
    const rebuilt = await rebuildViewsFile({
      storeUrl: `sqlite:${storePath}`,
      viewsPath: join(options.dataDir, VIEWS_FILE),
    });
    syncFile(options.dataDir);
    return { manifest, eventsVerified, viewsPosition: rebuilt.position };
  } catch (error) {
    // Leave the data directory as it was found: empty.
    for (const entry of readdirSync(options.dataDir))
      rmSync(join(options.dataDir, entry), { recursive: true, force: true });
    throw error;
  }
}

function readManifest(fromDir: string): BackupManifest {
  const path = join(fromDir, MANIFEST_FILE);
  if (!existsSync(path))
    throw new Error(
      `${fromDir} holds no ${MANIFEST_FILE}: it is not a backup, or its backup was interrupted`,
    );
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown };
  if (manifest.format !== BACKUP_FORMAT)
    throw new Error(`${path} is not a ${BACKUP_FORMAT} manifest (format ${String(manifest.format)})`);
  return manifest as BackupManifest;
}

/**
 * Checks the restored log from its first event, by ranges on worker threads as `verify-log` does (ADR
 * 0033): the number of events, or an error naming the failure.
 */
async function verifyRestored(
  manifest: BackupManifest,
  storePath: string,
  integrityPath: string,
): Promise<number> {
  const store = SqliteEventStore.openReadOnly(storePath);
  const record = readNotaryRecord(integrityPath);
  let checkpoints;
  try {
    const head = await store.headPosition();
    if (head !== BigInt(manifest.store.headPosition))
      throw new Error(`The restored log ends at ${head}, the manifest says ${manifest.store.headPosition}`);
    checkpoints = [...(manifest.checkpoint ? [manifest.checkpoint] : []), ...record.checkpoints];
  } finally {
    record.close();
    await store.close();
  }
  const publicKey = manifest.publicKey ? importLedgerKey(manifest.publicKey) : undefined;
  const verdict = await verifyLogFile(storePath, {
    checkpoints,
    integrityPath,
    ...(publicKey ? { publicKey } : {}),
  });
  if (!verdict.ok) throw new Error(`verify-log failed: ${verdict.failure!.message}`);
  if (manifest.checkpoint && !verdict.checkpointsMatched.includes(manifest.checkpoint.treeSize))
    throw new Error(`The manifest's checkpoint at tree size ${manifest.checkpoint.treeSize} was not matched`);
  return verdict.events;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
