import { AUDIT_BUNDLE_FORMAT, type AuditBundle, type BundledEvent } from './audit-bundle';
import {
  AUDIT_BUNDLE_STREAM_FORMAT,
  type AuditBundleStreamHeader,
  type AuditBundleStreamTrailer,
} from './audit-bundle-forms';
import { type BundleVerifyOptions, type Verdict, verifyAuditBundle } from './verify-audit-bundle';

/** Whether a bundle's first line opens the streamed form (NDJSON) rather than one JSON document. */
export function isAuditBundleStreamHeader(firstLine: string): boolean {
  try {
    const header = JSON.parse(firstLine) as Partial<AuditBundleStreamHeader> | null;
    return header?.format === AUDIT_BUNDLE_STREAM_FORMAT;
  } catch {
    return false;
  }
}

class Malformed extends Error {}

/**
 * Checks a streamed audit bundle read line by line: a header, event lines and a trailer that counts them,
 * nothing after it; then exactly the checks of the one-document form (`verifyAuditBundle`) on the same
 * content. The parsed events are held (the views are recomputed from all of them), never the whole text.
 */
export async function verifyAuditBundleStream(
  lines: AsyncIterable<string> | Iterable<string>,
  options: BundleVerifyOptions = {},
): Promise<Verdict> {
  let bundle: AuditBundle;
  try {
    bundle = await readStream(lines);
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    return { ok: false, passed: [], warnings: [], failure: { check: 'format', message: error.message } };
  }
  const verdict = verifyAuditBundle(bundle, options);
  const read = `stream: a header, ${bundle.events.length} event lines and a trailer that counts them, nothing after it`;
  return { ...verdict, passed: [read, ...verdict.passed] };
}

async function readStream(lines: AsyncIterable<string> | Iterable<string>): Promise<AuditBundle> {
  let header: AuditBundleStreamHeader | undefined;
  let trailer: AuditBundleStreamTrailer['trailer'] | undefined;
  const events: BundledEvent[] = [];
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    if (trailer) throw new Malformed(`Line ${number} follows the trailer: the stream must end there`);
    let parsed: Record<string, unknown> | null;
    try {
      parsed = JSON.parse(line) as Record<string, unknown> | null;
    } catch (error) {
      throw new Malformed(`Line ${number} is not JSON (${(error as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object') throw new Malformed(`Line ${number} is not a JSON object`);
    if (!header) {
      if (parsed.format !== AUDIT_BUNDLE_STREAM_FORMAT)
        throw new Malformed(`The first line does not open a ${AUDIT_BUNDLE_STREAM_FORMAT} stream`);
      header = parsed as unknown as AuditBundleStreamHeader;
    } else if ('event' in parsed && parsed.event && typeof parsed.event === 'object') {
      events.push(parsed.event as BundledEvent);
    } else if ('trailer' in parsed && parsed.trailer && typeof parsed.trailer === 'object') {
      trailer = parsed.trailer as AuditBundleStreamTrailer['trailer'];
    } else {
      throw new Malformed(`Line ${number} is neither an event nor the trailer`);
    }
  }
  if (!header) throw new Malformed('The stream is empty');
  if (!trailer)
    throw new Malformed(
      `The stream ends after ${events.length} events without its trailer: it was cut short`,
    );
  if (trailer.events !== events.length)
    throw new Malformed(`The trailer counts ${trailer.events} events, but the stream holds ${events.length}`);
  return {
    format: AUDIT_BUNDLE_FORMAT,
    batchId: header.batchId,
    createdAt: header.createdAt,
    publicKey: header.publicKey,
    checkpoint: header.checkpoint,
    streams: trailer.streams,
    streamsSignature: trailer.streamsSignature,
    events,
    views: trailer.views,
  };
}
