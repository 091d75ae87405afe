import { Injectable } from '@nestjs/common';
import type { BatchCustodyView, CertificateView, Reader } from '@tracelode/projections';
import type { SerialisedJson } from '../common/serialised-json';
import { ViewSource } from '../ledger/view-source';
import { batchNotFound } from '../ledger/views-ready';

type Live<T> = Exclude<T, SerialisedJson<unknown>>;

/**
 * A batch's views and its chain's (the batch, then its ancestors by provenance parents), each as the
 * reader may see it, read live through the one view source: a credential holds only what its requester may
 * see (docs/visibility.md). The walk visits each ancestor once, so it costs what the chain costs.
 */
@Injectable()
export class ChainViews {
  constructor(private readonly source: ViewSource) {}

  async batch(batchId: string, reader: Reader, minPosition?: string) {
    const moment = minPosition ? { minPosition } : {};
    const read = async <Kind extends 'custody' | 'provenance' | 'carbon' | 'footprint' | 'certification'>(
      view: Kind,
    ) => {
      const answer = await this.source.batch({ view, id: batchId, moment, reader });
      if (!answer) throw batchNotFound(batchId);
      return answer as Live<typeof answer>;
    };
    const custody = await read('custody');
    const [provenance, carbon, footprint, certification] = await Promise.all([
      read('provenance'),
      read('carbon'),
      read('footprint'),
      read('certification'),
    ]);
    return { custody, provenance, carbon, footprint, certification };
  }

  /**
   * The chain's custody views, the batch first; and of each origin, the share of the batch's mass that
   * reached it through a recycling step (recursively: a recycled output carries all of its origins as
   * recycled; any other, its inputs' recycled shares weighted by consumed mass).
   */
  async chain(batchId: string, reader: Reader) {
    const custody = new Map<string, BatchCustodyView>();
    const recycled = new Map<string, ReadonlyMap<string, number>>();
    const visit = async (id: string): Promise<ReadonlyMap<string, number>> => {
      const known = recycled.get(id);
      if (known) return known;
      const [view, provenance] = await Promise.all([
        this.source.batch({ view: 'custody', id, reader }),
        this.source.batch({ view: 'provenance', id, reader }),
      ]);
      if (view) custody.set(id, view as BatchCustodyView);
      const shares = new Map<string, number>();
      const origins =
        (provenance as { origins?: { batchId: string; massFraction: number }[] } | undefined)?.origins ?? [];
      const parents =
        (provenance as { parents?: { batchId: string; consumedKg: number }[] } | undefined)?.parents ?? [];
      const made = (view as BatchCustodyView | undefined)?.timeline[0];
      if (made?.type === 'BatchProduced' && made.details.process === 'recycling') {
        for (const origin of origins) shares.set(origin.batchId, origin.massFraction);
      } else {
        const consumed = parents.reduce((sum, parent) => sum + parent.consumedKg, 0);
        for (const parent of parents) {
          const weight = consumed > 0 ? parent.consumedKg / consumed : 0;
          for (const [origin, share] of await visit(parent.batchId))
            shares.set(origin, (shares.get(origin) ?? 0) + weight * share);
        }
      }
      recycled.set(id, shares);
      return shares;
    };
    const recycledByOrigin = await visit(batchId);
    const first = custody.get(batchId);
    if (!first) throw batchNotFound(batchId);
    return { chain: [first, ...[...custody.values()].filter((view) => view !== first)], recycledByOrigin };
  }

  /** A certificate's evidence (certificates are public: schemes publish them). */
  async certificate(certificateId: string, reader: Reader): Promise<CertificateView | undefined> {
    return this.source.document({ view: 'certificate', id: certificateId, reader });
  }
}
