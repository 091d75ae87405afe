import qrcode from 'qrcode-generator';
import { useEffect, useState } from 'react';
import { api, path } from '../api';
import { LoadError, useApi } from '../use-api';

/** What the panel reads of a UNTP DigitalProductPassport (v0.6) as `?format=json` serves it (docs/passports.md). */
interface Passport {
  readonly id: string;
  readonly validFrom: string;
  readonly issuer: { readonly id: string; readonly name?: string };
  readonly credentialStatus?: {
    readonly statusListIndex: string;
    readonly statusListCredential: string;
    readonly statusPurpose: string;
  };
  readonly credentialSubject: {
    readonly materialsProvenance: readonly {
      readonly originCountry: string;
      readonly massFraction: number;
      readonly mass?: { readonly value: number; readonly unit: string };
      readonly recycledMassFraction?: number;
    }[];
    readonly emissionsScorecard: {
      readonly carbonFootprint: number;
      readonly declaredUnit: string;
      readonly operationalScope: string;
      readonly primarySourcedRatio: number;
      readonly embodiedKgCo2e?: number;
    };
    readonly conformityClaim: readonly {
      readonly id: string;
      readonly referenceStandard: {
        readonly name: string;
        readonly issuingParty?: { readonly name?: string };
      };
      readonly conformance: boolean;
      readonly chainOfCustodyModel?: string;
      readonly certifiedShare?: number;
      readonly chainCovered?: boolean;
      readonly gaps?: readonly unknown[];
    }[];
  };
}

interface StatusList {
  readonly credentialSubject: { readonly encodedList: string };
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

/**
 * The lot's UNTP Digital Product Passport (ADR 0032) as the signed-in organisation gets it: its key claims,
 * whether its status bit is set, the signed credential to download, and a QR code of its URL. Loaded on
 * demand with the QR encoder (its own chunk). The passport is issued now: it does not follow the page's
 * moment.
 */
export default function PassportPanel({ batchId }: { batchId: string }) {
  const resource = `${path('batches', batchId)}/passport`;
  const passport = useApi<Passport>(`${resource}?format=json`);
  const [downloadError, setDownloadError] = useState<Error | undefined>();

  // The signed credential, fetched with the key (never in a URL) and saved as a file.
  const download = async () => {
    setDownloadError(undefined);
    try {
      const content = await api<unknown>(resource);
      const url = URL.createObjectURL(new Blob([JSON.stringify(content)], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `${batchId}.passport.json`;
      link.click();
      URL.revokeObjectURL(url);
    } catch (error) {
      setDownloadError(error as Error);
    }
  };

  if (passport.state === 'loading') return <p>Issuing the passport…</p>;
  if (passport.state === 'error') return <LoadError error={passport.error} />;
  const { credentialSubject: subject, credentialStatus } = passport.value;
  const emissions = subject.emissionsScorecard;
  const url = `${location.origin}${resource}`;
  return (
    <div data-testid="passport" className="passport">
      <div>
        <p>
          Issued by <code>{passport.value.issuer.id}</code> at {passport.value.validFrom} ·{' '}
          <code>{passport.value.id}</code>
        </p>
        <p>
          Carbon footprint:{' '}
          <strong data-testid="passport-carbon" data-value={emissions.carbonFootprint}>
            {emissions.carbonFootprint.toLocaleString('en', { maximumFractionDigits: 3 })}
          </strong>{' '}
          kg CO2e per {emissions.declaredUnit === 'KGM' ? 'kg' : emissions.declaredUnit} (
          {emissions.operationalScope}, primary data {percent(emissions.primarySourcedRatio)}
          {emissions.embodiedKgCo2e !== undefined &&
            `; ${emissions.embodiedKgCo2e.toLocaleString('en', { maximumFractionDigits: 1 })} kg CO2e for the lot`}
          )
        </p>
        <table data-testid="passport-origins">
          <caption>Materials provenance</caption>
          <thead>
            <tr>
              <th scope="col">Origin country</th>
              <th scope="col">Mass fraction</th>
              <th scope="col">Mass</th>
              <th scope="col">Recycled</th>
            </tr>
          </thead>
          <tbody>
            {subject.materialsProvenance.map((material) => (
              <tr
                key={material.originCountry}
                data-testid="passport-origin"
                data-country={material.originCountry}
                data-fraction={material.massFraction}
              >
                <td>{material.originCountry}</td>
                <td>{percent(material.massFraction)}</td>
                <td>
                  {material.mass
                    ? `${material.mass.value.toLocaleString('en', { maximumFractionDigits: 3 })} kg`
                    : '—'}
                </td>
                <td>{percent(material.recycledMassFraction ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {subject.conformityClaim.length === 0 ? (
          <p>No conformity claim: no scheme certifies any step.</p>
        ) : (
          <ul data-testid="passport-claims">
            {subject.conformityClaim.map((claim) => (
              <li key={claim.id} data-testid="passport-claim" data-scheme={claim.referenceStandard.name}>
                <strong>{claim.referenceStandard.name}</strong>
                {claim.referenceStandard.issuingParty?.name
                  ? ` (certified by ${claim.referenceStandard.issuingParty.name})`
                  : ''}
                : {claim.conformance ? '✓ conforms' : '✘ does not conform'} ·{' '}
                {claim.chainOfCustodyModel ?? 'model not stated'} · certified share{' '}
                {percent(claim.certifiedShare ?? 0)} ·{' '}
                {claim.chainCovered
                  ? 'whole chain covered'
                  : `${claim.gaps?.length ?? 0} step(s) not covered`}
              </li>
            ))}
          </ul>
        )}
        {credentialStatus ? <CredentialStatus entry={credentialStatus} /> : <p>No status entry.</p>}
        <button type="button" onClick={() => void download()}>
          Download the signed passport
        </button>
        {downloadError && <LoadError error={downloadError} />}
      </div>
      <figure className="qr">
        <QrCode text={url} />
        <figcaption>
          <code data-testid="passport-url">{url}</code>
        </figcaption>
      </figure>
    </div>
  );
}

/**
 * The passport's revocation bit, read from the ledger's status list: fetched from this origin at the
 * entry's path (the entry names the list under TRACELODE_PUBLIC_URL), GZIP-decoded in the browser.
 */
function CredentialStatus({ entry }: { entry: NonNullable<Passport['credentialStatus']> }) {
  const [revoked, setRevoked] = useState<boolean | Error | undefined>();
  useEffect(() => {
    let current = true;
    const list = new URL(entry.statusListCredential).pathname;
    api<StatusList>(`${list}?format=json`)
      .then((credential) =>
        statusBit(credential.credentialSubject.encodedList, Number(entry.statusListIndex)),
      )
      .then(
        (bit) => current && setRevoked(bit),
        (error: unknown) => current && setRevoked(error as Error),
      );
    return () => {
      current = false;
    };
  }, [entry.statusListCredential, entry.statusListIndex]);
  return (
    <p data-testid="passport-status" data-revoked={typeof revoked === 'boolean' ? String(revoked) : ''}>
      Status ({entry.statusPurpose}, index {entry.statusListIndex} of{' '}
      <code>{entry.statusListCredential}</code>): {revoked === undefined && 'checking…'}
      {revoked === true && <strong className="error">revoked</strong>}
      {revoked === false && <strong className="ok">valid (not revoked)</strong>}
      {revoked instanceof Error && <span className="error">could not be checked: {revoked.message}</span>}
    </p>
  );
}

/** Bitstring Status List v1.0: multibase base64url (`u`), GZIP; index 0 is the first byte's top bit. */
async function statusBit(encodedList: string, index: number): Promise<boolean> {
  if (!encodedList.startsWith('u')) throw new Error('the list is not multibase base64url');
  const base64 = encodedList.slice(1).replace(/-/g, '+').replace(/_/g, '/');
  const packed = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (char) =>
    char.charCodeAt(0),
  );
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  if (!Number.isInteger(index) || index < 0 || index >= bytes.length * 8)
    throw new Error(`index ${index} is outside the list`);
  return (bytes[index >> 3]! & (0x80 >> (index & 7))) !== 0;
}

/** A QR code (error correction M, smallest version that fits) drawn as one SVG path of its dark modules. */
function QrCode({ text }: { text: string }) {
  const code = qrcode(0, 'M');
  code.addData(text);
  code.make();
  const count = code.getModuleCount();
  const quiet = 4;
  let d = '';
  for (let row = 0; row < count; row++)
    for (let col = 0; col < count; col++)
      if (code.isDark(row, col)) d += `M${col + quiet},${row + quiet}h1v1h-1z`;
  const size = count + 2 * quiet;
  return (
    <svg
      data-testid="passport-qr"
      data-modules={count}
      role="img"
      aria-label={`QR code of ${text}`}
      viewBox={`0 0 ${size} ${size}`}
      width={size * 4}
      height={size * 4}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
