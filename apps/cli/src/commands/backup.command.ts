import { backupSqliteFile, SqliteEventStore, sqliteFileOf } from '@tracelode/event-store';
import { publicKeyDocument, readNotaryRecord } from '@tracelode/log';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';
import {
  BACKUP_FORMAT,
  type BackedUpFile,
  type BackupManifest,
  CREDENTIALS_FILE,
  INTEGRITY_FILE,
  MANIFEST_FILE,
  sha256OfFile,
  STORE_FILE,
} from './backup-manifest';

// The same defaults as the API server (apps/api/src/config/ledger-config.ts).
const DEFAULT_STORE = 'sqlite:./data/ledger.db';
const DEFAULT_VIEWS = './data/views.db';

export const BACKUP_HELP = `Usage: tracelode backup --out DIR [--store URL] [--integrity PATH] [--signing-key PATH]

Copies the event log and the integrity file (the Merkle log and every signed checkpoint) into DIR while
the server keeps writing, with SQLite's online backup API: each copy is one consistent snapshot, and the
integrity file is copied first, so the checkpoints it holds never cover an event the copied log lacks;
then the passports' credentials registry (credentials.db beside the views), when the ledger has one.
Writes DIR/${MANIFEST_FILE}: the log's head position, the latest signed checkpoint, the ledger's public
key and the SHA-256 of each file. Restore with \`tracelode restore --from DIR --data DIR2\`.

Options:
  --out DIR           where to write; created if missing, refused if not empty
  --store URL         the event store (default: $TRACELODE_STORE, else ${DEFAULT_STORE})
  --integrity PATH    the integrity file (default: $TRACELODE_INTEGRITY, else integrity.db beside the views)
  --signing-key PATH  the checkpoint-signing key, read for its public key only (default:
                      $TRACELODE_SIGNING_KEY, else ledger-signing-key.pem beside the views); the private
                      key is not copied: keep it in your secrets store
  -h, --help          show this help

The views are not copied: restore rebuilds them from the log. On KurrentDB, back up with the server's own
procedure (README, "Backup and restore").`;

interface BackupOptions {
  readonly storeUrl: string;
  readonly storePath: string;
  readonly integrityPath: string;
  /** The passports' status-list registry (credentials.db beside the views); copied when it exists. */
  readonly credentialsPath: string;
  readonly signingKeyPath: string;
  readonly outDir: string;
}

/** `tracelode backup --out DIR`: 0 when written, 2 on a bad option, 1 on failure. */
export function backup(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand(
    'backup',
    BACKUP_HELP,
    () => parseOptions(args, env),
    async (options) => {
      const manifest = await backupLedger(options);
      const checkpoint = manifest.checkpoint
        ? `the checkpoint at tree size ${manifest.checkpoint.treeSize}`
        : 'no signed checkpoint yet';
      console.log(
        `Backed up ${options.storeUrl} to ${options.outDir}: log head ${manifest.store.headPosition} ` +
          `(${manifest.store.bytes} bytes), integrity tree ${manifest.integrity.treeSize}, ${checkpoint}`,
      );
      return 0;
    },
  );
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): BackupOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      store: { type: 'string' },
      integrity: { type: 'string' },
      'signing-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (!values.out) throw new Error('--out DIR is required');
  const storeUrl = (values.store ?? env.TRACELODE_STORE ?? DEFAULT_STORE).trim();
  const storePath = sqliteFileOf(storeUrl);
  if (storePath === undefined || storePath === ':memory:')
    throw new Error(
      `${storeUrl} is not an embedded SQLite store; on KurrentDB use the server's own backup (README, "Backup and restore")`,
    );
  const dataDir = dirname(env.TRACELODE_VIEWS ?? DEFAULT_VIEWS);
  return {
    storeUrl,
    storePath: resolve(storePath),
    integrityPath: resolve(values.integrity ?? env.TRACELODE_INTEGRITY ?? join(dataDir, 'integrity.db')),
    credentialsPath: resolve(join(dataDir, CREDENTIALS_FILE)),
    signingKeyPath: resolve(
      values['signing-key'] ?? env.TRACELODE_SIGNING_KEY ?? join(dataDir, 'ledger-signing-key.pem'),
    ),
    outDir: resolve(values.out),
  };
}

export async function backupLedger(options: BackupOptions): Promise<BackupManifest> {
  for (const [what, path] of [
    ['event store', options.storePath],
    ['integrity file', options.integrityPath],
  ] as const)
    if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`The ${what} ${path} does not exist`);
  if (existsSync(options.outDir) && readdirSync(options.outDir).length > 0)
    throw new Error(`${options.outDir} is not empty; back up into a new directory`);
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });

  // Integrity first: the notary only ever notarises committed events, so the log copied after it holds
  // every event its checkpoints cover.
  const integrityCopy = join(options.outDir, INTEGRITY_FILE);
  const storeCopy = join(options.outDir, STORE_FILE);
  await backupSqliteFile(options.integrityPath, integrityCopy);
  await backupSqliteFile(options.storePath, storeCopy);
  // The credentials registry last: an index it gives a credential issued after the log's copy only names a
  // credential the restored ledger will never be asked about, while one it lacked could be handed out twice.
  const credentialsCopy = join(options.outDir, CREDENTIALS_FILE);
  const hasCredentials = existsSync(options.credentialsPath);
  if (hasCredentials) await backupSqliteFile(options.credentialsPath, credentialsCopy);

  const copiedLog = SqliteEventStore.openReadOnly(storeCopy);
  const headPosition = Number(await copiedLog.headPosition());
  await copiedLog.close();
  const copiedIntegrity = readNotaryRecord(integrityCopy);
  const treeSize = copiedIntegrity.size;
  const checkpoint = copiedIntegrity.checkpoints.at(-1) ?? null;
  copiedIntegrity.close();
  if (treeSize > headPosition)
    throw new Error(`The integrity file's tree (${treeSize}) is beyond the log's head (${headPosition})`);

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: new Date().toISOString(),
    source: options.storeUrl,
    store: { ...described(storeCopy, STORE_FILE), headPosition },
    integrity: { ...described(integrityCopy, INTEGRITY_FILE), treeSize },
    ...(hasCredentials ? { credentials: described(credentialsCopy, CREDENTIALS_FILE) } : {}),
    checkpoint,
    publicKey: publicKeyOf(options.signingKeyPath),
  };
  const temporary = join(options.outDir, `${MANIFEST_FILE}.partial`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  for (const file of [storeCopy, integrityCopy, ...(hasCredentials ? [credentialsCopy] : []), temporary])
    syncFile(file);
  // The manifest appears last and whole: a backup without one was interrupted.
  renameSync(temporary, join(options.outDir, MANIFEST_FILE));
  syncFile(options.outDir);
  return manifest;
}

function described(path: string, file: string): BackedUpFile {
  return { file, bytes: statSync(path).size, sha256: sha256OfFile(path) };
}

function publicKeyOf(signingKeyPath: string): string | null {
  if (!existsSync(signingKeyPath)) return null;
  return publicKeyDocument(createPublicKey(createPrivateKey(readFileSync(signingKeyPath, 'utf8')))).pem;
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
