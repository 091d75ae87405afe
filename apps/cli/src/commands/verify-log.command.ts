import {
  importLedgerKey,
  type LogVerdict,
  readNotaryRecord,
  type SignedCheckpoint,
  verifyLog,
  verifyLogFile,
} from '@tracelode/log';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';
import { openStore, sqliteStorePath } from './rebuild.command';
import { formatCount } from '../support/progress';

const DEFAULT_STORE = 'sqlite:./data/ledger.db';
const DEFAULT_INTEGRITY = './data/integrity.db';

export const VERIFY_LOG_HELP = `Usage: tracelode verify-log [--store URL] [--checkpoint FILE]... [--integrity PATH] [--public-key FILE] [--workers N]

Reads the whole event log and checks it from its first event: positions without gaps, every event's
hash against its content, every stream's hash chain, and the RFC 9162 root recomputed at each given
checkpoint's tree size against the root that checkpoint signed. Exits 0 when all hold, 1 at the first
failure (naming the event), 2 on a usage error.

Options:
  --store URL        the event store (default: $TRACELODE_STORE, else ${DEFAULT_STORE})
  --checkpoint FILE  a signed checkpoint kept earlier (GET /log/checkpoint), or a JSON array of them
                     (GET /log/checkpoints); may be repeated
  --integrity PATH   the ledger's integrity database (default ${DEFAULT_INTEGRITY} when it exists): its
                     checkpoints are checked too, and an event whose hash differs from the one notarised
                     at its position is named
  --public-key FILE  check every checkpoint's signature with this key (GET /log/public-key)
  --workers N        worker threads checking ranges of an SQLite log side by side (default: the
                     machine's cores, at most 4; 0: all on one thread). The verdict is the same.
  --range-events N   events in each range a worker checks at a time, a power of two (default 16384)`;

interface VerifyLogOptions {
  readonly storeUrl: string;
  /** The SQLite file, when the store is one: checked by ranges on worker threads (verifyLogFile). */
  readonly storePath: string | undefined;
  readonly checkpoints: readonly SignedCheckpoint[];
  readonly integrityPath: string | undefined;
  readonly publicKey: KeyObject | undefined;
  readonly workers: number | undefined;
  readonly rangeEvents: number | undefined;
}

export function verifyLogCommand(args: string[]): Promise<number> {
  return runCommand('verify-log', VERIFY_LOG_HELP, () => parseOptions(args), verifyLogOf);
}

function parseOptions(args: string[]): VerifyLogOptions | 'help' {
  const { values } = parseArgs({
    args,
    options: {
      store: { type: 'string' },
      checkpoint: { type: 'string', multiple: true },
      integrity: { type: 'string' },
      'public-key': { type: 'string' },
      workers: { type: 'string' },
      'range-events': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const storeUrl = values.store ?? process.env.TRACELODE_STORE ?? DEFAULT_STORE;
  const storePath = sqliteStorePath(storeUrl);
  if (storePath !== undefined && !existsSync(storePath))
    throw new Error(`event store file ${storePath} does not exist`);
  const checkpoints = (values.checkpoint ?? []).flatMap((file) => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as SignedCheckpoint | SignedCheckpoint[];
    return Array.isArray(parsed) ? parsed : [parsed];
  });
  const keyFile = values['public-key'];
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isSafeInteger(workers) || workers < 0 || workers > 64))
    throw new Error(`--workers takes a whole number from 0 to 64, got ${values.workers}`);
  const rangeText = values['range-events'];
  const rangeEvents = rangeText === undefined ? undefined : Number(rangeText);
  if (
    rangeEvents !== undefined &&
    (!Number.isSafeInteger(rangeEvents) || rangeEvents < 1 || (rangeEvents & (rangeEvents - 1)) !== 0)
  )
    throw new Error(`--range-events takes a power of two, got ${rangeText}`);
  return {
    workers,
    rangeEvents,
    storePath,
    storeUrl,
    checkpoints,
    integrityPath: values.integrity ?? (existsSync(DEFAULT_INTEGRITY) ? DEFAULT_INTEGRITY : undefined),
    publicKey: keyFile ? importLedgerKey(readFileSync(keyFile, 'utf8')) : undefined,
  };
}

async function verifyLogOf(options: VerifyLogOptions): Promise<number> {
  const checkpoints = [...options.checkpoints];
  const { publicKey, storePath } = options;
  const started = performance.now();
  let printed = 0;
  const onProgress = (events: number) => {
    if (Math.floor(events / 100_000) === Math.floor(printed / 100_000)) return;
    printed = events;
    process.stderr.write(`  ${formatCount(Math.floor(events / 100_000) * 100_000)} events checked\n`);
  };
  let verdict: LogVerdict;
  if (storePath !== undefined) {
    // Opened as before, so a file that is no event store is refused the same way; then read by ranges.
    await (await openStore(options.storeUrl)).close();
    const integrity = options.integrityPath ? readNotaryRecord(options.integrityPath) : undefined;
    checkpoints.push(...(integrity?.checkpoints ?? []));
    integrity?.close();
    verdict = await verifyLogFile(storePath, {
      checkpoints,
      ...(publicKey ? { publicKey } : {}),
      ...(options.integrityPath ? { integrityPath: options.integrityPath } : {}),
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.rangeEvents !== undefined ? { rangeEvents: options.rangeEvents } : {}),
      onProgress,
    });
  } else {
    const integrity = options.integrityPath ? readNotaryRecord(options.integrityPath) : undefined;
    checkpoints.push(...(integrity?.checkpoints ?? []));
    const store = await openStore(options.storeUrl);
    try {
      verdict = await verifyLog(store.readAll(1n), {
        checkpoints,
        ...(publicKey ? { publicKey } : {}),
        ...(integrity ? { notarisedHashAt: integrity.notarisedHashAt } : {}),
        onProgress,
      });
    } finally {
      await store.close();
      integrity?.close();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(verdict.events / Math.max(seconds, 1e-9));
  console.log(
    `${formatCount(verdict.events)} events in ${formatCount(verdict.streams)} streams checked in ${seconds.toFixed(1)} s (${formatCount(rate)} events/s); root ${verdict.rootHash}`,
  );
  console.log(
    `Checkpoints matched: ${verdict.checkpointsMatched.length} of ${new Set(checkpoints.map((c) => c.treeSize)).size}`,
  );
  if (verdict.ok) {
    console.log(
      'VERIFIED: every event matches its hash, every stream chains, every checkpoint’s root is recomputed.',
    );
    return 0;
  }
  console.log(`FAILED: ${verdict.failure!.message}`);
  return 1;
}
