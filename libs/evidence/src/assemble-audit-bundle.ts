import { toBatchStreamId } from '@tracelode/domain';
import type { EventStore, StoredEvent } from '@tracelode/event-store';
import {
  type LogNotary,
  publicKeyDocument,
  type PublicKeyDocument,
  type SignedCheckpoint,
  type StreamHead,
} from '@tracelode/log';
import { type BatchViews, batchViewsOf, type ViewLookup } from '@tracelode/projections';
import {
  AUDIT_BUNDLE_FORMAT,
  type AuditBundle,
  type BundledEvent,
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

/** What a bundle needs of the notary's Merkle log: the notary itself, or its file opened read-only. */
export interface NotarisedLog {
  streamHead(stream: string): StreamHead | undefined;
  inclusionProof(position: number, treeSize: number): Buffer[];
}

/** The checkpoint a bundle is made against, the key that signed it, and how its stream heads are signed. */
export interface BundleSigning {
  readonly checkpoint: SignedCheckpoint;
  readonly publicKey: PublicKeyDocument;
  readonly createdAt: string;
  /** Signs a statement with the ledger's key (the key may live on another thread). */
  readonly signStatement: (name: string, statement: Record<string, unknown>) => Promise<string>;
}

/**
 * A bundle with everything but its events' proofs computed: written out whole (`assembleAuditBundle`) or
 * event by event (`auditBundleJson`, `auditBundleNdjson`), each event proved as it is written.
 */
export interface PreparedAuditBundle {
  readonly head: Omit<AuditBundle, 'events'>;
  readonly events: readonly StoredEvent[];
  bundled(stored: StoredEvent): BundledEvent;
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
  const { now = () => new Date(), pace = NO_PACE } = options;
  const head = Number(await store.headPosition());
  const checkpoint = await notary.signedCheckpointCovering(Math.max(head, 1));
  if (!checkpoint) return undefined;
  const signing: BundleSigning = {
    checkpoint,
    publicKey: publicKeyDocument(notary.signer.publicKey),
    createdAt: now().toISOString(),
    signStatement: (name, statement) => Promise.resolve(notary.signer.signStatement(name, statement)),
  };
  const prepared = await prepareAuditBundle(store, notary, lookup, batchId, signing, options);
  if (!prepared) return undefined;
  const bundled = [];
  for (const stored of prepared.events) {
    bundled.push(prepared.bundled(stored));
    await pace();
  }
  const { views, ...rest } = prepared.head;
  return { ...rest, events: bundled, views };
}

/**
 * Gathers and projects a batch's evidence up to `signing.checkpoint` and signs its stream heads; the
 * events are proved later, one by one, as they are written. Undefined when the batch did not exist then.
 */
export async function prepareAuditBundle(
  store: EventStore,
  log: NotarisedLog,
  lookup: ViewLookup,
  batchId: string,
  signing: BundleSigning,
  options: AuditBundleOptions = {},
): Promise<PreparedAuditBundle | undefined> {
  const { pace = NO_PACE, withhold = WITHHOLD_NOTHING } = options;
  const { checkpoint } = signing;
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
  const heads = streamHeads(log, streams, checkpoint.treeSize);
  return {
    head: {
      format: AUDIT_BUNDLE_FORMAT,
      batchId,
      createdAt: signing.createdAt,
      publicKey: signing.publicKey,
      checkpoint,
      streams: heads,
      streamsSignature: await signing.signStatement(
        STREAMS_STATEMENT,
        streamsStatement({ batchId, checkpoint, streams: heads }),
      ),
      views,
    },
    events,
    bundled: (stored) =>
      toBundledEvent(stored, log.inclusionProof(Number(stored.position), checkpoint.treeSize)),
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
  log: NotarisedLog,
  streams: readonly string[],
  treeSize: number,
): Record<string, BundledStreamHead | null> {
  const heads: Record<string, BundledStreamHead | null> = {};
  for (const stream of [...streams].sort()) {
    const head = log.streamHead(stream);
    if (head && head.position > treeSize) continue; // written since the checkpoint: its head then is unknown here
    heads[stream] = head
      ? { revision: String(head.revision), position: String(head.position), eventId: head.eventId }
      : null;
  }
  return heads;
}
