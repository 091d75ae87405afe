import { toBatchStreamId } from '@tracelode/domain';
import type { EventStore } from '@tracelode/event-store';
import { type LogNotary, publicKeyDocument } from '@tracelode/log';
import { type BatchViews, batchViewsOf, type ViewLookup } from '@tracelode/projections';
import {
  AUDIT_BUNDLE_FORMAT,
  type AuditBundle,
  type BundledStreamHead,
  STREAMS_STATEMENT,
  streamsStatement,
  toBundledEvent,
} from './audit-bundle';
import { collectEvidence, withProjectedViews } from './evidence';

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
  const { events, streams } = await collectEvidence(store, lookup, [batchId], BigInt(checkpoint.treeSize));
  if (!events.some((stored) => stored.stream === toBatchStreamId(batchId))) return undefined;
  // Events that no longer project were altered behind the ledger's back: the bundle is still handed out,
  // claiming no views, so the verifier names the altered event instead of the ledger hiding it.
  let views: BatchViews | null;
  try {
    views = withProjectedViews(events, (at) => batchViewsOf(batchId, at)) ?? null;
  } catch {
    views = null;
  }
  const heads = streamHeads(notary, streams, checkpoint.treeSize);
  return {
    format: AUDIT_BUNDLE_FORMAT,
    batchId,
    createdAt: now().toISOString(),
    publicKey: publicKeyDocument(notary.signer.publicKey),
    checkpoint,
    streams: heads,
    streamsSignature: notary.signer.signStatement(
      STREAMS_STATEMENT,
      streamsStatement({ batchId, checkpoint, streams: heads }),
    ),
    events: events.map((stored) =>
      toBundledEvent(stored, notary.inclusionProof(Number(stored.position), checkpoint.treeSize)),
    ),
    views,
  };
}

function streamHeads(
  notary: LogNotary,
  streams: readonly string[],
  treeSize: number,
): Record<string, BundledStreamHead | null> {
  const heads: Record<string, BundledStreamHead | null> = {};
  for (const stream of [...streams].sort()) {
    const head = notary.streamHead(stream);
    if (head && head.position > treeSize) continue; // written since the checkpoint: its head then is unknown here
    heads[stream] = head
      ? { revision: String(head.revision), position: String(head.position), eventId: head.eventId }
      : null;
  }
  return heads;
}
