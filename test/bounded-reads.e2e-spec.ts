import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBoundedReadsLedger, caughtUp } from '../apps/cli/src/commands/bench-bounded-reads';
import { HealthProbe } from './support/health-probe';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

/**
 * Finding 6 of "Trust boundaries": a lot assayed thousands of times and a 10-level chain of 100 × 100
 * transformations made reads as of a moment and audit bundles quadratic, stalling the whole server. Now
 * each answers in time linear in the events gathered, yields to other requests, or is refused by size.
 */
/**
 * The target is 100 ms. Measured on the shared 2-core machine (Jest, the server and the probe on it):
 * p99 ~60 ms, but single waits of 100–130 ms one read at a time and up to ~800 ms with ten 1.4 MB reads
 * in flight (garbage collection of the reads' heaps, which yielding cannot split; ADR 0019 says what
 * would). These bounds catch a return to the multi-second stalls without failing on that noise.
 */
const SEQUENTIAL_MAX_WAIT_MS = 250;
const BURST_MAX_WAIT_MS = 1500;

describe('bounded reads (embedded store, the real server over HTTP)', () => {
  let dir: string;
  let ledger: LedgerHarness;
  let built: Awaited<ReturnType<typeof buildBoundedReadsLedger>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-bounded-'));
    built = await buildBoundedReadsLedger(join(dir, 'ledger.db'), { assays: [5000], levels: 10, width: 100 });
    ledger = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
    });
    await caughtUp(ledger.baseUrl);
  }, 120_000);
  afterAll(async () => {
    await ledger?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers as-of views, certification as of a moment and bundles of the 5,000-assay lot and the chain while /health keeps answering (within 250 ms; the 100 ms target is not met yet)', async () => {
    const [lot] = built.lots;
    const bottom = built.chainBottom[0]!;
    const probe = HealthProbe.start(ledger.baseUrl);
    const read = async (path: string) => {
      const response = await fetch(`${ledger.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return { status: response.status, text: await response.text() };
    };
    try {
      await new Promise((done) => setTimeout(done, 100));
      for (const batchId of [lot, bottom]) {
        const custody = await read(`/batches/${batchId}?asOf=${built.asOf}`);
        expect(custody.status).toBe(200);
        const view = JSON.parse(custody.text) as { timeline: unknown[]; heldVia: null };
        expect(view.timeline.length).toBe(batchId === lot ? 5001 : 1);

        const certification = await read(`/batches/${batchId}/certification?asOf=${built.asOf}`);
        expect(certification.status).toBe(200);
        expect(JSON.parse(certification.text)).toMatchObject({
          schemes: [{ scheme: 'IRMA', chainCovered: true }],
        });

        const bundle = await read(`/batches/${batchId}/audit-bundle`);
        expect(bundle.status).toBe(200);
        expect(bundle.text.startsWith('{"format":"tracelode-audit-bundle/v1"')).toBe(true);
        expect(bundle.text.endsWith(']}')).toBe(true);
      }
    } finally {
      const health = await probe.stop();
      console.info(`bounded reads: /health during the reads one at a time: ${JSON.stringify(health)}`);
      expect(health.failures).toBe(0);
      expect(health.probes).toBeGreaterThan(20);
      expect(health.maxMs).toBeLessThan(SEQUENTIAL_MAX_WAIT_MS);
    }
  }, 120_000);

  it('refuses reads beyond the two that run and the eight that wait, and /health still answers', async () => {
    const [lot] = built.lots;
    const probe = HealthProbe.start(ledger.baseUrl);
    const read = async (path: string) => {
      const response = await fetch(`${ledger.baseUrl}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return { status: response.status, text: await response.text() };
    };
    try {
      await new Promise((done) => setTimeout(done, 100));
      const many = await Promise.all(
        Array.from({ length: 12 }, () => read(`/batches/${lot}?asOf=${built.asOf}`)),
      );
      expect(many.filter((reply) => reply.status === 200).length).toBeGreaterThanOrEqual(10);
      for (const busy of many.filter((reply) => reply.status !== 200)) {
        expect(JSON.parse(busy.text)).toMatchObject({
          status: 503,
          code: 'READS_BUSY',
          retryAfterSeconds: 1,
        });
      }
    } finally {
      const health = await probe.stop();
      console.info(`bounded reads: /health during 12 reads at once: ${JSON.stringify(health)}`);
      expect(health.failures).toBe(0);
      expect(health.maxMs).toBeLessThan(BURST_MAX_WAIT_MS);
    }
  }, 120_000);
});

describe('bounded reads: a history beyond the limit', () => {
  let dir: string;
  let ledger: LedgerHarness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tracelode-bounded-limit-'));
    await buildBoundedReadsLedger(join(dir, 'ledger.db'), { assays: [60] });
    ledger = await LedgerHarness.start({
      TRACELODE_STORE: `sqlite:${join(dir, 'ledger.db')}`,
      TRACELODE_VIEWS: join(dir, 'views.db'),
      TRACELODE_MAX_EVIDENCE_EVENTS: '50',
    });
    await caughtUp(ledger.baseUrl);
  }, 60_000);
  afterAll(async () => {
    await ledger?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a view as of a moment with 422 CHAIN_TOO_LARGE and a bundle with 413 BUNDLE_TOO_LARGE', async () => {
    const asOf = await ledger.get(`/batches/LOT-60/certification?asOf=2026-12-31T00:00:00Z`, ADMIN_TOKEN);
    expect(asOf.status).toBe(422);
    expect(asOf.body).toMatchObject({ code: 'CHAIN_TOO_LARGE', maxEvents: 50 });
    const bundle = await ledger.get('/batches/LOT-60/audit-bundle', ADMIN_TOKEN);
    expect(bundle.status).toBe(413);
    expect(bundle.body).toMatchObject({ code: 'BUNDLE_TOO_LARGE', maxEvents: 50 });
    const live = await ledger.get('/batches/LOT-60', ADMIN_TOKEN);
    expect(live.status).toBe(200);
  });
});
