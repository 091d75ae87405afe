import { expectRefusal } from './support/expect-refusal';
import { ADMIN_TOKEN, LedgerHarness } from './support/ledger-harness';

interface GraphNode {
  batchId: string;
  depth: number;
  distance: number;
  form: string | null;
  massKg: number | null;
  site: { orgId: string; facilityId: string; country: string | null } | null;
  certification: { scheme: string; covered: boolean; gaps: { step: string; reason: string }[] }[] | null;
}
interface Graph {
  batchId: string;
  direction: string;
  nodes: GraphNode[];
  edges: { from: string; to: string; transformationId: string; consumedKg: number; share: number }[];
}

/**
 * GET /batches/{id}/provenance/graph: a lot's whole ancestor DAG (or, on demand, its descendants) in one
 * read, each node with its site, country and the lot's certification coverage, each edge with the mass
 * consumed and its share; answered to exactly those who may read the lot, the same 404 to everybody else,
 * and bounded by TRACELODE_MAX_GRAPH_NODES (4 here).
 *
 * MineCo (AU) mines MW-1 (1,000 kg), OtherMine (CA) mines OM-1 (500 kg); both go to RefCo (MY), which
 * refines them into OX-1 and a sibling OX-2; OX-1 goes to MagCo (JP), sintered into MAG-1, machined into
 * PART-1 (five batches up its chain: over the limit). IRMA certifies the mine mt-weld.
 */
describe('GET /batches/{id}/provenance/graph', () => {
  let ledger: LedgerHarness;
  const keys: Record<string, string> = {};
  let head = '0';
  let magMade = '0';

  const post = async (path: string, who: string, body: unknown) => {
    const reply = await ledger.post<{ position: string }>(path, keys[who]!, body);
    if (reply.status !== 201) throw new Error(`${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
    head = reply.body.position;
  };
  const graph = (batchId: string, who: string, query = '') =>
    ledger.get<Graph>(`/batches/${batchId}/provenance/graph?minPosition=${head}${query}`, keys[who]!);
  const move = async (
    batchId: string,
    from: string,
    to: [string, string],
    shipmentId: string,
    kg: number,
    day = 2,
  ) => {
    await post(`/batches/${batchId}/shipments`, from, {
      shipmentId,
      toOrgId: to[0],
      toFacilityId: to[1],
      occurredAt: `2026-03-${String(day).padStart(2, '0')}T00:00:00Z`,
    });
    await post(`/batches/${batchId}/receipts`, to[0], {
      shipmentId,
      receivedMassKg: kg,
      occurredAt: `2026-03-${String(day + 1).padStart(2, '0')}T00:00:00Z`,
    });
  };

  beforeAll(async () => {
    ledger = await LedgerHarness.start({ TRACELODE_MAX_GRAPH_NODES: '4' });
    keys.mineco = await ledger.organisation(
      'mineco',
      'AU',
      ['producer'],
      [{ facilityId: 'mt-weld', kind: 'mine' }],
    );
    keys.othermine = await ledger.organisation(
      'othermine',
      'CA',
      ['producer'],
      [{ facilityId: 'thor', kind: 'mine' }],
    );
    keys.refco = await ledger.organisation(
      'refco',
      'MY',
      ['producer'],
      [{ facilityId: 'kuantan', kind: 'processing_plant' }],
    );
    keys.magco = await ledger.organisation(
      'magco',
      'JP',
      ['producer'],
      [{ facilityId: 'osaka', kind: 'processing_plant' }],
    );
    keys.irma = await ledger.organisation('irma', 'DE', ['certifier']);
    keys.audit = await ledger.organisation('audit', 'CH', ['auditor']);
    keys.stranger = await ledger.organisation('stranger', 'US', ['producer']);
    keys['customs-de'] = await ledger.organisation('customs-de', 'DE', ['regulator']);
    keys.admin = ADMIN_TOKEN;

    await post('/certificates', 'irma', {
      certificateId: 'C-WELD',
      scheme: 'IRMA',
      subject: { type: 'facility', id: 'mt-weld', orgId: 'mineco' },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/weld.pdf' },
      occurredAt: '2026-01-01T00:00:00Z',
    });
    for (const [batchId, org, facilityId, massKg] of [
      ['MW-1', 'mineco', 'mt-weld', 1000],
      ['OM-1', 'othermine', 'thor', 500],
    ] as const)
      await post('/batches/mined', org, {
        batchId,
        facilityId,
        material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
        massKg,
        occurredAt: '2026-03-01T00:00:00Z',
      });
    await move('MW-1', 'mineco', ['refco', 'kuantan'], 'S-1', 1000);
    await move('OM-1', 'othermine', ['refco', 'kuantan'], 'S-2', 500);
    await post('/transformations', 'refco', {
      transformationId: 'T-OX',
      facilityId: 'kuantan',
      process: 'solvent_extraction',
      occurredAt: '2026-03-04T00:00:00Z',
      inputs: [
        { batchId: 'MW-1', consumedKg: 1000 },
        { batchId: 'OM-1', consumedKg: 500 },
      ],
      outputs: [
        { batchId: 'OX-1', material: { form: 'oxide', elements: ['Nd', 'Pr'] }, massKg: 600 },
        { batchId: 'OX-2', material: { form: 'oxide', elements: ['La', 'Ce'] }, massKg: 300 },
      ],
      processEmissionsKgCo2e: 100,
    });
    await move('OX-1', 'refco', ['magco', 'osaka'], 'S-3', 600, 5);
    await post('/transformations', 'magco', {
      transformationId: 'T-MAG',
      facilityId: 'osaka',
      process: 'sintering',
      occurredAt: '2026-03-07T00:00:00Z',
      inputs: [{ batchId: 'OX-1', consumedKg: 600 }],
      outputs: [{ batchId: 'MAG-1', material: { form: 'magnet', elements: ['Nd', 'Pr'] }, massKg: 550 }],
      processEmissionsKgCo2e: 50,
    });
    magMade = head;
    await post('/transformations', 'magco', {
      transformationId: 'T-PART',
      facilityId: 'osaka',
      process: 'machining',
      occurredAt: '2026-03-08T00:00:00Z',
      inputs: [{ batchId: 'MAG-1', consumedKg: 550 }],
      outputs: [{ batchId: 'PART-1', material: { form: 'magnet', elements: ['Nd', 'Pr'] }, massKg: 500 }],
      processEmissionsKgCo2e: 10,
    });
  }, 120_000);

  afterAll(() => ledger?.stop());

  it('returns the whole ancestor DAG in one read: nodes with site and country, edges with mass and share', async () => {
    const reply = await graph('MAG-1', 'magco');
    expect(reply.status).toBe(200);
    const byId = new Map(reply.body.nodes.map((node) => [node.batchId, node]));
    expect([...byId.keys()].sort()).toEqual(['MAG-1', 'MW-1', 'OM-1', 'OX-1']);
    expect(reply.body.nodes.map((node) => node.batchId)).not.toContain('OX-2'); // a sibling, not an ancestor
    expect(byId.get('MW-1')).toMatchObject({
      depth: 0,
      distance: 2,
      form: 'concentrate',
      massKg: 1000,
      site: { orgId: 'mineco', facilityId: 'mt-weld', country: 'AU' },
    });
    expect(byId.get('OM-1')!.site).toEqual({
      orgId: 'othermine',
      facilityId: 'thor',
      country: 'CA',
      step: 'BatchMined',
    });
    expect(byId.get('OX-1')).toMatchObject({ depth: 1, distance: 1, form: 'oxide', massKg: 600 });
    expect(byId.get('OX-1')!.site).toEqual({
      orgId: 'refco',
      facilityId: 'kuantan',
      country: 'MY',
      step: 'BatchProduced',
    });
    expect(byId.get('MAG-1')).toMatchObject({ depth: 2, distance: 0, form: 'magnet' });
    const edges = [...reply.body.edges].sort((a, b) => a.from.localeCompare(b.from));
    expect(edges).toEqual([
      { from: 'MW-1', to: 'OX-1', transformationId: 'T-OX', consumedKg: 1000, share: 1000 / 1500 },
      { from: 'OM-1', to: 'OX-1', transformationId: 'T-OX', consumedKg: 500, share: 500 / 1500 },
      { from: 'OX-1', to: 'MAG-1', transformationId: 'T-MAG', consumedKg: 600, share: 1 },
    ]);
    // The same links as each batch's own provenance view names.
    const oxide = await ledger.get<{ parents: { batchId: string; consumedKg: number }[] }>(
      `/batches/OX-1/provenance?minPosition=${head}`,
      keys.magco!,
    );
    expect(oxide.body.parents.map(({ batchId, consumedKg }) => ({ batchId, consumedKg }))).toEqual(
      edges
        .filter((edge) => edge.to === 'OX-1')
        .map((edge) => ({ batchId: edge.from, consumedKg: edge.consumedKg })),
    );
  });

  it('marks each node with the gaps the lot’s certification view lists for it, as the reader sees them', async () => {
    for (const who of ['magco', 'audit']) {
      const reply = await graph('MAG-1', who);
      const certification = await ledger.get<{
        schemes: { scheme: string; gaps: { batchId: string; step: string; reason: string }[] }[];
      }>(`/batches/MAG-1/certification?minPosition=${head}`, keys[who]!);
      expect(certification.body.schemes.map((scheme) => scheme.scheme)).toEqual(['IRMA']);
      const [irma] = certification.body.schemes;
      for (const node of reply.body.nodes) {
        const gaps = irma!.gaps
          .filter((gap) => gap.batchId === node.batchId)
          .map(({ step, reason }) => ({ step, reason }));
        expect(node.certification).toEqual([{ scheme: 'IRMA', covered: gaps.length === 0, gaps }]);
      }
      const other = reply.body.nodes.find((node) => node.batchId === 'OM-1')!;
      expect(other.certification![0]!.gaps).toContainEqual({ step: 'BatchMined', reason: 'NO_CERTIFICATE' });
      const weld = reply.body.nodes.find((node) => node.batchId === 'MW-1')!;
      expect(weld.certification![0]!.gaps.map((gap) => gap.step)).not.toContain('BatchMined');
    }
  });

  it('answers a stranger and a regulator of another country exactly as for a lot that does not exist', async () => {
    for (const who of ['stranger', 'customs-de', 'othermine']) {
      for (const query of ['', '&direction=descendants']) {
        const refused = await expectRefusal(await graph('MAG-1', who, query), 404, 'BATCH_NOT_FOUND');
        const missing = await expectRefusal(await graph('NO-SUCH-LOT', who, query), 404, 'BATCH_NOT_FOUND');
        expect(refused.body.detail.replace('MAG-1', '?')).toBe(
          missing.body.detail.replace('NO-SUCH-LOT', '?'),
        );
      }
    }
  });

  it('gives descendants on demand, only those the reader may list, as the descendants view does', async () => {
    const ofAuditor = await graph('OX-1', 'audit', '&direction=descendants');
    expect(ofAuditor.status).toBe(200);
    expect(ofAuditor.body.direction).toBe('descendants');
    expect(ofAuditor.body.nodes.map((node) => [node.batchId, node.distance])).toEqual([
      ['OX-1', 0],
      ['MAG-1', 1],
      ['PART-1', 2],
    ]);
    expect(ofAuditor.body.edges).toEqual([
      { from: 'OX-1', to: 'MAG-1', transformationId: 'T-MAG', consumedKg: 600, share: 1 },
      { from: 'MAG-1', to: 'PART-1', transformationId: 'T-PART', consumedKg: 550, share: 1 },
    ]);
    expect(ofAuditor.body.nodes.every((node) => node.certification === null)).toBe(true);
    // RefCo made OX-1 and shipped it: it lists no descendant it never held, as GET …/provenance?direction=descendants.
    for (const who of ['refco', 'mineco']) {
      const start = who === 'refco' ? 'OX-1' : 'MW-1';
      const listed = await ledger.get<{ descendants: { batchId: string }[] }>(
        `/batches/${start}/provenance?direction=descendants&minPosition=${head}`,
        keys[who]!,
      );
      const reply = await graph(start, who, '&direction=descendants');
      expect(reply.status).toBe(200);
      expect(reply.body.nodes.map((node) => node.batchId).slice(1)).toEqual(
        listed.body.descendants.map((descendant) => descendant.batchId),
      );
      for (const edge of reply.body.edges)
        expect(reply.body.nodes.map((node) => node.batchId)).toEqual(
          expect.arrayContaining([edge.from, edge.to]),
        );
    }
  });

  it('refuses a graph over TRACELODE_MAX_GRAPH_NODES with 422 GRAPH_TOO_LARGE and the limit, live and as of a moment', async () => {
    expect((await graph('MAG-1', 'audit')).body.nodes).toHaveLength(4); // at the limit: served
    const live = await expectRefusal(await graph('PART-1', 'audit'), 422, 'GRAPH_TOO_LARGE');
    expect(live.body.maxNodes).toBe(4);
    const asOf = await expectRefusal(
      await graph('PART-1', 'audit', `&atPosition=${head}`),
      422,
      'GRAPH_TOO_LARGE',
    );
    expect(asOf.body.maxNodes).toBe(4);
    await expectRefusal(await graph('MW-1', 'audit', '&direction=descendants'), 422, 'GRAPH_TOO_LARGE');
  });

  it('reads the graph as of a moment as the ledger knew it then', async () => {
    const then = await graph('MAG-1', 'magco', `&atPosition=${magMade}`);
    expect(then.status).toBe(200);
    const now = await graph('MAG-1', 'magco');
    expect(then.body).toEqual(now.body);
    const before = await graph('OX-1', 'audit', `&direction=descendants&atPosition=${magMade}`);
    expect(before.body.nodes.map((node) => node.batchId)).toEqual(['OX-1', 'MAG-1']);
  });

  it('refuses an unknown direction with 400 INVALID_DIRECTION', async () => {
    await expectRefusal(await graph('MAG-1', 'audit', '&direction=sideways'), 400, 'INVALID_DIRECTION');
  });
});
