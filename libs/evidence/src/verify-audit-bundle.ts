import { canonicalJson, chainOf, eventHash, EventSealError, isWithheld } from '@tracelode/event-store';
import {
  importLedgerKey,
  keyIdOf,
  leafHash,
  verifyCheckpoint,
  verifyInclusion,
  verifyStatement,
} from '@tracelode/log';
import { decodeEvent } from '@tracelode/domain';
import { batchViewsOf, type BatchViews } from '@tracelode/projections';
import {
  type Ed25519PublicJwk,
  type SignedRequest,
  verifySignedRequest,
} from '@tracelode/request-signatures';
import type { KeyObject } from 'node:crypto';
import {
  AUDIT_BUNDLE_FORMAT,
  type AuditBundle,
  type BundledEvent,
  fromBundledEvent,
  STREAMS_STATEMENT,
  streamsStatement,
} from './audit-bundle';
import { withProjectedViews } from './evidence';
import { withheldPaths } from './withhold';

export interface VerificationFailure {
  readonly check: string;
  readonly message: string;
  readonly eventId?: string;
  readonly position?: string;
}

export interface Verdict {
  readonly ok: boolean;
  /** The checks that passed, in order, each as one line. */
  readonly passed: readonly string[];
  readonly failure?: VerificationFailure;
  readonly warnings: readonly string[];
  /** Fields the bundle withholds (ADR 0022), per event type: how many events, and how often each path. */
  readonly withheld?: Readonly<Record<string, WithheldCount>>;
  /** How the events of signed commands were checked (ADR 0026), once the bundle verified. */
  readonly signatures?: SignatureCounts;
}

export interface WithheldCount {
  readonly events: number;
  /** Per path, array indexes folded (`data.documents[]`): how many times it is withheld. */
  readonly fields: Readonly<Record<string, number>>;
}

export interface BundleVerifyOptions {
  /** The ledger's public key, obtained independently; without it the bundle's own key is used (and said). */
  readonly publicKey?: KeyObject;
}

class Failed extends Error {
  constructor(readonly failure: VerificationFailure) {
    super(failure.message);
  }
}

const HEX32 = /^[0-9a-f]{64}$/;
const VIEW_NAMES = ['custody', 'provenance', 'carbon', 'certification'] as const;

/**
 * Checks an audit bundle offline: the checkpoint's signature, then every event in log order (its hash
 * against its content, its link to its predecessor in the stream, its inclusion in the checkpoint's tree),
 * then recomputes the batch's views from the bundle's events alone and compares them with those claimed.
 * Stops at the first failure, naming the event.
 */
export function verifyAuditBundle(input: unknown, options: BundleVerifyOptions = {}): Verdict {
  const passed: string[] = [];
  const warnings: string[] = [];
  try {
    const bundle = checkShape(input);
    const key = options.publicKey ?? bundledKey(bundle);
    if (!options.publicKey) {
      warnings.push(
        'No public key was given: the bundle was checked against the key it carries. Pass the ledger’s published key (--public-key) to know the ledger signed it.',
      );
    } else if (bundle.publicKey.keyId !== keyIdOf(key)) {
      warnings.push(
        `The bundle names key ${bundle.publicKey.keyId}; it was checked against the given key ${keyIdOf(key)}`,
      );
    }
    const { checkpoint } = bundle;
    if (!verifyCheckpoint(checkpoint, key)) {
      throw new Failed({
        check: 'checkpoint',
        message: `The checkpoint (tree size ${checkpoint.treeSize}) is not signed by key ${keyIdOf(key)}`,
      });
    }
    passed.push(
      `checkpoint: tree size ${checkpoint.treeSize}, root ${checkpoint.rootHash}, signed ${checkpoint.timestamp} by key ${checkpoint.keyId}`,
    );

    const streams = checkEvents(bundle);
    const withheld = countWithheld(bundle);
    checkStreamHeads(bundle, key, warnings);
    passed.push(
      `streams: each of the ${Object.keys(bundle.streams ?? {}).length} streams runs to the last event the ledger recorded for it at the checkpoint`,
    );
    passed.push(
      `events: ${bundle.events.length} events in ${streams} streams — every hash matches its event, every stream chains from its first event, every event is in the checkpoint's tree`,
    );

    if (Object.keys(withheld).length > 0) passed.push(withheldLine(withheld));

    const signatures = checkSignedRequests(bundle);
    passed.push(signaturesLine(signatures));

    if (!bundle.views) {
      throw new Failed({
        check: 'views',
        message: 'The bundle claims no views: the ledger could not project its events',
      });
    }
    let recomputed: BatchViews | undefined;
    try {
      recomputed = withProjectedViews(bundle.events.map(fromBundledEvent), (lookup) =>
        batchViewsOf(bundle.batchId, lookup),
      );
    } catch (error) {
      throw new Failed({
        check: 'views',
        message: `The bundle's events cannot be projected: ${String(error)}`,
      });
    }
    if (!recomputed) {
      throw new Failed({
        check: 'views',
        message: `The bundle's events do not give views of batch ${bundle.batchId}`,
      });
    }
    compareViews(bundle.views, recomputed);
    passed.push(
      `views: ${VIEW_NAMES.join(', ')} of batch ${bundle.batchId} recomputed from the events alone match the bundle's`,
    );
    return {
      ok: true,
      passed,
      warnings,
      ...(Object.keys(withheld).length > 0 ? { withheld } : {}),
      signatures,
    };
  } catch (error) {
    if (error instanceof Failed) return { ok: false, passed, failure: error.failure, warnings };
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      passed,
      failure: { check: 'bundle', message: `The bundle cannot be read: ${message}` },
      warnings,
    };
  }
}

function signaturesLine({ signed, referenced, attested }: SignatureCounts): string {
  if (signed + referenced + attested === 0) {
    return 'signatures: no command in the bundle was signed by its organisation';
  }
  return (
    `signatures: ${signed} events carry their organisation's RFC 9421 signature, each verified against the key the bundle shows registered to it at the time` +
    (referenced === 0 ? '' : `; ${referenced} more, of the same commands, name the event that carries it`) +
    (attested === 0
      ? ''
      : `; ${attested} more were signed, the request withheld or held by an event not in the bundle: the ledger's record of the signature it verified (key and algorithm) is shown`)
  );
}

function checkShape(input: unknown): AuditBundle {
  const bundle = input as Partial<AuditBundle> | null;
  const problem = (message: string) => new Failed({ check: 'format', message });
  if (!bundle || typeof bundle !== 'object') throw problem('The bundle is not a JSON object');
  if (bundle.format !== AUDIT_BUNDLE_FORMAT)
    throw problem(`The bundle's format is not ${AUDIT_BUNDLE_FORMAT}`);
  if (typeof bundle.batchId !== 'string') throw problem('The bundle names no batch');
  const checkpoint = bundle.checkpoint;
  if (
    !checkpoint ||
    !Number.isSafeInteger(checkpoint.treeSize) ||
    checkpoint.treeSize < 1 ||
    !HEX32.test(String(checkpoint.rootHash))
  ) {
    throw problem('The bundle carries no usable checkpoint');
  }
  if (!Array.isArray(bundle.events) || bundle.events.length === 0)
    throw problem('The bundle carries no events');
  if (bundle.views === undefined || typeof bundle.views !== 'object')
    throw problem('The bundle has no views field');
  if (!bundle.publicKey) throw problem('The bundle carries no public key');
  return bundle as AuditBundle;
}

function bundledKey(bundle: AuditBundle): KeyObject {
  try {
    return importLedgerKey(bundle.publicKey);
  } catch (error) {
    throw new Failed({
      check: 'public key',
      message: `The bundle's public key cannot be read: ${String(error)}`,
    });
  }
}

/** Every event in log order: content hash, stream chain, inclusion. Returns the number of streams. */
function checkEvents(bundle: AuditBundle): number {
  const { treeSize, rootHash } = bundle.checkpoint;
  const root = Buffer.from(rootHash, 'hex');
  const heads = new Map<string, { revision: bigint; hash: string }>();
  let previousPosition = 0n;
  for (const event of bundle.events) {
    const bad = (message: string) =>
      new Failed({
        check: 'events',
        message: `${describe(event)}: ${message}`,
        eventId: event.eventId,
        position: event.position,
      });
    let position: bigint;
    let revision: bigint;
    try {
      position = BigInt(event.position);
      revision = BigInt(event.revision);
    } catch {
      throw bad('its position or revision is not a number');
    }
    if (position <= previousPosition) throw bad('the events are not in log order');
    if (position > BigInt(treeSize)) throw bad(`it lies beyond the checkpoint's tree size ${treeSize}`);
    previousPosition = position;

    const { hash, prevHash } = chainOf(event.metadata ?? {});
    if (hash === undefined || prevHash === undefined) throw bad('it carries no hash');
    let recomputed: string;
    try {
      recomputed = eventHash(fromBundledEvent(event), prevHash);
    } catch (error) {
      if (!(error instanceof EventSealError)) throw error;
      throw bad(`it cannot be hashed: ${error.message}`);
    }
    if (recomputed !== hash) {
      throw bad(
        'its content does not match its hash (a shown value, a withheld digest, a salt, the type, id or place altered)',
      );
    }

    const head = heads.get(event.stream);
    if (!head) {
      if (revision !== 0n || prevHash !== null) {
        throw bad(`the bundle lacks the events of ${event.stream} before revision ${revision}`);
      }
    } else if (revision !== head.revision + 1n) {
      throw bad(`the stream skips from revision ${head.revision} to ${revision}`);
    } else if (prevHash !== head.hash) {
      throw bad('it does not chain to the previous event of its stream');
    }
    heads.set(event.stream, { revision, hash });

    const proof = (event.inclusionProof ?? []).map((node) => Buffer.from(String(node), 'hex'));
    if (!verifyInclusion(leafHash(Buffer.from(hash, 'hex')), Number(position) - 1, treeSize, proof, root)) {
      throw bad(`it is not included at position ${position} in the signed tree of size ${treeSize}`);
    }
  }
  return heads.size;
}

/** Each stream's last bundled event is the last the notary recorded for it: no stream is cut short. */
function checkStreamHeads(bundle: AuditBundle, key: KeyObject, warnings: string[]): void {
  if (
    typeof bundle.streamsSignature !== 'string' ||
    !verifyStatement(STREAMS_STATEMENT, streamsStatement(bundle), bundle.streamsSignature, key)
  ) {
    throw new Failed({
      check: 'streams',
      message:
        'The stream heads the bundle states are not the ones the ledger signed for this batch and checkpoint',
    });
  }
  const last = new Map<string, BundledEvent>();
  for (const event of bundle.events) last.set(event.stream, event);
  const claimed = bundle.streams ?? {};
  for (const [stream, head] of Object.entries(claimed)) {
    const found = last.get(stream);
    if (head === null) {
      if (found)
        throw new Failed({
          check: 'streams',
          message: `The ledger recorded no event of ${stream}, yet the bundle holds ${describe(found)}`,
        });
      continue;
    }
    if (
      !found ||
      found.revision !== head.revision ||
      found.position !== head.position ||
      found.eventId !== head.eventId
    ) {
      throw new Failed({
        check: 'streams',
        message: `The bundle's ${stream} ends ${found ? `at revision ${found.revision}` : 'before its first event'}, but the ledger recorded it up to revision ${head.revision}: event ${head.eventId} at position ${head.position} is missing`,
        eventId: head.eventId,
        position: head.position,
      });
    }
  }
  const unclaimed = [...last.keys()].filter((stream) => !(stream in claimed));
  if (unclaimed.length > 0) {
    warnings.push(
      `No recorded end is given for ${unclaimed.length} stream(s) (${unclaimed.join(', ')}): whether they were cut short cannot be checked`,
    );
  }
}

/** How the bundle's signed commands were checked (ADR 0026). */
export interface SignatureCounts {
  /** Events carrying their command's signed request, verified against the registered key. */
  readonly signed: number;
  /** Events of the same commands, referring to a bundled event whose request verified. */
  readonly referenced: number;
  /** Events shown signed by the ledger's record alone: the request withheld, or held by an event not in the bundle. */
  readonly attested: number;
}

interface SigningKey {
  readonly publicKey: Record<string, unknown>;
  readonly registeredAt: bigint;
  revokedAt?: bigint;
}

/** An event whose envelope holds its command's signed request, as checked. */
interface Carrier {
  readonly keyId: string;
  /** Undefined when withheld. */
  readonly commandId: string | undefined;
  /** The request shown and its signature verified; false when the request is withheld. */
  readonly verified: boolean;
}

/** An event of a signed command that names, in `requestSignature.requestEventId`, the event holding the request. */
interface Referring {
  readonly event: BundledEvent;
  readonly position: bigint;
  readonly keyId: string;
  readonly requestEventId: string;
}

/**
 * Every signed command's events. An event that carries the signed request it was made by: the signature
 * verifies (RFC 9421 over method, path and Content-Digest, the digest over the body kept) against the key
 * the bundle's own organisation events show registered to the acting organisation, and not revoked, at
 * that position; where the request is withheld, the ledger's record of the signature stands in for it
 * (ADR 0022). Every other event of a signed command names the event holding the request (ADR 0026): it
 * counts as signed by that event when it is in the bundle, of the same command and signed with the same
 * key, and verified; when that event is not in the bundle (or its request is withheld), as attested by the
 * ledger's record, as a withheld request is. A reference to an event of another command, to one holding no
 * request, or with another key fails, naming the referring event.
 */
function checkSignedRequests(bundle: AuditBundle): SignatureCounts {
  const keys = new Map<string, SigningKey>();
  const carriers = new Map<string, Carrier>();
  const referring: Referring[] = [];
  const bundled = new Map(bundle.events.map((event) => [event.eventId, event]));
  /** The event holding each command's request, by command id (where shown). */
  const carrierOf = new Map<string, BundledEvent>();
  let signed = 0;
  let attested = 0;
  for (const event of bundle.events) {
    const position = BigInt(event.position);
    const data = event.data as { orgId?: string; keyId?: string; publicKey?: Record<string, unknown> };
    if (event.type === 'SigningKeyRegistered' && data.publicKey) {
      keys.set(`${data.orgId}\n${data.keyId}`, { publicKey: data.publicKey, registeredAt: position });
    }
    if (event.type === 'SigningKeyRevoked') {
      const known = keys.get(`${data.orgId}\n${data.keyId}`);
      if (known) known.revokedAt = position;
    }
    const request = event.metadata.signedRequest as SignedRequest | undefined;
    const statement = event.metadata.requestSignature as
      { keyId?: unknown; requestEventId?: unknown } | undefined;
    const bad = failAt(event);
    if (request === undefined) {
      if (statement === undefined || isWithheld(statement)) continue;
      // The ledger records a signature: the request is held by another event of the command, named here.
      if (typeof statement.requestEventId !== 'string' || typeof statement.keyId !== 'string') {
        throw bad('the ledger records a signature, but neither the signed request nor the event holding it');
      }
      referring.push({ event, position, keyId: statement.keyId, requestEventId: statement.requestEventId });
      continue;
    }
    if (statement && !isWithheld(statement) && statement.requestEventId !== undefined) {
      throw bad(
        `it carries a signed request and names event ${JSON.stringify(statement.requestEventId)} as holding it`,
      );
    }
    const commandId = commandIdOf(event);
    if (isWithheld(request)) {
      // The request is withheld; the ledger's record that it verified one must be shown instead (ADR 0022).
      if (!statement || isWithheld(statement) || typeof statement.keyId !== 'string') {
        throw bad('its signed request is withheld, and so is the ledger’s record of the signature');
      }
      attestedKey(event, position, statement.keyId, keys);
      carriers.set(event.eventId, { keyId: statement.keyId, commandId, verified: false });
      if (commandId !== undefined) carrierOf.set(commandId, event);
      attested += 1;
      continue;
    }
    if (statement && !isWithheld(statement) && statement.keyId !== request.keyId) {
      throw bad(
        `the ledger records key ${String(statement.keyId)}, the request was signed with ${request.keyId}`,
      );
    }
    const actor = event.metadata.actor;
    // A withheld actor: the key is found by its id alone (a key id is its public key's thumbprint).
    const orgId = isWithheld(actor) ? undefined : decodeEvent(event).metadata.actor?.orgId;
    const key =
      orgId === undefined
        ? [...keys].find(([id]) => id.endsWith(`\n${request.keyId}`))?.[1]
        : keys.get(`${orgId}\n${request.keyId}`);
    if (!key)
      throw bad(`signed with key ${request.keyId}, which the bundle does not show registered to ${orgId}`);
    if (key.revokedAt !== undefined && key.revokedAt < position) {
      throw bad(`signed with key ${request.keyId}, revoked at position ${key.revokedAt}`);
    }
    const result = verifySignedRequest(request, key.publicKey as unknown as Ed25519PublicJwk);
    if (!result.ok) throw bad(`its signed request does not verify (${result.code}: ${result.message})`);
    carriers.set(event.eventId, { keyId: request.keyId, commandId, verified: true });
    if (commandId !== undefined) carrierOf.set(commandId, event);
    signed += 1;
  }

  // After every event: the event holding a command's request is appended first, but nothing here relies on it.
  let referenced = 0;
  for (const { event, position, keyId, requestEventId } of referring) {
    const bad = failAt(event);
    const carrier = carriers.get(requestEventId);
    const target = bundled.get(requestEventId);
    if (!carrier) {
      if (target) {
        throw bad(`it names event ${requestEventId} as holding its signed request, which holds none`);
      }
      const commandId = commandIdOf(event);
      const own = commandId === undefined ? undefined : carrierOf.get(commandId);
      if (own) {
        throw bad(
          `it names event ${requestEventId} as holding its signed request, but ${describe(own)} of its command holds it`,
        );
      }
      // Not in the bundle: the ledger's record stands, as for a withheld request.
      attestedKey(event, position, keyId, keys);
      attested += 1;
      continue;
    }
    const describedTarget = describe(target!);
    if (carrier.keyId !== keyId) {
      throw bad(
        `the ledger records key ${keyId}, but ${describedTarget} holds a request signed with ${carrier.keyId}`,
      );
    }
    const commandId = commandIdOf(event);
    if (commandId !== undefined && carrier.commandId !== undefined && commandId !== carrier.commandId) {
      throw bad(
        `it names ${describedTarget} as holding its signed request, which is of command ${carrier.commandId}, not ${commandId}`,
      );
    }
    if (carrier.verified && commandId !== undefined && carrier.commandId !== undefined) {
      referenced += 1;
    } else {
      // The request withheld, or the command not shown on either event: the ledger's record stands.
      attestedKey(event, position, keyId, keys);
      attested += 1;
    }
  }
  return { signed, referenced, attested };
}

/**
 * A signature the reader takes on the ledger's record (ADR 0022): where the actor is shown, its
 * organisation's stream is in the bundle, so the key must be registered there, before the event, and not
 * revoked before it.
 */
function attestedKey(
  event: BundledEvent,
  position: bigint,
  keyId: string,
  keys: ReadonlyMap<string, SigningKey>,
): void {
  if (isWithheld(event.metadata.actor)) return;
  const bad = failAt(event);
  const orgId = decodeEvent(event).metadata.actor?.orgId;
  const key = keys.get(`${orgId}\n${keyId}`);
  if (!key || key.registeredAt >= position) {
    throw bad(`signed with key ${keyId}, which the bundle does not show registered to ${orgId}`);
  }
  if (key.revokedAt !== undefined && key.revokedAt < position) {
    throw bad(`signed with key ${keyId}, revoked at position ${key.revokedAt}`);
  }
}

/** The command an event belongs to; undefined when its commandId is withheld. */
const commandIdOf = (event: BundledEvent): string | undefined =>
  isWithheld(event.metadata.commandId) ? undefined : decodeEvent(event).metadata.commandId;

const failAt =
  (event: BundledEvent) =>
  (message: string): Failed =>
    new Failed({
      check: 'signatures',
      message: `${describe(event)}: ${message}`,
      eventId: event.eventId,
      position: event.position,
    });

/** The bundle's withheld fields per event type, indexes folded: `BatchShipped: data.documents[] ×2`. */
function countWithheld(bundle: AuditBundle): Record<string, WithheldCount> {
  const counts: Record<string, { events: number; fields: Record<string, number> }> = {};
  for (const event of bundle.events) {
    const paths = withheldPaths(event);
    if (paths.length === 0) continue;
    const count = (counts[event.type] ??= { events: 0, fields: {} });
    count.events += 1;
    for (const path of paths) {
      const folded = path.replace(/\[\d+\]$/, '[]');
      count.fields[folded] = (count.fields[folded] ?? 0) + 1;
    }
  }
  return counts;
}

function withheldLine(withheld: Readonly<Record<string, WithheldCount>>): string {
  const types = Object.entries(withheld).sort(([a], [b]) => a.localeCompare(b));
  const fields = types.reduce((sum, [, c]) => sum + Object.values(c.fields).reduce((a, b) => a + b, 0), 0);
  const events = types.reduce((sum, [, c]) => sum + c.events, 0);
  const each = types.map(
    ([type, c]) =>
      `${type} (${c.events}): ${Object.entries(c.fields)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([path, n]) => `${path} ×${n}`)
        .join(', ')}`,
  );
  return `withheld: ${fields} fields in ${events} events, each committed by its digest in the event's hash — ${each.join('; ')}`;
}

function compareViews(claimed: BatchViews, recomputed: BatchViews): void {
  for (const name of VIEW_NAMES) {
    const path = firstDifference(claimed[name], recomputed[name], name);
    if (path !== undefined) {
      throw new Failed({
        check: 'views',
        message: `The ${name} view the bundle claims differs from the one its events give, at ${path}`,
      });
    }
  }
}

/** The first JSON path at which two values differ, or undefined when they are equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`,
      );
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const same = a === undefined || b === undefined ? a === b : canonicalJson(a) === canonicalJson(b);
  return same ? undefined : path;
}

const describe = (event: BundledEvent): string =>
  `Event ${event.eventId} (${event.type}, ${event.stream}@${event.revision}, position ${event.position})`;
