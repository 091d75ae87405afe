import { toBatchStreamId } from '@tracelode/domain';
import type { EventStore, StoredEvent } from '@tracelode/event-store';
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
import { collectEvidence, type Evidence, type EvidenceOptions, projectEvidence } from './evidence';
import { NO_PACE, type Pace } from './pace';
import { checkWithheldViews } from './withheld-views';
import { WITHHOLD_NOTHING, withholdFields, type WithholdSelector } from './withhold';

export interface AuditBundleOptions extends EvidenceOptions {
  readonly now?: () => Date;
  /**
   * Which fields of each event the bundle withholds (ADR 0022); default: none. Streams that only withheld
   * values named are left out, and the bundle is refused (`WithholdingChangesViewsError`) when what is
   * withheld would change its views beyond showing withheld values as withheld.
   */
  readonly withhold?: WithholdSelector;
}

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
  options: AuditBundleOptions = {},
): Promise<AuditBundle | undefined> {
  const { now = () => new Date(), pace = NO_PACE, withhold = WITHHOLD_NOTHING } = options;
  const head = Number(await store.headPosition());
  const checkpoint = notary.checkpointCovering(Math.max(head, 1));
  if (!checkpoint) return undefined;
  const treeSize = BigInt(checkpoint.treeSize);
  const full = await collectEvidence(store, lookup, [batchId], treeSize, options);
  if (!full.events.some((stored) => stored.stream === toBatchStreamId(batchId))) return undefined;
  let { events, streams } = full;
  let views = await viewsOf(batchId, events, pace);
  if (withhold !== WITHHOLD_NOTHING) {
    ({ events, streams } = await withheldEvidence(full, withhold, lookup, batchId, treeSize, options));
    const shown = await viewsOf(batchId, events, pace);
    checkWithheldViews(views, shown);
    views = shown;
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

/**
 * Events that no longer project were altered behind the ledger's back: the bundle is still handed out,
 * claiming no views, so the verifier names the altered event instead of the ledger hiding it.
 */
async function viewsOf(
  batchId: string,
  events: readonly StoredEvent[],
  pace: Pace,
): Promise<BatchViews | null> {
  try {
    return batchViewsOf(batchId, await projectEvidence(events, pace)) ?? null;
  } catch {
    return null;
  }
}

/**
 * The evidence with the selected fields withheld, gathered again over those events alone: a stream that
 * only a withheld value named (a withheld trader's organisation, its certificates) is no longer drawn on.
 */
async function withheldEvidence(
  full: Evidence,
  withhold: WithholdSelector,
  lookup: ViewLookup,
  batchId: string,
  treeSize: bigint,
  options: EvidenceOptions,
): Promise<Evidence> {
  const byStream = new Map<string, StoredEvent[]>();
  for (const stored of full.events) {
    const shown = withholdFields(stored, withhold(stored));
    const stream = byStream.get(stored.stream);
    if (stream) stream.push(shown);
    else byStream.set(stored.stream, [shown]);
  }
  const withheld = {
    // eslint-disable-next-line @typescript-eslint/require-await -- an async iterable over what is in memory
    async *readStream(stream: string) {
      yield* byStream.get(stream) ?? [];
    },
  };
  return collectEvidence(withheld, lookup, [batchId], treeSize, options);
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
