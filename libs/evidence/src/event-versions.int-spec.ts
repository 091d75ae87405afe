import { decodeEvent } from '@tracelode/domain';
import { eventHash, SealingEventStore, SqliteEventStore, type StoredEvent } from '@tracelode/event-store';
import { CheckpointSigner, LogNotary } from '@tracelode/log';
import { LEDGER_PROJECTIONS, Projector, type ViewLookup } from '@tracelode/projections';
import { ReadModelStore } from '@tracelode/read-models';
import { organisation } from '@tracelode/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleAuditBundle } from './assemble-audit-bundle';
import type { AuditBundle } from './audit-bundle';
import { verifyAuditBundle } from './verify-audit-bundle';

/** The stored v1 BatchMined of the domain's tests (libs/domain/src/testdata), as a v1 ledger wrote it. */
const V1 = JSON.parse(
  readFileSync(join(__dirname, '../../domain/src/testdata/batch-mined.v1.json'), 'utf8'),
) as {
  stream: string;
  eventId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
};

describe('a ledger holding an event of an older version', () => {
  let dir: string;
  let store: SealingEventStore;
  let views: ReadModelStore;
  let projector: Projector;
  let notary: LogNotary;
  let stored: StoredEvent;
  let bundle: AuditBundle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-event-versions-'));
    store = new SealingEventStore(SqliteEventStore.open(join(dir, 'ledger.db')));
    views = ReadModelStore.open(join(dir, 'views.db'));
    projector = new Projector(store, views, LEDGER_PROJECTIONS);
    notary = LogNotary.open(store, join(dir, 'integrity.db'), CheckpointSigner.ephemeral(), {
      everyEvents: 1000,
      everyMs: 60_000,
    });
    projector.start();
    notary.start();
    await store.append([organisation('mineco', ['producer'], [['mt-weld', 'mine']])]);
    const { eventId, type, data, metadata } = V1;
    const { position } = await store.append([
      { stream: V1.stream, expectedRevision: 'no_stream', events: [{ eventId, type, data, metadata }] },
    ]);
    for await (const event of store.readStream(V1.stream)) stored = event;
    expect(await projector.waitFor(position, 10_000)).toBe(true);
    expect(await notary.waitFor(Number(position), 10_000)).toBe(true);
    const live: ViewLookup = (collection, key) => views.get(collection, key);
    bundle = JSON.parse(
      JSON.stringify(await assembleAuditBundle(store, notary, live, 'V1-LOT')),
    ) as AuditBundle;
  });
  afterAll(async () => {
    await projector.stop();
    await notary.stop();
    views.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the event as stored, hashed in its stored (v1) form, and upcasts it on read', () => {
    expect(stored.data).toEqual(V1.data);
    expect(stored.metadata.schemaVersion).toBe(1);
    const { hash, prevHash } = stored.metadata as { hash: string; prevHash: string | null };
    expect(hash).toBe(eventHash(stored, prevHash));
    const upcast = decodeEvent(stored);
    expect(upcast.event.data).toEqual({ ...V1.data, country: null });
    // The upcast form is not what was hashed: its new field has no salt, so it cannot even be hashed (ADR 0022).
    expect(() => eventHash({ ...stored, data: upcast.event.data }, prevHash)).toThrow(/data\.country/);
  });

  it('puts it in an audit bundle as stored, and the bundle verifies, views recomputed through the upcast', () => {
    const event = bundle.events.find((candidate) => candidate.stream === V1.stream)!;
    expect(event.data).toEqual(V1.data);
    expect(event.metadata.schemaVersion).toBe(1);
    const verdict = verifyAuditBundle(bundle);
    expect(verdict.failure).toBeUndefined();
    expect(verdict.ok).toBe(true);
    // A v1 mining names no country: the provenance reads the mine's from its registration.
    expect(bundle.views?.provenance.origins).toEqual([
      { batchId: 'V1-LOT', facilityId: 'mt-weld', orgId: 'mineco', country: 'AU', massFraction: 1 },
    ]);
  });
});
