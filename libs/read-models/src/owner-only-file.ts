import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Prepares `path` for an SQLite database only its owner may read (as `ownerOnlyDatabaseFile` of
 * `@tracelode/event-store`, which this library, on the same level, may not import): the directory
 * created 0700 when missing, the file and a `-wal`/`-shm` left by an earlier run 0600; SQLite creates
 * the `-wal` and `-shm` files with the database file's mode.
 */
export function ownerOnlyDatabaseFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}
