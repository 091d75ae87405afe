import {
  isAuditBundleStreamHeader,
  type Verdict,
  verifyAuditBundle,
  verifyAuditBundleStream,
} from '@tracelode/evidence';
import { importLedgerKey } from '@tracelode/log';
import { createReadStream, readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';

export const VERIFY_HELP = `Usage: tracelode verify <bundle.json | bundle.ndjson> [--public-key FILE] [--json]

Checks an audit bundle (GET /batches/{batchId}/audit-bundle) offline, with no ledger running, in either
form: one JSON document, or the streamed form (Accept: application/x-ndjson), told apart by its first
line and read line by line:
  1. the checkpoint's Ed25519 signature,
  2. every event, in log order: its hash against its content, its link to the previous event of its
     stream (each stream complete from its first event), its RFC 9162 inclusion in the signed tree,
  3. each stream's last event as the ledger signed it (no stream cut short or left out),
  4. every command its organisation signed (RFC 9421), against the key the bundle shows it registered,
  5. the custody, provenance, carbon and certification views recomputed from the bundle's events alone
     against the views the bundle claims.
Prints a verdict and exits 0 when every check passes, 1 on the first failure (naming the event), 2 on
a usage error.

Options:
  --public-key FILE  the ledger's public key as published (GET /log/public-key: JSON, JWK or PEM).
                     Without it the bundle's own key is used, which proves integrity but not origin.
  --json             print the verdict as JSON`;

interface VerifyOptions {
  readonly file: string;
  readonly publicKey: KeyObject | undefined;
  readonly json: boolean;
}

export function verify(args: string[]): Promise<number> {
  return runCommand('verify', VERIFY_HELP, () => parseOptions(args), verifyBundleFile);
}

function parseOptions(args: string[]): VerifyOptions | 'help' {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'public-key': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new Error('give exactly one bundle file');
  const keyFile = values['public-key'];
  let publicKey: KeyObject | undefined;
  try {
    publicKey = keyFile ? importLedgerKey(readFileSync(keyFile, 'utf8')) : undefined;
  } catch (error) {
    throw new Error(
      `cannot read the public key ${keyFile}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { file: positionals[0]!, publicKey, json: values.json === true };
}

async function verifyBundleFile({ file, publicKey, json }: VerifyOptions): Promise<number> {
  const keyOption = publicKey ? { publicKey } : {};
  let verdict: Verdict;
  try {
    if (isAuditBundleStreamHeader(await firstLine(file))) {
      const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
      verdict = await verifyAuditBundleStream(lines, keyOption);
    } else {
      verdict = verifyAuditBundle(JSON.parse(readFileSync(file, 'utf8')), keyOption);
    }
  } catch (error) {
    verdict = {
      ok: false,
      passed: [],
      warnings: [],
      failure: {
        check: 'bundle',
        message: `${file} is not a readable JSON or NDJSON file: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
  }
  report(verdict, file, json);
  return verdict.ok ? 0 : 1;
}

/** The file's first line (at most its first 64 KiB: a streamed bundle's header is far shorter). */
async function firstLine(file: string): Promise<string> {
  const stream = createReadStream(file, { encoding: 'utf8', start: 0, end: 64 * 1024 - 1 });
  let text = '';
  for await (const chunk of stream) {
    text += chunk as string;
    const newline = text.indexOf('\n');
    if (newline >= 0) {
      stream.destroy();
      return text.slice(0, newline);
    }
  }
  return text;
}

function report(verdict: Verdict, file: string, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(verdict, null, 2));
    return;
  }
  console.log(`Audit bundle ${file}`);
  for (const line of verdict.passed) console.log(`  ✔ ${line}`);
  for (const warning of verdict.warnings) console.log(`  ! ${warning}`);
  if (verdict.ok) {
    console.log(
      'VERIFIED: the history in this bundle is complete from each stream’s start, untampered, and in the signed log.',
    );
    return;
  }
  const failure = verdict.failure!;
  console.log(`  ✘ ${failure.check}: ${failure.message}`);
  console.log(
    failure.eventId ? `FAILED at event ${failure.eventId} (position ${failure.position ?? '?'}).` : 'FAILED.',
  );
}
