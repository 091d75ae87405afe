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
import { collectEvidence, type EvidenceOptions, projectEvidence } from './evidence';
import { NO_PACE } from './pace';

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
  options: EvidenceOptions & { readonly now?: () => Date } = {},
): Promise<AuditBundle | undefined> {
  const { now = () => new Date(), pace = NO_PACE } = options;
  const head = Number(await store.headPosition());
  const checkpoint = notary.checkpointCovering(Math.max(head, 1));
  if (!checkpoint) return undefined;
  const treeSize = BigInt(checkpoint.treeSize);
  const { events, streams } = await collectEvidence(store, lookup, [batchId], treeSize, options);
  if (!events.some((stored) => stored.stream === toBatchStreamId(batchId))) return undefined;
  // Events that no longer project were altered behind the ledger's back: the bundle is still handed out,
  // claiming no views, so the verifier names the altered event instead of the ledger hiding it.
  let views: BatchViews | null;
  try {
    views = batchViewsOf(batchId, await projectEvidence(events, pace)) ?? null;
  } catch {
    views = null;
  }
  const heads = streamHeads(notary, streams, checkpoint.treeSize);
  const bundled = [];
  for (const stored of events) {
    bundled.push(toBundledEvent(stored, notary.inclusionProof(Number(stored.position), checkpoint.treeSize)));
    await pace();
  }
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
    events: bundled,
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
