import type { SignedCheckpoint } from '@tracelode/log';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

export const BACKUP_FORMAT = 'tracelode.backup.v1';
export const MANIFEST_FILE = 'manifest.json';
/** The files of a backup, named as the server names them in its data directory. */
export const STORE_FILE = 'ledger.db';
export const INTEGRITY_FILE = 'integrity.db';
/** The passports' status-list registry (ADR 0032): which index each issued credential holds. */
export const CREDENTIALS_FILE = 'credentials.db';

export interface BackedUpFile {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What `tracelode backup` writes beside the copies, and what `tracelode restore` checks them against. */
export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly createdAt: string;
  /** The store the backup was taken from (its URL; a path). */
  readonly source: string;
  /** The event log: its last position in the copy. */
  readonly store: BackedUpFile & { readonly headPosition: number };
  /** The Merkle log and signed checkpoints: the tree's size in the copy (never beyond the log's head). */
  readonly integrity: BackedUpFile & { readonly treeSize: number };
  /**
   * The credentials registry, when the ledger has issued credentials: which status-list index each holds,
   * which the log cannot rebuild (ADR 0032). Absent in a backup of a ledger that never issued one.
   */
  readonly credentials?: BackedUpFile;
  /** The latest signed checkpoint in the copy (null before the ledger signed its first). */
  readonly checkpoint: SignedCheckpoint | null;
  /** The ledger's checkpoint-signing public key (SPKI PEM), when its key file was readable. */
  readonly publicKey: string | null;
}

/** SHA-256 (hex) of a file, read in 1 MiB chunks. */
export function sha256OfFile(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer))
      hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
