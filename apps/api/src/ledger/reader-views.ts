import type { StoredEvent } from '@tracelode/event-store';
import {
  type BatchAccess,
  custodyOf,
  type ExportView,
  type LicenceView,
  listsDescendant,
  mayReadExport,
  mayReadLicence,
  type ReadMoment,
  type Reader,
  type ReaderRelationships,
  readerRelationships,
  type ViewLookup,
  visibleCertification,
  visibleCustody,
  visibleDescendantGraph,
  visibleGraphSites,
  visibleDescendants,
  visibleEvents,
  visibleHoldImpact,
  visibleProvenance,
} from '@tracelode/projections';

/**
 * The read policy's layer over the view source (docs/visibility.md, ADR 0023): what one reader may see of
 * each view, worked out from the relationships the live views keep (cut at the moment read) and the view
 * itself. Kept apart from `view-source.ts`, which only asks it.
 */
export class ReaderViews {
  readonly relationships: ReaderRelationships;

  constructor(
    readonly reader: Reader,
    private readonly live: ViewLookup,
    private readonly moment: ReadMoment,
    /** Organisations the reader may know besides those it deals with: the chain's mines and transformation sites. */
    identified: ReadonlySet<string> = new Set(),
  ) {
    this.relationships = readerRelationships(reader, live, moment, identified);
  }

  /** What the reader may see of a batch; undefined: nothing (the batch does not exist, for it). */
  access(batchId: string): BatchAccess | undefined {
    return this.relationships.batch(batchId);
  }

  /** A batch view as the reader may see it; `lookup` is the views the view was read from. */
  shown(kind: string, batchId: string, view: unknown, access: BatchAccess, lookup: ViewLookup): unknown {
    const { reader, relationships } = this;
    switch (kind) {
      case 'custody':
        return visibleCustody(view as Parameters<typeof visibleCustody>[0], reader, access, relationships);
      case 'provenance':
        return visibleProvenance(view as Parameters<typeof visibleProvenance>[0], access, relationships);
      case 'descendants':
        return visibleDescendants(view as Parameters<typeof visibleDescendants>[0], access, relationships);
      case 'graph':
        return visibleGraphSites(view as Parameters<typeof visibleGraphSites>[0], access, relationships);
      case 'descendantGraph':
        return visibleGraphSites(
          visibleDescendantGraph(view as Parameters<typeof visibleDescendantGraph>[0], access, relationships),
          access,
          relationships,
        );
      case 'certification':
        return visibleCertification(
          view as Parameters<typeof visibleCertification>[0],
          access,
          relationships,
          lookup,
        );
      case 'holdImpact': {
        const custody = custodyOf(batchId, lookup);
        if (!custody) return view;
        const seen = visibleCustody(custody, reader, access, relationships);
        return visibleHoldImpact(
          view as Parameters<typeof visibleHoldImpact>[0],
          seen,
          access,
          relationships,
          (descendantId, theirs) => {
            const descendant = custodyOf(descendantId, lookup);
            return descendant && visibleCustody(descendant, reader, theirs, relationships);
          },
        );
      }
      default:
        // Carbon and the footprint: mass shares, intensities and the mines' and transformation sites'
        // facilities, which every reader of the batch may see.
        return view;
    }
  }

  /** Whether the reader may list `batchId` among the descendants of a batch it reads with `access`. */
  listsDescendant(access: BatchAccess, batchId: string): boolean {
    return listsDescendant(access, this.relationships, batchId);
  }

  /** A batch's events as the reader may see them, withheld paths listed on each. */
  events(events: readonly StoredEvent[], access: BatchAccess): (StoredEvent & { withheld?: string[] })[] {
    return visibleEvents(events, this.reader, access, this.relationships, this.live).map(
      ({ event, withheld }) => (withheld.length === 0 ? event : { ...event, withheld }),
    );
  }

  licence(view: LicenceView): boolean {
    return mayReadLicence(this.reader, view);
  }

  export(view: ExportView): boolean {
    return mayReadExport(this.reader, view, this.live, this.moment);
  }
}
