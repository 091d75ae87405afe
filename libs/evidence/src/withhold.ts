import {
  elementDigest,
  fieldDigest,
  HASH_FIELDS,
  isWithheld,
  type Salts,
  type StoredEvent,
  WITHHELD_KEY,
} from '@tracelode/event-store';

/**
 * Which fields of an event an audit bundle withholds, as paths: `data.consignee`, `data.documents[2]`
 * (one element of a top-level array), `data.outputs` (every element of it), `metadata.signedRequest`.
 * A path naming a field the event does not have withholds nothing.
 */
export type WithholdSelector = (event: StoredEvent) => readonly string[];

/** The default: every field shown. */
export const WITHHOLD_NOTHING: WithholdSelector = () => [];

/** A path that names no field an event could have, or an element of a field that is not an array. */
export class WithholdPathError extends Error {
  override readonly name = 'WithholdPathError';
}

const PATH = /^(data|metadata)\.([^.[\]]+)(?:\[(\d+)\])?$/;

type Fields = {
  readonly data: Readonly<Record<string, unknown>>;
  readonly metadata: Readonly<Record<string, unknown>>;
};

/**
 * The event with the fields `paths` name withheld (ADR 0022): each value replaced by `{"...": digest}`,
 * its digest computed from the value and its salt, and the salt removed (an element's set to null), so
 * the event hash is unchanged and the value cannot be recovered or tested. Withholding a field already
 * withheld changes nothing. The event given is not changed.
 */
export function withholdFields<E extends Fields>(event: E, paths: readonly string[]): E {
  if (paths.length === 0) return event;
  const data: Record<string, unknown> = { ...event.data };
  const metadata: Record<string, unknown> = { ...event.metadata };
  const given = metadata.salts as Salts | undefined;
  const salts = {
    data: { ...given?.data } as Record<string, string | (string | null)[]>,
    metadata: { ...given?.metadata } as Record<string, string>,
  };
  for (const path of paths) {
    const match = PATH.exec(path);
    if (!match)
      throw new WithholdPathError(`"${path}" is not a field path (data.name, data.name[i], metadata.name)`);
    const [, part, name = '', index] = match;
    if (part === 'metadata') {
      if ((HASH_FIELDS as readonly string[]).includes(name)) {
        throw new WithholdPathError(`metadata.${name} is part of the seal and cannot be withheld`);
      }
      if (index !== undefined) throw new WithholdPathError(`${path}: metadata fields are committed whole`);
      const salt = salts.metadata[name];
      if (!(name in metadata) || isWithheld(metadata[name])) continue;
      if (typeof salt !== 'string')
        throw new WithholdPathError(`${path} has no salt: the event is not sealed`);
      metadata[name] = { [WITHHELD_KEY]: fieldDigest(salt, name, metadata[name]) };
      delete salts.metadata[name];
      continue;
    }
    if (!(name in data)) continue;
    const value = data[name];
    const salt = salts.data[name];
    if (Array.isArray(value)) {
      if (!Array.isArray(salt)) throw new WithholdPathError(`${path} has no salts: the event is not sealed`);
      const elements = [...(value as unknown[])];
      const elementSalts = [...salt];
      const indexes = index === undefined ? elements.keys() : [Number(index)];
      for (const i of indexes) {
        if (i >= elements.length)
          throw new WithholdPathError(`${path}: data.${name} has ${elements.length} elements`);
        const elementSalt = elementSalts[i];
        if (isWithheld(elements[i]) || typeof elementSalt !== 'string') continue;
        elements[i] = { [WITHHELD_KEY]: elementDigest(elementSalt, elements[i]) };
        elementSalts[i] = null;
      }
      data[name] = elements;
      salts.data[name] = elementSalts;
      continue;
    }
    if (index !== undefined) throw new WithholdPathError(`${path}: data.${name} is not an array`);
    if (isWithheld(value)) continue;
    if (typeof salt !== 'string') throw new WithholdPathError(`${path} has no salt: the event is not sealed`);
    data[name] = { [WITHHELD_KEY]: fieldDigest(salt, name, value) };
    delete salts.data[name];
  }
  return { ...event, data, metadata: { ...metadata, salts } };
}

/** The paths of an event's withheld fields and elements, in the form `withholdFields` takes. */
export function withheldPaths(event: Fields): string[] {
  const paths: string[] = [];
  for (const [name, value] of Object.entries(event.data)) {
    if (isWithheld(value)) paths.push(`data.${name}`);
    else if (Array.isArray(value)) {
      value.forEach((element: unknown, i) => {
        if (isWithheld(element)) paths.push(`data.${name}[${i}]`);
      });
    }
  }
  for (const [name, value] of Object.entries(event.metadata)) {
    if (isWithheld(value)) paths.push(`metadata.${name}`);
  }
  return paths;
}
