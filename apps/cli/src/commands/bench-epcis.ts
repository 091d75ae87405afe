import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerProcess } from '../support/ledger-process';

/**
 * The EPCIS case of `tracelode bench` (issue 16): the real, built server on a fresh SQLite ledger, filled
 * through `POST /epcis/capture` alone with documents of 100 events in rollback mode (each document one
 * atomic append): a miner's documents commission and ship lots, its customer's receive them, a regulator's
 * hold some. The capture rate is events per second over all of them, one client sending one document at a
 * time. Then, on the ledger of `targetEvents` events, the latency of representative `GET /epcis/events`
 * queries (each asked `QUERY_REPEATS` times, after one unmeasured warm-up).
 */
export interface EpcisBenchResult {
  readonly ledgerEvents: number;
  readonly capture: {
    readonly documents: number;
    readonly eventsPerDocument: number;
    readonly errorBehaviour: 'rollback';
    readonly epcisEvents: number;
    readonly eventsPerSec: number;
    readonly documentP50Ms: number;
    readonly documentP99Ms: number;
    readonly failedDocuments: number;
  };
  readonly queries: readonly {
    readonly name: string;
    readonly query: string;
    readonly reader: string;
    readonly events: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
  }[];
}

const ADMIN_TOKEN = 'bench-epcis-admin-token-0123456789';
const BASE = 'https://bench.ledger.example';
const PER_DOCUMENT = 100;
const QUERY_REPEATS = 50;
const CONTEXT = [
  'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
  { tl: `${BASE}/epcis/vocab/` },
];

const lot = (batchId: string) => `${BASE}/batches/${batchId}`;
const facility = (orgId: string, facilityId: string) => `${BASE}/orgs/${orgId}/facilities/${facilityId}`;
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1) + minutes * 60_000).toISOString();

const mining = (batchId: string, minute: number) => ({
  type: 'ObjectEvent',
  action: 'ADD',
  bizStep: 'commissioning',
  disposition: 'active',
  eventTime: at(minute),
  eventTimeZoneOffset: '+00:00',
  quantityList: [{ epcClass: lot(batchId), quantity: 1000.5, uom: 'KGM' }],
  bizLocation: { id: facility('epcis-miner', 'mine') },
  ilmd: { 'tl:form': 'concentrate', 'tl:elements': ['Nd', 'Pr'], 'tl:grade': { TREO: 40 } },
  'tl:extractionEmissionsKgCo2e': 320,
});
const shipping = (batchId: string, minute: number) => ({
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  eventTime: at(minute),
  eventTimeZoneOffset: '+00:00',
  quantityList: [{ epcClass: lot(batchId), quantity: 1000.5, uom: 'KGM' }],
  readPoint: { id: facility('epcis-miner', 'mine') },
  bizTransactionList: [{ type: 'desadv', bizTransaction: `${BASE}/shipments/S-${batchId}` }],
  sourceList: [{ type: 'location', source: facility('epcis-miner', 'mine') }],
  destinationList: [
    { type: 'owning_party', destination: `${BASE}/orgs/epcis-refiner` },
    { type: 'location', destination: facility('epcis-refiner', 'plant') },
  ],
});
const receiving = (batchId: string, minute: number) => ({
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'receiving',
  disposition: 'in_progress',
  eventTime: at(minute),
  eventTimeZoneOffset: '+00:00',
  quantityList: [{ epcClass: lot(batchId), quantity: 1000, uom: 'KGM' }],
  readPoint: { id: facility('epcis-refiner', 'plant') },
  bizLocation: { id: facility('epcis-refiner', 'plant') },
  bizTransactionList: [{ type: 'desadv', bizTransaction: `${BASE}/shipments/S-${batchId}` }],
});
const holding = (batchId: string, minute: number) => ({
  type: 'ObjectEvent',
  action: 'OBSERVE',
  bizStep: 'holding',
  eventTime: at(minute),
  eventTimeZoneOffset: '+00:00',
  quantityList: [{ epcClass: lot(batchId) }],
  persistentDisposition: { set: ['non_sellable_other'] },
  'tl:reason': 'Radioactivity declaration under review',
});

const document = (eventList: unknown[]) => ({
  '@context': CONTEXT,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-06-01T00:00:00Z',
  epcisBody: { eventList },
});

async function call<T>(
  url: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/ld+json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function benchEpcis(
  targetEvents: number,
  progress: (line: string) => void,
): Promise<EpcisBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-epcis-'));
  const server = await LedgerProcess.start({
    TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
    TRACELODE_VIEWS: join(dir, 'views.db'),
    TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
    TRACELODE_PUBLIC_URL: BASE,
    TRACELODE_LOG_LEVEL: 'warn',
  });
  try {
    const { url } = server;
    const register = async (orgId: string, country: string, roles: string[], facilityId?: string) => {
      const org = await call<{ apiKey: string }>(url, 'POST', '/orgs', ADMIN_TOKEN, {
        orgId,
        name: orgId,
        country,
        roles,
      });
      if (org.status !== 201) throw new Error(`registering ${orgId}: ${JSON.stringify(org.body)}`);
      if (facilityId) {
        const kind = facilityId === 'mine' ? 'mine' : 'processing_plant';
        const reply = await call(url, 'POST', `/orgs/${orgId}/facilities`, org.body.apiKey, {
          facilityId,
          kind,
          name: facilityId,
          country,
        });
        if (reply.status !== 201) throw new Error(`facility ${facilityId}: ${JSON.stringify(reply.body)}`);
      }
      return org.body.apiKey;
    };
    const miner = await register('epcis-miner', 'AU', ['producer'], 'mine');
    const refiner = await register('epcis-refiner', 'MY', ['producer'], 'plant');
    // The received lots are in Malaysia: a Malaysian regulator holds some.
    const regulator = await register('epcis-regulator', 'MY', ['regulator']);
    const stranger = await register('epcis-stranger', 'CA', ['producer'], 'mine');

    // Each round: 100 lots mined and shipped (two documents of the miner), received (one of the refiner),
    // so three documents and three hundred events a round; then held, a document of the regulator's.
    const latencies: number[] = [];
    let epcisEvents = 0;
    let failedDocuments = 0;
    let captureMs = 0;
    const capture = async (token: string, events: unknown[]) => {
      const started = performance.now();
      const reply = await call<{ success: boolean; errors: unknown[] }>(
        url,
        'POST',
        '/epcis/capture',
        token,
        document(events),
      );
      const took = performance.now() - started;
      captureMs += took;
      latencies.push(took);
      epcisEvents += events.length;
      if (reply.status !== 202 || !reply.body.success) {
        failedDocuments += 1;
        if (failedDocuments <= 3) progress(`capture failed: ${reply.status} ${JSON.stringify(reply.body)}`);
      }
    };
    const rounds = Math.ceil(targetEvents / (3 * PER_DOCUMENT));
    const half = PER_DOCUMENT / 2;
    for (let round = 0; round < rounds; round++) {
      const ids = Array.from({ length: PER_DOCUMENT }, (_, i) => `L${round}-${i}`);
      const minute = round * 10;
      for (const part of [ids.slice(0, half), ids.slice(half)]) {
        await capture(miner, [
          ...part.map((id) => mining(id, minute)),
          ...part.map((id) => shipping(id, minute + 1)),
        ]);
      }
      await capture(
        refiner,
        ids.map((id) => receiving(id, minute + 5)),
      );
      if (round % 50 === 0) progress(`epcis: ${epcisEvents} events captured (${round + 1}/${rounds} rounds)`);
    }
    await capture(
      regulator,
      Array.from({ length: PER_DOCUMENT }, (_, i) => holding(`L0-${i}`, rounds * 10 + 1)),
    );
    // The queries read the views: wait until they reflect the whole log.
    let ledgerEvents = 0;
    for (;;) {
      const health = await call<{ logPosition: string; viewsPosition: string }>(
        url,
        'GET',
        '/health',
        ADMIN_TOKEN,
      );
      ledgerEvents = Number(health.body.logPosition);
      if (health.body.viewsPosition === health.body.logPosition) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    progress(
      `epcis: ${epcisEvents} events in ${latencies.length} documents, ${Math.round((epcisEvents / captureMs) * 1000)} events/s; ledger of ${ledgerEvents} events`,
    );

    const middle = Math.floor(rounds / 2);
    const queries: { name: string; reader: [string, string]; query: string }[] = [
      {
        name: 'one lot (MATCH_anyEPCClass)',
        reader: ['miner', miner],
        query: `MATCH_anyEPCClass=${encodeURIComponent(lot(`L${middle}-7`))}`,
      },
      {
        name: 'receipts at a facility, a page of 100',
        reader: ['refiner', refiner],
        query: `eventType=ObjectEvent&EQ_bizStep=receiving&EQ_bizLocation=${encodeURIComponent(facility('epcis-refiner', 'plant'))}&perPage=100`,
      },
      {
        name: 'an hour of event time, a page of 30',
        reader: ['miner', miner],
        query: `GE_eventTime=${encodeURIComponent(at(middle * 10))}&LT_eventTime=${encodeURIComponent(at(middle * 10 + 60))}`,
      },
      {
        name: 'held lots (EQ_persistentDisposition_set)',
        reader: ['regulator', regulator],
        query: 'EQ_persistentDisposition_set=non_sellable_other&perPage=100',
      },
      {
        name: 'a stranger’s shipments (sees none: bounded rows per request)',
        reader: ['stranger', stranger],
        query: 'EQ_bizStep=shipping&perPage=100',
      },
    ];
    const measured: EpcisBenchResult['queries'][number][] = [];
    for (const { name, reader, query } of queries) {
      const path = `/epcis/events?${query}`;
      const first = await call<{
        epcisBody?: { queryResults?: { resultsBody?: { eventList?: unknown[] } } };
      }>(url, 'GET', path, reader[1]);
      if (first.status !== 200)
        throw new Error(`${path} answered ${first.status}: ${JSON.stringify(first.body)}`);
      const times: number[] = [];
      for (let i = 0; i < QUERY_REPEATS; i++) {
        const started = performance.now();
        const reply = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${reader[1]}` } });
        await reply.arrayBuffer();
        times.push(performance.now() - started);
      }
      const { p50Ms, p99Ms } = percentiles(times);
      const events = first.body.epcisBody?.queryResults?.resultsBody?.eventList?.length ?? 0;
      measured.push({ name, query, reader: reader[0], events, p50Ms, p99Ms });
      progress(`epcis query ${name}: ${events} events, p50 ${p50Ms} ms, p99 ${p99Ms} ms`);
    }
    const document100 = percentiles(latencies);
    return {
      ledgerEvents,
      capture: {
        documents: latencies.length,
        eventsPerDocument: PER_DOCUMENT,
        errorBehaviour: 'rollback',
        epcisEvents,
        eventsPerSec: Math.round((epcisEvents / captureMs) * 1000),
        documentP50Ms: document100.p50Ms,
        documentP99Ms: document100.p99Ms,
        failedDocuments,
      },
      queries: measured,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50Ms: Math.round(at(0.5) * 100) / 100, p99Ms: Math.round(at(0.99) * 100) / 100 };
}
