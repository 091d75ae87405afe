import { type FormEvent, useState } from 'react';
import { batchHref } from '../router';
import { LoadError, useApi } from '../use-api';
import { listPath, NO_FILTERS, nextPage, previousPage } from '../views/batch-list-query';

const STATUSES = ['in_custody', 'in_transit', 'held', 'consumed', 'exported', 'left_custody', 'undisclosed'];
const FORMS = ['ore', 'concentrate', 'mixed_compound', 'oxide', 'metal', 'alloy', 'magnet', 'residue'];

interface Row {
  readonly batchId: string;
  readonly status: string;
  readonly custodian: { readonly orgId: string; readonly facilityId: string } | null;
  readonly massKg: number;
  readonly material: { readonly form: string };
  readonly visibility?: string;
}

/** `GET /batches`: the batches the organisation may see, filtered, a page at a time. */
export function BatchList() {
  const [filters, setFilters] = useState(NO_FILTERS);
  const [applied, setApplied] = useState(filters);
  const [cursors, setCursors] = useState<readonly string[]>([]);
  const page = useApi<{ batches: Row[]; next: string | null }>(listPath(applied, cursors));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(filters);
    setCursors([]);
  };
  const set = (name: keyof typeof filters) => (event: { target: { value: string } }) =>
    setFilters({ ...filters, [name]: event.target.value });
  return (
    <>
      <h1>Batches</h1>
      <form className="filters" onSubmit={submit} aria-label="Filter batches">
        <label>
          Search (batch id starts with)
          <input type="search" value={filters.q} onChange={set('q')} />
        </label>
        <label>
          Status
          <select value={filters.status} onChange={set('status')}>
            <option value="">any</option>
            {STATUSES.map((status) => (
              <option key={status}>{status}</option>
            ))}
          </select>
        </label>
        <label>
          Material form
          <select value={filters.form} onChange={set('form')}>
            <option value="">any</option>
            {FORMS.map((form) => (
              <option key={form}>{form}</option>
            ))}
          </select>
        </label>
        <label>
          Custodian (organisation id)
          <input value={filters.custodian} onChange={set('custodian')} />
        </label>
        <button type="submit">Apply</button>
      </form>
      {page.state === 'loading' && <p>Loading…</p>}
      {page.state === 'error' && <LoadError error={page.error} />}
      {page.state === 'ready' && (
        <>
          <table>
            <caption className="sr-only">Batches you may see</caption>
            <thead>
              <tr>
                <th scope="col">Batch</th>
                <th scope="col">Status</th>
                <th scope="col">Form</th>
                <th scope="col">Mass (kg)</th>
                <th scope="col">Custodian</th>
                <th scope="col">You see</th>
              </tr>
            </thead>
            <tbody>
              {page.value.batches.map((row) => (
                <tr key={row.batchId}>
                  <td>
                    <a href={batchHref(row.batchId)}>{row.batchId}</a>
                  </td>
                  <td>{row.status}</td>
                  <td>{row.material.form}</td>
                  <td>{row.massKg.toLocaleString('en')}</td>
                  <td>{row.custodian ? `${row.custodian.orgId} / ${row.custodian.facilityId}` : '—'}</td>
                  <td>{row.visibility ?? 'full'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.value.batches.length === 0 && <p>No batches you may see match.</p>}
          <p>
            <button
              type="button"
              disabled={cursors.length === 0}
              onClick={() => setCursors(previousPage(cursors))}
            >
              Previous page
            </button>{' '}
            <button
              type="button"
              disabled={page.value.next === null}
              onClick={() => setCursors(nextPage(cursors, page.value.next))}
            >
              Next page
            </button>
          </p>
        </>
      )}
    </>
  );
}
