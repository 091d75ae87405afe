import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KurrentDbWireServer } from '@tracelode/testing';
import { ADMIN_TOKEN, LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

/**
 * The root split into CHILDREN lots, each into PER: 4,100 lots downstream, a walk far past the 5 ms a live
 * downstream read may run on the request thread before it is handed to a read worker.
 */
const ROOT = 'VO-ROOT';
const CHILDREN = 40;
const PER = 100;
const childOf = (i: number) => `VO-${i}`;
const grandchildOf = (i: number, j: number) => `VO-${i}-${j}`;
/** Between what the miner may list of the descendant graph (3,941 lots and the root) and all of it (4,101). */
const MAX_GRAPH_NODES = '4000';

/** The server's read workers: its threads at nice 19 (read-worker.ts lowers only their own), with their CPU time. */
function readWorkers(pid: number): { count: number; cpuTicks: number } {
  let count = 0;
  let cpuTicks = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command: state is field 3, utime 14, stime 15, nice 19.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[16] !== '19') continue;
      count++;
      cpuTicks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the thread has ended
    }
  }
  return { count, cpuTicks };
}

async function readWorkersStarted(ledger: LedgerHarness, expected: number): Promise<number> {
  let count = 0;
  for (let tries = 0; tries < 150 && count < expected; tries++) {
    if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    count = readWorkers(ledger.pid!).count;
  }
  return count;
}

async function seed(ledger: LedgerHarness) {
  const parties = await standardParties(ledger);
  let head = '0';
  const post = async (path: string, token: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, token, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    if (BigInt(reply.body.position) > BigInt(head)) head = reply.body.position;
    return reply.body.position;
  };
  const split = (token: string, batchId: string, splitId: string, outputs: string[], massKg: number) =>
    post(`/batches/${batchId}/splits`, token, {
      splitId,
      outputs: outputs.map((id) => ({ batchId: id, massKg })),
      occurredAt: batchId === ROOT ? '2026-03-02T08:00:00+08:00' : '2026-03-20T08:00:00+08:00',
    });
  await post('/batches/mined', parties.miner, minedBatch(ROOT, 25000));
  const children = Array.from({ length: CHILDREN }, (_, i) => childOf(i + 1));
  await split(parties.miner, ROOT, 'VO-SPLIT', children, 100);
  // The first child goes to RefCo, which splits it: the miner held the root and every other lot.
  await post(`/batches/${childOf(1)}/shipments`, parties.miner, shipment('VO-SHIP'));
  await post(`/batches/${childOf(1)}/receipts`, parties.refiner, {
    shipmentId: 'VO-SHIP',
    receivedMassKg: 100,
    occurredAt: '2026-03-19T14:00:00+08:00',
  });
  const splitChild = (n: number) =>
    split(
      n === 1 ? parties.refiner : parties.miner,
      childOf(n),
      `VO-SPLIT-${n}`,
      Array.from({ length: PER }, (_, j) => grandchildOf(n, j + 1)),
      0.5,
    );
  for (let n = 1; n <= CHILDREN; n += 4) await Promise.all([n, n + 1, n + 2, n + 3].map(splitChild));
  return { ...parties, head: () => head, split };
}

/**
 * ADR 0020, amended 2026-11-30 (later): on KurrentDB the read workers open only the views file and run
 * only the live downstream reads; views as of a moment and bundles stay on the request thread. Two API
 * replicas on one KurrentDB log (the wire-level test server): A with a views file (read workers), B with
 * its views in memory (no workers: the live reads in slices on the request thread). Whichever thread reads,
 * every reader must get the same answer, and the expensive reads' queue must give back every slot.
 * (In the e2e project only: it brings its own KurrentDB; jest.config.js.)
 */
describe('views-only read workers on KurrentDB', () => {
  let wire: KurrentDbWireServer;
  let a: LedgerHarness;
  let b: LedgerHarness;
  let bDir: string;
  let parties: Awaited<ReturnType<typeof seed>>;
  let stranger: string;

  beforeAll(async () => {
    wire = await new KurrentDbWireServer().start();
    bDir = mkdtempSync(join(tmpdir(), 'tracelode-views-only-'));
    a = await LedgerHarness.start({
      TRACELODE_STORE: wire.connectionString,
      TRACELODE_MAX_GRAPH_NODES: MAX_GRAPH_NODES,
      // A view as of a moment on KurrentDB may take a minute on a cold client: its connection is not idle.
      TRACELODE_CONNECTION_TIMEOUT_MS: '300000',
    });
    b = await LedgerHarness.start({
      TRACELODE_STORE: wire.connectionString,
      TRACELODE_VIEWS: ':memory:',
      // Not beside the views (the default): in the working directory.
      TRACELODE_INTEGRITY: join(bDir, 'integrity.db'),
      TRACELODE_SIGNING_KEY: join(bDir, 'ledger-signing-key.pem'),
      TRACELODE_MAX_GRAPH_NODES: MAX_GRAPH_NODES,
    });
    parties = await seed(a);
    stranger = await a.organisation('vo-stranger', 'DE', ['producer']);
  }, 240_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    wire?.stop();
    if (bDir) rmSync(bDir, { recursive: true, force: true });
  });

  it('starts two read workers where the views are a file, none where they are in memory', async () => {
    expect(await readWorkersStarted(a, 2)).toBe(2);
    expect(readWorkers(b.pid!).count).toBe(0);
  });

  it('gives every reader, through a views-only worker, what the request thread gives', async () => {
    const head = parties.head();
    const readers = {
      admin: ADMIN_TOKEN,
      miner: parties.miner,
      refiner: parties.refiner,
      regulator: parties.regulator,
      certifier: parties.certifier,
      stranger,
    };
    const paths = [
      `/batches/${ROOT}/provenance?direction=descendants`,
      `/batches/${ROOT}/provenance/graph?direction=descendants`,
      `/holds/${ROOT}/impact`,
      `/batches/${childOf(1)}/provenance?direction=descendants`,
      `/batches/VO-NONE/provenance?direction=descendants`,
    ];
    const before = readWorkers(a.pid!).cpuTicks;
    for (const [reader, token] of Object.entries(readers)) {
      for (const path of paths) {
        const at = `${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`;
        const [fromA, fromB] = [await a.get(at, token), await b.get(at, token)];
        expect({ reader, path, status: fromA.status, body: fromA.body }).toEqual({
          reader,
          path,
          status: fromB.status,
          body: fromB.body,
        });
      }
    }
    // The long walks ran in A's read workers, not within A's 5 ms on the request thread.
    expect(readWorkers(a.pid!).cpuTicks).toBeGreaterThan(before);
    // A stranger's 404 is an unknown lot's.
    const hidden = await a.get(`/holds/${ROOT}/impact`, stranger);
    const unknown = await a.get('/holds/VO-NONE/impact', stranger);
    expect(hidden.status).toBe(404);
    expect(JSON.stringify(hidden.body).replaceAll(ROOT, 'X')).toBe(
      JSON.stringify(unknown.body).replaceAll('VO-NONE', 'X'),
    );
  }, 180_000);

  it('reads as of a moment and bundles on the request thread, not in a views-only worker', async () => {
    const asOf = new Date().toISOString();
    for (const path of [
      `/batches/${ROOT}?asOf=${asOf}`,
      `/holds/${childOf(2)}/impact?atPosition=${parties.head()}`,
      `/batches/${childOf(1)}/certification?atPosition=${parties.head()}`,
    ]) {
      const reply = await a.get(path, ADMIN_TOKEN);
      expect({ path, status: reply.status }).toEqual({ path, status: 200 });
    }
    for (const accept of ['application/json', 'application/x-ndjson']) {
      const response = await fetch(`${a.baseUrl}/batches/${childOf(1)}/audit-bundle`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept },
      });
      const text = await response.text();
      expect({ accept, status: response.status }).toEqual({ accept, status: 200 });
      expect(text.startsWith('{"format":"tracelode-audit-bundle')).toBe(true);
    }
  }, 180_000);

  it('keeps read-your-writes through the worker: the lots of a split just made are among the descendants', async () => {
    for (let k = 1; k <= 5; k++) {
      const outputs = [`VO-RYW-${k}-A`, `VO-RYW-${k}-B`];
      const position = await parties.split(
        parties.miner,
        grandchildOf(20, k),
        `VO-RYW-SPLIT-${k}`,
        outputs,
        0.1,
      );
      const reply = await a.get<{ descendants: { batchId: string }[] }>(
        `/batches/${ROOT}/provenance?direction=descendants&minPosition=${position}`,
        parties.miner,
      );
      expect(reply.status).toBe(200);
      const found = new Set(reply.body.descendants.map((descendant) => descendant.batchId));
      expect(outputs.filter((id) => !found.has(id))).toEqual([]);
    }
  }, 120_000);

  it('gives back every slot: after failed jobs and a burst past the queue, ten at once are all answered', async () => {
    // The admin's graph is past A's limit: the worker fails the job, again and again.
    const graph = `/batches/${ROOT}/provenance/graph?direction=descendants`;
    for (let i = 0; i < 12; i++) expect((await a.get(graph, ADMIN_TOKEN)).status).toBe(422);

    // Twenty at once, half live walks (the workers), half views as of a moment (the request thread):
    // two run and eight wait, whichever thread runs them; the rest are 503 READS_BUSY.
    const atPosition = parties.head();
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        a.get(
          i % 2 === 0
            ? `/batches/${ROOT}/provenance?direction=descendants`
            : `/batches/${ROOT}?atPosition=${atPosition}`,
          ADMIN_TOKEN,
        ),
      ),
    );
    const statuses = burst.map((reply) => reply.status);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(10);

    const again = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        a.get(
          i % 2 === 0
            ? `/batches/${ROOT}/provenance?direction=descendants`
            : `/batches/${ROOT}?atPosition=${atPosition}`,
          ADMIN_TOKEN,
        ),
      ),
    );
    expect(again.map((reply) => reply.status)).toEqual(Array(10).fill(200));
  }, 180_000);

  it('answers a long read under way at a SIGTERM, stops its read workers and exits 0', async () => {
    const reading = a.get(`/holds/${ROOT}/impact`, ADMIN_TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pid = a.pid!;
    await a.shutdown();
    expect((await reading).status).toBe(200);
    expect(await a.exit).toBe(0);
    expect(() => readdirSync(`/proc/${pid}/task`)).toThrow();
  }, 60_000);
});
