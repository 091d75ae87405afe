import { type FormEvent, lazy, Suspense, useState } from 'react';
import { momentQuery, path, type Whoami } from '../api';
import { BarChart } from '../components/Charts';
import { type GraphData, ProvenanceGraph } from '../components/ProvenanceGraph';
import { VerifyPanel } from '../components/VerifyPanel';
import { batchHref, licenceHref } from '../router';
import { type Loaded, LoadError, useApi } from '../use-api';
import { carbonRows, type Origin, originsByCountry, originsByMine } from '../views/chart-rows';
import {
  committedAt,
  isSigned,
  localInputValue,
  type PickedMoment,
  pickedInstant,
  placeOf,
  type TimelineEntry,
  whatHappened,
  whoActed,
} from '../views/timeline';

// The passport panel and its QR encoder load on demand: a chunk of their own, not the first load's.
const PassportPanel = lazy(() => import('../components/PassportPanel'));

interface Custody {
  readonly batchId: string;
  readonly status: string;
  readonly held: boolean;
  readonly heldVia: string | null;
  readonly custodian: { orgId: string; facilityId: string } | null;
  readonly massKg: number;
  readonly remainingMassKg: number | null;
  readonly material: { form: string; elements?: string[] };
  readonly timeline: readonly TimelineEntry[];
  readonly visibility?: string;
}
interface Provenance {
  readonly batchId: string;
  readonly parents: readonly { batchId: string; consumedKg: number; transformationId: string }[];
  readonly depth: number;
  readonly origins: readonly Origin[];
}
interface Carbon {
  readonly embodiedKgCo2e: number;
  readonly intensityKgCo2ePerKg: number;
  readonly breakdown: readonly {
    transformationId: string | null;
    process: string;
    facilityId: string;
    kgCo2e: number;
  }[];
}
interface Certification {
  readonly schemes: readonly {
    scheme: string;
    chainCovered: boolean;
    certifiedShare: number;
    chainOfCustodyModel: string;
    certificates: readonly { certificateId: string; status: string }[];
    gaps: readonly {
      step: string;
      batchId: string;
      orgId: string;
      facilityId: string;
      occurredAt: string;
      reason: string;
    }[];
  }[];
}
interface HoldImpact {
  readonly descendants: readonly {
    batchId: string;
    custodian?: { orgId: string; facilityId: string } | null;
    status?: string;
  }[];
}

/** A batch's page: custody, provenance, origins, carbon, certification, licences and exports, holds. */
export function BatchPage({ batchId, me }: { batchId: string; me: Whoami }) {
  const [asOf, setAsOf] = useState<string | undefined>();
  const [picked, setPicked] = useState<PickedMoment>({ text: '' });
  const moment = momentQuery(asOf);
  const base = path('batches', batchId);
  const custody = useApi<Custody>(`${base}${moment}`);
  // The graph is asked for first, beside the lot's own views: the slowest to draw, and needing nothing else.
  const graph = useApi<GraphData>(`${base}/provenance/graph${moment}`);
  const provenance = useApi<Provenance>(`${base}/provenance${moment}`);
  const carbon = useApi<Carbon>(`${base}/carbon${moment}`);
  const certification = useApi<Certification>(`${base}/certification${moment}`);
  // The lot's stored events: each one's commit time (`recordedAt`), from which `asOf` counts it, and the
  // signature its command carried.
  const events = useApi<{ eventId: string; recordedAt: string; metadata?: Record<string, unknown> }[]>(
    `${base}/events`,
  );
  const regulator =
    me.roles.includes('regulator') || me.roles.includes('auditor') || me.roles.includes('admin');
  const impact = useApi<HoldImpact>(regulator ? `${path('holds', batchId)}/impact${moment}` : undefined);

  const pick = (event: FormEvent) => {
    event.preventDefault();
    setAsOf(pickedInstant(picked));
  };
  /**
   * Shows the page as of the commit of one of its events (an instant): that event, those before it, and any
   * other committed in the same group commit (one instant for the group).
   */
  const asOfCommit = (instant: string) => {
    setPicked({ text: localInputValue(instant), instant });
    setAsOf(instant);
  };

  if (custody.state === 'error') return <LoadError error={custody.error} />;
  if (custody.state === 'loading') return <p>Loading {batchId}…</p>;
  const view = custody.value;
  const eventsById = new Map(
    events.state === 'ready' ? events.value.map((event) => [event.eventId, event]) : [],
  );
  const exports = view.timeline.filter((entry) => entry.type === 'BatchExported');

  return (
    <>
      <h1>
        Batch <span data-testid="batch-id">{view.batchId}</span>
      </h1>
      <p>
        {view.material.form}
        {view.material.elements ? ` (${view.material.elements.join(', ')})` : ''} ·{' '}
        {view.massKg.toLocaleString('en')} kg · status{' '}
        <strong data-testid="batch-status">{view.status}</strong>
        {view.held ? ' (held)' : ''}
        {view.heldVia ? ` — held via ${view.heldVia}` : ''} · custodian{' '}
        {view.custodian ? `${view.custodian.orgId} / ${view.custodian.facilityId}` : 'not disclosed'} · you
        see: {view.visibility ?? 'full'}
      </p>
      <form onSubmit={pick} aria-label="Moment" className="filters">
        <label>
          As the ledger knew it at (your local time; an event counts from its Committed time, a few
          milliseconds after its Recorded one)
          <input
            type="datetime-local"
            step={0.001}
            value={picked.text}
            onChange={(event) => setPicked({ text: event.target.value })}
            data-testid="as-of"
          />
        </label>
        <button type="submit">Show as of then</button>
        <button type="button" onClick={() => (setPicked({ text: '' }), setAsOf(undefined))}>
          Now
        </button>
        <span data-testid="moment">{asOf ? `As of ${asOf}` : 'Now'}</span>
      </form>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Custody timeline</h2>
        <table data-testid="timeline">
          <thead>
            <tr>
              <th scope="col">What</th>
              <th scope="col">Occurred</th>
              <th scope="col">Recorded</th>
              <th scope="col">Committed</th>
              <th scope="col">Who</th>
              <th scope="col">Where</th>
              <th scope="col">Signed</th>
            </tr>
          </thead>
          <tbody>
            {view.timeline.map((entry) => (
              <tr
                key={entry.eventId}
                data-testid="timeline-entry"
                data-type={entry.type}
                data-event-id={entry.eventId}
              >
                <td>{whatHappened(entry)}</td>
                <td>{entry.occurredAt}</td>
                <td>
                  {entry.recordedAt}
                  {entry.late && <span className="badge"> late</span>}
                </td>
                <CommittedCell at={committedAt(entry, eventsById)} showAsOf={asOfCommit} />
                <td>{whoActed(entry)}</td>
                <td>{placeOf(entry)}</td>
                <td>{isSigned(entry, eventsById) && <span className="badge">signed request</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="graph-title">
        <h2 id="graph-title">Provenance</h2>
        {provenance.state === 'error' && <LoadError error={provenance.error} />}
        {/* The last lot's views stay ready for a render after a link to another: not drawn for it. The
            graph is drawn as soon as its own answer is in, not after the origin mix's. */}
        <ProvenanceSection
          batchId={batchId}
          provenance={
            provenance.state === 'ready' && provenance.value.batchId === batchId
              ? provenance.value
              : undefined
          }
          moment={moment}
          graph={graph}
        />
      </section>

      <section aria-labelledby="carbon-title">
        <h2 id="carbon-title">Carbon</h2>
        {carbon.state === 'error' && <LoadError error={carbon.error} />}
        {carbon.state === 'ready' && (
          <>
            <p>
              Embodied:{' '}
              <strong data-testid="carbon-total" data-value={carbon.value.embodiedKgCo2e}>
                {carbon.value.embodiedKgCo2e.toLocaleString('en', { maximumFractionDigits: 1 })}
              </strong>{' '}
              kg CO2e ({carbon.value.intensityKgCo2ePerKg.toFixed(2)} kg CO2e/kg)
            </p>
            <BarChart
              title="Carbon by step (kg CO2e)"
              unit="kg CO2e"
              testId="carbon-chart"
              rows={carbonRows(carbon.value.breakdown)}
            />
          </>
        )}
      </section>

      <section aria-labelledby="certification-title">
        <h2 id="certification-title">Certification</h2>
        {certification.state === 'error' && <LoadError error={certification.error} />}
        {certification.state === 'ready' && certification.value.schemes.length === 0 && (
          <p>No scheme certifies any step.</p>
        )}
        {certification.state === 'ready' &&
          certification.value.schemes.map((scheme) => (
            <div key={scheme.scheme} data-testid="scheme">
              <h3>{scheme.scheme}</h3>
              <p>
                {scheme.chainCovered ? '✓ whole chain covered' : '⚠ chain not covered'} · certified share{' '}
                {(scheme.certifiedShare * 100).toFixed(1)} % · {scheme.chainOfCustodyModel} ·{' '}
                {scheme.certificates.length} certificate(s)
              </p>
              {scheme.gaps.length > 0 && (
                <table>
                  <caption>Gaps (marked on the graph)</caption>
                  <thead>
                    <tr>
                      <th scope="col">Step</th>
                      <th scope="col">Batch</th>
                      <th scope="col">Where</th>
                      <th scope="col">Occurred</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {scheme.gaps.map((gap) => (
                      <tr key={`${gap.step}-${gap.batchId}-${gap.occurredAt}`}>
                        <td>⚠ {gap.step}</td>
                        <td>
                          <a href={batchHref(gap.batchId)}>{gap.batchId}</a>
                        </td>
                        <td>
                          {gap.orgId} / {gap.facilityId}
                        </td>
                        <td>{gap.occurredAt}</td>
                        <td>{gap.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
      </section>

      <section aria-labelledby="exports-title">
        <h2 id="exports-title">Licences and exports</h2>
        {exports.length === 0 ? (
          <p>No export of this lot.</p>
        ) : (
          <ul>
            {exports.map((entry) => (
              <li key={entry.eventId}>
                Export {text(entry.details.exportId, 'withheld')} to{' '}
                {text(entry.details.destinationCountry, '?')} on {entry.occurredAt}
                {typeof entry.details.licenceId === 'string' && (
                  <>
                    {' '}
                    under licence <a href={licenceHref(entry.details.licenceId)}>{entry.details.licenceId}</a>
                  </>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      {regulator && (
        <section aria-labelledby="impact-title">
          <h2 id="impact-title">Hold impact</h2>
          {impact.state === 'error' && <LoadError error={impact.error} />}
          {impact.state === 'ready' &&
            (impact.value.descendants.length === 0 ? (
              <p>Nothing was made from this lot.</p>
            ) : (
              <ul data-testid="hold-impact">
                {impact.value.descendants.map((descendant) => (
                  <li key={descendant.batchId}>
                    <a href={batchHref(descendant.batchId)}>{descendant.batchId}</a> —{' '}
                    {descendant.status ?? ''}{' '}
                    {descendant.custodian
                      ? `at ${descendant.custodian.orgId} / ${descendant.custodian.facilityId}`
                      : ''}
                  </li>
                ))}
              </ul>
            ))}
        </section>
      )}

      <section aria-labelledby="passport-title">
        <h2 id="passport-title">Product passport</h2>
        <p>
          The UNTP Digital Product Passport the ledger issues for this lot to you, now (not as of the moment
          above): what a buyer's system verifies without a key to this ledger.
        </p>
        <Suspense fallback={<p>Loading the passport panel…</p>}>
          <PassportPanel batchId={batchId} />
        </Suspense>
      </section>

      <section aria-labelledby="verify-title">
        <h2 id="verify-title">Verify in the browser</h2>
        <VerifyPanel batchId={batchId} />
      </section>
    </>
  );
}

/** When the entry's event was committed, and a button that shows the page as of then; empty if unknown. */
function CommittedCell({ at, showAsOf }: { at: string | undefined; showAsOf: (instant: string) => void }) {
  if (at === undefined) return <td />;
  return (
    <td>
      <span data-testid="committed-at">{at}</span>{' '}
      <button
        type="button"
        data-testid="as-of-commit"
        title="Show the page as the ledger knew it when this event was committed"
        onClick={() => showAsOf(at)}
      >
        as of this
      </button>
    </td>
  );
}

const text = (value: unknown, otherwise: string): string => (typeof value === 'string' ? value : otherwise);

/**
 * The graph from the batch back to its mines, in one request (`/provenance/graph`), then the origin mix
 * charts; what the lot went into is asked for only when the reader wants it.
 */
function ProvenanceSection({
  batchId,
  provenance,
  moment,
  graph,
}: {
  batchId: string;
  /** Undefined until the lot's provenance (its origin mix) is in. */
  provenance: Provenance | undefined;
  moment: string;
  graph: Loaded<GraphData>;
}) {
  const [downstream, setDownstream] = useState(false);
  const descendants = useApi<GraphData>(
    downstream
      ? `${path('batches', batchId, 'provenance', 'graph')}${moment === '' ? '?' : `${moment}&`}direction=descendants`
      : undefined,
  );

  return (
    <>
      {graph.state === 'loading' && <p>Loading the provenance graph…</p>}
      {graph.state === 'error' && <LoadError error={graph.error} />}
      {graph.state === 'ready' && graph.value.batchId === batchId && (
        <ProvenanceGraph graph={graph.value} label="Provenance graph" />
      )}
      <p>
        {!downstream ? (
          <button type="button" onClick={() => setDownstream(true)}>
            Show what this lot went into (descendants)
          </button>
        ) : (
          <button type="button" onClick={() => setDownstream(false)}>
            Hide descendants
          </button>
        )}
      </p>
      {downstream && descendants.state === 'loading' && <p>Loading the descendants…</p>}
      {downstream && descendants.state === 'error' && <LoadError error={descendants.error} />}
      {downstream &&
        descendants.state === 'ready' &&
        (descendants.value.nodes.length <= 1 ? (
          <p data-testid="no-descendants">No descendant of this lot that you may see.</p>
        ) : (
          <ProvenanceGraph graph={descendants.value} label="Descendants graph" />
        ))}
      {provenance && (
        <div className="charts">
          <BarChart
            title="Origin mix by mine"
            unit="%"
            rows={originsByMine(provenance.origins)}
            testId="origins-by-mine"
          />
          <BarChart
            title="Origin mix by country"
            unit="%"
            rows={originsByCountry(provenance.origins)}
            testId="origins-by-country"
          />
        </div>
      )}
    </>
  );
}
