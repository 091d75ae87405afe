import { type ChangeEvent, type DragEvent, useState } from 'react';
import { useVerifierWarmUp, VerifyPanel } from '../components/VerifyPanel';

/** Drop (or choose) any audit bundle file and verify it here, with the CLI's own checks. */
export function VerifyPage() {
  const [bundle, setBundle] = useState<{ name: string; content: unknown } | { error: string }>();
  // Loaded while the reader picks a file, not after.
  useVerifierWarmUp();
  const read = async (file: File | undefined) => {
    if (!file) return;
    try {
      setBundle({ name: file.name, content: JSON.parse(await file.text()) as unknown });
    } catch (error) {
      setBundle({ error: `${file.name} is not a JSON audit bundle: ${String(error)}` });
    }
  };
  return (
    <>
      <h1>Verify an audit bundle</h1>
      <div
        className="dropzone"
        onDragOver={(event: DragEvent) => event.preventDefault()}
        onDrop={(event: DragEvent) => {
          event.preventDefault();
          void read(event.dataTransfer.files[0]);
        }}
        style={{ border: '2px dashed #57606a', padding: '1.5rem' }}
      >
        <label htmlFor="bundle-file">Drop a bundle file here, or choose one: </label>
        <input
          id="bundle-file"
          type="file"
          accept="application/json,.json"
          onChange={(event: ChangeEvent<HTMLInputElement>) => void read(event.target.files?.[0])}
        />
      </div>
      {bundle && 'error' in bundle && (
        <p role="alert" className="error">
          {bundle.error}
        </p>
      )}
      {bundle && 'content' in bundle && (
        <VerifyPanel key={bundle.name + String(Math.random())} bundle={bundle} />
      )}
      <p>
        The checks are those of <code>tracelode verify</code>, run in this browser against the ledger's
        published key (<code>/log/public-key</code>).
      </p>
    </>
  );
}
