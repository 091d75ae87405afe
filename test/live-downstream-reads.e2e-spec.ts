import { ADMIN_TOKEN, LedgerHarness, minedBatch, shipment, standardParties } from './support/ledger-harness';

const ROOT = 'DOWN-ROOT';
/**
 * The root is split into CHILDREN lots, each of them by three splits (of at most 100 outputs each) into
 * GRANDCHILDREN: 30,100 lots downstream, enough that a walk of them holds a thread for well over a second.
 */
const CHILDREN = 100;
const OUTPUTS_PER_SPLIT = 100;
const GRANDCHILDREN = 3 * OUTPUTS_PER_SPLIT;
const childOf = (i: number) => `DOWN-${i}`;
const grandchildOf = (i: number, j: number) => `DOWN-${i}-${j}`;
/** The split that made grandchild `j` of child `i` (or, without `i`, the root's split). */
const splitOf = (i?: number, j = 1) =>
  i === undefined ? 'DOWN-SPLIT' : `DOWN-SPLIT-${i}-${Math.ceil(j / OUTPUTS_PER_SPLIT)}`;

/** `/health/live` must answer within this while a long read is under way: generous for a busy machine. */
const LIVE_WITHIN_MS = 250;

interface Descendant {
  batchId: string;
  depth: number;
  viaTransformationId: string;
}

/** Every descendant of the root in the order the walk finds them (breadth-first, split outputs in order). */
function allDescendants(): Descendant[] {
  const found: Descendant[] = [];
  for (let i = 1; i <= CHILDREN; i++)
    found.push({ batchId: childOf(i), depth: 1, viaTransformationId: splitOf() });
  for (let i = 1; i <= CHILDREN; i++)
    for (let j = 1; j <= GRANDCHILDREN; j++)
      found.push({ batchId: grandchildOf(i, j), depth: 2, viaTransformationId: splitOf(i, j) });
  return found;
}

/**
 * Live reads that walk a lot's whole downstream (its descendants, its descendant graph, its hold impact:
 * one views lookup per descendant, listed or not) are handed to the read workers once they have run 5 ms
 * on the request thread (ADR 0020, amended 2026-11-30): while one is under way over a lot with thirty
 * thousand descendants, the server answers `/health/live` at once, and the read answers what the request
 * thread answered before. On KurrentDB too: the workers read the views file, which every store has.
 */
describe('live reads of a large downstream', () => {
  let ledger: LedgerHarness;
  let miner: string;
  let refiner: string;
  let head = '0';

  beforeAll(async () => {
    // The admin may list every descendant: its graph of 30,101 lots is within this limit.
    ledger = await LedgerHarness.start({ TRACELODE_MAX_GRAPH_NODES: '40000' });
    ({ miner, refiner } = await standardParties(ledger));
    const post = async (path: string, token: string, body: unknown) => {
      const reply = await ledger.post<{ position: string }>(path, token, body);
      if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
      if (BigInt(reply.body.position) > BigInt(head)) head = reply.body.position;
    };
    const split = (token: string, batchId: string, splitId: string, outputs: string[], massKg: number) =>
      post(`/batches/${batchId}/splits`, token, {
        splitId,
        outputs: outputs.map((id) => ({ batchId: id, massKg })),
        // The root's split before the first child is shipped (5 March), its children's after its receipt.
        occurredAt: batchId === ROOT ? '2026-03-02T08:00:00+08:00' : '2026-03-20T08:00:00+08:00',
      });
    await post('/batches/mined', miner, minedBatch(ROOT, 25000));
    const children = Array.from({ length: CHILDREN }, (_, i) => childOf(i + 1));
    await split(miner, ROOT, splitOf(), children, 100);
    // The first child goes to RefCo, which splits it: MineCo held the root and every other lot.
    await post(`/batches/${childOf(1)}/shipments`, miner, shipment('DOWN-SHIP'));
    await post(`/batches/${childOf(1)}/receipts`, refiner, {
      shipmentId: 'DOWN-SHIP',
      receivedMassKg: 100,
      occurredAt: '2026-03-19T14:00:00+08:00',
    });
    const splitChild = async (n: number) => {
      for (let first = 1; first <= GRANDCHILDREN; first += OUTPUTS_PER_SPLIT) {
        const outputs = Array.from({ length: OUTPUTS_PER_SPLIT }, (_, j) => grandchildOf(n, first + j));
        await split(n === 1 ? refiner : miner, childOf(n), splitOf(n, first), outputs, 0.3);
      }
    };
    // Four children at once: each is a lot of its own, so their splits commit together.
    for (let n = 1; n <= CHILDREN; n += 4) await Promise.all([n, n + 1, n + 2, n + 3].map(splitChild));
    // The views at the log's head: what is measured below is the read, not a wait for the projector.
    for (let tries = 0; ; tries++) {
      const { body } = await ledger.request<{ logPosition: string; viewsPosition: string }>('GET', '/health');
      if (body.viewsPosition === body.logPosition) break;
      if (tries === 600) throw new Error(`The views stayed behind the log: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The probe's first request loads Node's HTTP client: paid here, not in a measured wait.
    await ledger.request('GET', '/health/live');
  }, 240_000);
  afterAll(() => ledger.stop());

  /**
   * `path`'s answer, read while `/health/live` is asked every 20 ms: the longest it waited, and how many
   * times it was asked while the read was under way. The answer (megabytes of JSON) is parsed only after,
   * so that parsing it here is not counted as the server's wait.
   */
  async function readWhileProbing<T>(path: string, token: string) {
    let done = false;
    const reading = fetch(`${ledger.baseUrl}${path}${path.includes('?') ? '&' : '?'}minPosition=${head}`, {
      headers: { authorization: `Bearer ${token}` },
    })
      .then(async (response) => ({ status: response.status, bytes: await response.arrayBuffer() }))
      .finally(() => (done = true));
    const waits: number[] = [];
    while (!done) {
      const asked = Date.now();
      const live = await ledger.request('GET', '/health/live');
      expect(live.status).toBe(200);
      waits.push(Date.now() - asked);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const { status, bytes } = await reading;
    const reply = { status, body: JSON.parse(Buffer.from(bytes).toString('utf8')) as T };
    const longestWait = Math.max(0, ...waits);
    console.info(
      `live downstream reads: ${path}: /health/live waited at most ${longestWait} ms (${waits.length} probes)`,
    );
    return { reply, longestWait, probes: waits.length };
  }

  it('answers /health/live at once while the descendants of 30,100 lots are read, and the same descendants', async () => {
    const { reply, longestWait, probes } = await readWhileProbing<{ descendants: Descendant[] }>(
      `/batches/${ROOT}/provenance?direction=descendants`,
      ADMIN_TOKEN,
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ batchId: ROOT, direction: 'descendants', descendants: allDescendants() });
    expect(longestWait).toBeLessThan(LIVE_WITHIN_MS);
    expect(probes).toBeGreaterThan(1); // the read was under way through more than one probe
  });

  it('answers /health/live at once while the descendant graph is read, and the same graph', async () => {
    const { reply, longestWait, probes } = await readWhileProbing<{
      batchId: string;
      direction: string;
      nodes: { batchId: string; distance: number }[];
      edges: { from: string; to: string; transformationId: string; consumedKg: number; share: number }[];
    }>(`/batches/${ROOT}/provenance/graph?direction=descendants`, ADMIN_TOKEN);
    expect(reply.status).toBe(200);
    expect(reply.body.batchId).toBe(ROOT);
    expect(reply.body.direction).toBe('descendants');
    const expected = [{ batchId: ROOT, depth: 0 }, ...allDescendants()];
    expect(reply.body.nodes.map((node) => [node.batchId, node.distance])).toEqual(
      expected.map((node) => [node.batchId, node.depth]),
    );
    expect(reply.body.edges).toHaveLength(CHILDREN + CHILDREN * GRANDCHILDREN);
    expect(reply.body.edges).toContainEqual({
      from: childOf(50),
      to: grandchildOf(50, 7),
      transformationId: splitOf(50, 7),
      consumedKg: 0.3,
      share: 1,
    });
    expect(longestWait).toBeLessThan(LIVE_WITHIN_MS);
    expect(probes).toBeGreaterThan(1); // the read was under way through more than one probe
  });

  it('answers /health/live at once while the hold impact is read, with every descendant’s custody', async () => {
    const { reply, longestWait, probes } = await readWhileProbing<{
      batchId: string;
      descendants: (Descendant & { status: string; custodian: { orgId: string }; remainingMassKg: number })[];
    }>(`/holds/${ROOT}/impact`, ADMIN_TOKEN);
    expect(reply.status).toBe(200);
    expect(reply.body.batchId).toBe(ROOT);
    expect(
      reply.body.descendants.map(({ batchId, depth, viaTransformationId }) => ({
        batchId,
        depth,
        viaTransformationId,
      })),
    ).toEqual(allDescendants());
    const impact = new Map(reply.body.descendants.map((entry) => [entry.batchId, entry]));
    expect(impact.get(childOf(1))).toMatchObject({ custodian: { orgId: 'refco' }, remainingMassKg: 10 });
    expect(impact.get(grandchildOf(1, 7))).toMatchObject({
      status: 'in_custody',
      custodian: { orgId: 'refco' },
      remainingMassKg: 0.3,
    });
    expect(impact.get(grandchildOf(50, 7))).toMatchObject({
      status: 'in_custody',
      custodian: { orgId: 'mineco' },
      remainingMassKg: 0.3,
    });
    expect(longestWait).toBeLessThan(LIVE_WITHIN_MS);
    expect(probes).toBeGreaterThan(1); // the read was under way through more than one probe
  });

  it('gives a participant, through the worker, only the descendants it held, in every downstream view', async () => {
    // MineCo held the root, its children (the first until RefCo received it) and the grandchildren it
    // split off; not those RefCo split off the first child (docs/visibility.md).
    const listed = allDescendants().filter((descendant) => !descendant.batchId.startsWith(`${childOf(1)}-`));
    expect(listed).toHaveLength(CHILDREN + (CHILDREN - 1) * GRANDCHILDREN);
    const descendants = await ledger.get<{ descendants: Descendant[] }>(
      `/batches/${ROOT}/provenance?direction=descendants&minPosition=${head}`,
      miner,
    );
    expect(descendants.status).toBe(200);
    expect(descendants.body).toEqual({ batchId: ROOT, direction: 'descendants', descendants: listed });

    const graph = await ledger.get<{ nodes: { batchId: string }[]; edges: { from: string; to: string }[] }>(
      `/batches/${ROOT}/provenance/graph?direction=descendants&minPosition=${head}`,
      miner,
    );
    expect(graph.status).toBe(200);
    expect(graph.body.nodes.map((node) => node.batchId)).toEqual([ROOT, ...listed.map((d) => d.batchId)]);
    expect(graph.body.edges).toHaveLength(listed.length); // each listed lot's link from its listed parent
    expect(graph.body.edges.some((edge) => edge.to.startsWith(`${childOf(1)}-`))).toBe(false);

    const impact = await ledger.get<{ descendants: { batchId: string }[] }>(
      `/holds/${ROOT}/impact?minPosition=${head}`,
      miner,
    );
    expect(impact.status).toBe(200);
    expect(impact.body.descendants.map((entry) => entry.batchId)).toEqual(listed.map((d) => d.batchId));

    // A stranger to the lot: 404, the body of a lot that does not exist.
    const stranger = await ledger.organisation('down-stranger', 'DE', ['producer']);
    const hidden = await ledger.get(`/batches/${ROOT}/provenance?direction=descendants`, stranger);
    const unknown = await ledger.get(`/batches/DOWN-NONE/provenance?direction=descendants`, stranger);
    expect(hidden.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(hidden.body).replaceAll(ROOT, 'X')).toBe(
      JSON.stringify(unknown.body).replaceAll('DOWN-NONE', 'X'),
    );
  });
});
