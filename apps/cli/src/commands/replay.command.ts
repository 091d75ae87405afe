import { type EventStore, positionAt } from '@tracelode/event-store';
import { type DocumentProjection, LEDGER_PROJECTIONS, rebuildViews } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';
import { ProgressBar, type ProgressOutput } from '../support/progress';
import { openStore, sqliteStorePath } from './rebuild.command';
import {
  type CollectionCounts,
  compareCodePoints,
  diffViewDocuments,
  type ViewDifference,
} from './replay-diff';

// The same defaults as the API server and `tracelode rebuild`.
const DEFAULT_STORE = 'sqlite:./data/ledger.db';
const DEFAULT_VIEWS = './data/views.db';

/** What replay writes into --out: the replayed views and the differences from the live ones. */
export const REPLAY_VIEWS = 'views.db';
export const REPLAY_DIFF = 'diff.json';
export const REPLAY_DIFF_FORMAT = 'tracelode.replay-diff.v1';

export const REPLAY_HELP = `Usage: tracelode replay --to <position|time|head> --out DIR [--force] [--store URL] [--views PATH]

Rebuilds the views as they stood at one point of the log's history into DIR/${REPLAY_VIEWS}, then compares
them document by document with the live views and writes every difference to DIR/${REPLAY_DIFF}.
Differences are a finding, not a failure: the exit code is 0 whether or not there are any.

Options:
  --to TARGET    where to stop, inclusive: a log position (410), an ISO 8601 time with a zone
                 (2026-03-01T12:00:00Z, or a date alone for 00:00Z; the log as committed at that
                 instant), or head (the live views' checkpoint, which must replay to no differences)
  --out DIR      where to write; created if missing, refused if not empty unless --force
  --force        write into a non-empty DIR (replacing its ${REPLAY_VIEWS} and ${REPLAY_DIFF} only)
  --store URL    the event store to read (default: $TRACELODE_STORE, else ${DEFAULT_STORE})
  --views PATH   the live read-model file (default: $TRACELODE_VIEWS, else ${DEFAULT_VIEWS})
  -h, --help     show this help

The live views are opened read-only and the store is only read, so replay can run beside a server; should
the server move the live views on meanwhile, diff.json's liveCheckpoint says where they were compared.`;

/** A bad command line: exit code 2, with the usage. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A problem the operator can fix (missing file, refused directory, target beyond the log): exit code 1. */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
}

/** Where to stop: a log position, an instant (resolved with positionAt), or the live views' checkpoint. */
export type ReplayTarget =
  | { readonly kind: 'position'; readonly position: bigint }
  | { readonly kind: 'time'; readonly time: Date }
  | { readonly kind: 'head' };

export interface ReplayOptions {
  readonly storeUrl: string;
  readonly viewsPath: string;
  readonly to: ReplayTarget;
  readonly outDir: string;
  readonly force: boolean;
}

export interface ReplayReport {
  readonly outDir: string;
  /** The last log position replayed. */
  readonly position: bigint;
  /** The live views' checkpoint when they were compared. */
  readonly liveCheckpoint: bigint;
  readonly applied: number;
  readonly elapsedMs: number;
  readonly collections: ReadonlyMap<string, CollectionCounts>;
  readonly differences: number;
}

/** `tracelode replay --to … --out …`: 0 when replayed and compared, 2 on a bad option, 1 on failure. */
export function replay(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  progress: ProgressOutput = process.stderr,
): Promise<number> {
  return runCommand(
    'replay',
    REPLAY_HELP,
    () => parseOptions(args, env),
    async (options) => {
      console.log(summarise(await replayAndDiff(options, LEDGER_PROJECTIONS, progress)));
      return 0;
    },
  );
}

function parseOptions(args: string[], env: NodeJS.ProcessEnv): ReplayOptions | 'help' {
  let values: { to?: string; out?: string; force?: boolean; store?: string; views?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: {
        to: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        store: { type: 'string' },
        views: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.to === undefined)
    throw new UsageError('--to is required (a position, an ISO 8601 time or head)');
  if (values.out === undefined || values.out.trim() === '') throw new UsageError('--out DIR is required');
  const storeUrl = (values.store ?? env.TRACELODE_STORE ?? DEFAULT_STORE).trim();
  const viewsPath = (values.views ?? env.TRACELODE_VIEWS ?? DEFAULT_VIEWS).trim();
  if (storeUrl === '') throw new UsageError('The event store URL is empty (--store or TRACELODE_STORE)');
  if (viewsPath === '') throw new UsageError('The views path is empty (--views or TRACELODE_VIEWS)');
  return {
    storeUrl,
    viewsPath,
    to: parseTarget(values.to),
    outDir: values.out.trim(),
    force: values.force ?? false,
  };
}

// A date, or a date and time with seconds optional and a zone required: a time without one would be read
// in the machine's zone, and the same command would replay to different positions on different machines.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

export function parseTarget(text: string): ReplayTarget {
  const to = text.trim();
  if (to === 'head') return { kind: 'head' };
  if (/^\d+$/.test(to)) return { kind: 'position', position: BigInt(to) };
  const time = new Date(to);
  if (ISO_TIME.test(to) && !Number.isNaN(time.getTime())) return { kind: 'time', time };
  throw new UsageError(
    `--to "${text}" is neither a log position, an ISO 8601 time with a zone (2026-03-01T12:00:00Z) nor head`,
  );
}

/**
 * Replays the log up to the target into `<outDir>/views.db`, compares the result with the live views and
 * writes `<outDir>/diff.json`. The live views file is only read and the store only read.
 */
export async function replayAndDiff(
  options: ReplayOptions,
  projections: readonly DocumentProjection<unknown>[] = LEDGER_PROJECTIONS,
  progress: ProgressOutput = process.stderr,
): Promise<ReplayReport> {
  const outDir = resolve(options.outDir);
  const scratchPath = join(outDir, REPLAY_VIEWS);
  const diffPath = join(outDir, REPLAY_DIFF);
  const livePath = resolve(options.viewsPath);
  const storePath = sqliteStorePath(options.storeUrl);
  if (storePath !== undefined && !(existsSync(storePath) && statSync(storePath).isFile()))
    throw new ReplayError(`Event store file ${storePath} does not exist (--store ${options.storeUrl})`);
  if (!existsSync(livePath) || !statSync(livePath).isFile())
    throw new ReplayError(`Live views file ${livePath} does not exist (--views ${options.viewsPath})`);
  if ([livePath, storePath].includes(scratchPath))
    throw new ReplayError(
      `--out ${options.outDir} would overwrite ${scratchPath}, which the ledger uses; choose another directory`,
    );
  checkOutDir(outDir, options.force);

  let live: ReadModelStore;
  try {
    live = ReadModelStore.openReadOnly(livePath);
  } catch (error) {
    throw new ReplayError(`Cannot read the live views ${livePath}: ${describe(error)}`, { cause: error });
  }
  let store: EventStore | undefined;
  try {
    store = await openStore(options.storeUrl);
    const position = await resolveTarget(options.to, store, live);

    mkdirSync(outDir, { recursive: true });
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${scratchPath}${suffix}`, { force: true });
    rmSync(diffPath, { force: true });
    const scratch = ReadModelStore.open(scratchPath);
    try {
      const bar = new ProgressBar('replay', { output: progress });
      const applied = await rebuildViews(store, scratch, projections, {
        to: position,
        onProgress: (done, total) => bar.update(done, total),
      });
      const elapsedMs = bar.finish(applied);
      const { liveCheckpoint, collections, differences } = writeDiff(
        diffPath,
        scratch,
        live,
        {
          store: options.storeUrl,
          liveViews: livePath,
          replayViews: scratchPath,
          to: describeTarget(options.to, position),
          replayedEvents: applied,
        },
        projections.map((projection) => projection.collection),
      );
      return { outDir, position, liveCheckpoint, applied, elapsedMs, collections, differences };
    } finally {
      scratch.close();
    }
  } finally {
    live.close();
    await store?.close();
  }
}

function checkOutDir(outDir: string, force: boolean): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new ReplayError(`--out ${outDir} exists and is not a directory`);
  if (!force && readdirSync(outDir).length > 0)
    throw new ReplayError(`--out ${outDir} is not empty; choose an empty directory or pass --force`);
}

async function resolveTarget(target: ReplayTarget, store: EventStore, live: ReadModelStore): Promise<bigint> {
  const head = await store.headPosition();
  const position =
    target.kind === 'head'
      ? live.checkpoint()
      : target.kind === 'time'
        ? await positionAt(store, target.time)
        : target.position;
  if (position > head)
    throw new ReplayError(
      target.kind === 'head'
        ? `The live views' checkpoint ${position} is beyond the log's head ${head}: they belong to another log`
        : `Position ${position} is beyond the log's head ${head}`,
    );
  return position;
}

function describeTarget(target: ReplayTarget, position: bigint): Record<string, unknown> {
  if (target.kind === 'time') return { requested: target.time.toISOString(), position: Number(position) };
  return { requested: target.kind === 'head' ? 'head' : String(target.position), position: Number(position) };
}

/** Bytes gathered before a write to diff.json, which can hold every document of a large ledger. */
const WRITE_CHUNK = 1 << 16;

/**
 * Streams diff.json: the header, then one difference per line as the two snapshots are walked, then
 * the counts (known only at the end, hence last). Nothing is held in memory but the current documents.
 */
function writeDiff(
  path: string,
  replayed: ReadModelStore,
  live: ReadModelStore,
  header: Record<string, unknown>,
  projected: readonly string[],
): { liveCheckpoint: bigint; collections: Map<string, CollectionCounts>; differences: number } {
  const fd = openSync(path, 'wx');
  let pending = '';
  const write = (text: string) => {
    pending += text;
    if (pending.length >= WRITE_CHUNK) {
      writeSync(fd, pending);
      pending = '';
    }
  };
  try {
    return live.snapshot((liveCheckpoint, liveDocuments) =>
      replayed.snapshot((_replayCheckpoint, replayDocuments) => {
        write(`{\n  "format": ${JSON.stringify(REPLAY_DIFF_FORMAT)},\n`);
        for (const [name, value] of Object.entries({ ...header, liveCheckpoint: Number(liveCheckpoint) }))
          write(`  ${JSON.stringify(name)}: ${JSON.stringify(value)},\n`);
        write('  "differences": [');
        let differences = 0;
        const found = (difference: ViewDifference) => {
          write(`${differences === 0 ? '' : ','}\n    ${JSON.stringify(difference)}`);
          differences += 1;
        };
        const collections = diffViewDocuments(replayDocuments, liveDocuments, found);
        // Every projected collection is listed, so an empty one reads as 0 rather than as missing.
        for (const collection of projected)
          if (!collections.has(collection))
            collections.set(collection, { replay: 0, live: 0, onlyInReplay: 0, onlyInLive: 0, changed: 0 });
        const sorted = new Map([...collections].sort(([a], [b]) => compareCodePoints(a, b)));
        write(`${differences === 0 ? '' : '\n  '}],\n`);
        write(`  "differenceCount": ${differences},\n`);
        write(
          `  "collections": ${JSON.stringify(Object.fromEntries(sorted), null, 2).replace(/\n/g, '\n  ')}\n}\n`,
        );
        writeSync(fd, pending);
        pending = '';
        return { liveCheckpoint, collections: sorted, differences };
      }),
    );
  } finally {
    closeSync(fd);
  }
}

function summarise(report: ReplayReport): string {
  const seconds = (report.elapsedMs / 1000).toFixed(2);
  const lines = [
    `Replayed ${report.applied} events up to position ${report.position} into ${join(report.outDir, REPLAY_VIEWS)} ` +
      `in ${seconds} s; live views at position ${report.liveCheckpoint}`,
  ];
  if (report.differences === 0) {
    lines.push(`No differences from the live views (${join(report.outDir, REPLAY_DIFF)})`);
    return lines.join('\n');
  }
  lines.push(
    `${report.differences} documents differ from the live views; details in ${join(report.outDir, REPLAY_DIFF)}`,
  );
  for (const [collection, counts] of report.collections) {
    const parts = [
      counts.changed > 0 ? `${counts.changed} changed` : '',
      counts.onlyInReplay > 0 ? `${counts.onlyInReplay} only in the replay` : '',
      counts.onlyInLive > 0 ? `${counts.onlyInLive} only in the live views` : '',
    ].filter((part) => part !== '');
    if (parts.length > 0) lines.push(`  ${collection}: ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
