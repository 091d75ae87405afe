import { UNTP_DPP_CONTEXT } from './product-passport';
import { UNTP_DTE_CONTEXT } from './traceability-events';
import { VC_CONTEXT_V2 } from './vc';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown) => typeof value === 'string' && value !== '';
const isUri = (value: unknown) => typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\S+$/i.test(value);
const isNumber = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

/**
 * What a credential lacks of the required properties and types of its UNTP v0.6 data model
 * (DigitalProductPassport and DigitalTraceabilityEvent schemas of uncefact/spec-untp, `required` of each
 * class the ledger fills in) or of a Bitstring Status List credential; empty when it has them all.
 * Written from the schemas, not generated from them (they are GPL-3.0: docs/adr/0032).
 */
export function untpShapeProblems(credential: unknown): string[] {
  const problems: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  if (!isObject(credential)) return ['the credential is not a JSON object'];
  const types = Array.isArray(credential.type) ? (credential.type as unknown[]) : [];
  const context = Array.isArray(credential['@context']) ? (credential['@context'] as unknown[]) : [];
  need(context[0] === VC_CONTEXT_V2, `@context[0] must be ${VC_CONTEXT_V2}`);
  need(types.includes('VerifiableCredential'), 'type must contain VerifiableCredential');
  need(isUri(credential.id), 'id must be a URI');
  const issuer = credential.issuer;
  need(
    isObject(issuer) && String(issuer.id).startsWith('did:') && isString(issuer.name),
    'issuer needs id (a DID) and name',
  );
  need(
    typeof credential.validFrom === 'string' && DATE_TIME.test(credential.validFrom),
    'validFrom must be a date-time',
  );
  const subject = credential.credentialSubject;

  if (types.includes('DigitalProductPassport')) {
    need(context[1] === UNTP_DPP_CONTEXT, `@context[1] must be ${UNTP_DPP_CONTEXT}`);
    if (!isObject(subject)) return [...problems, 'credentialSubject must be a ProductPassport object'];
    const product = subject.product;
    need(isObject(product) && isUri(product.id) && isString(product.name), 'product needs id (URI) and name');
    for (const [i, material] of ((subject.materialsProvenance ?? []) as unknown[]).entries())
      need(isObject(material) && isString(material.name), `materialsProvenance[${i}] needs name`);
    const emissions = subject.emissionsScorecard;
    if (emissions !== undefined)
      need(
        isObject(emissions) &&
          isNumber(emissions.carbonFootprint) &&
          isString(emissions.declaredUnit) &&
          ['None', 'CradleToGate', 'CradleToGrave'].includes(String(emissions.operationalScope)) &&
          isNumber(emissions.primarySourcedRatio),
        'emissionsScorecard needs carbonFootprint, declaredUnit, operationalScope and primarySourcedRatio',
      );
    for (const [i, claim] of ((subject.conformityClaim ?? []) as unknown[]).entries())
      need(
        isObject(claim) &&
          isUri(claim.id) &&
          typeof claim.conformance === 'boolean' &&
          isString(claim.conformityTopic),
        `conformityClaim[${i}] needs id, conformance and conformityTopic`,
      );
  } else if (types.includes('DigitalTraceabilityEvent')) {
    need(context[1] === UNTP_DTE_CONTEXT, `@context[1] must be ${UNTP_DTE_CONTEXT}`);
    if (!Array.isArray(subject)) return [...problems, 'credentialSubject must be an array of events'];
    for (const [i, event] of (subject as unknown[]).entries()) {
      if (!isObject(event) || !Array.isArray(event.type) || !event.type.includes('Event')) {
        problems.push(`credentialSubject[${i}] is not an Event`);
        continue;
      }
      if (event.type.includes('TransactionEvent'))
        need(
          isString(event.sourceParty) && isString(event.destinationParty),
          `event ${i} needs sourceParty and destinationParty`,
        );
      for (const list of ['quantityList', 'inputQuantityList', 'outputQuantityList', 'childQuantityList'])
        for (const quantity of (Array.isArray(event[list]) ? event[list] : []) as unknown[])
          need(
            isObject(quantity) &&
              isUri(quantity.productId) &&
              isString(quantity.productName) &&
              isNumber(quantity.quantity),
            `event ${i} ${list} entries need productId, productName and quantity`,
          );
    }
  } else if (types.includes('BitstringStatusListCredential')) {
    need(
      isObject(subject) &&
        subject.type === 'BitstringStatusList' &&
        isString(subject.statusPurpose) &&
        String(subject.encodedList).startsWith('u'),
      'credentialSubject must be a BitstringStatusList with statusPurpose and a multibase encodedList',
    );
  } else {
    problems.push(
      'type names no credential this ledger issues (DigitalProductPassport, DigitalTraceabilityEvent, BitstringStatusListCredential)',
    );
  }
  return problems;
}
