import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { epcisSchemaPath, epcisViolations } from './epcis-schema';
import { correctiveEventIds, fromEpcisEvent, fromEpcisEvents } from './from-epcis';
import { EpcisIds, type GlnDirectory, glnReferenceOf } from './identifiers';
import { epcisContext, toEpcisEvents } from './to-epcis';
import type { LedgerRecord } from './epcis.types';

const ids = new EpcisIds('https://ledger.example.org/');
let position = 0;
const record = (
  type: string,
  data: Record<string, unknown>,
  stream = `batch-${String(data.batchId)}`,
): LedgerRecord => {
  position += 1;
  return {
    position: String(position),
    stream,
    eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
    type,
    data,
    metadata: { recordedAt: '2026-03-20T00:00:00.000Z' },
    recordedAt: '2026-03-20T00:00:00.000Z',
  };
};

const document = (eventList: unknown[]) => ({
  '@context': epcisContext(ids),
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2026-03-20T00:00:00.000Z',
  epcisBody: { eventList },
});

const material = { form: 'concentrate', elements: ['Nd', 'Pr'], grade: { TREO: 41.2 } };
const chain: LedgerRecord[] = [
  record('BatchMined', {
    batchId: 'MW-1',
    orgId: 'weld',
    facilityId: 'mt-weld',
    country: 'AU',
    material,
    massGrams: 25000500,
    extractionEmissionsKgCo2e: 1200.5,
    occurredAt: '2026-03-01T08:00:00+08:00',
  }),
  record('BatchAssayed', {
    batchId: 'MW-1',
    assayId: 'A-1',
    byOrgId: 'weld',
    lab: 'ALS Perth',
    method: 'ICP-MS',
    grade: { TREO: 41.5, ThO2: 0.02 },
    radioactivityBqPerG: 1.7,
    occurredAt: '2026-03-02T08:00:00+08:00',
  }),
  record('BatchShipped', {
    batchId: 'MW-1',
    shipmentId: 'SHP-1',
    fromOrgId: 'weld',
    fromFacilityId: 'mt-weld',
    toOrgId: 'gebeng',
    toFacilityId: 'plant',
    massGrams: 25000500,
    documents: [{ type: 'bill_of_lading', number: 'MAEU-77' }],
    occurredAt: '2026-03-05T06:00:00+08:00',
  }),
  record('BatchReceived', {
    batchId: 'MW-1',
    shipmentId: 'SHP-1',
    orgId: 'gebeng',
    facilityId: 'plant',
    receivedMassGrams: 24990250,
    discrepancyGrams: 10250,
    occurredAt: '2026-03-19T14:00:00+08:00',
  }),
  record('BatchHeld', {
    batchId: 'MW-1',
    authorityOrgId: 'my-reg',
    authorityCountry: 'MY',
    reason: 'radioactivity check',
    occurredAt: '2026-03-19T15:00:00+08:00',
  }),
  record('BatchReleased', {
    batchId: 'MW-1',
    authorityOrgId: 'my-reg',
    reason: 'cleared',
    occurredAt: '2026-03-19T16:00:00+08:00',
  }),
  record(
    'TransformationRecorded',
    {
      transformationId: 'T-1',
      process: 'cracking_leaching',
      orgId: 'gebeng',
      facilityId: 'plant',
      inputs: [{ batchId: 'MW-1', consumedGrams: 24990250 }],
      outputs: [
        {
          batchId: 'MC-1',
          material: { form: 'mixed_compound', elements: ['Nd', 'Pr'] },
          massGrams: 12000000,
          allocation: { method: 'economic', share: 0.86 },
        },
        {
          batchId: 'LC-1',
          material: { form: 'mixed_compound', elements: ['La', 'Ce'] },
          massGrams: 8000000,
          allocation: { method: 'economic', share: 0.14 },
        },
      ],
      residues: [{ kind: 'tailings', massGrams: 4000000 }],
      unaccountedLossGrams: 990250,
      processEmissionsKgCo2e: 5000,
      occurredAt: '2026-03-21T08:00:00+08:00',
    },
    'transformation-T-1',
  ),
  record('BatchRefined', {
    batchId: 'MW-1',
    transformationId: 'T-1',
    process: 'cracking_leaching',
    orgId: 'gebeng',
    facilityId: 'plant',
    consumedGrams: 24990250,
    remainingGrams: 0,
    occurredAt: '2026-03-21T08:00:00+08:00',
  }),
  record('BatchSplit', {
    batchId: 'MC-1',
    splitId: 'S-1',
    orgId: 'gebeng',
    facilityId: 'plant',
    outputs: [{ batchId: 'MC-1a', massGrams: 2000000 }],
    remainingGrams: 10000000,
    occurredAt: '2026-03-22T08:00:00+08:00',
  }),
  record('BlendProduced', {
    batchId: 'BL-1',
    blendId: 'B-1',
    orgId: 'gebeng',
    facilityId: 'plant',
    inputs: [
      { batchId: 'MC-1', consumedGrams: 1000000 },
      { batchId: 'MC-1a', consumedGrams: 2000000 },
    ],
    material: { form: 'mixed_compound' },
    massGrams: 3000000,
    occurredAt: '2026-03-23T08:00:00+08:00',
  }),
  record('BatchExported', {
    batchId: 'BL-1',
    exportId: 'X-1',
    licenceId: 'L-1',
    orgId: 'gebeng',
    facilityId: 'plant',
    massGrams: 3000000,
    destinationCountry: 'VN',
    consignee: 'Hanoi Metals',
    endUser: 'Hanoi Metals',
    hsCode: '2846.90',
    customsDeclarationNo: 'K-123',
    port: 'MYKUA',
    occurredAt: '2026-03-24T08:00:00+08:00',
  }),
  record(
    'CertificateIssued',
    {
      certificateId: 'C-1',
      certifierOrgId: 'irma',
      scheme: 'IRMA',
      subject: { type: 'facility', id: 'mt-weld', orgId: 'weld' },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'ab', uri: 'https://irma.example/c1' },
      occurredAt: '2026-01-01T00:00:00Z',
    },
    'certificate-C-1',
  ),
];

describe('EPCIS mapping (docs/epcis.md)', () => {
  const events = toEpcisEvents(chain, ids);

  it('gives one EPCIS event per physical step, the declaration standing for its batches’ parts', () => {
    expect(events.map((e) => [e.type, e.bizStep ?? e.transformationID])).toEqual([
      ['ObjectEvent', 'commissioning'],
      ['ObjectEvent', 'inspecting'],
      ['ObjectEvent', 'shipping'],
      ['ObjectEvent', 'receiving'],
      ['ObjectEvent', 'holding'],
      ['ObjectEvent', 'holding'],
      ['TransformationEvent', 'commissioning'],
      ['TransformationEvent', 'commissioning'],
      ['TransformationEvent', 'commissioning'],
      ['ObjectEvent', 'departing'],
    ]);
  });

  it('is valid against the GS1 EPCIS 2.0 JSON schema, as a document and event by event', () => {
    expect(epcisViolations(document(events))).toEqual([]);
    for (const event of events)
      expect(epcisViolations({ '@context': epcisContext(ids), ...event })).toEqual([]);
  });

  it('maps mining to commissioning in KGM with ilmd, and names the certificates valid then', () => {
    expect(events[0]).toMatchObject({
      action: 'ADD',
      quantityList: [{ epcClass: 'https://ledger.example.org/batches/MW-1', quantity: 25000.5, uom: 'KGM' }],
      bizLocation: { id: 'https://ledger.example.org/orgs/weld/facilities/mt-weld' },
      ilmd: { 'tl:form': 'concentrate', 'tl:elements': ['Nd', 'Pr'], 'tl:grade': { TREO: 41.2 } },
      eventTimeZoneOffset: '+08:00',
      certificationInfo: ['https://ledger.example.org/certificates/C-1'],
    });
  });

  it('maps holds and releases to the persistent disposition set and unset', () => {
    expect(events[4]!.persistentDisposition).toEqual({ set: ['non_sellable_other'] });
    expect(events[5]!.persistentDisposition).toEqual({ unset: ['non_sellable_other'] });
  });

  it('maps each event back to the command that recorded it', () => {
    const commands = events.map((event) => fromEpcisEvent(event, ids));
    expect(commands.map((c) => (c.ok ? c.command : c))).toEqual([
      {
        type: 'MineBatch',
        data: {
          batchId: 'MW-1',
          facilityId: 'mt-weld',
          material,
          massGrams: 25000500,
          extractionEmissionsKgCo2e: 1200.5,
          occurredAt: '2026-03-01T08:00:00+08:00',
        },
      },
      {
        type: 'AssayBatch',
        data: {
          batchId: 'MW-1',
          assayId: 'A-1',
          lab: 'ALS Perth',
          method: 'ICP-MS',
          grade: { TREO: 41.5, ThO2: 0.02 },
          radioactivityBqPerG: 1.7,
          occurredAt: '2026-03-02T08:00:00+08:00',
        },
      },
      {
        type: 'ShipBatch',
        data: {
          batchId: 'MW-1',
          shipmentId: 'SHP-1',
          toOrgId: 'gebeng',
          toFacilityId: 'plant',
          documents: [{ type: 'bill_of_lading', number: 'MAEU-77' }],
          massGrams: 25000500,
          occurredAt: '2026-03-05T06:00:00+08:00',
        },
      },
      {
        type: 'ReceiveBatch',
        data: {
          batchId: 'MW-1',
          shipmentId: 'SHP-1',
          receivedMassGrams: 24990250,
          occurredAt: '2026-03-19T14:00:00+08:00',
        },
      },
      {
        type: 'HoldBatch',
        data: { batchId: 'MW-1', reason: 'radioactivity check', occurredAt: '2026-03-19T15:00:00+08:00' },
      },
      {
        type: 'ReleaseBatch',
        data: { batchId: 'MW-1', reason: 'cleared', occurredAt: '2026-03-19T16:00:00+08:00' },
      },
      {
        type: 'TransformBatches',
        data: {
          transformationId: 'T-1',
          facilityId: 'plant',
          process: 'cracking_leaching',
          occurredAt: '2026-03-21T08:00:00+08:00',
          inputs: [{ batchId: 'MW-1', consumedGrams: 24990250 }],
          outputs: [
            {
              batchId: 'MC-1',
              material: { form: 'mixed_compound', elements: ['Nd', 'Pr'] },
              massGrams: 12000000,
            },
            {
              batchId: 'LC-1',
              material: { form: 'mixed_compound', elements: ['La', 'Ce'] },
              massGrams: 8000000,
            },
          ],
          residues: [{ kind: 'tailings', massGrams: 4000000 }],
          processEmissionsKgCo2e: 5000,
          allocation: { method: 'economic', keys: { 'MC-1': 0.86, 'LC-1': 0.14 } },
        },
      },
      {
        type: 'SplitBatch',
        data: {
          batchId: 'MC-1',
          splitId: 'S-1',
          outputs: [{ batchId: 'MC-1a', massGrams: 2000000 }],
          occurredAt: '2026-03-22T08:00:00+08:00',
        },
      },
      {
        type: 'BlendBatches',
        data: {
          blendId: 'B-1',
          facilityId: 'plant',
          inputs: [
            { batchId: 'MC-1', consumedGrams: 1000000 },
            { batchId: 'MC-1a', consumedGrams: 2000000 },
          ],
          output: { batchId: 'BL-1', material: { form: 'mixed_compound' } },
          occurredAt: '2026-03-23T08:00:00+08:00',
        },
      },
      {
        type: 'ExportBatch',
        data: {
          batchId: 'BL-1',
          exportId: 'X-1',
          licenceId: 'L-1',
          destinationCountry: 'VN',
          consignee: 'Hanoi Metals',
          endUser: 'Hanoi Metals',
          hsCode: '2846.90',
          customsDeclarationNo: 'K-123',
          port: 'MYKUA',
          occurredAt: '2026-03-24T08:00:00+08:00',
        },
      },
    ]);
  });

  it('leaves withheld fields out rather than guessing them (ADR 0022)', () => {
    const withheld = record('BatchShipped', {
      ...chain[2]!.data,
      shipmentId: { '...': 'digest' },
      toOrgId: { '...': 'digest' },
      toFacilityId: { '...': 'digest' },
      documents: [{ '...': 'digest' }],
    });
    const [event] = toEpcisEvents([withheld], ids);
    expect(event).not.toHaveProperty('destinationList');
    expect(JSON.stringify(event)).not.toContain('MAEU');
    expect(JSON.stringify(event)).not.toContain('gebeng');
    expect(epcisViolations(document([event]))).toEqual([]);
  });

  it('declares a corrected event in error and adds its corrective event', () => {
    const corrected = record('EventCorrected', {
      batchId: 'MW-1',
      correctionId: 'K-1',
      eventId: chain[3]!.eventId,
      eventType: 'BatchReceived',
      byOrgId: 'gebeng',
      reason: 'weighbridge error',
      changes: { receivedMassKg: 24995 },
      corrected: { receivedMassGrams: 24995000 },
      previous: { receivedMassGrams: 24990250 },
    });
    const mapped = toEpcisEvents([...chain.slice(0, 4), corrected], ids);
    const [declared, corrective] = mapped.slice(-2);
    expect(declared).toMatchObject({
      eventID: ids.event(chain[3]!.eventId),
      errorDeclaration: { reason: 'incorrect_data', correctiveEventIDs: [ids.event(corrected.eventId)] },
    });
    expect(corrective).toMatchObject({
      eventID: ids.event(corrected.eventId),
      quantityList: [{ quantity: 24995 }],
    });
    expect(epcisViolations(document(mapped))).toEqual([]);
  });

  it('captures a declaration with its corrective event in the same document as the ledger’s correction', () => {
    const corrected = record('EventCorrected', {
      batchId: 'MW-1',
      correctionId: 'K-2',
      eventId: chain[3]!.eventId,
      eventType: 'BatchReceived',
      byOrgId: 'gebeng',
      reason: 'weighbridge error',
      changes: { receivedMassKg: 24995, occurredAt: '2026-03-19T15:00:00+08:00' },
      corrected: { receivedMassGrams: 24995000, occurredAt: '2026-03-19T15:00:00+08:00' },
      previous: { receivedMassGrams: 24990250, occurredAt: '2026-03-19T14:00:00+08:00' },
    });
    const [declared, corrective] = toEpcisEvents([...chain.slice(0, 4), corrected], ids).slice(-2);
    const correctiveUuid = corrected.eventId;
    expect(fromEpcisEvents([declared!, corrective!], ids, 'gebeng')).toEqual([
      {
        ok: true,
        command: {
          type: 'CorrectEvent',
          data: {
            correctionId: `epcis-correction-${correctiveUuid}`,
            eventId: chain[3]!.eventId,
            batchId: 'MW-1',
            reason: 'weighbridge error',
            changes: { receivedMassKg: 24995, occurredAt: '2026-03-19T15:00:00+08:00' },
          },
        },
      },
      { ok: true, partOf: 0 },
    ]);
    // Kept refused: the corrective event elsewhere, or one changing what a correction cannot.
    const code = (mapping: { ok: boolean; code?: string }) => (mapping.ok ? 'mapped' : mapping.code);
    expect(fromEpcisEvents([declared!], ids, 'gebeng').map(code)).toEqual(['EPCIS_CORRECTION_NOT_CAPTURED']);
    const otherLot = {
      ...corrective!,
      quantityList: [{ epcClass: ids.batch('MW-2'), quantity: 1, uom: 'KGM' }],
    };
    expect(fromEpcisEvents([declared!, otherLot], ids, 'gebeng').map(code)).toEqual([
      'EPCIS_CORRECTION_NOT_CAPTURED',
      'EPCIS_CORRECTION_NOT_CAPTURED',
    ]);
    const unchanged = { ...declared!, eventID: corrective!.eventID, errorDeclaration: undefined };
    delete unchanged.errorDeclaration;
    expect(fromEpcisEvents([declared!, unchanged], ids, 'gebeng').map(code)).toEqual([
      'EPCIS_CORRECTION_NOT_CAPTURED',
      'EPCIS_CORRECTION_NOT_CAPTURED',
    ]);
  });

  it('reports a corrective event’s own bad mass at its index, the declaration refused with it', () => {
    const corrected = record('EventCorrected', {
      batchId: 'MW-1',
      correctionId: 'K-3',
      eventId: chain[3]!.eventId,
      eventType: 'BatchReceived',
      byOrgId: 'gebeng',
      reason: 'weighbridge error',
      changes: { receivedMassKg: 24995 },
      corrected: { receivedMassGrams: 24995000 },
      previous: { receivedMassGrams: 24990250 },
    });
    const [declared, corrective] = toEpcisEvents([...chain.slice(0, 4), corrected], ids).slice(-2);
    const inexact = {
      ...corrective!,
      quantityList: [{ epcClass: ids.batch('MW-1'), quantity: 450.0004, uom: 'KGM' }],
    };
    const code = (mapping: { ok: boolean; code?: string }) => (mapping.ok ? 'mapped' : mapping.code);
    expect(fromEpcisEvents([declared!, inexact], ids, 'gebeng').map(code)).toEqual([
      'EPCIS_CORRECTION_NOT_CAPTURED',
      'EPCIS_QUANTITY_NOT_KGM',
    ]);
    // In either order: the index is the corrective event's own.
    expect(fromEpcisEvents([inexact, declared!], ids, 'gebeng').map(code)).toEqual([
      'EPCIS_QUANTITY_NOT_KGM',
      'EPCIS_CORRECTION_NOT_CAPTURED',
    ]);
  });

  it('refuses every event of a document whose eventID another event shares, so none is silently dropped', () => {
    const corrected = record('EventCorrected', {
      batchId: 'MW-1',
      correctionId: 'K-4',
      eventId: chain[3]!.eventId,
      eventType: 'BatchReceived',
      byOrgId: 'gebeng',
      reason: 'weighbridge error',
      changes: { receivedMassKg: 24995 },
      corrected: { receivedMassGrams: 24995000 },
      previous: { receivedMassGrams: 24990250 },
    });
    const [declared, corrective] = toEpcisEvents([...chain.slice(0, 4), corrected], ids).slice(-2);
    const mined = { ...toEpcisEvents(chain, ids)[0]!, eventID: corrective!.eventID };
    const mappings = fromEpcisEvents([declared!, mined, corrective!], ids, 'weld');
    const code = (mapping: { ok: boolean; code?: string }) => (mapping.ok ? 'mapped' : mapping.code);
    expect(mappings.map(code)).toEqual([
      'EPCIS_CORRECTION_NOT_CAPTURED',
      'EPCIS_DUPLICATE_EVENT_ID',
      'EPCIS_DUPLICATE_EVENT_ID',
    ]);
    // Two events with one eventID and no declaration: both refused too.
    const twice = fromEpcisEvents([mined, { ...mined }], ids, 'weld').map(code);
    expect(twice).toEqual(['EPCIS_DUPLICATE_EVENT_ID', 'EPCIS_DUPLICATE_EVENT_ID']);
  });

  it('refuses, with a code, what the ledger cannot record', () => {
    const mined = events[0]!;
    const refusal = (event: Record<string, unknown>) => {
      const mapping = fromEpcisEvent(event, ids, 'weld');
      return mapping.ok ? 'mapped' : mapping.code;
    };
    expect(refusal(mined)).toBe('mapped');
    expect(refusal({ ...mined, quantityList: [{ epcClass: ids.batch('MW-1'), quantity: 10 }] })).toBe(
      'EPCIS_QUANTITY_NOT_KGM',
    );
    expect(refusal({ ...mined, bizStep: 'arriving' })).toBe('EPCIS_EVENT_NOT_MAPPED');
    expect(
      refusal({
        ...mined,
        quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 1, uom: 'KGM' }],
      }),
    ).toBe('EPCIS_IDENTIFIER_UNKNOWN');
    expect(refusal({ ...mined, bizLocation: { id: ids.facility('gebeng', 'plant') } })).toBe(
      'EPCIS_IDENTIFIER_UNKNOWN',
    );
    expect(refusal({ ...mined, ilmd: {} })).toBe('EPCIS_FIELD_MISSING');
    const declared = (reason: string, extra: Record<string, unknown> = {}) => ({
      ...mined,
      eventID: 'urn:uuid:6C1C6A40-0000-4000-8000-000000000009',
      errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z', reason, ...extra },
    });
    expect(fromEpcisEvent(declared('did_not_occur'), ids, 'weld')).toEqual({
      ok: true,
      command: {
        type: 'VoidEvent',
        data: {
          voidId: 'epcis-void-6c1c6a40-0000-4000-8000-000000000009',
          eventId: '6c1c6a40-0000-4000-8000-000000000009',
          batchId: 'MW-1',
          reason: 'EPCIS error declaration: did_not_occur',
        },
      },
    });
    expect(refusal(declared('incorrect_data'))).toBe('EPCIS_CORRECTION_NOT_CAPTURED');
    expect(refusal(declared('did_not_occur', { correctiveEventIDs: ['urn:uuid:1'] }))).toBe(
      'EPCIS_CORRECTION_NOT_CAPTURED',
    );
    expect(refusal({ ...declared('did_not_occur'), eventID: 'urn:epc:id:x' })).toBe(
      'EPCIS_IDENTIFIER_UNKNOWN',
    );
    expect([
      ...correctiveEventIds([
        mined,
        {
          ...mined,
          errorDeclaration: { declarationTime: 'x', correctiveEventIDs: ['urn:uuid:1', 'urn:uuid:2'] },
        },
      ]),
    ]).toEqual(['urn:uuid:1', 'urn:uuid:2']);
  });

  it('gives each of GS1’s example documents a definite answer: valid, and refused per event with a code', () => {
    const dir = dirname(epcisSchemaPath());
    const examples = readdirSync(dir).filter(
      (name) => name.endsWith('.jsonld') && name !== 'epcis-context.jsonld',
    );
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const name of examples) {
      const example = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
        epcisBody: { eventList: Record<string, unknown>[] };
      };
      expect(epcisViolations(example)).toEqual([]);
      for (const event of example.epcisBody.eventList) {
        const mapping = fromEpcisEvent(event, ids);
        expect(mapping.ok ? 'mapped' : mapping.code).toMatch(/^EPCIS_/);
      }
    }
  });
});

describe('EPCIS identifiers with GS1 GLNs (ADR 0031)', () => {
  // Weld (the organisation) and its mine hold GLNs; Gebeng and its plant have none.
  const held: Record<string, { orgId: string; facilityId?: string }> = {
    '0614141000012': { orgId: 'weld' },
    '0614141007776': { orgId: 'weld', facilityId: 'mt-weld' },
  };
  const directory: GlnDirectory = {
    glnOf: (orgId, facilityId) =>
      Object.entries(held).find(([, h]) => h.orgId === orgId && h.facilityId === facilityId)?.[0],
    holderOf: (gln) => held[gln],
  };
  const glnIds = ids.withGlns(directory);
  const events = toEpcisEvents(chain, glnIds);
  const mine = 'https://id.gs1.org/414/0614141007776';
  const weld = 'https://id.gs1.org/417/0614141000012';

  it('names a facility with a GLN by its Digital Link location, and one without by the ledger URL', () => {
    expect(events[0]).toMatchObject({ readPoint: { id: mine }, bizLocation: { id: mine } });
    expect(events[2]).toMatchObject({
      readPoint: { id: mine },
      sourceList: [
        { type: 'owning_party', source: weld },
        { type: 'location', source: mine },
      ],
      destinationList: [
        { type: 'owning_party', destination: 'https://ledger.example.org/orgs/gebeng' },
        { type: 'location', destination: 'https://ledger.example.org/orgs/gebeng/facilities/plant' },
      ],
    });
  });

  it('is valid against the GS1 EPCIS 2.0 JSON schema with GLN identifiers', () => {
    expect(epcisViolations({ ...document(events), '@context': epcisContext(glnIds) })).toEqual([]);
  });

  it('maps the Digital Link (and the equivalent SGLN) back to the facility holding the GLN', () => {
    const mined = fromEpcisEvent(events[0]!, glnIds);
    expect(mined.ok && mined.command).toMatchObject({ type: 'MineBatch', data: { facilityId: 'mt-weld' } });
    const sgln = { ...events[0]!, bizLocation: { id: 'urn:epc:id:sgln:0614141.00777.0' } };
    expect(fromEpcisEvent(sgln, glnIds, 'weld')).toMatchObject({ ok: true });
    expect(fromEpcisEvent(events[0]!, glnIds, 'gebeng')).toMatchObject({ code: 'EPCIS_IDENTIFIER_UNKNOWN' });
    expect(glnIds.parseOrganisation(weld)).toBe('weld');
    expect(glnIds.parseOrganisation('urn:epc:id:pgln:0614141.00001')).toBe('weld');
    expect(glnIds.parseOrganisation(mine)).toBeUndefined();
  });

  it('refuses, per event, a GLN no facility of the ledger holds, or an organisation’s GLN as a place', () => {
    const unknown = { ...events[0]!, bizLocation: { id: 'https://id.gs1.org/414/0614141008889' } };
    expect(fromEpcisEvent(unknown, glnIds)).toEqual({
      ok: false,
      code: 'EPCIS_IDENTIFIER_UNKNOWN',
      message:
        'GLN 0614141008889 (https://id.gs1.org/414/0614141008889) is held by no facility of this ledger',
    });
    const party = { ...events[0]!, bizLocation: { id: 'https://id.gs1.org/414/0614141000012' } };
    expect(fromEpcisEvent(party, glnIds)).toMatchObject({ ok: false, code: 'EPCIS_IDENTIFIER_UNKNOWN' });
    // Without a directory (or with a wrong check digit) a GLN names nothing.
    expect(fromEpcisEvent(events[0]!, ids)).toMatchObject({ ok: false, code: 'EPCIS_IDENTIFIER_UNKNOWN' });
    const badCheck = { ...events[0]!, bizLocation: { id: 'https://id.gs1.org/414/0614141007777' } };
    expect(fromEpcisEvent(badCheck, glnIds)).toMatchObject({ ok: false, code: 'EPCIS_IDENTIFIER_UNKNOWN' });
  });

  it('answers another organisation’s facility named by its GLN as a GLN nobody holds, naming no holder', () => {
    const free = 'https://id.gs1.org/414/0614141008889';
    const refusedAs = (id: string) => {
      const mapping = fromEpcisEvent({ ...events[0]!, bizLocation: { id } }, glnIds, 'gebeng');
      return mapping.ok ? { code: 'mapped', message: '' } : mapping;
    };
    // One answer, but for the URI and the GLN it names: the same code and words for a held GLN and a free one.
    const answers = [mine, 'urn:epc:id:sgln:0614141.00777.0', free].map((id) => {
      const { code, message } = refusedAs(id);
      return `${code} ${message.replace(id, 'URI').replace(/\d{13}/g, 'GLN')}`;
    });
    expect(new Set(answers).size).toBe(1);
    for (const id of [mine, 'urn:epc:id:sgln:0614141.00777.0']) {
      expect(refusedAs(id)).toMatchObject({ code: 'EPCIS_IDENTIFIER_UNKNOWN' });
      expect(refusedAs(id).message).not.toContain('weld');
    }
  });

  it('refuses a shipment whose destination owning party is not the organisation holding the location', () => {
    const shipped = events[2]!;
    const destination = (list: unknown[]) => ({ ...shipped, destinationList: list });
    const plantByGln = { type: 'location', destination: mine };
    const mapped = (event: Record<string, unknown>) => {
      const mapping = fromEpcisEvent(event, glnIds, 'weld');
      return mapping.ok ? mapping.command : mapping.code;
    };
    // Gebeng named as the owner of Weld's mine (by its GLN): refused, whatever names the party.
    for (const owner of [
      'https://ledger.example.org/orgs/gebeng',
      'https://ledger.example.org/orgs/nobody',
    ]) {
      expect(mapped(destination([{ type: 'owning_party', destination: owner }, plantByGln]))).toBe(
        'EPCIS_PARTY_MISMATCH',
      );
      expect(mapped(destination([plantByGln, { type: 'possessing_party', destination: owner }]))).toBe(
        'EPCIS_PARTY_MISMATCH',
      );
    }
    // The holder named by its ledger URI, its /417/ Digital Link or its PGLN: recorded as a shipment to it.
    for (const owner of ['https://ledger.example.org/orgs/weld', weld, 'urn:epc:id:pgln:0614141.00001']) {
      expect(mapped(destination([{ type: 'owning_party', destination: owner }, plantByGln]))).toMatchObject({
        type: 'ShipBatch',
        data: { toOrgId: 'weld', toFacilityId: 'mt-weld' },
      });
    }
    // The source list is held to the same rule.
    const source = {
      ...shipped,
      sourceList: [
        { type: 'owning_party', source: 'https://ledger.example.org/orgs/gebeng' },
        { type: 'location', source: mine },
      ],
    };
    expect(mapped(source)).toBe('EPCIS_PARTY_MISMATCH');
  });

  it.each([
    ['https://id.gs1.org/414/0614141007776', { kind: 'location', gln: '0614141007776' }],
    ['https://id.gs1.org/417/0614141000012', { kind: 'party', gln: '0614141000012' }],
    ['urn:epc:id:sgln:0614141.00777.0', { kind: 'location', gln: '0614141007776' }],
    ['urn:epc:id:sgln:4012345.00001.0', { kind: 'location', gln: '4012345000016' }],
    ['urn:epc:id:pgln:0614141.00777', { kind: 'party', gln: '0614141007776' }],
    ['urn:epc:id:sgln:0614141.07346.1234', undefined],
    ['https://id.gs1.org/414/0614141007776/254/1', undefined],
    ['https://example.org/414/0614141007776', undefined],
    ['urn:epc:id:sgln:0614141.0077.0', undefined],
  ])('reads %s as %j', (uri, reference) => expect(glnReferenceOf(uri)).toEqual(reference));
});
