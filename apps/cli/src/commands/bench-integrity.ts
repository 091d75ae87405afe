import {
  eventHashV1,
  type EventToAppend,
  newEventId,
  type Sealer,
  SealingEventStore,
  sealV2,
  SqliteEventStore,
  type StreamWrite,
} from '@tracelode/event-store';
import { type AuditBundle, verifyAuditBundle } from '@tracelode/evidence';
import { CheckpointSigner, LogNotary, readNotaryRecord, verifyLog, verifyLogFile } from '@tracelode/log';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { LedgerProcess } from '../support/ledger-process';

const CLI_MAIN = resolve(__dirname, '../main.js');
const EVENTS_PER_APPEND = 50;
const APPENDERS = 16;

export interface LogVerificationFigures {
  readonly events: number;
  readonly buildSec: number;
  /** The notary's rate: events hash-checked and added to the Merkle log (with its SQLite writes). */
  readonly notariseEventsPerSec: number;
  /**
   * `verifyLogFile` (what `tracelode verify-log` runs on an SQLite log) from the first event: hashes,
   * chains, notarised hashes, Merkle root against a signed checkpoint, by ranges on worker threads.
   */
  readonly verifyEventsPerSec: number;
  readonly verifyWorkers: number;
  /** The same checks by the single-threaded `verifyLog` reading the store's log, in the same run: the before. */
  readonly sequentialVerifyEventsPerSec: number;
  readonly ratioParallelToSequential: number;
  /** Reading the same log without checking anything, in the same run: the floor verification stands on. */
  readonly readEventsPerSec: number;
  readonly ratioVerifyToRead: number;
  readonly verified: boolean;
}

/**
 * Verification rate of a sealed log of `events` events: written through the sealing store (the shapes of
 * batch events and their envelopes), notarised with a signed checkpoint, then verified from scratch.
 */
export async function benchLogVerification(
  events: number,
  progress: (message: string) => void,
): Promise<LogVerificationFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-verify-'));
  try {
    const inner = SqliteEventStore.open(join(dir, 'ledger.db'));
    const store = new SealingEventStore(inner);
    const started = performance.now();
    let next = 0;
    const appender = async () => {
      for (let batch = next++; batch * EVENTS_PER_APPEND < events; batch = next++) {
        await store.append([batchWrite(batch)]);
      }
    };
    await Promise.all(Array.from({ length: APPENDERS }, appender));
    const buildSec = (performance.now() - started) / 1000;
    progress(`sealed log of ${events} events written in ${buildSec.toFixed(1)} s`);

    const signer = CheckpointSigner.ephemeral();
    const notary = LogNotary.open(store, join(dir, 'integrity.db'), signer, {
      everyEvents: 100_000,
      everyMs: 3_600_000,
    });
    const notarising = performance.now();
    notary.start();
    if (!(await notary.waitFor(events, 600_000))) throw notary.error ?? new Error('notary did not finish');
    const notariseSec = (performance.now() - notarising) / 1000;
    const checkpoint = notary.checkpointCovering(events)!;
    await notary.stop();
    progress(`notarised in ${notariseSec.toFixed(1)} s; checkpoint at ${checkpoint.treeSize}`);

    const reading = performance.now();
    let read = 0;
    for await (const stored of inner.readAll(1n)) if (stored) read++;
    const readSec = (performance.now() - reading) / 1000;

    await store.close();
    const integrity = join(dir, 'integrity.db');
    const storePath = join(dir, 'ledger.db');
    const workers = Math.min(availableParallelism(), 4);
    const verifying = performance.now();
    const verdict = await verifyLogFile(storePath, {
      checkpoints: [checkpoint],
      publicKey: signer.publicKey,
      integrityPath: integrity,
      workers,
    });
    const verifySec = (performance.now() - verifying) / 1000;
    progress(
      `read ${read} events in ${readSec.toFixed(1)} s; verified by ${workers} workers in ${verifySec.toFixed(1)} s (ok: ${verdict.ok})`,
    );

    const sequentialStore = SqliteEventStore.open(storePath);
    const notarised = readNotaryRecord(integrity);
    const sequentialStarted = performance.now();
    const sequential = await verifyLog(sequentialStore.readAll(1n), {
      checkpoints: [checkpoint],
      publicKey: signer.publicKey,
      notarisedHashAt: notarised.notarisedHashAt,
    });
    const sequentialSec = (performance.now() - sequentialStarted) / 1000;
    notarised.close();
    await sequentialStore.close();
    progress(`verified on one thread in ${sequentialSec.toFixed(1)} s (ok: ${sequential.ok})`);
    const same = JSON.stringify(sequential) === JSON.stringify(verdict);
    return {
      events,
      buildSec: round(buildSec, 1),
      notariseEventsPerSec: Math.round(events / notariseSec),
      verifyEventsPerSec: Math.round(verdict.events / verifySec),
      verifyWorkers: workers,
      sequentialVerifyEventsPerSec: Math.round(sequential.events / sequentialSec),
      ratioParallelToSequential: round(sequentialSec / verifySec, 2),
      readEventsPerSec: Math.round(read / readSec),
      ratioVerifyToRead: round(readSec / verifySec, 3),
      verified:
        same && verdict.ok && verdict.events === events && verdict.checkpointsMatched.includes(events),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 50 events of one batch's stream, shaped like the ledger's batch events and envelopes. */
function batchWrite(batch: number): StreamWrite {
  const batchId = `BENCH-${batch.toString().padStart(7, '0')}`;
  return {
    stream: `batch-${batchId}`,
    expectedRevision: 'no_stream',
    events: Array.from({ length: EVENTS_PER_APPEND }, (_, i) => ({
      eventId: newEventId(), // as the ledger makes event ids (ADR 0038)
      type: i === 0 ? 'BatchMined' : 'BatchAssayed',
      data: {
        batchId,
        orgId: 'bench-mining',
        facilityId: 'pit-1',
        material: { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 + (i % 7) } },
        massGrams: 25_000_500 + i,
        occurredAt: '2026-03-01T08:00:00+08:00',
      },
      metadata: {
        commandId: randomUUID(),
        commandType: 'RecordMinedBatch',
        actor: { orgId: 'bench-mining', keyId: 'k-1', roles: ['producer'] },
        recordedAt: new Date().toISOString(),
        correlationId: randomUUID(),
        schemaVersion: 1,
      },
    })),
  };
}

/** How ADR 0012 sealed (hash version 1): one hash over the whole event. The bench's "before". */
const sealV1: Sealer = (event, prevHash) => ({
  ...event.metadata,
  prevHash,
  hash: eventHashV1(event, prevHash),
});

export interface SealingSchemeFigures {
  /** Sealing alone (salts, digests, hash), one event at a time: CPU µs per event. */
  readonly sealCpuUsPerEvent: number;
  /** One-event appends (a command's) through the sealing store on SQLite, 64 concurrent appenders. */
  readonly appendsPerSec: number;
  /** This process's CPU (sealing, SQLite, the event loop) per append. */
  readonly cpuUsPerAppend: number;
  /** Bytes of one stored event's metadata (the salts are kept there). */
  readonly metadataBytes: number;
}

/**
 * Hash version 1 and 2 side by side in one run (ADR 0022): the cost of sealing a shipment-shaped event
 * with its envelope, alone and through the sealing store on SQLite. The runs alternate (v1, v2, v1, v2)
 * so drift on a shared machine falls on both; each figure is the better of its two runs.
 */
export async function benchSealing(
  progress: (message: string) => void,
  seconds = 5,
): Promise<{ v1: SealingSchemeFigures; v2: SealingSchemeFigures; v2OverV1Cpu: number }> {
  const runs: Record<'v1' | 'v2', SealingSchemeFigures[]> = { v1: [], v2: [] };
  for (let round = 0; round < 2; round++) {
    for (const [name, seal] of [
      ['v1', sealV1],
      ['v2', sealV2],
    ] as const) {
      runs[name].push(await sealingRun(seal, seconds));
      const last = runs[name].at(-1)!;
      progress(
        `sealing ${name}: ${last.sealCpuUsPerEvent} µs CPU per event; ${last.appendsPerSec} appends/s, ${last.cpuUsPerAppend} µs CPU per append`,
      );
    }
  }
  const best = (figures: SealingSchemeFigures[]): SealingSchemeFigures => ({
    sealCpuUsPerEvent: Math.min(...figures.map((f) => f.sealCpuUsPerEvent)),
    appendsPerSec: Math.max(...figures.map((f) => f.appendsPerSec)),
    cpuUsPerAppend: Math.min(...figures.map((f) => f.cpuUsPerAppend)),
    metadataBytes: figures[0]!.metadataBytes,
  });
  const v1 = best(runs.v1);
  const v2 = best(runs.v2);
  return { v1, v2, v2OverV1Cpu: round(v2.cpuUsPerAppend / v1.cpuUsPerAppend, 2) };
}

async function sealingRun(seal: Sealer, seconds: number): Promise<SealingSchemeFigures> {
  const events = Array.from({ length: 20_000 }, (_, i) => shipment(`SEAL-${i}`));
  const cpu = process.cpuUsage();
  let metadataBytes = 0;
  for (const [i, event] of events.entries()) {
    const sealed = seal({ ...event, stream: `batch-SEAL-${i}`, revision: 3n }, 'ab'.repeat(32));
    if (i === 0) metadataBytes = Buffer.byteLength(JSON.stringify(sealed));
  }
  const used = process.cpuUsage(cpu);
  const sealCpuUsPerEvent = round((used.user + used.system) / events.length, 1);

  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-seal-'));
  const store = new SealingEventStore(SqliteEventStore.open(join(dir, 'ledger.db')), 10_000, seal);
  try {
    let appended = 0;
    const started = performance.now();
    const appendCpu = process.cpuUsage();
    const deadline = started + seconds * 1000;
    const appender = async (worker: number) => {
      for (let i = 0; performance.now() < deadline; i++) {
        await store.append([
          {
            stream: `batch-${worker}-${i}`,
            expectedRevision: 'no_stream',
            events: [shipment(`${worker}-${i}`)],
          },
        ]);
        appended++;
      }
    };
    await Promise.all(Array.from({ length: 64 }, (_, worker) => appender(worker)));
    const elapsedSec = (performance.now() - started) / 1000;
    const spent = process.cpuUsage(appendCpu);
    return {
      sealCpuUsPerEvent,
      appendsPerSec: Math.round(appended / elapsedSec),
      cpuUsPerAppend: round((spent.user + spent.system) / appended, 1),
      metadataBytes,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A BatchShipped as the API writes it: a bill of lading and the command's envelope. */
function shipment(batchId: string): EventToAppend {
  const commandId = randomUUID();
  return {
    eventId: newEventId(),
    type: 'BatchShipped',
    data: {
      batchId,
      shipmentId: `SHP-${batchId}`,
      fromOrgId: 'bench-mining',
      fromFacilityId: 'pit-1',
      toOrgId: 'bench-refining',
      toFacilityId: 'plant-1',
      massGrams: 25_000_500,
      documents: [{ type: 'bill_of_lading', number: `MAEU-${batchId}` }],
      occurredAt: '2026-03-01T08:00:00+08:00',
    },
    metadata: {
      commandId,
      commandType: 'ShipBatch',
      actor: { orgId: 'bench-mining', keyId: 'k-1', roles: ['producer'] },
      occurredAt: '2026-03-01T08:00:00+08:00',
      recordedAt: new Date().toISOString(),
      correlationId: commandId,
      causationId: commandId,
      schemaVersion: 1,
    },
  };
}

export interface BundleFigures {
  readonly batchId: string;
  readonly events: number;
  readonly streams: number;
  readonly bytes: number;
  /** Serving GET /batches/{magnet}/audit-bundle over HTTP, median and worst of the runs. */
  readonly serveP50Ms: number;
  readonly serveMaxMs: number;
  /** `verifyAuditBundle` offline, median of the runs. */
  readonly verifyP50Ms: number;
  readonly verified: boolean;
  readonly runs: number;
}

/** Size of the demo magnet's audit bundle, and the time to serve it and to verify it offline. */
export async function benchDemoBundle(
  progress: (message: string) => void,
  runs = 30,
): Promise<BundleFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-bundle-'));
  const adminToken = `bench-${randomBytes(24).toString('base64url')}`;
  const server = await LedgerProcess.start({
    TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
    TRACELODE_VIEWS: join(dir, 'views.db'),
    TRACELODE_ADMIN_TOKEN: adminToken,
    TRACELODE_LOG_LEVEL: 'warn',
  });
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI_MAIN,
      'demo',
      '--url',
      server.url,
      '--admin-token',
      adminToken,
    ]);
    const batchId = /"magnets": "([^"]+)"/.exec(stdout)?.[1];
    const regulator = /regulator\s+(tl_\S+)/.exec(stdout)?.[1];
    if (!batchId || !regulator) throw new Error(`the demo did not name its magnets:\n${stdout}`);
    progress(`demo chain seeded; magnets ${batchId}`);

    const serve: number[] = [];
    const verify: number[] = [];
    let text = '';
    let verified = true;
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      const response = await fetch(`${server.url}/batches/${batchId}/audit-bundle`, {
        headers: { authorization: `Bearer ${regulator}` },
      });
      text = await response.text();
      serve.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`audit bundle: ${response.status} ${text}`);
      const checking = performance.now();
      verified &&= verifyAuditBundle(JSON.parse(text) as AuditBundle).ok;
      verify.push(performance.now() - checking);
    }
    const bundle = JSON.parse(text) as AuditBundle;
    return {
      batchId,
      events: bundle.events.length,
      streams: new Set(bundle.events.map((event) => event.stream)).size,
      bytes: Buffer.byteLength(text),
      serveP50Ms: round(median(serve), 2),
      serveMaxMs: round(Math.max(...serve), 2),
      verifyP50Ms: round(median(verify), 2),
      verified,
      runs,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const round = (value: number, places: number) => Number(value.toFixed(places));
