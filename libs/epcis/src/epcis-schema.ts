import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The vendored GS1 file (standards/epcis/), found from here in the sources and in the built server alike.
 * Its relative path is joined here, not at module load: the explorer's browser build imports this module
 * (through the libraries' indexes) with node:path standing in as a function that throws (ADR 0030).
 */
export function epcisSchemaPath(from = __dirname): string {
  const SCHEMA_FILE = join('standards', 'epcis', 'EPCIS-JSON-Schema.json');
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`${SCHEMA_FILE} not found above ${from}`);
  }
}

/** One violation of the GS1 schema, at its RFC 6901 JSON pointer into the document. */
export interface SchemaViolation {
  readonly pointer: string;
  readonly message: string;
}

let compiled: ValidateFunction | undefined;

/**
 * The GS1 EPCIS 2.0 JSON schema (draft-07) compiled once, every format checked (ajv-formats: date-time,
 * uri). `strictRequired` is off: the GS1 file names required properties declared beside an `anyOf`, not
 * inside it — valid JSON Schema that the stricter check would refuse.
 */
export function epcisValidator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ strict: true, strictRequired: false, strictTypes: false, allErrors: true });
    addFormats(ajv);
    compiled = ajv.compile(JSON.parse(readFileSync(epcisSchemaPath(), 'utf8')) as object);
  }
  return compiled;
}

/**
 * The violations of a document (an EPCISDocument, an EPCISQueryDocument or one event), each once, by
 * pointer; empty when it is valid. ajv reports every branch of an `anyOf` that failed: the branches' own
 * complaints are kept, since they say what each alternative needed.
 */
export function epcisViolations(document: unknown): SchemaViolation[] {
  const validate = epcisValidator();
  if (validate(document)) return [];
  const seen = new Set<string>();
  return (validate.errors ?? []).flatMap((error: ErrorObject) => {
    const message = describe(error);
    const key = `${error.instancePath} ${message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ pointer: error.instancePath, message }];
  });
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties')
    return `must not have property ${String(params.additionalProperty)}`;
  if (error.keyword === 'propertyNames' || error.keyword === 'enum') {
    return params.allowedValues
      ? `${error.message ?? 'is invalid'}: ${(params.allowedValues as unknown[]).join(', ')}`
      : (error.message ?? 'is invalid');
  }
  return error.message ?? error.keyword;
}
