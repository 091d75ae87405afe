import { path } from '../api';
import { batchHref } from '../router';
import { LoadError, useApi } from '../use-api';

interface Licence {
  readonly licenceId: string;
  readonly holderOrgId: string;
  readonly authorityOrgId: string;
  readonly status: string;
  readonly quantityKg: number;
  readonly drawnKg: number;
  readonly remainingKg: number;
  readonly validFrom: string;
  readonly validUntil: string;
  readonly exports: readonly {
    exportId: string;
    batchId: string;
    massKg: number;
    destinationCountry: string;
    occurredAt: string;
  }[];
}

export function LicencePage({ licenceId }: { licenceId: string }) {
  const licence = useApi<Licence>(path('licences', licenceId));
  if (licence.state === 'loading') return <p>Loading…</p>;
  if (licence.state === 'error') return <LoadError error={licence.error} />;
  const view = licence.value;
  return (
    <>
      <h1>Licence {view.licenceId}</h1>
      <p>
        {view.status} · held by {view.holderOrgId} · granted by {view.authorityOrgId} · {view.drawnKg} of{' '}
        {view.quantityKg} kg drawn ({view.remainingKg} kg left) · valid {view.validFrom} to {view.validUntil}
      </p>
      <h2>Exports</h2>
      <ul>
        {view.exports.map((entry) => (
          <li key={entry.exportId}>
            {entry.exportId}: <a href={batchHref(entry.batchId)}>{entry.batchId}</a>, {entry.massKg} kg to{' '}
            {entry.destinationCountry} on {entry.occurredAt}
          </li>
        ))}
      </ul>
    </>
  );
}
