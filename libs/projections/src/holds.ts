import { BATCH_CUSTODY, type BatchCustodyView } from './batch-custody.projection';
import type { LedgerEvent } from '@tracelode/domain';
import { derivationOf, isDeriving } from './derivation';
import { type DocumentProjection, NO_VIEWS, type ViewLookup } from './document-projection';
import { PROVENANCE, type ProvenanceView, traceDescendants } from './provenance.projection';

/** Whether a batch is held, and which of its ancestors are, each by how many transformations up. */
export interface HeldUpstreamView {
  readonly batchId: string;
  readonly held: boolean;
  readonly heldAncestors: Readonly<Record<string, number>>;
}

export const HELD_UPSTREAM = 'held_upstream';

/**
 * Kept with the hold, so reading a batch never walks its ancestors: a hold or a release changes the held
 * batch's document and every descendant's it has then (found once, when it is recorded), and a batch
 * produced later inherits its inputs' held ancestors. A hold costs its downstream DAG once; a read, one
 * document.
 */
export const heldUpstreamProjection: DocumentProjection<HeldUpstreamView> = {
  collection: HELD_UPSTREAM,
  keyOf: (event) =>
    event.type === 'BatchMined' ||
    isDeriving(event) ||
    event.type === 'BatchHeld' ||
    event.type === 'BatchReleased' ||
    voidedHold(event)
      ? event.data.batchId
      : undefined,
  evolve(view, event, _stored, lookup = NO_VIEWS) {
    switch (event.type) {
      case 'BatchMined':
        return { batchId: event.data.batchId, held: false, heldAncestors: {} };
      case 'BatchProduced':
      case 'BatchSplitOff':
      case 'BlendProduced': {
        const heldAncestors: Record<string, number> = {};
        const nearer = (batchId: string, depth: number) => {
          if (!(heldAncestors[batchId]! <= depth)) heldAncestors[batchId] = depth;
        };
        for (const input of derivationOf(event, lookup).inputs) {
          const upstream = lookup(HELD_UPSTREAM, input.batchId) as HeldUpstreamView | undefined;
          if (upstream?.held) nearer(input.batchId, 1);
          for (const [batchId, depth] of Object.entries(upstream?.heldAncestors ?? {}))
            nearer(batchId, depth + 1);
        }
        return { batchId: event.data.batchId, held: false, heldAncestors };
      }
      case 'BatchHeld':
      case 'BatchReleased':
      case 'EventVoided': {
        if (!view) throw new Error(`${event.type} for batch ${event.data.batchId}, which was never recorded`);
        return { ...view, held: event.type === 'BatchHeld' };
      }
      default:
        throw new Error(`${event.type} cannot change a held-upstream view`);
    }
  },
  alsoChanges(event, lookup) {
    if (event.type !== 'BatchHeld' && event.type !== 'BatchReleased' && !voidedHold(event)) return [];
    const heldId = event.data.batchId;
    const provenance = lookup(PROVENANCE, heldId) as ProvenanceView | undefined;
    if (!provenance) return [];
    const descendants = traceDescendants(
      provenance,
      (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined,
    );
    return descendants.map(({ batchId, depth }) => [
      batchId,
      (view: HeldUpstreamView | undefined): HeldUpstreamView => {
        const { [heldId]: _released, ...others } = view?.heldAncestors ?? {};
        const heldAncestors = event.type === 'BatchHeld' ? { ...others, [heldId]: depth } : others;
        return { batchId, held: view?.held ?? false, heldAncestors };
      },
    ]);
  },
};

/** A hold voided (recorded in error): for the held-upstream views, as if released. */
const voidedHold = (event: LedgerEvent): event is Extract<LedgerEvent, { type: 'EventVoided' }> =>
  event.type === 'EventVoided' && event.data.eventType === 'BatchHeld';

/**
 * The nearest held ancestor of a batch (fewest transformations up; of equals, the first by batch id), or
 * null: one document read, whatever the chain.
 */
export function heldAncestorOf(batchId: string, lookup: ViewLookup): string | null {
  const upstream = lookup(HELD_UPSTREAM, batchId) as HeldUpstreamView | undefined;
  let nearest: [string, number] | null = null;
  for (const [ancestorId, depth] of Object.entries(upstream?.heldAncestors ?? {})) {
    if (!nearest || depth < nearest[1] || (depth === nearest[1] && ancestorId < nearest[0]))
      nearest = [ancestorId, depth];
  }
  return nearest?.[0] ?? null;
}

/** A batch downstream of a held batch: where it is, who has it. */
export interface HoldImpactEntry {
  readonly batchId: string;
  readonly depth: number;
  readonly viaTransformationId: string;
  /** As the reader's view of the lot shows it: `left_custody` / `undisclosed` when it is not the reader's to follow. */
  readonly status: BatchCustodyView['status'] | 'left_custody' | 'undisclosed' | null;
  readonly custodian: BatchCustodyView['custodian'] | null;
  readonly remainingMassKg: number | null;
}

export interface HoldImpactView {
  readonly batchId: string;
  readonly held: boolean;
  readonly custodian: BatchCustodyView['custodian'];
  readonly descendants: readonly HoldImpactEntry[];
}

/** The recall list: every descendant of a batch with its custodian, read along the downstream DAG. */
export function holdImpactOf(batchId: string, lookup: ViewLookup): HoldImpactView | undefined {
  const custody = lookup(BATCH_CUSTODY, batchId) as BatchCustodyView | undefined;
  const provenance = lookup(PROVENANCE, batchId) as ProvenanceView | undefined;
  if (!custody || !provenance) return undefined;
  const descendants = traceDescendants(
    provenance,
    (id) => lookup(PROVENANCE, id) as ProvenanceView | undefined,
  );
  return {
    batchId,
    held: custody.held,
    custodian: custody.custodian,
    descendants: descendants.map((descendant) => {
      const view = lookup(BATCH_CUSTODY, descendant.batchId) as BatchCustodyView | undefined;
      return {
        ...descendant,
        status: view?.status ?? null,
        custodian: view?.custodian ?? null,
        remainingMassKg: view?.remainingMassKg ?? null,
      };
    }),
  };
}
