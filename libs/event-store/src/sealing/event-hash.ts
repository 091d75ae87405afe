import type { StoredEvent } from '../event-store.port';
import { createHash, hash, randomFillSync } from 'node:crypto';
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

/**
 * RFC 8785 text of a value: a string, a finite number, a boolean or null serialise as ECMAScript's
 * JSON.stringify does (RFC 8785 §3.2.2 defines them so); objects and arrays as JSON.parse builds them are
 * written here the way the reference JCS writes them, anything else (a Date, a class instance, a sparse
 * array, a non-finite number…) by the reference JCS itself. The short way matters: an event has a score
 * of fields, and a log a million events to verify; every command hashes its request body.
 */
export function canonicalText(value: unknown): string {
  return plainJson(value) ?? canonicalJson(value);
}

/**
 * The JCS text of a value made only of strings, finite numbers, booleans, null, arrays without holes and
 * objects whose prototype is Object's (or none) and that have no toJSON: what JSON.parse builds. Keys
 * sorted as Array.prototype.sort sorts (UTF-16 code units), an undefined property left out and an
 * undefined element written null, as the reference JCS (canonicalize) does. Undefined for any other value,
 * which the caller gives to the reference JCS whole.
 */
function plainJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(value)) {
    const elements = value as unknown[];
    let text = '[';
    for (let i = 0; i < elements.length; i++) {
      if (!(i in elements)) return undefined;
      const element = elements[i];
      const part = element === undefined ? 'null' : plainJson(element);
      if (part === undefined) return undefined;
      text += i === 0 ? part : `,${part}`;
    }
    return `${text}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const object = value as Record<string, unknown>;
  let text = '{';
  let separator = '';
  for (const name of Object.keys(object).sort()) {
    const member = object[name];
    if (member === undefined) continue;
    const part = plainJson(member);
    if (part === undefined) return undefined;
    text += `${separator}${nameText(name)}:${part}`;
    separator = ',';
  }
  return `${text}}`;
}

/** Names longer than this are written afresh each time rather than kept. */
const NAME_TEXT_MAX_LENGTH = 64;
const NAME_TEXTS_KEPT = 4096;
/** The JSON text of field names: the same few names recur in every event, so each is written once. */
const nameTexts = new Map<string, string>();

/** JSON.stringify(name), remembered for the (bounded) set of short names seen. */
function nameText(name: string): string {
  let text = nameTexts.get(name);
  if (text === undefined) {
    text = JSON.stringify(name);
    if (name.length <= NAME_TEXT_MAX_LENGTH && nameTexts.size < NAME_TEXTS_KEPT) nameTexts.set(name, text);
  }
  return text;
}

/** A field's digest: base64url(SHA-256(JCS([salt, name, value]))), RFC 9901's object-property disclosure. */
export function fieldDigest(salt: string, name: string, value: unknown): string {
  return hash('sha256', `[${JSON.stringify(salt)},${nameText(name)},${canonicalText(value)}]`, 'base64url');
}

/** An array element's digest: base64url(SHA-256(JCS([salt, value]))), RFC 9901's array-element disclosure. */
export function elementDigest(salt: string, value: unknown): string {
  // An undefined element is stored as JSON's null.
  return hash('sha256', `[${JSON.stringify(salt)},${canonicalText(value ?? null)}]`, 'base64url');
}

/** 144 bits: above RFC 9901 §9.3's recommended 128, and exactly 24 base64url characters. */
const SALT_BYTES = 18;
const SALT_CHARS = 24;
/** Salts are cut from a block drawn from the CSPRNG, 2,048 at a time: one draw serves many events. */
const POOL_SALTS = 2048;
let pool = '';
let poolNext = POOL_SALTS;

function drawSalt(): string {
  if (poolNext === POOL_SALTS) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SALTS * SALT_BYTES)).toString('base64url');
    poolNext = 0;
  }
  const at = poolNext++ * SALT_CHARS;
  return pool.slice(at, at + SALT_CHARS);
}

/**
 * Fresh salts for every committed field of an event, from the CSPRNG: 144 bits each, base64url, never
 * one twice. The generic rule (ADR 0022): every top-level field of `metadata` but the seal fields, every
 * top-level field of `data`, and each element of a top-level array of `data`.
 */
export function freshSalts(
  data: Readonly<Record<string, unknown>>,
  metadata: Readonly<Record<string, unknown>>,
): Salts {
  const dataSalts: Record<string, string | string[]> = {};
  for (const name in data) {
    const value = data[name];
    if (value === undefined) continue; // JSON has no such field: nothing is stored, nothing committed
    dataSalts[name] = Array.isArray(value) ? value.map(drawSalt) : drawSalt();
  }
  const metadataSalts: Record<string, string> = {};
  for (const name in metadata) {
    if (!isHashField(name) && metadata[name] !== undefined) metadataSalts[name] = drawSalt();
  }
  return { data: dataSalts, metadata: metadataSalts };
}

const isHashField = (name: string): boolean =>
  name === 'hash' || name === 'prevHash' || name === 'hashVersion' || name === 'salts';

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
  // The JCS text written out as it is built: every digest is base64url (nothing JSON escapes), the
  // field names sorted as Array.prototype.sort sorts (by UTF-16 code units), as RFC 8785 §3.2.3 orders keys.
  let data = '';
  for (const name of Object.keys(event.data).sort()) {
    const value = event.data[name];
    if (value === undefined) continue; // as JSON: a field whose value is undefined does not exist
    const salt = salts.data[name];
    let digests: string;
    if (Array.isArray(value)) {
      if (!Array.isArray(salt) || salt.length !== value.length) {
        throw new EventSealError(`its data.${name} has no salt for each of its elements`);
      }
      digests = '[';
      for (let i = 0; i < value.length; i++) {
        const element: unknown = value[i];
        const elementSalt: unknown = salt[i];
        const digest =
          typeof elementSalt === 'string'
            ? elementDigest(elementSalt, element)
            : withheldDigest(element, `data.${name}[${i}]`);
        digests += i === 0 ? `"${digest}"` : `,"${digest}"`;
      }
      digests += ']';
    } else {
      const digest =
        typeof salt === 'string' ? fieldDigest(salt, name, value) : withheldDigest(value, `data.${name}`);
      digests = `"${digest}"`;
    }
    data += `${data === '' ? '' : ','}${nameText(name)}:${digests}`;
  }
  let metadata = '';
  for (const name of Object.keys(event.metadata).sort()) {
    const value = event.metadata[name];
    if (isHashField(name) || value === undefined) continue;
    const salt = salts.metadata[name];
    const digest =
      typeof salt === 'string' ? fieldDigest(salt, name, value) : withheldDigest(value, `metadata.${name}`);
    metadata += `${metadata === '' ? '' : ','}${nameText(name)}:"${digest}"`;
  }
  // These keys in UTF-16 order, every value a string, a number, null or an object of digests.
  const canonical =
    `{"data":{${data}},"eventId":${JSON.stringify(event.eventId)},"hashVersion":${HASH_VERSION},` +
    `"metadata":{${metadata}},"prevHash":${prevHash === null ? 'null' : JSON.stringify(prevHash)},` +
    `"revision":${canonicalText(Number(event.revision))},"stream":${JSON.stringify(event.stream)},` +
    `"type":${JSON.stringify(event.type)}}`;
  return hash('sha256', canonical, 'hex');
}

/** A withheld field's digest, from its place holder; a shown field without its salt cannot be hashed. */
function withheldDigest(value: unknown, path: string): string {
  if (!isWithheld(value)) throw new EventSealError(`its ${path} is shown without its salt`);
  const digest = value[WITHHELD_KEY];
  if (!/^[A-Za-z0-9_-]*$/.test(digest)) throw new EventSealError(`its ${path} has a malformed digest`);
  return digest;
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
