import { ADMIN_TOKEN, LedgerHarness, minedBatch, standardParties } from './support/ledger-harness';

/**
 * Live downstream reads (descendants, descendant graph, hold impact) of a lot with a small downstream
 * answer as they did when every live read ran on the request thread: a burst is never refused
 * READS_BUSY (a walk is handed to the read workers' queue only when it is long: ADR 0020, amended
 * 2026-11-30), a stranger's 404 is alike for a hidden and an unknown lot, a new descendant shows at once
 * after its write, GRAPH_TOO_LARGE, the same headers.
 */
describe('live downstream reads of a small downstream', () => {
  let ledger: LedgerHarness;
  let miner: string;
  let regulator: string;
  let stranger: string;

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_MAX_GRAPH_NODES: '3' });
    ({ miner, regulator } = await standardParties(ledger));
    stranger = await ledger.organisation('rev45-stranger', 'DE', ['producer']);
    const mined = await ledger.post('/batches/mined', miner, minedBatch('SMALL', 100));
    expect(mined.status).toBe(201);
    const split = await ledger.post<{ position: string }>('/batches/SMALL/splits', miner, {
      splitId: 'SMALL-SPLIT',
      outputs: [
        { batchId: 'SMALL-1', massKg: 10 },
        { batchId: 'SMALL-2', massKg: 10 },
      ],
      occurredAt: '2026-03-02T08:00:00+08:00',
    });
    expect(split.status).toBe(201);
  }, 60_000);
  afterAll(() => ledger.stop());

  const read = async (path: string, token: string) => {
    const response = await fetch(`${ledger.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  it('answers a burst of 12 descendants reads of a two-lot downstream, none refused READS_BUSY', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => read('/batches/SMALL/provenance?direction=descendants', miner)),
    );
    const statuses = replies.map((reply) => reply.status);
    expect(statuses).toEqual(Array.from({ length: 12 }, () => 200));
  });

  it('answers a burst of 12 hold impacts (a regulator’s batch pages) of a two-lot downstream, none refused', async () => {
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => read('/holds/SMALL/impact', regulator)),
    );
    expect(replies.map((reply) => reply.status)).toEqual(Array.from({ length: 12 }, () => 200));
  });

  it('a stranger gets 404 for a lot and an unknown lot alike, even while the reads are busy', async () => {
    const burst = Array.from({ length: 12 }, () =>
      read('/batches/SMALL/provenance?direction=descendants', ADMIN_TOKEN),
    );
    const hidden = read('/batches/SMALL/provenance?direction=descendants', stranger);
    const unknown = read('/batches/NONE/provenance?direction=descendants', stranger);
    const [h, u] = await Promise.all([hidden, unknown, ...burst]);
    expect([h.status, u.status]).toEqual([404, 404]);
    expect(h.text.replaceAll('SMALL', 'X')).toBe(u.text.replaceAll('NONE', 'X'));
  });

  it('shows a new descendant at once to a read that waits for its write (minPosition), 15 times', async () => {
    for (let i = 1; i <= 15; i++) {
      const split = await ledger.post<{ position: string }>('/batches/SMALL-2/splits', miner, {
        splitId: `RYW-SPLIT-${i}`,
        outputs: [{ batchId: `RYW-${i}`, massKg: 0.1 }],
        occurredAt: '2026-03-03T08:00:00+08:00',
      });
      expect(split.status).toBe(201);
      const position = split.body.position;
      const [descendants, impact, graph] = await Promise.all([
        read(`/batches/SMALL/provenance?direction=descendants&minPosition=${position}`, miner),
        read(`/holds/SMALL/impact?minPosition=${position}`, regulator),
        read(`/batches/SMALL-2/provenance/graph?direction=descendants&minPosition=${position}`, ADMIN_TOKEN),
      ]);
      expect(descendants.text).toContain(`"RYW-${i}"`);
      expect(impact.text).toContain(`"RYW-${i}"`);
      // The graph is limited to 3 nodes: 422 GRAPH_TOO_LARGE once SMALL-2 has more than two outputs.
      if (i <= 2) expect(graph.text).toContain(`"RYW-${i}"`);
      else {
        expect(graph.status).toBe(422);
        expect(JSON.parse(graph.text)).toMatchObject({ code: 'GRAPH_TOO_LARGE', maxNodes: 3 });
      }
    }
  });

  it('answers with the headers it answered before (content type, no caching headers lost)', async () => {
    const descendants = await read('/batches/SMALL/provenance?direction=descendants', miner);
    const provenance = await read('/batches/SMALL/provenance', miner);
    const names = (headers: Headers) =>
      [...headers.keys()].filter((name) => !['date', 'content-length'].includes(name)).sort();
    expect(names(descendants.headers)).toEqual(names(provenance.headers));
    expect(descendants.headers.get('content-type')).toBe(provenance.headers.get('content-type'));
  });
});
