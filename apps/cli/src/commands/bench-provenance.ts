import {
  type Actor,
  encodeEvent,
  InMemoryStreams,
  type Issued,
  type LedgerEvent,
  mineBatch,
  registerFacility,
  registerOrganisation,
  type StreamEvents,
  toOrgStreamId,
  transformBatches,
} from '@tracelode/domain';
import { SealingEventStore, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerProcess } from '../support/ledger-process';

/**
 * The provenance read case of `tracelode bench`: a magnet batch with 1,110 ancestors (1,000 mined lots,
 * 100 concentrates, 10 oxides), read over HTTP from the real server on a small ledger and on a large one
 * padded with unrelated batches. Provenance is maintained incrementally, so both should read alike.
 * The ledgers are written through the store port with events the domain's own deciders produce.
 */
export interface ProvenanceBenchResult {
  readonly ancestors: number;
  readonly ledgers: { events: number; buildSec: number; catchUpSec: number; p50Ms: number; p99Ms: number }[];
  readonly ratioP50: number;
  readonly ratioP99: number;
}

const ADMIN_TOKEN = 'bench-provenance-admin-token-0123';
const ORG = 'bench-chain';
/**
 * The chain's maker reads its magnets, as a participant: the read goes through the visibility policy
 * (docs/visibility.md), not the operator's read-everything shortcut.
 */
const READER_KEY = `tl_${ORG}_${'b'.repeat(43)}`;
/** The chain maker's key (a producer), for the explorer's bench and browser suite. */
export const CHAIN_READER_KEY = READER_KEY;
/** The 1,110-ancestor lot and the admin token of a ledger built with `buildChainLedger`. */
export const CHAIN_LOT = 'MAGNET';
export const CHAIN_ADMIN_TOKEN = ADMIN_TOKEN;
const READS = 400;
const WARMUP_READS = 50;
const recordedAt = '2026-06-30T00:00:00Z';
const actor: Actor = { orgId: ORG, keyId: 'bench', roles: ['producer', 'admin'] };

export async function benchProvenance(
  sizes: readonly number[],
  progress: (message: string) => void,
): Promise<ProvenanceBenchResult> {
  const ledgers = [];
  for (const events of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-provenance-'));
    try {
      const built = performance.now();
      const { target, ancestors } = await buildChainLedger(join(dir, 'ledger.db'), events, progress);
      const buildSec = (performance.now() - built) / 1000;
      progress(
        `provenance: ledger of ${events} events written in ${buildSec.toFixed(1)} s; starting the server`,
      );
      const started = performance.now();
      const server = await LedgerProcess.start({
        TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
        TRACELODE_VIEWS: join(dir, 'views.db'),
        TRACELODE_ADMIN_TOKEN: ADMIN_TOKEN,
        TRACELODE_LOG_LEVEL: 'warn',
      });
      try {
        await caughtUp(server.url);
        const catchUpSec = (performance.now() - started) / 1000;
        const latencies = await readProvenance(server.url, target, ancestors);
        ledgers.push({
          events,
          buildSec: round(buildSec),
          catchUpSec: round(catchUpSec),
          ...percentiles(latencies),
        });
        progress(
          `provenance on ${events} events: p50 ${ledgers.at(-1)?.p50Ms} ms, p99 ${ledgers.at(-1)?.p99Ms} ms`,
        );
      } finally {
        await server.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const [small, large] = [ledgers[0], ledgers.at(-1)];
  return {
    ancestors: 1110,
    ledgers,
    ratioP50: round((large?.p50Ms ?? 0) / (small?.p50Ms ?? 1)),
    ratioP99: round((large?.p99Ms ?? 0) / (small?.p99Ms ?? 1)),
  };
}

/** Writes the chain (1,000 mines' lots → 100 concentrates → 10 oxides → 1 magnet lot), then filler batches. */
export async function buildChainLedger(
  path: string,
  totalEvents: number,
  progress: (message: string) => void,
) {
  // Sealed as the ledger seals every event, so the server's notary accepts the log it is started on.
  const store = new SealingEventStore(SqliteEventStore.open(path));
  let written = 0;
  const append = async (writes: StreamWrite[]) => {
    await store.append(writes);
    written += writes.reduce((sum, write) => sum + write.events.length, 0);
  };
  const envelope = (event: LedgerEvent) =>
    encodeEvent(
      event,
      { actor: { orgId: ORG, keyId: 'bench', roles: actor.roles }, recordedAt },
      randomUUID(),
    );

  const streams = new InMemoryStreams();
  const issued = <Command>(command: Command): Issued<Command> => ({
    ...command,
    // A backfill months after its events occurred: no recording window (ADR 0017).
    metadata: { actor, recordedAt, policy: { maxRecordingDelayMs: Number.POSITIVE_INFINITY } },
  });
  const toWrites = (emitted: StreamEvents[]): StreamWrite[] =>
    emitted.map(({ stream, events }) => ({ stream, expectedRevision: 'any', events: events.map(envelope) }));
  const orgEvents = streams.decide(
    registerOrganisation,
    issued({
      type: 'RegisterOrganisation' as const,
      data: {
        orgId: ORG,
        name: 'Bench chain',
        country: 'AU',
        roles: ['producer' as const],
        keyId: 'k',
        keySha256: createHash('sha256').update(READER_KEY).digest('hex'),
      },
    }),
  );
  const facilities = ['mine', 'plant'].flatMap((facilityId) =>
    streams.decide(
      registerFacility,
      issued({
        type: 'RegisterFacility' as const,
        data: {
          orgId: ORG,
          facilityId,
          kind: facilityId === 'mine' ? ('mine' as const) : ('processing_plant' as const),
          name: facilityId,
          country: 'AU',
        },
      }),
    ),
  );
  await append([
    {
      stream: toOrgStreamId(ORG),
      expectedRevision: 'no_stream',
      events: [...orgEvents, ...facilities].flatMap(({ events }) => events.map(envelope)),
    },
  ]);

  const mine = (batchId: string, facilityId: string) =>
    toWrites(
      streams.decide(
        mineBatch,
        issued({
          type: 'MineBatch' as const,
          data: {
            batchId,
            facilityId,
            material: { form: 'concentrate' as const, elements: ['Nd' as const, 'Pr' as const] },
            massGrams: 1_000_000,
            extractionEmissionsKgCo2e: 300,
            occurredAt: '2026-01-01T00:00:00Z',
          },
        }),
      ),
    );
  // Mined lots sit at the plant's site so they can be processed without shipments (the bench reads, it does not ship).
  for (let group = 0; group < 10; group++) {
    await append(Array.from({ length: 100 }, (_, i) => mine(`ORE-${group * 100 + i}`, 'mine')).flat());
  }
  const transform = async (
    transformationId: string,
    inputs: string[],
    output: string,
    massGrams: number,
    facilityId: string,
  ) => {
    const emitted = streams.decide(
      transformBatches,
      issued({
        type: 'TransformBatches' as const,
        data: {
          transformationId,
          facilityId,
          process: 'cracking_leaching' as const,
          occurredAt: '2026-02-01T00:00:00Z',
          inputs: inputs.map((batchId) => ({
            batchId,
            consumedGrams: (streams.stateOf('batches', batchId) as { remainingGrams: number }).remainingGrams,
          })),
          outputs: [
            {
              batchId: output,
              material: { form: 'oxide' as const, elements: ['Nd' as const, 'Pr' as const] },
              massGrams,
            },
          ],
          residues: [],
          processEmissionsKgCo2e: 100,
          allocation: { method: 'mass' as const },
        },
      }),
    );
    const writes = toWrites(emitted);
    await append(writes);
  };
  // Concentrates are made at the mine (beneficiation), everything after at the same site for simplicity.
  for (let c = 0; c < 100; c++) {
    await transform(
      `CONC-T-${c}`,
      Array.from({ length: 10 }, (_, i) => `ORE-${c * 10 + i}`),
      `CONC-${c}`,
      9_000_000,
      'mine',
    );
  }
  for (let o = 0; o < 10; o++) {
    await transform(
      `OX-T-${o}`,
      Array.from({ length: 10 }, (_, i) => `CONC-${o * 10 + i}`),
      `OX-${o}`,
      80_000_000,
      'mine',
    );
  }
  await transform(
    'MAG-T',
    Array.from({ length: 10 }, (_, i) => `OX-${i}`),
    'MAGNET',
    700_000_000,
    'mine',
  );

  // Filler: unrelated mined lots with assays, ten events per stream, appended by 100 concurrent appenders.
  let filler = 0;
  while (written < totalEvents) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < 100 && written + batch.length * 10 < totalEvents; i++) {
      const batchId = `FILL-${filler++}`;
      const [minedWrite] = mine(batchId, 'mine') as [StreamWrite];
      const assays = benchAssays(batchId, 9, ORG).map(envelope);
      streams.forget('batches', batchId); // the filler is never read again: keep memory flat
      batch.push(append([{ ...minedWrite, events: [...minedWrite.events, ...assays] }]));
    }
    await Promise.all(batch);
    if (filler % 10_000 === 0) progress(`provenance: ${written} events written`);
  }
  await store.close();
  return { target: 'MAGNET', ancestors: 1110 };
}

/** A filler lot's assays, as the benches that build big logs append them after its mining. */
export function benchAssays(batchId: string, count: number, byOrgId: string): LedgerEvent[] {
  return Array.from({ length: count }, (_, a) => ({
    type: 'BatchAssayed' as const,
    data: {
      batchId,
      assayId: `A${a}`,
      byOrgId,
      lab: 'Bench lab',
      method: 'XRF',
      grade: { TREO: 40 + a },
      occurredAt: '2026-01-02T00:00:00Z',
    },
  }));
}

export async function caughtUp(url: string): Promise<void> {
  for (;;) {
    const response = await fetch(`${url}/health`);
    const health = (await response.json()) as { logPosition: string; viewsPosition: string };
    if (response.status !== 200) throw new Error(`the ledger is unhealthy: ${JSON.stringify(health)}`);
    if (health.logPosition === health.viewsPosition) return;
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function readProvenance(url: string, batchId: string, ancestors: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < WARMUP_READS + READS; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/batches/${batchId}/provenance`, {
      headers: { authorization: `Bearer ${READER_KEY}` },
    });
    const body = (await response.json()) as { origins?: unknown[] };
    const elapsed = performance.now() - started;
    if (response.status !== 200 || body.origins?.length !== ancestors - 110) {
      throw new Error(`provenance read answered ${response.status} with ${body.origins?.length} origins`);
    }
    if (i >= WARMUP_READS) latencies.push(elapsed);
  }
  return latencies;
}

function percentiles(latencies: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50Ms: round(at(0.5), 2), p99Ms: round(at(0.99), 2) };
}

const round = (value: number, places = 2) => Number(value.toFixed(places));
