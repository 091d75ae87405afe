import { type Verdict, verifyAuditBundle } from '@tracelode/evidence';
import { importLedgerKey } from '@tracelode/log';
import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runCommand } from '../support/command';

export const VERIFY_HELP = `Usage: tracelode verify <bundle.json> [--public-key FILE] [--json]

Checks an audit bundle (GET /batches/{batchId}/audit-bundle) offline, with no ledger running:
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
  return runCommand(
    'verify',
    VERIFY_HELP,
    () => parseOptions(args),
    (options) => Promise.resolve(verifyBundleFile(options)),
  );
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

function verifyBundleFile({ file, publicKey, json }: VerifyOptions): number {
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const verdict: Verdict = {
      ok: false,
      passed: [],
      warnings: [],
      failure: {
        check: 'bundle',
        message: `${file} is not a readable JSON file: ${error instanceof Error ? error.message : String(error)}`,
      },
    };
    report(verdict, file, json);
    return 1;
  }
  const verdict = verifyAuditBundle(bundle, publicKey ? { publicKey } : {});
  report(verdict, file, json);
  return verdict.ok ? 0 : 1;
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
