import type { PublicKeyDocument, SignedCheckpoint } from '@tracelode/log';
import type { AuditBundle, BundledEvent } from './audit-bundle';
import type { PreparedAuditBundle } from './assemble-audit-bundle';

/**
 * The streamed form of an audit bundle (NDJSON, `application/x-ndjson`): a header line, one line per event
 * (`{"event": …}`, with its inclusion proof) in log order, and a trailer line (`{"trailer": …}`) with the
 * signed stream heads and the views. The same content as the one-document form, so it verifies the same.
 */
export const AUDIT_BUNDLE_STREAM_FORMAT = 'tracelode-audit-bundle-stream/v1';
export const NDJSON = 'application/x-ndjson';

export interface AuditBundleStreamHeader {
  readonly format: typeof AUDIT_BUNDLE_STREAM_FORMAT;
  readonly batchId: string;
  readonly createdAt: string;
  readonly publicKey: PublicKeyDocument;
  readonly checkpoint: SignedCheckpoint;
}

export interface AuditBundleStreamEvent {
  readonly event: BundledEvent;
}

export interface AuditBundleStreamTrailer {
  readonly trailer: {
    /** How many event lines came before: a stream cut short between lines is told apart from a whole one. */
    readonly events: number;
    readonly streams: AuditBundle['streams'];
    readonly streamsSignature: string;
    readonly views: AuditBundle['views'];
  };
}

/** Characters of text handed out at a time: the writer's unit of work and of backpressure. */
const CHUNK_CHARS = 64 * 1024;

/**
 * The one-document form (the bundle as JSON, its events last), a chunk at a time: each event is
 * proved and serialised only when its chunk is asked for, so the whole text is never held at once.
 */
export function* auditBundleJson(bundle: PreparedAuditBundle, chunkChars = CHUNK_CHARS): Generator<string> {
  let chunk = `${JSON.stringify(bundle.head).slice(0, -1)},"events":[`;
  for (const [i, stored] of bundle.events.entries()) {
    chunk += (i === 0 ? '' : ',') + JSON.stringify(bundle.bundled(stored));
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}]}`;
}

/** The streamed form (NDJSON: header, events, trailer), a chunk of whole lines at a time. */
export function* auditBundleNdjson(bundle: PreparedAuditBundle, chunkChars = CHUNK_CHARS): Generator<string> {
  const {
    format: _format,
    batchId,
    createdAt,
    publicKey,
    checkpoint,
    streams,
    streamsSignature,
    views,
  } = bundle.head;
  const header: AuditBundleStreamHeader = {
    format: AUDIT_BUNDLE_STREAM_FORMAT,
    batchId,
    createdAt,
    publicKey,
    checkpoint,
  };
  let chunk = `${JSON.stringify(header)}\n`;
  for (const stored of bundle.events) {
    const line: AuditBundleStreamEvent = { event: bundle.bundled(stored) };
    chunk += `${JSON.stringify(line)}\n`;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  const trailer: AuditBundleStreamTrailer = {
    trailer: { events: bundle.events.length, streams, streamsSignature, views },
  };
  yield `${chunk}${JSON.stringify(trailer)}\n`;
}
