import './shims/buffer';
import type { Verdict } from '../../../libs/evidence/src/verify-audit-bundle';

export type { Verdict };

/**
 * Verifies an audit bundle in the browser with the CLI's own verifier (libs/evidence, the checks
 * `tracelode verify` runs), against the ledger's published key when one is given. Loaded on demand, after
 * the Buffer the libraries expect is installed (./shims/buffer).
 */
export async function verifyInBrowser(
  bundle: unknown,
  publishedKey?: object,
): Promise<{ verdict: Verdict; milliseconds: number }> {
  const [{ verifyAuditBundle }, { importLedgerKey }] = await Promise.all([
    import('../../../libs/evidence/src/verify-audit-bundle'),
    import('../../../libs/log/src/checkpoint'),
  ]);
  const started = performance.now();
  const options = publishedKey ? { publicKey: importLedgerKey(publishedKey) } : {};
  const verdict = verifyAuditBundle(bundle, options);
  return { verdict, milliseconds: performance.now() - started };
}
