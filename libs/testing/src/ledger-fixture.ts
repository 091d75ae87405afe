import {
  type BatchProduced,
  type BatchRefined,
  type CertificateEvent,
  type LedgerEvent,
  toBatchStreamId,
  toCertificateStreamId,
  toOrgStreamId,
  toTransformationStreamId,
  type TransformationRecorded,
} from '@tracelode/domain';
import type { StreamWrite } from '@tracelode/event-store';
import { commandWrite } from './ledger-writes';

/** One command's events on one stream, in the envelope the API writes. */
export const write = commandWrite;

export const organisation = (
  orgId: string,
  roles: ('producer' | 'certifier')[],
  facilities: [id: string, kind: 'mine' | 'processing_plant'][],
) =>
  write(
    toOrgStreamId(orgId),
    orgId,
    { type: 'OrganisationRegistered', data: { orgId, name: `${orgId} Ltd`, country: 'AU', roles } },
    ...facilities.map(([facilityId, kind]): LedgerEvent => ({
      type: 'FacilityRegistered',
      data: { orgId, facilityId, kind, name: facilityId, country: 'AU' },
    })),
  );

export const mined = (batchId: string, massGrams: number, extractionEmissionsKgCo2e: number) =>
  write(toBatchStreamId(batchId), 'mineco', {
    type: 'BatchMined',
    data: {
      batchId,
      orgId: 'mineco',
      facilityId: 'mt-weld',
      material: { form: 'concentrate', elements: ['Nd', 'Pr'] },
      massGrams,
      extractionEmissionsKgCo2e,
      occurredAt: '2026-03-01T08:00:00Z',
    },
  });

/** Mineco's mine to Refco's plant: the shipment, then its receipt. */
export const shippedAndReceived = (batchId: string, massGrams: number): StreamWrite[] => [
  write(toBatchStreamId(batchId), 'mineco', {
    type: 'BatchShipped',
    data: {
      batchId,
      shipmentId: `S-${batchId}`,
      fromOrgId: 'mineco',
      fromFacilityId: 'mt-weld',
      toOrgId: 'refco',
      toFacilityId: 'kuantan',
      massGrams,
      documents: [{ type: 'bill_of_lading', number: `BL-${batchId}` }],
      occurredAt: '2026-03-05T00:00:00Z',
    },
  }),
  write(toBatchStreamId(batchId), 'refco', {
    type: 'BatchReceived',
    data: {
      batchId,
      shipmentId: `S-${batchId}`,
      orgId: 'refco',
      facilityId: 'kuantan',
      receivedMassGrams: massGrams,
      discrepancyGrams: 0,
      occurredAt: '2026-03-19T00:00:00Z',
    },
  }),
];

/**
 * One transformation at Refco's plant as the API appends it: its declaration on its own stream, then every
 * input's and the output's stream, at once.
 */
export function transformation(
  transformationId: string,
  inputs: { batchId: string; consumedGrams: number; remainingGrams: number }[],
  output: { batchId: string; massGrams: number },
  processEmissionsKgCo2e: number,
): StreamWrite[] {
  const common = {
    transformationId,
    process: 'solvent_extraction',
    orgId: 'refco',
    facilityId: 'kuantan',
  } as const;
  const occurredAt = '2026-04-01T00:00:00Z';
  const material = { form: 'oxide', elements: ['Nd', 'Pr'] } as const;
  const allocation = { method: 'mass', share: 1 } as const;
  return [
    write(toTransformationStreamId(transformationId), 'refco', {
      type: 'TransformationRecorded',
      data: {
        ...common,
        inputs: inputs.map(({ batchId, consumedGrams }) => ({ batchId, consumedGrams })),
        outputs: [{ ...output, material: { ...material, elements: [...material.elements] }, allocation }],
        residues: [],
        unaccountedLossGrams: inputs.reduce((sum, input) => sum + input.consumedGrams, 0) - output.massGrams,
        processEmissionsKgCo2e,
        occurredAt,
      },
    } satisfies TransformationRecorded),
    ...inputs.map(({ batchId, consumedGrams, remainingGrams }) =>
      write(toBatchStreamId(batchId), 'refco', {
        type: 'BatchRefined',
        data: { ...common, batchId, consumedGrams, remainingGrams, occurredAt },
      } satisfies BatchRefined),
    ),
    write(toBatchStreamId(output.batchId), 'refco', {
      type: 'BatchProduced',
      data: {
        ...common,
        ...output,
        material: { ...material, elements: [...material.elements] },
        allocation,
        occurredAt,
      },
    } satisfies BatchProduced),
  ];
}

export const certificateIssued = (certificateId: string, orgId: string, facilityId: string) =>
  write(toCertificateStreamId(certificateId), 'irma', {
    type: 'CertificateIssued',
    data: {
      certificateId,
      certifierOrgId: 'irma',
      scheme: 'IRMA',
      level: '75',
      subject: { type: 'facility', id: facilityId, orgId },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'cd'.repeat(32), uri: 'https://irma.example/reports/1' },
      occurredAt: '2026-01-01T00:00:00Z',
    },
  } satisfies CertificateEvent);

export const certificateSuspended = (certificateId: string, reason: string) =>
  write(toCertificateStreamId(certificateId), 'irma', {
    type: 'CertificateSuspended',
    data: { certificateId, certifierOrgId: 'irma', reason, occurredAt: '2026-05-01T00:00:00Z' },
  } satisfies CertificateEvent);
