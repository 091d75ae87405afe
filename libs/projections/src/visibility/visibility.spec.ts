import type { LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import { MemoryViews } from '@tracelode/read-models';
import { transformationEvents } from '@tracelode/testing';
import type { ViewLookup } from '../document-projection';
import { LEDGER_PROJECTIONS } from '../index';
import { applyEvent } from '../projector';
import { accessTo, type ReadMoment, type Reader } from './access';
import { readerRelationships } from './reader-relationships';
import { BATCH_RELATIONSHIPS, type BatchRelationships } from './relationships.projection';
import { withheldFor } from './withheld';

/**
 * The policy of docs/visibility.md on a small chain held in memory: MineCo (AU) mines MW-1 and ships it
 * to TradeCo (SG), which ships it to RefCo (MY); RefCo refines it into OX-1 (shipped to MagCo, JP) and
 * OX-2, exported under a licence of customs-my. IRMA certifies RefCo's plant.
 */
const at = '2026-03-01T00:00:00Z';
const org = (orgId: string, country: string, roles: string[], facilityId?: string): LedgerEvent[] => [
  { type: 'OrganisationRegistered', data: { orgId, name: `${orgId} Ltd`, country, roles } } as LedgerEvent,
  ...(facilityId
    ? [
        {
          type: 'FacilityRegistered',
          data: { orgId, facilityId, kind: 'mine', name: facilityId, country },
        } as LedgerEvent,
      ]
    : []),
];
const shipped = (batchId: string, shipmentId: string, from: [string, string], to: [string, string]) =>
  ({
    type: 'BatchShipped',
    data: {
      batchId,
      shipmentId,
      fromOrgId: from[0],
      fromFacilityId: from[1],
      toOrgId: to[0],
      toFacilityId: to[1],
      massGrams: 1000,
      documents: [{ type: 'bill_of_lading', number: `BOL-${shipmentId}` }],
      occurredAt: at,
    },
  }) as LedgerEvent;
const received = (batchId: string, shipmentId: string, orgId: string, facilityId: string) =>
  ({
    type: 'BatchReceived',
    data: {
      batchId,
      shipmentId,
      orgId,
      facilityId,
      receivedMassGrams: 1000,
      discrepancyGrams: 0,
      occurredAt: at,
    },
  }) as LedgerEvent;
const CHAIN: LedgerEvent[] = [
  ...org('mineco', 'AU', ['producer'], 'mt-weld'),
  ...org('tradeco', 'SG', ['producer'], 'sg-wh'),
  ...org('refco', 'MY', ['producer'], 'kuantan'),
  ...org('magco', 'JP', ['producer'], 'osaka'),
  ...org('customs-au', 'AU', ['regulator']),
  ...org('customs-my', 'MY', ['regulator']),
  ...org('customs-de', 'DE', ['regulator']),
  ...org('irma', 'DE', ['certifier']),
  {
    type: 'CertificateIssued',
    data: {
      certificateId: 'C-K',
      certifierOrgId: 'irma',
      scheme: 'IRMA',
      subject: { type: 'facility', id: 'kuantan', orgId: 'refco' },
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      evidence: { sha256: 'a'.repeat(64), uri: 'https://audits.example/k.pdf' },
      occurredAt: at,
    },
  },
  {
    type: 'BatchMined',
    data: {
      batchId: 'MW-1',
      orgId: 'mineco',
      facilityId: 'mt-weld',
      material: { form: 'concentrate', elements: ['Nd'] },
      massGrams: 1000,
      occurredAt: at,
    },
  },
  shipped('MW-1', 'S-1', ['mineco', 'mt-weld'], ['tradeco', 'sg-wh']),
  received('MW-1', 'S-1', 'tradeco', 'sg-wh'),
  shipped('MW-1', 'S-2', ['tradeco', 'sg-wh'], ['refco', 'kuantan']),
  received('MW-1', 'S-2', 'refco', 'kuantan'),
  ...transformationEvents({
    transformationId: 'T-OX',
    process: 'solvent_extraction',
    orgId: 'refco',
    facilityId: 'kuantan',
    inputs: [{ batchId: 'MW-1', consumedGrams: 1000 }],
    outputs: ['OX-1', 'OX-2'].map((batchId) => ({
      batchId,
      material: { form: 'oxide', elements: ['Nd'] },
      massGrams: 400,
      allocation: { method: 'mass', share: 0.5 },
    })),
    residues: [],
    unaccountedLossGrams: 200,
    processEmissionsKgCo2e: 1,
    occurredAt: at,
  }),
  shipped('OX-1', 'S-3', ['refco', 'kuantan'], ['magco', 'osaka']),
  received('OX-1', 'S-3', 'magco', 'osaka'),
];

/** The chain applied through every ledger projection; the position of each event by index + 1. */
function ledger(extra: LedgerEvent[] = []) {
  const views = new MemoryViews();
  const events = [...CHAIN, ...extra];
  events.forEach((event, index) => applyEvent(views, LEDGER_PROJECTIONS, stored(event, index + 1)));
  const lookup: ViewLookup = (collection, key) => views.get(collection, key);
  return {
    lookup,
    positionOf: (predicate: (e: LedgerEvent) => boolean) => BigInt(events.findIndex(predicate) + 1),
  };
}
const stored = (event: LedgerEvent, position: number): StoredEvent => ({
  position: BigInt(position),
  stream: 'test',
  revision: 0n,
  eventId: `e-${position}`,
  type: event.type,
  data: event.data,
  metadata: { actor: { orgId: 'someone' }, signedRequest: { signature: 'sig' } },
  recordedAt: at,
});
const reader = (orgId: string, ...roles: string[]): Reader => ({ orgId, roles });
const NOW: ReadMoment = { at: Date.parse('2026-06-01T00:00:00Z') };
const isReceipt =
  (orgId: string, batchId = 'MW-1') =>
  (e: LedgerEvent) =>
    e.type === 'BatchReceived' && e.data.orgId === orgId && e.data.batchId === batchId;

describe('visibility policy', () => {
  const { lookup, positionOf } = ledger();
  const access = (who: Reader, batchId = 'MW-1', moment = NOW) => accessTo(who, batchId, lookup, moment);

  it('keeps each participant’s segment, from acquiring the lot to the next custodian’s receipt', () => {
    const relationships = lookup(BATCH_RELATIONSHIPS, 'MW-1') as BatchRelationships;
    const traderIn = positionOf(isReceipt('tradeco')).toString();
    const refinerIn = positionOf(isReceipt('refco')).toString();
    expect(relationships.participants).toEqual({
      mineco: [{ from: expect.any(String), through: traderIn }],
      tradeco: [{ from: traderIn, through: refinerIn }],
      refco: [{ from: refinerIn, through: null }],
    });
    expect(Object.keys(relationships.countries).sort()).toEqual(['AU', 'MY', 'SG']);
    expect(Object.keys(relationships.downstream).sort()).toEqual(['magco', 'refco']);
  });

  it('gives a past participant its history up to the end of its segment, a current one all of it', () => {
    expect(access(reader('mineco', 'producer'))).toEqual({
      kind: 'partial',
      windows: [{ from: 0n, through: positionOf(isReceipt('tradeco')) }],
      why: ['participant'],
    });
    expect(access(reader('refco', 'producer'))).toMatchObject({
      kind: 'partial',
      windows: [{ through: null }],
    });
  });

  it('gives a downstream holder the upstream view from the position it became one, and the upstream supplier nothing downstream', () => {
    expect(access(reader('magco', 'producer'))).toEqual({ kind: 'upstream', why: 'downstream_holder' });
    const before = positionOf(isReceipt('magco', 'OX-1')) - 1n;
    expect(access(reader('magco', 'producer'), 'MW-1', { ...NOW, position: before })).toBeUndefined();
    expect(access(reader('mineco', 'producer'), 'OX-1')).toBeUndefined();
  });

  it('makes a regulator competent by country, hold or licence, and a certifier engaged by a certificate', () => {
    expect(access(reader('customs-au', 'regulator'))).toMatchObject({ kind: 'full', allDescendants: false });
    expect(access(reader('customs-de', 'regulator'))).toBeUndefined();
    expect(access(reader('irma', 'certifier'))).toMatchObject({ kind: 'full', why: 'engaged_certifier' });
    expect(access(reader('irma', 'certifier'), 'MW-1', { ...NOW, position: 1n })).toBeUndefined();
    expect(access(reader('auditor-org', 'auditor'))).toMatchObject({ kind: 'full', allDescendants: true });
    const held = ledger([
      {
        type: 'BatchHeld',
        data: {
          batchId: 'MW-1',
          authorityOrgId: 'customs-de',
          authorityCountry: 'DE',
          reason: 'r',
          occurredAt: at,
        },
      },
    ]);
    expect(accessTo(reader('customs-de', 'regulator'), 'MW-1', held.lookup, NOW)).toMatchObject({
      kind: 'full',
      allDescendants: true,
    });
  });

  describe('disclosures', () => {
    const grant = (scope: 'segment' | 'history', until?: string) =>
      ({
        type: 'DisclosureGranted',
        data: { batchId: 'MW-1', disclosureId: 'D-1', byOrgId: 'tradeco', toOrgId: 'rmi', scope, until },
      }) as LedgerEvent;
    const revoke = {
      type: 'DisclosureRevoked',
      data: { batchId: 'MW-1', disclosureId: 'D-1', byOrgId: 'tradeco', toOrgId: 'rmi' },
    } as LedgerEvent;
    const rmi = reader('rmi', 'certifier');

    it('opens the granter’s segments, or its whole history, from the grant to the revocation', () => {
      const segment = ledger([grant('segment'), revoke]);
      const granted = segment.positionOf((e) => e.type === 'DisclosureGranted');
      const traderIn = segment.positionOf(isReceipt('tradeco'));
      const refinerIn = segment.positionOf(isReceipt('refco'));
      const asOf = (position: bigint) => accessTo(rmi, 'MW-1', segment.lookup, { ...NOW, position });
      expect(asOf(granted - 1n)).toBeUndefined();
      expect(asOf(granted)).toEqual({
        kind: 'partial',
        windows: [{ from: traderIn, through: refinerIn }],
        why: ['disclosed'],
      });
      expect(asOf(granted + 1n)).toBeUndefined();
      const history = ledger([grant('history')]);
      expect(accessTo(rmi, 'MW-1', history.lookup, NOW)).toMatchObject({
        windows: [{ from: 0n, through: refinerIn }],
      });
    });

    it('ends at `until`, judged at the moment read', () => {
      const until = ledger([grant('segment', '2026-05-01T00:00:00Z')]);
      expect(accessTo(rmi, 'MW-1', until.lookup, { at: Date.parse('2026-04-30T00:00:00Z') })).toBeDefined();
      expect(accessTo(rmi, 'MW-1', until.lookup, { at: Date.parse('2026-05-01T00:00:00Z') })).toBeUndefined();
    });
  });

  describe('withheldFor (the fields docs/visibility.md withholds)', () => {
    const event = (predicate: (e: LedgerEvent) => boolean) => {
      const position = positionOf(predicate);
      return stored(CHAIN[Number(position) - 1]!, Number(position));
    };
    const traderShipment = event((e) => e.type === 'BatchShipped' && e.data.shipmentId === 'S-2');
    const refining = event((e) => e.type === 'BatchRefined');
    const declaration = event((e) => e.type === 'TransformationRecorded');
    const mining = event((e) => e.type === 'BatchMined');
    const withheld = (who: Reader, e: StoredEvent) =>
      withheldFor(who, e, readerRelationships(who, lookup, NOW));
    const magco = reader('magco', 'producer');

    it('hides a custody-only step’s parties, shipment and documents from a downstream holder, with the envelope', () => {
      expect(withheld(magco, traderShipment)).toEqual([
        'data.shipmentId',
        'data.fromOrgId',
        'data.fromFacilityId',
        'data.toOrgId',
        'data.toFacilityId',
        'data.documents',
        'metadata.actor',
        'metadata.signedRequest',
      ]);
    });
    it('shows it the mine, and the refinery without its stock or the sibling output', () => {
      expect(withheld(magco, mining)).toEqual([]);
      expect(withheld(magco, refining)).toEqual([
        'data.remainingGrams',
        'metadata.actor',
        'metadata.signedRequest',
      ]);
      expect(withheld(magco, declaration)).toEqual([
        'data.outputs[1]',
        'metadata.actor',
        'metadata.signedRequest',
      ]);
    });
    it('withholds nothing a participant may see, and the next custodian’s onward shipment from a past one', () => {
      expect(withheld(reader('tradeco', 'producer'), traderShipment)).toEqual([]);
      expect(withheld(reader('mineco', 'producer'), traderShipment)).toContain('data.documents');
    });
    it('withholds nothing from full readers', () => {
      for (const who of [
        reader('customs-au', 'regulator'),
        reader('irma', 'certifier'),
        reader('a', 'auditor'),
      ]) {
        expect(withheld(who, traderShipment)).toEqual([]);
      }
    });
    it('withholds a licence’s terms from all but its readers, and a hidden party’s name', () => {
      const licence = stored(
        {
          type: 'LicenceGranted',
          data: { licenceId: 'L-1', holderOrgId: 'refco', authorityOrgId: 'customs-my', quantityGrams: 5 },
        } as unknown as LedgerEvent,
        999,
      );
      expect(withheld(magco, licence)).toEqual([
        'data.holderOrgId',
        'data.authorityOrgId',
        'data.quantityGrams',
        'metadata.actor',
        'metadata.signedRequest',
      ]);
      const trader = stored(
        CHAIN.find((e) => e.type === 'OrganisationRegistered' && e.data.orgId === 'tradeco')!,
        3,
      );
      expect(withheld(magco, trader)).toEqual(['data.name', 'metadata.actor', 'metadata.signedRequest']);
      expect(withheld(reader('tradeco', 'producer'), trader)).toEqual([]);
      // A GLN names the organisation as its name does (GS1 resolves it): withheld alike.
      const gln = stored(
        {
          type: 'GlnAssigned',
          data: { orgId: 'tradeco', facilityId: 'sg', gln: '0614141000012' },
        },
        4,
      );
      expect(withheld(magco, gln)).toEqual(['data.gln', 'metadata.actor', 'metadata.signedRequest']);
      expect(withheld(reader('tradeco', 'producer'), gln)).toEqual([]);
    });

    describe('a correction (ADR 0024): never more than the corrected event shows', () => {
      const envelope = ['metadata.actor', 'metadata.signedRequest'];
      const correction = (data: Record<string, unknown>) =>
        stored(
          {
            type: 'EventCorrected',
            data: { correctionId: 'C-1', eventId: 'e-x', byOrgId: 'refco', reason: 'Re-weighed', ...data },
          } as unknown as LedgerEvent,
          999,
        );
      const outputs = (oxTwoGrams: number) => [
        { batchId: 'OX-1', massGrams: 400 },
        { batchId: 'OX-2', massGrams: oxTwoGrams },
      ];
      const siblingCorrected = correction({
        transformationId: 'T-OX',
        eventType: 'TransformationRecorded',
        changes: { outputs: [{ batchId: 'OX-2', massKg: 0.39 }] },
        corrected: { outputs: outputs(390) },
        previous: { outputs: outputs(400) },
      });
      const exportCorrected = correction({
        batchId: 'MW-1',
        eventType: 'BatchExported',
        exportId: 'EXP-1',
        changes: { customsDeclarationNo: 'K1-NEW', port: 'MYPKG' },
        corrected: { customsDeclarationNo: 'K1-NEW', port: 'MYPKG' },
        previous: { customsDeclarationNo: 'K1-OLD', port: 'MYKUA' },
      });
      const massFollowedByExport = correction({
        batchId: 'MW-1',
        eventType: 'BatchMined',
        changes: { massKg: 1.1 },
        corrected: { massGrams: 1100 },
        previous: { massGrams: 1000 },
        downstream: [
          {
            eventId: 'e-y',
            eventType: 'BatchExported',
            exportId: 'EXP-1',
            corrected: { massGrams: 1100 },
            previous: { massGrams: 1000 },
          },
        ],
      });

      it('withholds a transformation’s correction naming a sibling output, whole, from a holder of another output', () => {
        // MagCo holds OX-1: it sees who corrected its lot's transformation, not OX-2's id or mass.
        expect(withheld(magco, siblingCorrected)).toEqual([
          'data.changes',
          'data.corrected',
          'data.previous',
          ...envelope,
        ]);
        const emissions = correction({
          transformationId: 'T-OX',
          eventType: 'TransformationRecorded',
          changes: { processEmissionsKgCo2e: 2 },
          corrected: { processEmissionsKgCo2e: 2 },
          previous: { processEmissionsKgCo2e: 1 },
        });
        // What it changed stays shown (carbon is recomputed with it); who corrected and why are a step of
        // the transformation's, shown only to a reader that corrected it or may see a lot the correction names.
        expect(withheld(magco, emissions)).toEqual(['data.byOrgId', 'data.reason', ...envelope]);
        expect(withheld(reader('refco', 'producer'), emissions)).toEqual([]);
      });
      it('withholds the sibling a lot’s own correction names in the command’s changes', () => {
        const onLot = correction({
          batchId: 'OX-1',
          eventType: 'BatchProduced',
          changes: {
            outputs: [
              { batchId: 'OX-1', massKg: 0.41 },
              { batchId: 'OX-2', massKg: 0.39 },
            ],
          },
          corrected: { massGrams: 410 },
          previous: { massGrams: 400 },
        });
        expect(withheld(magco, onLot)).toEqual(['data.changes', ...envelope]);
      });
      it('withholds a licence’s correction from all but the licence’s readers, as its own events', () => {
        const drawdown = correction({
          licenceId: 'L-1',
          eventType: 'LicenceDrawnDown',
          exportId: 'EXP-1',
          changes: { massKg: 1.1 },
          corrected: { massGrams: 1100 },
          previous: { massGrams: 1000 },
        });
        expect(withheld(magco, drawdown)).toEqual([
          'data.correctionId',
          'data.eventId',
          'data.byOrgId',
          'data.reason',
          'data.eventType',
          'data.exportId',
          'data.changes',
          'data.corrected',
          'data.previous',
          ...envelope,
        ]);
      });
      it('withholds an export’s reference and customs fields, and the export that followed a mass, from a downstream holder', () => {
        expect(withheld(magco, exportCorrected)).toEqual([
          'data.byOrgId',
          'data.reason',
          'data.changes',
          'data.corrected',
          'data.previous',
          'data.exportId',
          ...envelope,
        ]);
        // The mass stays shown (the views are recomputed with it); the export that carried it does not.
        expect(withheld(magco, massFollowedByExport)).toEqual([
          'data.byOrgId',
          'data.reason',
          'data.downstream',
          ...envelope,
        ]);
      });
      it('withholds nothing from a reader that sees it all', () => {
        for (const event of [siblingCorrected, exportCorrected, massFollowedByExport]) {
          expect(withheld(reader('a', 'auditor'), event)).toEqual([]);
        }
        expect(withheld(reader('refco', 'producer'), siblingCorrected)).toEqual([]);
      });
    });
  });
});
