import { useEffect, useState } from 'react';
import { api, path } from '../api';
import type { Verdict } from '../verify-in-browser';

/**
 * Fetches and compiles the verifier (a chunk of its own, not the first load's) once the page that offers
 * it is idle: the first click then verifies with code already compiled, instead of waiting for Chromium to
 * parse and compile some 260 KB of it (most of a first click's time before). Where the browser has no idle
 * callback (jsdom), nothing is loaded ahead.
 */
export function useVerifierWarmUp() {
  useEffect(() => {
    if (typeof requestIdleCallback !== 'function') return;
    const idle = requestIdleCallback(
      () => void import('../verify-in-browser').then(({ loadVerifier }) => loadVerifier()),
      { timeout: 3000 },
    );
    return () => cancelIdleCallback(idle);
  }, []);
}

/**
 * Verifies a bundle in this browser: the one fetched for `batchId`, or one given (a dropped file). Lists
 * every check passed and names the first failure with its event.
 */
export function VerifyPanel({
  batchId,
  bundle,
}: {
  batchId?: string;
  bundle?: { name: string; content: unknown };
}) {
  const [result, setResult] = useState<
    { verdict: Verdict; milliseconds: number; source: string } | { error: string }
  >();
  const [busy, setBusy] = useState(false);
  useVerifierWarmUp();

  const run = async () => {
    setBusy(true);
    try {
      const [content, key] = await Promise.all([
        bundle ? Promise.resolve(bundle.content) : api<unknown>(`${path('batches', batchId!)}/audit-bundle`),
        api<object>('/log/public-key'),
      ]);
      const { verifyInBrowser } = await import('../verify-in-browser');
      const outcome = await verifyInBrowser(content, key);
      setResult({ ...outcome, source: bundle ? bundle.name : `the ledger's bundle of ${batchId!}` });
    } catch (error) {
      setResult({ error: String(error) });
    } finally {
      setBusy(false);
    }
  };

  const download = async () => {
    const content = await api<unknown>(`${path('batches', batchId!)}/audit-bundle`);
    const url = URL.createObjectURL(new Blob([JSON.stringify(content)], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${batchId!}.audit-bundle.json`;
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div data-testid="verify-panel">
      <button type="button" onClick={() => void run()} disabled={busy}>
        {bundle ? `Verify ${bundle.name}` : 'Verify the audit bundle in this browser'}
      </button>{' '}
      {batchId && (
        <button type="button" onClick={() => void download()}>
          Download the audit bundle
        </button>
      )}
      {busy && <p>Verifying…</p>}
      {result && 'error' in result && (
        <p role="alert" className="error" data-testid="verdict">
          FAILED — {result.error}
        </p>
      )}
      {result && 'verdict' in result && (
        <div>
          <p
            role="status"
            data-testid="verdict"
            data-ok={String(result.verdict.ok)}
            className={result.verdict.ok ? 'ok' : 'error'}
          >
            {result.verdict.ok ? '✔ VERIFIED' : '✘ FAILED'} — {result.source}, in{' '}
            <span data-testid="verify-ms">{result.milliseconds.toFixed(1)}</span> ms
          </p>
          <ul className="checks" data-testid="checks">
            {result.verdict.passed.map((line) => (
              <li key={line} className="pass">
                ✔ {line}
              </li>
            ))}
            {result.verdict.failure && (
              <li className="fail" data-testid="failure">
                ✘ {result.verdict.failure.check}: {result.verdict.failure.message}
                {result.verdict.failure.eventId && (
                  <>
                    {' '}
                    (event <code data-testid="failed-event">{result.verdict.failure.eventId}</code>
                    {result.verdict.failure.position ? ` at position ${result.verdict.failure.position}` : ''}
                    )
                  </>
                )}
              </li>
            )}
          </ul>
          {result.verdict.warnings.length > 0 && (
            <ul>
              {result.verdict.warnings.map((warning) => (
                <li key={warning}>⚠ {warning}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
