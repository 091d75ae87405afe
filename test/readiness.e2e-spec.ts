import { encodeEvent, type LedgerEvent } from '@tracelode/domain';
import { SealingEventStore, SqliteEventStore, type StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerHarness } from './support/ledger-harness';

/** Terminus's answer: the overall status and each indicator's. */
interface HealthReport {
  status: 'ok' | 'error';
  info: Record<string, Record<string, unknown>>;
  error: Record<string, Record<string, unknown>>;
  details: Record<string, { status: 'up' | 'down'; lag?: number; maxLag?: number }>;
}

const EVENTS = 50_000;
const PER_STREAM = 50;

/**
 * A sealed log of EVENTS batch events (a lot mined, then assayed again and again), written straight to the
 * store file as the ledger would have: a server started on it with no views and no Merkle log must catch up
 * on all of it, which takes far longer than answering one request (the notary alone: ~20,000 events/s).
 */
async function writeLog(path: string): Promise<void> {
  const store = new SealingEventStore(SqliteEventStore.open(path));
  const envelope = {
    actor: { orgId: 'ready-mining', keyId: 'k-1', roles: ['producer' as const] },
    recordedAt: '2026-03-01T00:00:00Z',
  };
  const write = (lot: number): StreamWrite => {
    const batchId = `READY-${lot}`;
    const events: LedgerEvent[] = Array.from({ length: PER_STREAM }, (_, i) =>
      i === 0
        ? {
            type: 'BatchMined',
            data: {
              batchId,
              orgId: 'ready-mining',
              facilityId: 'pit-1',
              material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
              massGrams: 1_000_000,
              occurredAt: '2026-02-01T00:00:00Z',
            },
          }
        : {
            type: 'BatchAssayed',
            data: {
              batchId,
              assayId: `A-${i}`,
              byOrgId: 'ready-mining',
              lab: 'Lab',
              method: 'ICP-MS',
              grade: { TREO: 40 + (i % 5) },
              occurredAt: '2026-02-02T00:00:00Z',
            },
          },
    );
    return {
      stream: `batch-${batchId}`,
      expectedRevision: 'no_stream',
      events: events.map((event) => encodeEvent(event, envelope, randomUUID())),
    };
  };
  let next = 0;
  const appender = async () => {
    for (let lot = next++; lot * PER_STREAM < EVENTS; lot = next++) await store.append([write(lot)]);
  };
  await Promise.all(Array.from({ length: 8 }, appender));
  await store.close();
}

describe('/health/live and /health/ready', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tracelode-ready-'));
  let ledger: LedgerHarness;

  beforeAll(async () => {
    await writeLog(join(dir, 'ledger.db'));
    ledger = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
      TRACELODE_INTEGRITY: join(dir, 'integrity.db'),
      TRACELODE_READY_LAG: '100',
    });
  }, 120_000);
  afterAll(async () => {
    await ledger.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready while the views and the notary are further behind the log than TRACELODE_READY_LAG', async () => {
    const [ready, live] = await Promise.all([
      ledger.request<HealthReport>('GET', '/health/ready'),
      ledger.request<HealthReport>('GET', '/health/live'),
    ]);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toContain('application/json');
    expect(ready.body.status).toBe('error');
    expect(ready.body.info.store).toMatchObject({ status: 'up', head: String(EVENTS) });
    const behind = Object.values(ready.body.error);
    expect(behind.length).toBeGreaterThan(0);
    for (const follower of behind) {
      expect(follower).toMatchObject({ status: 'down', maxLag: 100 });
      expect(follower.lag).toBeGreaterThan(100);
    }
    // Alive all the same: the process answers.
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
  });

  it('is ready once both are within it, with no API key', async () => {
    const deadline = Date.now() + 90_000;
    let ready = await ledger.request<HealthReport>('GET', '/health/ready');
    while (ready.status !== 200 && Date.now() < deadline) {
      await new Promise((wait) => setTimeout(wait, 250));
      ready = await ledger.request<HealthReport>('GET', '/health/ready');
    }
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      error: {},
      details: { store: { status: 'up' }, views: { status: 'up' }, notary: { status: 'up' } },
    });
    expect(ready.body.details.views?.lag).toBeLessThanOrEqual(100);
    // `/health` keeps its documented shape.
    const health = await ledger.request<Record<string, unknown>>('GET', '/health');
    expect(health.body).toEqual({
      status: 'ok',
      logPosition: String(EVENTS),
      viewsPosition: expect.any(String),
      treeSize: expect.any(Number),
    });
  }, 120_000);
});
