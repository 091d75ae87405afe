import { type EventStore, openEventStore } from '@tracelode/event-store';
import { type DocumentProjection, LEDGER_PROJECTIONS, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';

// The same defaults as the API server (apps/api/src/config/ledger-config.ts), so that a bare
// `tracelode rebuild` rebuilds the views the server would use.
const DEFAULT_STORE = 'sqlite:./data/ledger.db';
const DEFAULT_VIEWS = './data/views.db';

/** SQLite's side files: a stale one next to a replaced database would be read as part of it. */
const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;
/**
 * Events applied between two write-outs of the changed documents (ADR 0033): the file is never read before
 * it is complete, so only memory bounds it (each write-out holds every document changed since the last).
 */
const REBUILD_CHUNK_EVENTS = 5_000;
/** Where the new views are built before they replace the target (`<views>.rebuilding`). */
export const REBUILDING_SUFFIX = '.rebuilding';

export const REBUILD_HELP = `Usage: tracelode rebuild [--store URL] [--views PATH]

Replays the whole event log, from position 0, into fresh read models (the views the API serves) and
reports how many events it applied, the final log position and the events/s.

Options:
  --store URL    the event store to read (default: $TRACELODE_STORE, else ${DEFAULT_STORE})
  --views PATH   the read-model file to replace (default: $TRACELODE_VIEWS, else ${DEFAULT_VIEWS})
  -h, --help     show this help

Stop the API server that uses PATH first. A rebuild cannot reliably tell whether a server has the
file open, and a server that does would keep serving — and projecting into — the file it opened.

The views are built in PATH${REBUILDING_SUFFIX} and renamed over PATH only once complete (PATH's stale
-wal/-shm files are removed first), so an interrupted rebuild leaves the old views as they were;
the next rebuild discards a leftover PATH${REBUILDING_SUFFIX}. The server catches up from the
rebuilt views' checkpoint when it starts.`;

/** A problem the operator can fix (bad option, missing or unusable store): reported without a stack. */
export class RebuildError extends Error {
  override readonly name = 'RebuildError';
}

export interface RebuildOptions {
  /** Event store URL, as TRACELODE_STORE takes it (`sqlite:<path>` or a path ending in .db). */
  readonly storeUrl: string;
  /** The read-model file to replace. */
  readonly viewsPath: string;
}

export interface RebuildReport {
  /** The views file written (absolute). */
  readonly viewsPath: string;
  /** Events read from the log and applied. */
  readonly applied: number;
  /** The rebuilt views' checkpoint: the log position of the last event applied (0n for an empty log). */
  readonly position: bigint;
  /** Time spent replaying (opening the store and renaming the file excluded). */
  readonly elapsedMs: number;
}

/** `tracelode rebuild [--store URL] [--views PATH]`: 0 when rebuilt, 2 on a bad option, 1 on failure. */
export function rebuild(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCommand(
    'rebuild',
    REBUILD_HELP,
    () => parseOptions(args, env),
    async (options) => {
      const report = await rebuildViewsFile(options);
      const seconds = report.elapsedMs / 1000;
      const rate = Math.round(report.applied / Math.max(seconds, 0.001));
      console.log(
        `Rebuilt ${report.viewsPath} from ${options.storeUrl}: applied ${report.applied} events up to ` +
          `position ${report.position} in ${seconds.toFixed(2)} s (${rate} events/s)`,
      );
      return 0;
    },
  );
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): RebuildOptions | 'help' {
  let values: { store?: string; views?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        store: { type: 'string' },
        views: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new RebuildError((error as Error).message);
  }
  if (values.help) return 'help';
  const storeUrl = (values.store ?? env.TRACELODE_STORE ?? DEFAULT_STORE).trim();
  const viewsPath = (values.views ?? env.TRACELODE_VIEWS ?? DEFAULT_VIEWS).trim();
  if (storeUrl === '') throw new RebuildError('The event store URL is empty (--store or TRACELODE_STORE)');
  if (viewsPath === '') throw new RebuildError('The views path is empty (--views or TRACELODE_VIEWS)');
  return { storeUrl, viewsPath };
}

/**
 * Rebuilds the views file at `viewsPath` from the whole log: replays into `<viewsPath>.rebuilding`,
 * closes it (which folds its WAL into the file), removes the target's stale side files and renames the
 * new file over the target. The target is untouched unless the rebuild completes.
 */
export async function rebuildViewsFile(
  options: RebuildOptions,
  projections: readonly DocumentProjection<unknown>[] = LEDGER_PROJECTIONS,
): Promise<RebuildReport> {
  const target = resolve(options.viewsPath);
  const temporary = `${target}${REBUILDING_SUFFIX}`;
  const storePath = sqliteStorePath(options.storeUrl);
  if (storePath !== undefined) {
    if (!existsSync(storePath))
      throw new RebuildError(`Event store file ${storePath} does not exist (--store ${options.storeUrl})`);
    if (!statSync(storePath).isFile())
      throw new RebuildError(`Event store path ${storePath} is not a file (--store ${options.storeUrl})`);
    if (storePath === target || storePath === temporary)
      throw new RebuildError(`--views ${options.viewsPath} is the event store itself; choose another file`);
  }

  const store = await openStore(options.storeUrl);
  try {
    removeDatabaseFiles(temporary);
    // Built without a journal on disk or fsyncs (the file is only renamed in once complete and synced).
    const views = ReadModelStore.openForRebuild(temporary);
    let applied: number;
    let position: bigint;
    let elapsedMs: number;
    try {
      const started = performance.now();
      applied = await rebuildViews(store, views, projections, { chunkSize: REBUILD_CHUNK_EVENTS });
      // EPCIS capture jobs are kept beside the views but are not in the log (ADR 0031): carried over.
      views.adoptCaptureJobsFrom(target);
      views.completeRebuild();
      elapsedMs = performance.now() - started;
      position = views.checkpoint();
    } catch (error) {
      views.close();
      removeDatabaseFiles(temporary);
      throw new RebuildError(`Rebuild failed; ${target} was left as it was: ${describe(error)}`, {
        cause: error,
      });
    }
    // Closing the only connection checkpoints the WAL into the file and deletes it, so the file alone
    // holds the views. Should a -wal remain, renaming the file away from it would lose views: refuse.
    views.close();
    if (SIDE_FILES.some((suffix) => existsSync(`${temporary}${suffix}`))) {
      throw new RebuildError(
        `${temporary} still has SQLite side files after closing (is another process using it?); ` +
          `${target} was left as it was`,
      );
    }
    // Stale side files of the old target (a crashed server leaves its -wal) would otherwise be replayed
    // into the new file on the next open. Removed first: a crash between the two steps leaves old views
    // that the server re-projects from their checkpoint, or that the next rebuild replaces.
    for (const suffix of SIDE_FILES) rmSync(`${target}${suffix}`, { force: true });
    syncFile(temporary);
    renameSync(temporary, target);
    syncDirectory(dirname(target));
    return { viewsPath: target, applied, position, elapsedMs };
  } finally {
    await store.close();
  }
}

/** The file a `sqlite:` URL (or a bare `.db` path) names, read the way openEventStore reads it. */
export function sqliteStorePath(url: string): string | undefined {
  const trimmed = url.trim();
  if (trimmed === 'memory:' || trimmed.endsWith(':memory:'))
    throw new RebuildError(
      `Event store "${trimmed}" lives only inside a running server; there is no log to rebuild from`,
    );
  if (trimmed.startsWith('sqlite:')) {
    const path = trimmed.slice('sqlite:'.length).replace(/^\/\//, '');
    return path === '' ? undefined : resolve(path);
  }
  return trimmed.endsWith('.db') ? resolve(trimmed) : undefined;
}

export async function openStore(url: string): Promise<EventStore> {
  try {
    return await openEventStore(url);
  } catch (error) {
    const foreign = /no such table|file is not a database/.test(describe(error));
    throw new RebuildError(
      `Cannot open the event store ${url}: ${describe(error)}` +
        (foreign ? ' (it is not a Tracelode event store)' : ''),
      { cause: error },
    );
  }
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', ...SIDE_FILES]) rmSync(`${path}${suffix}`, { force: true });
}

/** Writes the rebuilt file's pages to disk before it is renamed in (it was written with synchronous=OFF). */
function syncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes the rename durable (best effort: not every platform can fsync a directory). */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // The rename itself has happened; only its durability across power loss is not guaranteed.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
