import type { EventToAppend, StreamWrite } from '@tracelode/event-store';
import { randomUUID } from 'node:crypto';

/** Test fixtures for the CLI's int-specs: small ledgers of real domain events, written through the store port. */
export const event = (type: string, data: Record<string, unknown>, orgId: string): EventToAppend => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: { actor: { orgId, keyId: `${orgId}-key`, roles: ['producer'] }, schemaVersion: 1 },
});

/** An organisation with one facility and one API key. */
export const organisation = (
  orgId: string,
  country: string,
  facilityId: string,
  kind: string,
): StreamWrite => ({
  stream: `org-${orgId}`,
  expectedRevision: 'no_stream',
  events: [
    event('OrganisationRegistered', { orgId, name: orgId, country, roles: ['producer'] }, orgId),
    event('FacilityRegistered', { orgId, facilityId, kind, name: facilityId, country }, orgId),
    event('ApiKeyIssued', { orgId, keyId: `${orgId}-k1`, keySha256: `sha-${orgId}` }, orgId),
  ],
});

/** The miner (mineco, Mt Weld, AU) and the refiner (refco, Kuantan, MY) the batches move between. */
export const PARTIES: readonly StreamWrite[] = [
  organisation('mineco', 'AU', 'mt-weld', 'mine'),
  organisation('refco', 'MY', 'kuantan', 'processing_plant'),
];

/** Batch B-i mined at Mt Weld and shipped to Kuantan (revisions 0 and 1). */
export const minedAndShipped = (i: number): StreamWrite => {
  const batchId = `B-${i}`;
  return {
    stream: `batch-${batchId}`,
    expectedRevision: 'no_stream',
    events: [
      event(
        'BatchMined',
        {
          batchId,
          orgId: 'mineco',
          facilityId: 'mt-weld',
          material: { form: 'concentrate', elements: ['Nd'] },
          massGrams: 1000 + i,
          occurredAt: '2026-03-01T00:00:00Z',
        },
        'mineco',
      ),
      event(
        'BatchShipped',
        {
          batchId,
          shipmentId: `S-${i}`,
          fromOrgId: 'mineco',
          fromFacilityId: 'mt-weld',
          toOrgId: 'refco',
          toFacilityId: 'kuantan',
          massGrams: 1000 + i,
          documents: [],
          occurredAt: '2026-03-02T00:00:00Z',
        },
        'mineco',
      ),
    ],
  };
};

/** Batch B-i received at Kuantan (revision 2). */
export const received = (i: number): StreamWrite => ({
  stream: `batch-B-${i}`,
  expectedRevision: 1n,
  events: [
    event(
      'BatchReceived',
      {
        batchId: `B-${i}`,
        shipmentId: `S-${i}`,
        orgId: 'refco',
        facilityId: 'kuantan',
        receivedMassGrams: 1000,
        discrepancyGrams: i,
        occurredAt: '2026-03-03T00:00:00Z',
      },
      'refco',
    ),
  ],
});
