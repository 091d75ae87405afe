import { createHash } from 'node:crypto';
import type { CarbonView } from './carbon.projection';

/** The PACT Technical Specifications version the footprint conforms to (standards/pact/). */
export const PACT_SPEC_VERSION = '3.0.3';

/** Namespace of the name-based footprint ids: the same batch at the same view position, the same id. */
const FOOTPRINT_NAMESPACE = 'df1d9f8f-bc1e-41ca-84e5-0b8b06c00dc5';

/** The subset of PACT v3 `CarbonFootprint` the ledger fills in; decimals are strings, per v3. */
export interface PactCarbonFootprint {
  declaredUnitOfMeasurement: 'kilogram';
  declaredUnitAmount: string;
  productMassPerDeclaredUnit: string;
  referencePeriodStart: string;
  referencePeriodEnd: string;
  geographyCountry?: string;
  boundaryProcessesDescription: string;
  pcfExcludingBiogenicUptake: string;
  pcfIncludingBiogenicUptake: string;
  fossilGhgEmissions: string;
  fossilCarbonContent: string;
  ipccCharacterizationFactors: string[];
  crossSectoralStandards: string[];
  exemptedEmissionsPercent: string;
  exemptedEmissionsDescription: string;
  allocationRulesDescription: string;
  packagingEmissionsIncluded: boolean;
  ccsTechnologicalCO2CaptureIncluded: boolean;
  primaryDataShare: string;
}

/** A PACT v3 `ProductFootprint` (the subset the ledger fills in). */
export interface PactProductFootprint {
  id: string;
  specVersion: string;
  created: string;
  status: 'Active' | 'Deprecated';
  companyName: string;
  companyIds: string[];
  productDescription: string;
  productIds: string[];
  productNameCompany: string;
  comment: string;
  pcf: PactCarbonFootprint;
}

/**
 * A batch's carbon view as a PACT v3 ProductFootprint per kilogram of the batch (declared unit: 1 kg, so
 * every emission figure is the batch's intensity). Pure: the same view always gives the same document.
 */
export function toPactFootprint(carbon: CarbonView, companyName: string): PactProductFootprint {
  const intensity = toDecimal(carbon.intensityKgCo2ePerKg);
  const { batchId, material } = carbon;
  const product = [material.form, material.elements?.length ? `(${material.elements.join(', ')})` : '']
    .filter(Boolean)
    .join(' ');
  const where = carbon.country ? `${carbon.facilityId} (${carbon.country})` : carbon.facilityId;
  return {
    id: footprintId(batchId, carbon.position),
    specVersion: PACT_SPEC_VERSION,
    created: utc(carbon.recordedAt),
    status: 'Active',
    companyName: companyName || carbon.orgId,
    companyIds: [`urn:pact:tracelode:company-id:${carbon.orgId}`],
    productDescription:
      `Rare-earth ${product}, batch ${batchId}: ${carbon.massKg} kg from ${carbon.process} at ${where}` +
      `${material.grade ? `, grade ${JSON.stringify(material.grade)}` : ''}.`,
    // A batch id that is itself a URN (e.g. a GS1 LGTIN) identifies the product directly.
    productIds: [`urn:pact:tracelode:product-id:${batchId}`, ...(/^urn:/i.test(batchId) ? [batchId] : [])],
    productNameCompany: product,
    comment:
      `Computed by the Tracelode ledger from its recorded events (view at log position ${carbon.position}). ` +
      'primaryDataShare is the percentage of the batch’s mass traced to mined batches that reported their ' +
      'extraction emissions; process emissions are as declared by each producer. Transport is not included.',
    pcf: {
      declaredUnitOfMeasurement: 'kilogram',
      declaredUnitAmount: '1',
      productMassPerDeclaredUnit: '1',
      referencePeriodStart: carbon.referencePeriodStart,
      referencePeriodEnd: utc(carbon.occurredAt),
      ...(carbon.country ? { geographyCountry: carbon.country } : {}),
      boundaryProcessesDescription: boundary(carbon),
      pcfExcludingBiogenicUptake: intensity,
      pcfIncludingBiogenicUptake: intensity,
      fossilGhgEmissions: intensity,
      fossilCarbonContent: '0',
      ipccCharacterizationFactors: ['AR6'],
      crossSectoralStandards: ['PACT-3.0'],
      exemptedEmissionsPercent: '0',
      exemptedEmissionsDescription: '',
      allocationRulesDescription:
        'Each process step’s emissions and its inputs’ embodied emissions are allocated to its outputs by ' +
        'mass, or by the economic allocation keys its producer declared; residues and losses carry none. ' +
        'Inputs contribute in proportion to the mass consumed.',
      packagingEmissionsIncluded: false,
      ccsTechnologicalCO2CaptureIncluded: false,
      primaryDataShare: toDecimal(carbon.primaryDataShare * 100),
    },
  };
}

function boundary(carbon: CarbonView): string {
  const steps = carbon.breakdown.map((entry) =>
    entry.transformationId === null
      ? `extraction at ${entry.facilityId}`
      : `${entry.process} at ${entry.facilityId} (${entry.transformationId})`,
  );
  return `Cradle to gate: ${[...new Set(steps)].join('; ')}.`;
}

/** A v5-style (SHA-1, name-based, RFC 9562) UUID of the batch and the view position. */
export function footprintId(batchId: string, position: string): string {
  const namespace = Buffer.from(FOOTPRINT_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(namespace).update(`${batchId}@${position}`, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A double as a PACT decimal string (`^[+-]?\d+(\.\d+)?$`): the shortest round-trip digits, never in
 * exponent notation, which the pattern does not allow (1e-7 → "0.0000001").
 */
export function toDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`${value} is not a decimal`);
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = '', lead = '', rest = '', exponent = '0'] = match;
  const digits = lead + rest;
  const point = 1 + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function utc(timestamp: string): string {
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? timestamp : new Date(ms).toISOString();
}
