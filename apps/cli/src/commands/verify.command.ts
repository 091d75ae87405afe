import { importLedgerKey, type Verdict, verifyAuditBundle } from '@tracelode/integrity';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const VERIFY_HELP = `Usage: tracelode verify <bundle.json> [--public-key FILE] [--json]

Checks an audit bundle (GET /batches/{batchId}/audit-bundle) offline, with no ledger running:
  1. the checkpoint's Ed25519 signature,
  2. every event, in log order: its hash against its content, its link to the previous event of its
     stream (each stream complete from its first event), its RFC 9162 inclusion in the signed tree,
  3. the custody, provenance, carbon and certification views recomputed from the bundle's events alone
     against the views the bundle claims.
Prints a verdict and exits 0 when every check passes, 1 on the first failure (naming the event), 2 on
a usage error.

Options:
  --public-key FILE  the ledger's public key as published (GET /log/public-key: JSON, JWK or PEM).
                     Without it the bundle's own key is used, which proves integrity but not origin.
  --json             print the verdict as JSON`;

/** `tracelode verify`: synchronous work, in the shape every command has. */
export function verify(args: string[]): Promise<number> {
  return Promise.resolve(verifyBundleFile(args));
}

function verifyBundleFile(args: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'public-key': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${VERIFY_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(VERIFY_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`Give exactly one bundle file.\n\n${VERIFY_HELP}`);
    return 2;
  }
  const [file] = positionals as [string];
  let publicKey;
  try {
    publicKey = values['public-key']
      ? importLedgerKey(readFileSync(values['public-key'], 'utf8'))
      : undefined;
  } catch (error) {
    console.error(
      `Cannot read the public key ${values['public-key']}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return 2;
  }
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
    report(verdict, file, values.json === true);
    return 1;
  }
  const verdict = verifyAuditBundle(bundle, publicKey ? { publicKey } : {});
  report(verdict, file, values.json === true);
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
