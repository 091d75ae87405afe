import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Prepares `path` for an SQLite database only its owner may read: the directory is created 0700 when
 * missing (an existing one is left as it is: it may be shared), the file is created empty 0600 (an empty
 * file is an empty database) or narrowed to 0600, and so are a `-wal` and `-shm` left by an earlier run.
 * SQLite creates the `-wal` and `-shm` files with the database file's mode, so they follow it.
 */
export function ownerOnlyDatabaseFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}
