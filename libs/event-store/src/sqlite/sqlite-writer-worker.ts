import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteGroupWriter, toWire } from './sqlite-group-writer';
import type { FromWriter, ToWriter, WriterWorkerData } from './sqlite-writer-protocol';

/**
 * The SQLite store's writer in a worker thread (ADR 0037): the one connection that writes the log, so a
 * group commit's COMMIT and fsync block this thread, not the one answering requests. It writes the groups
 * it is sent, one at a time, and says what became of each append, and whether another connection had
 * committed before it (the store's thread then forgets the stream heads it knows).
 */
const port = parentPort!;
const post = (message: FromWriter) => port.postMessage(message);

function serve({ path, busyTimeoutMs }: WriterWorkerData): void {
  let db: Database.Database;
  let writer: SqliteGroupWriter;
  try {
    db = new Database(path, { fileMustExist: true, timeout: busyTimeoutMs });
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsynced at every commit, so an acknowledged append survives power loss.
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    writer = new SqliteGroupWriter(db);
  } catch (error) {
    post({ type: 'unavailable', message: String(error) });
    port.close();
    return;
  }
  port.on('message', (message: ToWriter) => {
    if (message.type === 'close') {
      db.close();
      port.close();
      return;
    }
    let written: ReturnType<SqliteGroupWriter['write']>;
    try {
      written = writer.write(message.group);
    } catch (error) {
      // The group was rolled back: nothing of it is in the log.
      post({ type: 'failed', message: (error as Error).message });
      return;
    }
    // Committed: whatever fails from here on stops this worker, and the store finds the group in the log.
    post({
      type: 'written',
      outcomes: written.outcomes.map(toWire),
      seconds: written.seconds,
      dataVersion: written.dataVersion,
      othersCommitted: writer.othersCommittedBefore(written),
    });
  });
}

serve(workerData as WriterWorkerData);
