import { benchAssays } from './bench-provenance';
import {
  type Actor,
  encodeEvent,
  InMemoryStreams,
  type Issued,
  type LedgerEvent,
  mineBatch,
  registerFacility,
  registerOrganisation,
  toOrgStreamId,
} from '@tracelode/domain';
import { newEventId, SealingEventStore, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { BATCH_CUSTODY } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';

/**
 * The rebuild case of `tracelode bench`: `tracelode rebuild` run as its own process on a sealed ledger of
 * mined lots with their assays (ten events a stream, the events the domain's deciders produce), timed by
 * the command itself, with that process's peak RSS.
 */
export interface RebuildFigures {
  readonly events: number;
  readonly buildSec: number;
  /** Events applied per second, as `tracelode rebuild` reports it (replay only: no open, no rename). */
  readonly rebuildEventsPerSec: number;
  /** The whole rebuild command, process start to exit. */
  readonly wallSec: number;
  /** The rebuild process's peak resident set. */
  readonly peakRssMb: number;
  /**
   * The same replay as the rebuild did before ADR 0033, in the same run on the same log: into a views
   * file opened as the server opens it (WAL, synchronous=NORMAL, every index kept up to date, 1,000
   * events a transaction, each document read and written back in every transaction that changes it).
   */
  readonly before: { readonly rebuildEventsPerSec: number; readonly peakRssMb: number };
  readonly ratioToBefore: number;
  /**
   * The same measure on a log of as many events whose lots are worked on side by side
   * (`INTERLEAVED_LOTS` at a time): a lot's documents change in many chunks of the replay, not one.
   */
  readonly interleaved: {
    readonly events: number;
    readonly rebuildEventsPerSec: number;
    readonly peakRssMb: number;
    readonly before: { readonly rebuildEventsPerSec: number; readonly peakRssMb: number };
    readonly ratioToBefore: number;
  };
  /** Every event applied and every lot in the batch views, on both logs. */
  readonly complete: boolean;
}

const CLI_MAIN = resolve(__dirname, '../main.js');
const ORG = 'bench-rebuild';
const recordedAt = '2026-06-30T00:00:00Z';
const actor: Actor = { orgId: ORG, keyId: 'bench', roles: ['producer', 'admin'] };
/** Events per lot: its BatchMined and nine assays, appended as one stream write. */
const EVENTS_PER_LOT = 10;
const APPENDERS = 100;
/** Lots written side by side in the interleaved log: a lot's ten events span about 10,000 positions. */
const INTERLEAVED_LOTS = 1_000;

export async function benchRebuild(
  events: number,
  progress: (message: string) => void,
): Promise<RebuildFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-bench-rebuild-'));
  try {
    const store = join(dir, 'ledger.db');
    const views = join(dir, 'views.db');
    const building = performance.now();
    const { lots, written } = await writeLotLedger(store, events, progress);
    const buildSec = (performance.now() - building) / 1000;
    progress(`rebuild: ledger of ${written} events written in ${buildSec.toFixed(1)} s`);

    const started = performance.now();
    const child = await rebuildInChild('file', store, views);
    const wallSec = (performance.now() - started) / 1000;
    const rate = Math.round(child.applied / (child.elapsedMs / 1000));
    const viewStore = ReadModelStore.openReadOnly(views);
    const batches = viewStore.all(BATCH_CUSTODY).length;
    viewStore.close();
    progress(
      `rebuild: ${child.applied} events applied in ${(child.elapsedMs / 1000).toFixed(1)} s (${rate} events/s), ` +
        `${batches} batch views, peak RSS ${Math.round(child.maxRssKb / 1024)} MB`,
    );
    const baseline = await rebuildInChild('before', store, join(dir, 'views-before.db'));
    const baselineRate = Math.round(baseline.applied / (baseline.elapsedMs / 1000));
    progress(
      `rebuild as before: ${baselineRate} events/s, peak RSS ${Math.round(baseline.maxRssKb / 1024)} MB`,
    );

    const spread = join(dir, 'interleaved.db');
    const interleavedLog = await writeLotLedger(spread, events, progress, INTERLEAVED_LOTS);
    const spreadNow = await rebuildInChild('file', spread, join(dir, 'views-interleaved.db'));
    const spreadBefore = await rebuildInChild('before', spread, join(dir, 'views-interleaved-before.db'));
    const rateOf = (report: ChildReport) => Math.round(report.applied / (report.elapsedMs / 1000));
    progress(
      `rebuild, lots interleaved: ${rateOf(spreadNow)} events/s (peak RSS ${Math.round(spreadNow.maxRssKb / 1024)} MB), ` +
        `as before ${rateOf(spreadBefore)} events/s (${Math.round(spreadBefore.maxRssKb / 1024)} MB)`,
    );
    return {
      events: written,
      buildSec: round(buildSec, 1),
      rebuildEventsPerSec: rate,
      wallSec: round(wallSec, 1),
      peakRssMb: round(child.maxRssKb / 1024, 1),
      complete:
        child.applied === written &&
        batches === lots &&
        baseline.applied === written &&
        spreadNow.applied === interleavedLog.written &&
        spreadBefore.applied === interleavedLog.written,
      before: { rebuildEventsPerSec: baselineRate, peakRssMb: round(baseline.maxRssKb / 1024, 1) },
      ratioToBefore: round(rate / baselineRate, 2),
      interleaved: {
        events: interleavedLog.written,
        rebuildEventsPerSec: rateOf(spreadNow),
        peakRssMb: round(spreadNow.maxRssKb / 1024, 1),
        before: {
          rebuildEventsPerSec: rateOf(spreadBefore),
          peakRssMb: round(spreadBefore.maxRssKb / 1024, 1),
        },
        ratioToBefore: round(rateOf(spreadNow) / rateOf(spreadBefore), 2),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface ChildReport {
  readonly applied: number;
  readonly elapsedMs: number;
  readonly maxRssKb: number;
}

/** One rebuild in a process of its own, so that its peak RSS is its own. */
async function rebuildInChild(mode: 'file' | 'before', store: string, views: string): Promise<ChildReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-e', CHILD, CLI_MAIN, mode, `sqlite:${store}`, views],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as ChildReport;
}

/**
 * Run as `node -e CHILD <cli main> <mode> <store url> <views path>`. `file`: the CLI's own rebuild
 * (rebuildViewsFile, what `tracelode rebuild` runs). `before`: the replay as it ran before ADR 0033, into a
 * views file opened as the server opens it.
 */
const CHILD = `
const { join } = require('node:path');
const [main, mode, storeUrl, viewsPath] = process.argv.slice(1);
const commands = join(main, '..', 'commands');
const { rebuildViewsFile, openStore } = require(join(commands, 'rebuild.command.js'));
const { ReadModelStore } = require(join(main, '..', '..', '..', '..', 'libs', 'read-models', 'src', 'index.js'));
const { applyEvent, LEDGER_PROJECTIONS } = require(join(main, '..', '..', '..', '..', 'libs', 'projections', 'src', 'index.js'));
async function before() {
  const store = await openStore(storeUrl);
  const views = ReadModelStore.open(viewsPath);
  const started = performance.now();
  views.reset();
  // rebuildViews as it was before ADR 0033: each chunk of 1,000 events one transaction, every document
  // read from the file and written back once per chunk.
  let chunk = [];
  let applied = 0;
  const flush = () => {
    const last = chunk.at(-1);
    if (!last) return;
    views.applyAndCheckpoint(last.position, (tx) => chunk.forEach((stored) => applyEvent(tx, LEDGER_PROJECTIONS, stored)));
    applied += chunk.length;
    chunk = [];
  };
  for await (const stored of store.readAll(1n)) {
    chunk.push(stored);
    if (chunk.length >= 1000) flush();
  }
  flush();
  const elapsedMs = performance.now() - started;
  views.close();
  await store.close();
  return { applied, elapsedMs };
}
(mode === 'before' ? before() : rebuildViewsFile({ storeUrl, viewsPath })).then((report) => {
  process.stdout.write(JSON.stringify({ applied: report.applied, elapsedMs: report.elapsedMs, maxRssKb: process.resourceUsage().maxRSS }));
}, (error) => { console.error(error); process.exit(1); });
`;

/**
 * A sealed ledger of about `events` events: one organisation with its mine, then lots of ten events each
 * (BatchMined by the domain's decider, nine BatchAssayed), written straight through the sealing store
 * (not over HTTP) by concurrent appenders so that group commit batches them.
 */
export async function writeLotLedger(
  path: string,
  events: number,
  progress: (message: string) => void = () => undefined,
  /**
   * Lots whose events are interleaved: each window of this many lots is written a round at a time (every
   * lot's BatchMined, then every lot's first assay, …), so a lot's ten events span about ten times the
   * window in the log, as lots worked on side by side do. Absent: each lot's events are one write.
   */
  interleave?: number,
): Promise<{ lots: number; written: number }> {
  const store = new SealingEventStore(SqliteEventStore.open(path));
  const streams = new InMemoryStreams();
  const issued = <Command>(command: Command): Issued<Command> => ({
    ...command,
    metadata: { actor, recordedAt, policy: { maxRecordingDelayMs: Number.POSITIVE_INFINITY } },
  });
  const envelope = (event: LedgerEvent) =>
    encodeEvent(
      event,
      { actor: { orgId: ORG, keyId: 'bench', roles: actor.roles }, recordedAt },
      // As the ledger makes event ids (ADR 0038).
      newEventId(),
    );
  try {
    const registered = [
      ...streams.decide(
        registerOrganisation,
        issued({
          type: 'RegisterOrganisation' as const,
          data: {
            orgId: ORG,
            name: 'Bench rebuild',
            country: 'AU',
            roles: ['producer' as const],
            keyId: 'k',
            keySha256: 'a'.repeat(64),
          },
        }),
      ),
      ...streams.decide(
        registerFacility,
        issued({
          type: 'RegisterFacility' as const,
          data: { orgId: ORG, facilityId: 'mine', kind: 'mine' as const, name: 'mine', country: 'AU' },
        }),
      ),
    ];
    await store.append([
      {
        stream: toOrgStreamId(ORG),
        expectedRevision: 'no_stream',
        events: registered.flatMap(({ events: emitted }) => emitted.map(envelope)),
      },
    ]);
    let written = registered.reduce((sum, { events: emitted }) => sum + emitted.length, 0);
    const lots = Math.max(0, Math.ceil((events - written) / EVENTS_PER_LOT));
    let next = 0;
    const lotWrite = (lot: number): StreamWrite => {
      const batchId = `LOT-${lot.toString().padStart(7, '0')}`;
      const [mined] = streams.decide(
        mineBatch,
        issued({
          type: 'MineBatch' as const,
          data: {
            batchId,
            facilityId: 'mine',
            material: { form: 'concentrate' as const, elements: ['Nd' as const, 'Pr' as const] },
            massGrams: 1_000_000 + lot,
            extractionEmissionsKgCo2e: 300,
            occurredAt: '2026-01-01T00:00:00Z',
          },
        }),
      );
      streams.forget('batches', batchId); // never decided on again: keep memory flat
      const assays = benchAssays(batchId, EVENTS_PER_LOT - 1, ORG).map(envelope);
      return {
        stream: mined!.stream,
        expectedRevision: 'no_stream',
        events: [...mined!.events.map(envelope), ...assays],
      };
    };
    if (interleave !== undefined) {
      for (let first = 0; first < lots; first += interleave) {
        const window = Array.from({ length: Math.min(interleave, lots - first) }, (_, i) =>
          lotWrite(first + i),
        );
        for (let round = 0; round < EVENTS_PER_LOT; round++) {
          let at = 0;
          const appender = async () => {
            for (let i = at++; i < window.length; i = at++) {
              const write = window[i]!;
              const event = write.events[round];
              if (event === undefined) continue;
              await store.append([
                {
                  stream: write.stream,
                  expectedRevision: round === 0 ? 'no_stream' : 'stream_exists',
                  events: [event],
                },
              ]);
              written += 1;
            }
          };
          await Promise.all(Array.from({ length: APPENDERS }, appender));
        }
        if ((first + interleave) % 20_000 === 0) progress(`rebuild: ${written} events written`);
      }
      return { lots, written };
    }
    const appender = async () => {
      for (let lot = next++; lot < lots; lot = next++) {
        const write = lotWrite(lot);
        await store.append([write]);
        written += write.events.length;
        if ((lot + 1) % 20_000 === 0) progress(`rebuild: ${written} events written`);
      }
    };
    await Promise.all(Array.from({ length: APPENDERS }, appender));
    return { lots, written };
  } finally {
    await store.close();
  }
}

const round = (value: number, places: number) => Number(value.toFixed(places));
