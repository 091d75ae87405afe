import type { StoredEvent } from '../event-store.port';
import { createHash, randomFillSync } from 'node:crypto';
import { canonicalJson } from './jcs';

/** The hash scheme this code seals with and reads (ADR 0022); version 1 (ADR 0012) is refused. */
export const HASH_VERSION = 2;

/** The metadata fields that carry the seal; they are not committed as fields (the hash covers them otherwise). */
export const HASH_FIELDS = ['hash', 'prevHash', 'hashVersion', 'salts'] as const;

/**
 * The salt of each committed field, kept with the stored event but outside what is hashed: one per
 * top-level field of `metadata`, one per top-level field of `data`, and for a `data` field holding an
 * array one per element. A withheld field has no salt (an element's is null): without it, a guessed value
 * cannot be tested against the digest.
 */
export interface Salts {
  readonly data: Readonly<Record<string, string | readonly (string | null)[]>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The key of a withheld value's place holder, as RFC 9901 writes an undisclosed array element. */
export const WITHHELD_KEY = '...';

/** A withheld field or array element, in place of its value: `{"...": <its digest>}`. */
export interface Withheld {
  readonly [WITHHELD_KEY]: string;
}

/** A value standing for a withheld one: an object with the one key `...` and a string (its digest). */
export function isWithheld(value: unknown): value is Withheld {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 1 && keys[0] === WITHHELD_KEY && typeof (value as Withheld)[WITHHELD_KEY] === 'string'
  );
}

/** An event that cannot be hashed as sealed: a committed field without its salt, or a malformed seal. */
export class EventSealError extends Error {
  override readonly name = 'EventSealError';
}

/** What an event's hash covers: where it sits, what it says (and, beside it, its predecessor's hash). */
export type HashableEvent = Pick<
  StoredEvent,
  'stream' | 'revision' | 'eventId' | 'type' | 'data' | 'metadata'
>;

/** The metadata without the seal fields. */
export function withoutHashFields(metadata: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...metadata };
  for (const field of HASH_FIELDS) delete rest[field];
  return rest;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');
const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** A field's digest: base64url(SHA-256(JCS([salt, name, value]))), RFC 9901's object-property disclosure. */
export function fieldDigest(salt: string, name: string, value: unknown): string {
  return base64url(sha256(canonicalJson([salt, name, value])));
}

/** An array element's digest: base64url(SHA-256(JCS([salt, value]))), RFC 9901's array-element disclosure. */
export function elementDigest(salt: string, value: unknown): string {
  return base64url(sha256(canonicalJson([salt, value])));
}

const SALT_BYTES = 16; // 128 bits, RFC 9901 §9.3's recommended minimum

/**
 * Fresh salts for every committed field of an event, from the CSPRNG in one draw: 128 bits each, base64url.
 * The generic rule (ADR 0022): every top-level field of `metadata` but the seal fields, every top-level
 * field of `data`, and each element of a top-level array of `data`.
 */
export function freshSalts(
  data: Readonly<Record<string, unknown>>,
  metadata: Readonly<Record<string, unknown>>,
): Salts {
  const metadataNames = Object.keys(metadata).filter((name) => !isHashField(name));
  let count = metadataNames.length;
  for (const value of Object.values(data)) count += Array.isArray(value) ? value.length : 1;
  const random = randomFillSync(Buffer.allocUnsafe(count * SALT_BYTES));
  let next = 0;
  const salt = () => base64url(random.subarray(next * SALT_BYTES, ++next * SALT_BYTES));
  const dataSalts: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(data)) {
    dataSalts[name] = Array.isArray(value) ? value.map(salt) : salt();
  }
  const metadataSalts: Record<string, string> = {};
  for (const name of metadataNames) metadataSalts[name] = salt();
  return { data: dataSalts, metadata: metadataSalts };
}

const isHashField = (name: string): boolean => (HASH_FIELDS as readonly string[]).includes(name);

/**
 * The event hash, version 2 (ADR 0022): SHA-256 (hex) over the RFC 8785 canonical JSON of
 * `{hashVersion: 2, stream, revision, eventId, type, data: {name: digest | [digest…]}, metadata: {name:
 * digest}, prevHash}`, each digest computed from the field's salt (`metadata.salts`) and value — or, for a
 * field withheld from an audit bundle, taken from its place holder `{"...": digest}`. The same hash
 * whether a field is shown or withheld; a field can be neither added, removed nor changed without changing it.
 * Throws `EventSealError` when a shown field has no salt.
 */
export function eventHash(event: HashableEvent, prevHash: string | null): string {
  const version = hashVersionOf(event.metadata);
  if (version !== HASH_VERSION) {
    throw new EventSealError(`it was sealed with hash version ${version}, not ${HASH_VERSION} (ADR 0022)`);
  }
  const salts = saltsOf(event.metadata);
  const where = (path: string) => `its ${path}`;
  const data: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(event.data)) {
    const salt = salts.data[name];
    if (Array.isArray(value)) {
      if (!Array.isArray(salt) || salt.length !== value.length) {
        throw new EventSealError(`${where(`data.${name}`)} has no salt for each of its elements`);
      }
      data[name] = value.map((element: unknown, i) =>
        committed(salt[i], element, (s) => elementDigest(s, element), where(`data.${name}[${i}]`)),
      );
    } else {
      data[name] = committed(salt, value, (s) => fieldDigest(s, name, value), where(`data.${name}`));
    }
  }
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.metadata)) {
    if (isHashField(name)) continue;
    const salt = salts.metadata[name];
    metadata[name] = committed(salt, value, (s) => fieldDigest(s, name, value), where(`metadata.${name}`));
  }
  const canonical = canonicalJson({
    hashVersion: HASH_VERSION,
    stream: event.stream,
    revision: Number(event.revision),
    eventId: event.eventId,
    type: event.type,
    data,
    metadata,
    prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** A field's digest: from its salt when shown, from its place holder when withheld. */
function committed(salt: unknown, value: unknown, digest: (salt: string) => string, where: string): string {
  if (typeof salt === 'string') return digest(salt);
  if (isWithheld(value)) return value[WITHHELD_KEY];
  throw new EventSealError(`${where} is shown without its salt`);
}

function saltsOf(metadata: Readonly<Record<string, unknown>>): Salts {
  const salts = metadata.salts as Partial<Salts> | undefined;
  if (
    !salts ||
    typeof salts !== 'object' ||
    !salts.data ||
    typeof salts.data !== 'object' ||
    !salts.metadata ||
    typeof salts.metadata !== 'object'
  ) {
    throw new EventSealError('it carries no salts (metadata.salts)');
  }
  return salts as Salts;
}

/**
 * The superseded event hash, version 1 (ADR 0012): SHA-256 (hex) over the JCS of `{stream, revision,
 * eventId, type, data, metadata without hash fields, prevHash}`. Kept only so the bench can set the cost
 * of version 2 beside it; no store is sealed or read with it.
 */
export function eventHashV1(event: HashableEvent, prevHash: string | null): string {
  const canonical = canonicalJson({
    stream: event.stream,
    revision: Number(event.revision),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: withoutHashFields(event.metadata),
    prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The hash version an event was sealed with: 1 when its metadata names none (ADR 0012's events did not). */
export function hashVersionOf(metadata: Readonly<Record<string, unknown>>): number {
  return typeof metadata.hashVersion === 'number' ? metadata.hashVersion : 1;
}

/** The hash chain fields an event carries in its metadata (absent on events written before hashing). */
export function chainOf(metadata: Readonly<Record<string, unknown>>): {
  hash: string | undefined;
  prevHash: string | null | undefined;
} {
  const hash = typeof metadata.hash === 'string' ? metadata.hash : undefined;
  const prevHash =
    metadata.prevHash === null ? null : typeof metadata.prevHash === 'string' ? metadata.prevHash : undefined;
  return { hash, prevHash };
}
