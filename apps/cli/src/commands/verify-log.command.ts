import { importLedgerKey, readNotaryRecord, type SignedCheckpoint, verifyLog } from '@tracelode/log';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';
import { openStore, sqliteStorePath } from './rebuild.command';
import { formatCount } from '../support/progress';

const DEFAULT_STORE = 'sqlite:./data/ledger.db';
const DEFAULT_INTEGRITY = './data/integrity.db';

export const VERIFY_LOG_HELP = `Usage: tracelode verify-log [--store URL] [--checkpoint FILE]... [--integrity PATH] [--public-key FILE]

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
  --public-key FILE  check every checkpoint's signature with this key (GET /log/public-key)`;

interface VerifyLogOptions {
  readonly storeUrl: string;
  readonly checkpoints: readonly SignedCheckpoint[];
  readonly integrityPath: string | undefined;
  readonly publicKey: KeyObject | undefined;
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
  return {
    storeUrl,
    checkpoints,
    integrityPath: values.integrity ?? (existsSync(DEFAULT_INTEGRITY) ? DEFAULT_INTEGRITY : undefined),
    publicKey: keyFile ? importLedgerKey(readFileSync(keyFile, 'utf8')) : undefined,
  };
}

async function verifyLogOf(options: VerifyLogOptions): Promise<number> {
  const integrity = options.integrityPath ? readNotaryRecord(options.integrityPath) : undefined;
  const checkpoints = [...options.checkpoints, ...(integrity?.checkpoints ?? [])];
  const { publicKey } = options;
  const store = await openStore(options.storeUrl);
  const started = performance.now();
  try {
    const verdict = await verifyLog(store.readAll(1n), {
      checkpoints,
      ...(publicKey ? { publicKey } : {}),
      ...(integrity ? { notarisedHashAt: integrity.notarisedHashAt } : {}),
      onProgress: (events) => {
        if (events % 100_000 === 0) process.stderr.write(`  ${formatCount(events)} events checked\n`);
      },
    });
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
  } finally {
    await store.close();
    integrity?.close();
  }
}
