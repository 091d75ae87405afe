import { BATCH_CUSTODY } from './batch-custody.projection';
import type { ViewLookup } from './document-projection';
import { ORGANISATIONS } from './organisations.projection';
import { GraphTooLargeError, provenanceGraphOf, type ProvenanceGraphView } from './provenance-graph';
import { visibleGraphSites } from './visibility/visible-views';
import type { ReaderRelationships } from './visibility/withheld';
import type { BatchAccess } from './visibility/access';
import { PROVENANCE, type ProvenanceView } from './provenance.projection';

/**
 * A layered chain: `width` mined lots, then `layers` layers of `width` lots, each made from every lot of
 * the layer above (so width² links a layer), over one organisation per layer. Views kept as documents,
 * and every lookup counted: the graph's cost is what it reads.
 */
function chain(width: number, layers: number) {
  const documents = new Map<string, unknown>();
  const id = (layer: number, index: number) => `L${layer}-${index}`;
  for (let layer = 0; layer <= layers; layer++) {
    documents.set(`${ORGANISATIONS}/org-${layer}`, {
      orgId: `org-${layer}`,
      facilities: [{ facilityId: `site-${layer}`, country: layer === 0 ? 'AU' : 'MY' }],
    });
    for (let index = 0; index < width; index++) {
      const parents =
        layer === 0
          ? []
          : Array.from({ length: width }, (_, from) => ({
              batchId: id(layer - 1, from),
              consumedKg: from + 1,
              transformationId: `T-${layer}-${index}`,
            }));
      const children =
        layer === layers
          ? []
          : Array.from({ length: width }, (_, to) => ({
              batchId: id(layer + 1, to),
              transformationId: `T-${layer + 1}-${to}`,
            }));
      const view: ProvenanceView = {
        batchId: id(layer, index),
        parents,
        children,
        depth: layer,
        origins: [],
        position: '1',
      };
      documents.set(`${PROVENANCE}/${id(layer, index)}`, view);
      documents.set(`${BATCH_CUSTODY}/${id(layer, index)}`, {
        batchId: id(layer, index),
        massKg: 100,
        material: { form: layer === 0 ? 'ore' : 'oxide', elements: ['Nd'] },
        timeline: [
          {
            type: layer === 0 ? 'BatchMined' : 'BatchProduced',
            details: { orgId: `org-${layer}`, facilityId: `site-${layer}` },
          },
        ],
      });
    }
  }
  let reads = 0;
  const lookup: ViewLookup = (collection, key) => {
    reads++;
    return documents.get(`${collection}/${key}`);
  };
  return { lookup, id, reads: () => reads };
}

describe('provenanceGraphOf', () => {
  it('returns every ancestor and link once, each edge with its share of what the batch consumed', () => {
    const { lookup, id } = chain(3, 2);
    const graph = provenanceGraphOf(id(2, 0), 'ancestors', lookup, { maxNodes: 100 })!;
    expect(graph.nodes.map((node) => node.batchId).sort()).toEqual(
      ['L0-0', 'L0-1', 'L0-2', 'L1-0', 'L1-1', 'L1-2', 'L2-0'].sort(),
    );
    expect(graph.edges).toHaveLength(3 + 9);
    const intoTop = graph.edges.filter((edge) => edge.to === id(2, 0));
    expect(intoTop.map((edge) => edge.share)).toEqual([1 / 6, 2 / 6, 3 / 6]);
    const mine = graph.nodes.find((node) => node.batchId === id(0, 1))!;
    expect(mine).toMatchObject({ depth: 0, distance: 2, form: 'ore', massKg: 100 });
    expect(mine.site).toEqual({ orgId: 'org-0', facilityId: 'site-0', country: 'AU', step: 'BatchMined' });
    expect(mine.certification).toEqual([]);
  });

  it('reads each batch twice and each site once: linear in the graph, not its square', () => {
    for (const [width, layers] of [
      [10, 10],
      [20, 10],
      [10, 40],
    ] as const) {
      const { lookup, id, reads } = chain(width, layers);
      const graph = provenanceGraphOf(id(layers, 0), 'ancestors', lookup, { maxNodes: 10_000 })!;
      const nodes = width * layers + 1;
      expect(graph.nodes).toHaveLength(nodes);
      // One provenance and one custody document a batch, one organisation a site.
      expect(reads()).toBe(2 * nodes + (layers + 1));
    }
  });

  it('stops as soon as the graph passes maxNodes, having read no more than that', () => {
    const { lookup, id, reads } = chain(10, 50);
    expect(() => provenanceGraphOf(id(50, 0), 'ancestors', lookup, { maxNodes: 25 })).toThrow(
      new GraphTooLargeError(25),
    );
    expect(reads()).toBeLessThanOrEqual(26);
    expect(
      provenanceGraphOf(id(2, 0), 'ancestors', chain(10, 2).lookup, { maxNodes: 21 })!.nodes,
    ).toHaveLength(21);
  });

  it('asks for the lot’s certification only once the walk is within maxNodes', () => {
    const { lookup, id } = chain(10, 50);
    const certification = jest.fn(() => ({ batchId: id(50, 0), schemes: [], lateSteps: [] }));
    expect(() => provenanceGraphOf(id(50, 0), 'ancestors', lookup, { maxNodes: 25, certification })).toThrow(
      GraphTooLargeError,
    );
    expect(certification).not.toHaveBeenCalled();
    provenanceGraphOf(id(2, 0), 'ancestors', lookup, { maxNodes: 1_000, certification });
    expect(certification).toHaveBeenCalledTimes(1);
  });

  it('walks descendants the other way, counting towards the limit only those listed', () => {
    const { lookup, id } = chain(4, 3);
    const all = provenanceGraphOf(id(0, 0), 'descendants', lookup, { maxNodes: 100 })!;
    expect(all.nodes).toHaveLength(13);
    expect(all.nodes.find((node) => node.batchId === id(3, 2))!.distance).toBe(3);
    expect(all.nodes.every((node) => node.certification === null)).toBe(true);
    const listed = (batchId: string) => batchId.startsWith('L3-');
    expect(provenanceGraphOf(id(0, 0), 'descendants', lookup, { maxNodes: 5, listed })!.nodes).toHaveLength(
      13,
    );
    expect(() => provenanceGraphOf(id(0, 0), 'descendants', lookup, { maxNodes: 4, listed })).toThrow(
      GraphTooLargeError,
    );
  });

  it('is undefined for a lot without provenance', () => {
    expect(provenanceGraphOf('NOPE', 'ancestors', chain(1, 1).lookup, { maxNodes: 10 })).toBeUndefined();
  });
});

describe('visibleGraphSites', () => {
  const graph: ProvenanceGraphView = {
    batchId: 'LOT',
    direction: 'ancestors',
    edges: [],
    nodes: ['BatchMined', 'BatchProduced', 'BatchSplitOff'].map((step, index) => ({
      batchId: index === 0 ? 'LOT' : `B-${index}`,
      depth: 0,
      distance: index,
      form: 'oxide',
      elements: [],
      massKg: 1,
      site: { orgId: `org-${index}`, facilityId: `site-${index}`, country: 'SG', step },
      certification: [],
    })),
  };
  const nobody: ReaderRelationships = {
    batch: () => undefined,
    licence: () => false,
    identified: () => false,
  };

  it('names mines and transformation sites to every reader, a split’s or blend’s maker only to a full one', () => {
    const upstream = visibleGraphSites(graph, { kind: 'upstream', why: 'downstream_holder' }, nobody);
    expect(upstream.nodes.map((node) => node.site)).toEqual([
      { orgId: 'org-0', facilityId: 'site-0', country: 'SG', step: 'BatchMined' },
      { orgId: 'org-1', facilityId: 'site-1', country: 'SG', step: 'BatchProduced' },
      { orgId: null, facilityId: null, country: 'SG', step: 'BatchSplitOff' },
    ]);
    expect(visibleGraphSites(graph, { kind: 'full', allDescendants: true, why: 'auditor' }, nobody)).toBe(
      graph,
    );
  });

  it('names a descendant split’s or blend’s maker to a full reader of the lot only if it reads every descendant or that one in full', () => {
    const descendants: ProvenanceGraphView = { ...graph, direction: 'descendants' };
    const certifier: BatchAccess = { kind: 'full', allDescendants: false, why: 'engaged_certifier' };
    expect(visibleGraphSites(descendants, certifier, nobody).nodes[2]!.site).toEqual({
      orgId: null,
      facilityId: null,
      country: 'SG',
      step: 'BatchSplitOff',
    });
    const fullOnIt: ReaderRelationships = {
      ...nobody,
      batch: (batchId) => (batchId === 'B-2' ? certifier : undefined),
    };
    expect(visibleGraphSites(descendants, certifier, fullOnIt).nodes[2]!.site?.orgId).toBe('org-2');
    expect(visibleGraphSites(graph, certifier, nobody)).toBe(graph);
  });
});
