import type { StoredEvent } from '@tracelode/event-store';
import type { PublicKeyDocument, SignedCheckpoint } from '@tracelode/log';
import type { BatchViews } from '@tracelode/projections';

export const AUDIT_BUNDLE_FORMAT = 'tracelode-audit-bundle/v1';

export interface BundledStreamHead {
  readonly revision: string;
  readonly position: string;
  readonly eventId: string;
}

/** One event as a bundle carries it: the stored event (JSON-safe) and its inclusion proof. */
export interface BundledEvent {
  readonly position: string;
  readonly stream: string;
  readonly revision: string;
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly recordedAt: string;
  /** RFC 9162 audit path (hex) of leaf `position − 1` in the checkpoint's tree. */
  readonly inclusionProof: readonly string[];
}

/**
 * Everything a third party needs to check a batch's history offline with nothing but the ledger's public
 * key: the events of the batch, its ancestors and the organisations, certificates and licences they name,
 * each with its inclusion proof against one signed checkpoint, and the views the ledger claims they give.
 */
export interface AuditBundle {
  readonly format: typeof AUDIT_BUNDLE_FORMAT;
  readonly batchId: string;
  readonly createdAt: string;
  readonly publicKey: PublicKeyDocument;
  readonly checkpoint: SignedCheckpoint;
  readonly events: readonly BundledEvent[];
  /**
   * Every stream the bundle draws on, with its last event at the checkpoint as the ledger's notary
   * recorded it (null: the stream had no event), so a verifier sees a stream cut short, not only one
   * with a gap. A stream written to while the bundle was made is left out.
   */
  readonly streams: Readonly<Record<string, BundledStreamHead | null>>;
  /** The ledger's Ed25519 signature (base64) of `streamsStatement(bundle)`: the stream heads cannot be edited in transit. */
  readonly streamsSignature: string;
  /**
   * The batch's views as of the checkpoint's tree size: custody, provenance, carbon, certification; null
   * when the events cannot be projected (only a log altered outside the ledger does that).
   */
  readonly views: BatchViews | null;
}

export function toBundledEvent(stored: StoredEvent, inclusionProof: readonly Buffer[]): BundledEvent {
  return {
    position: stored.position.toString(),
    stream: stored.stream,
    revision: stored.revision.toString(),
    eventId: stored.eventId,
    type: stored.type,
    data: { ...stored.data },
    metadata: { ...stored.metadata },
    recordedAt: stored.recordedAt,
    inclusionProof: inclusionProof.map((hash) => hash.toString('hex')),
  };
}

export function fromBundledEvent(event: BundledEvent): StoredEvent {
  return {
    position: BigInt(event.position),
    stream: event.stream,
    revision: BigInt(event.revision),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt,
  };
}

/** Name of the signed statement of a bundle's stream heads. */
export const STREAMS_STATEMENT = 'bundle-streams/v1';

/** What the ledger signs about a bundle's streams: which batch, against which tree, each stream's last event. */
export function streamsStatement(
  bundle: Pick<AuditBundle, 'batchId' | 'checkpoint' | 'streams'>,
): Record<string, unknown> {
  return {
    batchId: bundle.batchId,
    treeSize: bundle.checkpoint.treeSize,
    rootHash: bundle.checkpoint.rootHash,
    streams: bundle.streams,
  };
}
