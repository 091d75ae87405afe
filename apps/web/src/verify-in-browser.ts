import './shims/buffer';
import type { Verdict } from '../../../libs/evidence/src/verify-audit-bundle';

export type { Verdict };

let verifier:
  | Promise<
      readonly [
        typeof import('../../../libs/evidence/src/verify-audit-bundle'),
        typeof import('../../../libs/log/src/checkpoint'),
      ]
    >
  | undefined;

/**
 * The verifier's modules (the CLI's own, libs/evidence and libs/log), fetched and compiled once, and its
 * crypto's known-answer tests passed (shims/node-crypto.ts `selfTest`): the panel asks for them when its
 * page is idle (`useVerifierWarmUp`), so a click runs code already compiled (their chunks carry V8's compile
 * hint, vite.config.mts), and again on a click, which then waits for nothing. A failed self-test fails
 * every verification in the page, naming the primitive.
 */
export function loadVerifier() {
  verifier ??= Promise.all([
    import('../../../libs/evidence/src/verify-audit-bundle'),
    import('../../../libs/log/src/checkpoint'),
    // The module the libraries' node:crypto resolves to (vite.config.mts): its known-answer tests first.
    import('./shims/node-crypto'),
  ]).then(([evidence, checkpoint, crypto]) => {
    crypto.selfTest();
    return [evidence, checkpoint] as const;
  });
  return verifier;
}

/**
 * Verifies an audit bundle in the browser with the CLI's own verifier (libs/evidence, the checks
 * `tracelode verify` runs), against the ledger's published key when one is given. Loaded on demand, after
 * the Buffer the libraries expect is installed (./shims/buffer).
 */
export async function verifyInBrowser(
  bundle: unknown,
  publishedKey?: object,
): Promise<{ verdict: Verdict; milliseconds: number }> {
  const [{ verifyAuditBundle }, { importLedgerKey }] = await loadVerifier();
  const started = performance.now();
  const options = publishedKey ? { publicKey: importLedgerKey(publishedKey) } : {};
  const verdict = verifyAuditBundle(bundle, options);
  return { verdict, milliseconds: performance.now() - started };
}
