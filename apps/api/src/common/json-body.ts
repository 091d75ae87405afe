import type { ApiProblemCode } from './problem-codes';

/** Why a body was refused, with its API code (the caller makes it a problem: this file stays framework-free). */
export class BodyRefusal extends Error {
  constructor(
    readonly code: Extract<
      ApiProblemCode,
      'MALFORMED_JSON' | 'BODY_TOO_DEEP' | 'NUMBER_OUT_OF_RANGE' | 'RESERVED_KEY'
    >,
    message: string,
  ) {
    super(message);
  }
}

/** How deep objects and arrays may nest in a body: the deepest command is 5 levels. */
export const MAX_BODY_DEPTH = 32;

/** Keys that name the prototype machinery: refused anywhere in a body rather than silently dropped. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses a command body with its limits applied before anything else reads it (the request hash
 * canonicalises the body before validation runs): nesting at most MAX_BODY_DEPTH levels, checked on
 * the text before JSON.parse; every number finite (`1e400` parses to Infinity); no reserved key.
 * Throws MALFORMED_JSON, BODY_TOO_DEEP, NUMBER_OUT_OF_RANGE or RESERVED_KEY (all 400).
 */
export function parseJsonBody(text: string): unknown {
  const depth = nestingDepth(text);
  if (depth > MAX_BODY_DEPTH) {
    throw new BodyRefusal('BODY_TOO_DEEP', `The body nests deeper than ${MAX_BODY_DEPTH} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BodyRefusal('MALFORMED_JSON', `The body is not valid JSON: ${(error as Error).message}`);
  }
  checkValues(parsed, '$');
  return parsed;
}

/** The deepest nesting of `{` and `[` outside strings, stopping as soon as it passes the limit. */
function nestingDepth(text: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_BODY_DEPTH) return depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return depth;
}

function checkValues(value: unknown, path: string): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new BodyRefusal('NUMBER_OUT_OF_RANGE', `${path} is a number beyond the range of a double`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkValues(item, `${path}[${i}]`));
  } else if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (RESERVED_KEYS.has(key)) {
        throw new BodyRefusal('RESERVED_KEY', `${path} has the key "${key}", which no command accepts`);
      }
      checkValues((value as Record<string, unknown>)[key], `${path}.${key}`);
    }
  }
}
