import Database from 'better-sqlite3';

/**
 * Copies a SQLite database (the event log, the notary's integrity file) to `destination` while another
 * process may be writing it, with SQLite's online backup API (better-sqlite3's `db.backup()`), then makes
 * the copy one self-contained file (`journal_mode=DELETE`: no -wal beside it to lose). The copy reads from
 * a read-only connection and transfers every page in one step, i.e. from one WAL snapshot: consistent, and
 * never restarted by the writer's commits (SQLite restarts a page-by-page backup when another connection
 * writes the source between steps). A file copy of a WAL database would be neither (ADR 0028).
 */
export async function backupSqliteFile(source: string, destination: string): Promise<void> {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(destination, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(destination, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}
