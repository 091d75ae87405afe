import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The PACT v3 OpenAPI document the project validates against, vendored under standards/ (see its README). */
export const PACT_OPENAPI_PATH = resolve(__dirname, '../../../standards/pact/pact-v3-openapi.yaml');
const PACT_DOCUMENT_ID = 'urn:tracelode:test:pact-v3-openapi';

/**
 * Words ajv's strict mode must be told are not schema keywords: the OpenAPI document's own top-level
 * fields (the document is registered whole, so `#/components/schemas/…` resolve as written), and the
 * annotations the PACT file puts beside schema keywords.
 */
const OPENAPI_FIELDS = ['openapi', 'info', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags'];
const ANNOTATIONS = ['example', 'summary', 'note', 'comment'];

/**
 * A validator for `#/components/schemas/ProductFootprint` of the PACT v3 OpenAPI file, strict, with every
 * format checked: ajv-formats for uuid/date-time/uri, and the two the file uses that JSON Schema lacks.
 */
export function pactProductFootprintValidator(path = PACT_OPENAPI_PATH): ValidateFunction {
  const document = load(readFileSync(path, 'utf8')) as Record<string, unknown>;
  // strictRequired off: CarbonFootprint's `oneOf: [{required: [geography…]}]` names properties declared
  // beside it, not inside each branch — valid JSON Schema that the stricter check would refuse.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  // `format: decimal` (PACT's string decimals) is the Decimal schema's own pattern.
  ajv.addFormat('decimal', /^[+-]?\d+(\.\d+)?$/);
  // RFC 8141: urn:<NID>:<NSS>, NID 2-32 of alphanumerics and inner hyphens.
  ajv.addFormat('urn', /^urn:[a-z0-9][a-z0-9-]{0,30}[a-z0-9]:[a-z0-9()+,\-.:=@;$_!*'%/?#~&]+$/i);
  ajv.addVocabulary([...OPENAPI_FIELDS, ...ANNOTATIONS, ...extensionKeywords(document)]);
  ajv.addSchema(document, PACT_DOCUMENT_ID);
  return ajv.compile({ $ref: `${PACT_DOCUMENT_ID}#/components/schemas/ProductFootprint` });
}

/** Every `x-…` key in the document: OpenAPI specification extensions, annotations to a validator. */
function extensionKeywords(node: unknown, found = new Set<string>()): string[] {
  if (Array.isArray(node)) node.forEach((item) => extensionKeywords(item, found));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) found.add(key);
      extensionKeywords(value, found);
    }
  }
  return [...found];
}
