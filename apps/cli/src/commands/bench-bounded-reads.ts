import {
  type BatchProduced,
  type BatchRefined,
  type CommandEnvelope,
  commandEnvelopes,
  encodeEvent,
  type LedgerEvent,
  SCHEMA_VERSION,
  toBatchStreamId,
  toCertificateStreamId,
  toOrgStreamId,
  toTransformationStreamId,
  type TransformationRecorded,
} from '@tracelode/domain';
import {
  type EventToAppend,
  InMemoryEventStore,
  SealingEventStore,
  SqliteEventStore,
  type StreamWrite,
} from '@tracelode/event-store';
import { parseSignedRequest, signRequest } from '@tracelode/request-signatures';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HealthProbe } from '../support/health-probe';
import { LedgerProcess } from '../support/ledger-process';

/**
 * The bounded-reads case of `tracelode bench`: a lot assayed 1,000 and 5,000 times, read as of a moment
 * and as an audit bundle. Both are projected from the lot's events, so their cost per event should not
 * grow with the history (it was quadratic: 10.5 s at 2,000 assays).
 */
export interface BoundedReadsBenchResult {
  readonly lots: {
    events: number;
    asOfMs: number;
    asOfUsPerEvent: number;
    bundleMs: number;
    bundleUsPerEvent: number;
    /** The streamed form (NDJSON) of the same bundle. */
    streamedBundleMs: number;
    /** The longest and the 99th-percentile wait of a `/health` probe (its own process) during these reads. */
    healthMaxMs: number;
    healthP99Ms: number;
  }[];
  /** µs per event at the larger lot ÷ at the smaller: about 1 when the cost is linear. */
  readonly asOfGrowth: number;
  readonly bundleGrowth: number;
  /** A bottom batch of a chain of CHAIN_LEVELS transformations, each CHAIN_WIDTH inputs × CHAIN_WIDTH outputs. */
  readonly chain: ChainBenchResult;
}

export interface ChainBenchResult {
  readonly levels: number;
  readonly width: number;
  /** JSON bytes (data and envelope, before sealing) one of its transformations appends. */
  readonly transformationBytes: number;
  /** The same transformation sent signed (RFC 9421): what it stores, the request in every event or once. */
  readonly signedTransformation: SignedTransformationBytes;
  readonly plainGetMs: number;
  readonly asOfMs: number;
  readonly bundleMs: number;
  readonly bundleBytes: number;
}

const CHAIN_LEVELS = 10;
const CHAIN_WIDTH = 100;

const ADMIN_TOKEN = 'bench-bounded-reads-admin-token-01';
const REPEATS = 5;

export interface BoundedReadsLedger {
  /** A lot per entry of `assays`: `LOT-<n>`, mined then assayed n times. */
  readonly lots: readonly string[];
  /** The bottom batches of the transformation chain (`CHAIN-<levels>-<i>`), if one was asked for. */
  readonly chainBottom: readonly string[];
  /** An instant after every event (for `asOf`). */
  readonly asOf: string;
  /** JSON bytes (data and envelope, before sealing) the chain's last transformation appended; 0 without one. */
  readonly transformationBytes: number;
}

const recordedAt = '2026-06-30T00:00:00Z';
const occurredAt = '2026-03-01T00:00:00Z';

function envelope(event: LedgerEvent, orgId = 'mineco'): EventToAppend {
  return {
    eventId: randomUUID(),
    type: event.type,
    data: event.data,
    metadata: {
      commandId: randomUUID(),
      actor: { orgId, keyId: `${orgId}-key`, roles: ['producer'] },
      recordedAt,
      schemaVersion: SCHEMA_VERSION,
    },
  };
}

const mined = (batchId: string): LedgerEvent => ({
  type: 'BatchMined',
  data: {
    batchId,
    orgId: 'mineco',
    facilityId: 'mt-weld',
    material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
    massGrams: 1_000_000,
    extractionEmissionsKgCo2e: 300,
    occurredAt,
  },
});

/**
 * Writes, sealed as the ledger seals every event, the ledger the bounded-reads bench and test read: an
 * organisation with a certified mine, a lot per entry of `assays`, and optionally a chain of `levels`
 * transformations, each consuming the `width` batches of the level above and producing `width` more.
 */
export async function buildBoundedReadsLedger(
  path: string,
  options: { assays: readonly number[]; levels?: number; width?: number },
): Promise<BoundedReadsLedger> {
  const store = new SealingEventStore(SqliteEventStore.open(path));
  try {
    await store.append([
      {
        stream: toOrgStreamId('mineco'),
        expectedRevision: 'no_stream',
        events: [
          {
            type: 'OrganisationRegistered',
            data: { orgId: 'mineco', name: 'Mineco', country: 'AU', roles: ['producer'] },
          },
          {
            type: 'FacilityRegistered',
            data: { orgId: 'mineco', facilityId: 'mt-weld', kind: 'mine', name: 'Mt Weld', country: 'AU' },
          },
        ].map((event) => envelope(event as LedgerEvent)),
      },
      {
        stream: toOrgStreamId('irma'),
        expectedRevision: 'no_stream',
        events: [
          envelope(
            {
              type: 'OrganisationRegistered',
              data: { orgId: 'irma', name: 'IRMA', country: 'DE', roles: ['certifier'] },
            },
            'irma',
          ),
        ],
      },
      {
        stream: toCertificateStreamId('CERT-MINE'),
        expectedRevision: 'no_stream',
        events: [
          envelope(
            {
              type: 'CertificateIssued',
              data: {
                certificateId: 'CERT-MINE',
                certifierOrgId: 'irma',
                scheme: 'IRMA',
                level: '75',
                subject: { type: 'facility', id: 'mt-weld', orgId: 'mineco' },
                validFrom: '2026-01-01T00:00:00Z',
                validUntil: '2027-01-01T00:00:00Z',
                evidence: { sha256: 'cd'.repeat(32), uri: 'https://irma.example/reports/1' },
                occurredAt: '2026-01-01T00:00:00Z',
              },
            },
            'irma',
          ),
        ],
      },
    ]);

    const lots: string[] = [];
    for (const count of options.assays) {
      const batchId = `LOT-${count}`;
      lots.push(batchId);
      const stream = toBatchStreamId(batchId);
      await store.append([{ stream, expectedRevision: 'no_stream', events: [envelope(mined(batchId))] }]);
      for (let first = 0; first < count; first += 500) {
        const events = Array.from({ length: Math.min(500, count - first) }, (_, i) =>
          envelope({
            type: 'BatchAssayed',
            data: {
              batchId,
              assayId: `A-${first + i}`,
              byOrgId: 'mineco',
              lab: 'Site lab',
              method: 'XRF',
              grade: { TREO: 40 + ((first + i) % 5) },
              occurredAt,
            },
          }),
        );
        await store.append([{ stream, expectedRevision: 'any', events }]);
      }
    }

    const { levels = 0, width = 100 } = options;
    let level = Array.from({ length: width }, (_, i) => `CHAIN-0-${i}`);
    let transformationBytes = 0;
    if (levels > 0) {
      await store.append(
        level.map((id) => ({
          stream: toBatchStreamId(id),
          expectedRevision: 'no_stream' as const,
          events: [envelope(mined(id))],
        })),
      );
    }
    for (let depth = 1; depth <= levels; depth++) {
      const outputs = Array.from({ length: width }, (_, i) => `CHAIN-${depth}-${i}`);
      const writes = transformationWrites(`T-${depth}`, level, outputs, (event) => envelope(event));
      await store.append(writes);
      transformationBytes = jsonBytes(writes.flatMap((write) => write.events));
      level = outputs;
    }
    return { lots, chainBottom: levels > 0 ? level : [], asOf: '2026-12-31T00:00:00Z', transformationBytes };
  } finally {
    await store.close();
  }
}

const transformationCommon = (transformationId: string) =>
  ({ transformationId, process: 'solvent_extraction', orgId: 'mineco', facilityId: 'mt-weld' }) as const;
const oxide = () => ({ form: 'oxide', elements: ['Nd', 'Pr'] }) as const;

/**
 * One transformation of `inputs` (1 t each, consumed whole) into `outputs` (1 t each), as the decider
 * appends it (ADR 0021): its declaration, then each batch's own facts, each event in `envelope`.
 */
function transformationWrites(
  transformationId: string,
  inputs: readonly string[],
  outputs: readonly string[],
  envelope: (event: LedgerEvent) => EventToAppend,
): StreamWrite[] {
  const common = transformationCommon(transformationId);
  const allocation = { method: 'mass', share: 1 / outputs.length } as const;
  const recorded: TransformationRecorded = {
    type: 'TransformationRecorded',
    data: {
      ...common,
      inputs: inputs.map((input) => ({ batchId: input, consumedGrams: 1_000_000 })),
      outputs: outputs.map((batchId) => ({ batchId, material: oxide(), massGrams: 1_000_000, allocation })),
      residues: [],
      unaccountedLossGrams: 0,
      processEmissionsKgCo2e: 100,
      occurredAt,
    },
  };
  return [
    {
      stream: toTransformationStreamId(transformationId),
      expectedRevision: 'no_stream' as const,
      events: [envelope(recorded)],
    },
    ...inputs.map((batchId) => ({
      stream: toBatchStreamId(batchId),
      expectedRevision: 'any' as const,
      events: [
        envelope({
          type: 'BatchRefined',
          data: { batchId, ...common, consumedGrams: 1_000_000, remainingGrams: 0, occurredAt },
        } satisfies BatchRefined),
      ],
    })),
    ...outputs.map((batchId) => ({
      stream: toBatchStreamId(batchId),
      expectedRevision: 'no_stream' as const,
      events: [
        envelope({
          type: 'BatchProduced',
          data: { batchId, ...common, material: oxide(), massGrams: 1_000_000, allocation, occurredAt },
        } satisfies BatchProduced),
      ],
    })),
  ];
}

const jsonBytes = (events: readonly { data: unknown; metadata: unknown }[]): number =>
  events.reduce(
    (sum, { data, metadata }) =>
      sum + Buffer.byteLength(JSON.stringify(data)) + Buffer.byteLength(JSON.stringify(metadata)),
    0,
  );

/** What one signed transformation stores: JSON bytes of its events' data and envelopes, sealed (salts, hash). */
export interface SignedTransformationBytes {
  readonly inputs: number;
  readonly outputs: number;
  readonly events: number;
  /** The request body the organisation signed (`POST /transformations`). */
  readonly bodyBytes: number;
  /** Sent unsigned, for scale. */
  readonly unsigned: number;
  /** Signed, the request in every event's envelope (before ADR 0026). */
  readonly requestInEveryEvent: number;
  /** Signed, the request in the first event's envelope only, the others naming it (ADR 0026). */
  readonly requestOnce: number;
}

/**
 * The bytes one transformation of `width` inputs × `width` outputs stores when its organisation signs it:
 * its events sealed as the ledger seals them, in three envelopes — unsigned, the signed request in every
 * event (as the command executor wrote it before ADR 0026), and in the first only (`commandEnvelopes`, as
 * the executor writes it now).
 */
export async function signedTransformationBytes(width: number): Promise<SignedTransformationBytes> {
  const inputs = Array.from({ length: width }, (_, i) => `IN-${i}`);
  const outputs = Array.from({ length: width }, (_, i) => `OUT-${i}`);
  const { facilityId, process } = transformationCommon('T-SIGNED');
  const body = JSON.stringify({
    transformationId: 'T-SIGNED',
    facilityId,
    process,
    occurredAt,
    inputs: inputs.map((batchId) => ({ batchId, consumedKg: 1000 })),
    outputs: outputs.map((batchId) => ({ batchId, material: oxide(), massKg: 1000 })),
    residues: [],
    processEmissionsKgCo2e: 100,
  });
  const { privateKey } = generateKeyPairSync('ed25519');
  const path = '/transformations';
  const headers = signRequest({ method: 'POST', path, body, privateKey, keyId: 'mineco-signing-1' });
  const parsed = parseSignedRequest({ method: 'POST', path, headers, body: Buffer.from(body) });
  if (!parsed.ok) throw new Error(parsed.message);
  const unsigned: CommandEnvelope = {
    commandId: randomUUID(),
    commandType: 'TransformBatches',
    actor: { orgId: 'mineco', keyId: 'mineco-key', roles: ['producer'] },
    recordedAt,
    correlationId: randomUUID(),
  };
  const signed: CommandEnvelope = {
    ...unsigned,
    signedRequest: parsed.signed,
    requestSignature: { keyId: parsed.signed.keyId, alg: parsed.signed.alg, verified: true },
  };
  const stored = async (envelopeFor: (eventId: string) => CommandEnvelope): Promise<number> => {
    const store = new SealingEventStore(new InMemoryEventStore());
    try {
      await store.append(
        transformationWrites('T-SIGNED', inputs, outputs, (event) => {
          const eventId = randomUUID();
          return encodeEvent(event, envelopeFor(eventId), eventId);
        }),
      );
      const events = [];
      for await (const event of store.readAll()) events.push(event);
      return jsonBytes(events);
    } finally {
      await store.close();
    }
  };
  return {
    inputs: width,
    outputs: width,
    events: 2 * width + 1,
    bodyBytes: Buffer.byteLength(body),
    unsigned: await stored(() => unsigned),
    requestInEveryEvent: await stored(() => signed),
    requestOnce: await stored(commandEnvelopes(signed)),
  };
}

/** Until the views and the Merkle log hold every event. */
export async function caughtUp(url: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${url}/health`);
    const health = (await response.json()) as {
      logPosition: string;
      viewsPosition: string;
      treeSize: number;
    };
    if (response.status !== 200) throw new Error(`the ledger is unhealthy: ${JSON.stringify(health)}`);
    if (health.logPosition === health.viewsPosition && String(health.treeSize) === health.logPosition) return;
    await new Promise((done) => setTimeout(done, 100));
  }
}

export async function benchBoundedReads(
  progress: (message: string) => void,
): Promise<BoundedReadsBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-bounded-'));
  try {
    const ledger = await buildBoundedReadsLedger(join(dir, 'ledger.db'), {
      assays: [1000, 5000],
      levels: CHAIN_LEVELS,
      width: CHAIN_WIDTH,
    });
    const server = await LedgerProcess.start({
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
      TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
      TRACELODE_LOG_LEVEL: 'warn',
    });
    try {
      await caughtUp(server.url);
      const lots = [];
      for (const lot of ledger.lots) {
        const events = Number(lot.slice('LOT-'.length)) + 1;
        const probe = await HealthProbe.start(server.url);
        const asOfMs = await medianMs(`${server.url}/batches/${lot}?asOf=${ledger.asOf}`);
        const bundleMs = await medianMs(`${server.url}/batches/${lot}/audit-bundle`);
        const streamedBundleMs = await medianMs(`${server.url}/batches/${lot}/audit-bundle`, NDJSON);
        const health = await probe.stop();
        lots.push({
          events,
          asOfMs: round(asOfMs),
          asOfUsPerEvent: round((asOfMs * 1000) / events),
          bundleMs: round(bundleMs),
          bundleUsPerEvent: round((bundleMs * 1000) / events),
          streamedBundleMs: round(streamedBundleMs),
          healthMaxMs: round(health.maxMs),
          healthP99Ms: round(health.p99Ms),
        });
        progress(
          `bounded reads: ${lot} as of a moment ${round(asOfMs)} ms, bundle ${round(bundleMs)} ms (streamed ${round(streamedBundleMs)} ms); /health waited at most ${round(health.maxMs)} ms`,
        );
      }
      const bottom = ledger.chainBottom[0]!;
      const bundle = await fetch(`${server.url}/batches/${bottom}/audit-bundle`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      const chain: ChainBenchResult = {
        levels: CHAIN_LEVELS,
        width: CHAIN_WIDTH,
        transformationBytes: ledger.transformationBytes,
        signedTransformation: await signedTransformationBytes(CHAIN_WIDTH),
        plainGetMs: round(await medianMs(`${server.url}/batches/${bottom}`)),
        asOfMs: round(await medianMs(`${server.url}/batches/${bottom}?asOf=${ledger.asOf}`)),
        bundleMs: round(await medianMs(`${server.url}/batches/${bottom}/audit-bundle`)),
        bundleBytes: (await bundle.arrayBuffer()).byteLength,
      };
      progress(
        `bounded reads: ${CHAIN_LEVELS}-level ${CHAIN_WIDTH}×${CHAIN_WIDTH} chain ${JSON.stringify(chain)}`,
      );
      const [small, large] = [lots[0]!, lots.at(-1)!];
      return {
        lots,
        asOfGrowth: round(large.asOfUsPerEvent / small.asOfUsPerEvent),
        bundleGrowth: round(large.bundleUsPerEvent / small.bundleUsPerEvent),
        chain,
      };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const NDJSON = 'application/x-ndjson';

async function medianMs(url: string, accept = 'application/json'): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= REPEATS; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    if (i > 0) times.push(performance.now() - started); // the first warms up
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

const round = (value: number, places = 2) => Number(value.toFixed(places));
