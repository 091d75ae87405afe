import { toBatchStreamId } from '@tracelode/domain';
import type { EventStore } from '@tracelode/event-store';
import { batchViewsOf, type ViewLookup } from '@tracelode/projections';
import { AUDIT_BUNDLE_FORMAT, type AuditBundle, toBundledEvent } from './audit-bundle';
import { publicKeyDocument } from './checkpoint';
import { collectEvidence, withProjectedViews } from './evidence';
import type { LogNotary } from './notary';

/**
 * The audit bundle of a batch against the newest signed checkpoint that covers the whole log as it is
 * now (one is signed on the spot if the latest does not). The notary must already hold every event up to
 * the head; `lookup` reads the live views, used to find the batch's ancestry. Undefined when the batch did
 * not exist at the checkpoint.
 */
export async function assembleAuditBundle(
  store: EventStore,
  notary: LogNotary,
  lookup: ViewLookup,
  batchId: string,
  now: () => Date = () => new Date(),
): Promise<AuditBundle | undefined> {
  const head = Number(await store.headPosition());
  const checkpoint = notary.checkpointCovering(Math.max(head, 1));
  if (!checkpoint) return undefined;
  const events = await collectEvidence(store, lookup, [batchId], BigInt(checkpoint.treeSize));
  if (!events.some((stored) => stored.stream === toBatchStreamId(batchId))) return undefined;
  const views = withProjectedViews(events, (at) => batchViewsOf(batchId, at));
  if (!views) return undefined;
  return {
    format: AUDIT_BUNDLE_FORMAT,
    batchId,
    createdAt: now().toISOString(),
    publicKey: publicKeyDocument(notary.signer.publicKey),
    checkpoint,
    events: events.map((stored) =>
      toBundledEvent(stored, notary.inclusionProof(Number(stored.position), checkpoint.treeSize)),
    ),
    views,
  };
}
