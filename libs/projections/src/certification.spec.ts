import type { LedgerEvent } from '@tracelode/domain';
import type { StoredEvent } from '@tracelode/event-store';
import type { ViewTransaction } from '@tracelode/read-models';
import { transformationEvents } from '@tracelode/testing';
import { batchCustodyProjection } from './batch-custody.projection';
import {
  certificatesBySubjectProjection,
  certificatesProjection,
  type CertificateView,
  certificateStatusAt,
} from './certificates.projection';
import { certificationOf } from './certification';
import type { DocumentProjection, ViewLookup } from './document-projection';
import { heldAncestorOf, heldUpstreamProjection, holdImpactOf } from './holds';
import {
  EXPORTS,
  type ExportView,
  LICENCES,
  type LicenceView,
  exportsProjection,
  licencesProjection,
} from './licences.projection';
import { organisationsProjection } from './organisations.projection';
import { applyEvent } from './projector';
import { provenanceProjection } from './provenance.projection';
import { transformationsProjection } from './transformations.projection';

const stored = (event: LedgerEvent, position: number): StoredEvent => ({
  position: BigInt(position),
  stream: 'x',
  revision: 0n,
  eventId: `00000000-0000-4000-8000-${String(position).padStart(12, '0')}`,
  type: event.type,
  data: event.data,
  metadata: {},
  recordedAt: '2026-04-01T00:00:00.000Z',
});

/** Folds events through every projection these views read, the way the runner does. */
function fold(events: readonly LedgerEvent[]): ViewLookup {
  return foldRecorded(events.map((event) => [event, undefined]));
}

/** The same, each event with the ledger's clock when its command arrived (`metadata.recordedAt`). */
function foldRecorded(events: readonly (readonly [LedgerEvent, string | undefined])[]): ViewLookup {
  const documents = new Map<string, unknown>();
  const tx: ViewTransaction = {
    get: <V>(collection: string, key: string) =>
      structuredClone(documents.get(`${collection}/${key}`)) as V | undefined,
    put: (collection, key, view) => void documents.set(`${collection}/${key}`, view),
  };
  const projections = [
    organisationsProjection,
    transformationsProjection,
    batchCustodyProjection,
    provenanceProjection,
    certificatesProjection,
    certificatesBySubjectProjection,
    licencesProjection,
    exportsProjection,
    heldUpstreamProjection,
  ] as DocumentProjection<unknown>[];
  events.forEach(([event, recordedAt], i) => {
    const record = stored(event, i + 1);
    applyEvent(tx, projections, recordedAt ? { ...record, metadata: { recordedAt } } : record);
  });
  return (collection, key) => structuredClone(documents.get(`${collection}/${key}`));
}

const mined = (batchId: string, orgId: string, facilityId: string, occurredAt: string): LedgerEvent => ({
  type: 'BatchMined',
  data: {
    batchId,
    orgId,
    facilityId,
    material: { form: 'concentrate', elements: ['Nd'] },
    massGrams: 1_000_000,
    occurredAt,
  },
});
const transformation = (
  transformationId: string,
  occurredAt: string,
  inputs: [string, number][],
  output: string,
): LedgerEvent[] =>
  transformationEvents(
    {
      transformationId,
      process: 'beneficiation',
      orgId: 'refco',
      facilityId: 'plant',
      inputs: inputs.map(([batchId, consumedGrams]) => ({ batchId, consumedGrams })),
      outputs: [
        {
          batchId: output,
          material: { form: 'oxide', elements: ['Nd'] },
          massGrams: 500_000,
          allocation: { method: 'mass', share: 1 },
        },
      ],
      residues: [],
      unaccountedLossGrams: 0,
      processEmissionsKgCo2e: 0,
      occurredAt,
    },
    Object.fromEntries(inputs.map(([batchId, consumedGrams]) => [batchId, 1_000_000 - consumedGrams])),
  );
const certificate = (
  certificateId: string,
  type: 'facility' | 'organisation',
  id: string,
  orgId?: string,
): LedgerEvent => ({
  type: 'CertificateIssued',
  data: {
    certificateId,
    certifierOrgId: 'irma-audit',
    scheme: 'IRMA',
    subject: { type, id, ...(orgId ? { orgId } : {}) },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    evidence: { sha256: 'a'.repeat(64), uri: 'https://x.example/r.pdf' },
    occurredAt: '2026-01-01T00:00:00Z',
  },
});
const lifecycle = (
  type: 'CertificateSuspended' | 'CertificateReinstated' | 'CertificateRevoked',
  certificateId: string,
  occurredAt: string,
): LedgerEvent => ({ type, data: { certificateId, certifierOrgId: 'irma-audit', reason: 'r', occurredAt } });

describe('certification', () => {
  // Mine A is certified; mine B is not. A (750 kg) and B (250 kg) go into one oxide: share 0.75.
  const events: LedgerEvent[] = [
    certificate('C-MINE', 'facility', 'mine-a', 'mineco'),
    certificate('C-PLANT', 'organisation', 'refco'),
    mined('A', 'mineco', 'mine-a', '2026-02-01T00:00:00Z'),
    mined('B', 'otherco', 'mine-b', '2026-02-01T00:00:00Z'),
    ...transformation(
      'T1',
      '2026-03-01T00:00:00Z',
      [
        ['A', 750_000],
        ['B', 250_000],
      ],
      'OX',
    ),
  ];

  it('gives the mass share along covered paths and lists the uncovered step', () => {
    const view = certificationOf('OX', fold(events));
    expect(view?.schemes).toHaveLength(1);
    const [irma] = view!.schemes;
    expect(irma).toMatchObject({
      scheme: 'IRMA',
      chainCovered: false,
      certifiedShare: 0.75,
      chainOfCustodyModel: 'mass_balance',
      direct: [],
    });
    expect(irma!.gaps).toEqual([
      expect.objectContaining({
        step: 'BatchMined',
        batchId: 'B',
        facilityId: 'mine-b',
        reason: 'NO_CERTIFICATE',
      }),
    ]);
  });

  it('does not let a facility certificate cover another organisation’s facility of the same id', () => {
    const sameFacilityId = events.map((event) =>
      event.type === 'BatchMined' && event.data.batchId === 'B'
        ? mined('B', 'otherco', 'mine-a', '2026-02-01T00:00:00Z')
        : event,
    );
    const [irma] = certificationOf('OX', fold(sameFacilityId))!.schemes;
    expect(irma!.certifiedShare).toBe(0.75);
    expect(irma!.gaps.map((gap) => [gap.batchId, gap.orgId, gap.facilityId, gap.reason])).toEqual([
      ['B', 'otherco', 'mine-a', 'NO_CERTIFICATE'],
    ]);
  });

  it('keeps steps before a revocation covered, and uncovers those after a suspension began', () => {
    const lookup = fold([
      ...events,
      lifecycle('CertificateRevoked', 'C-MINE', '2026-02-15T00:00:00Z'),
      lifecycle('CertificateSuspended', 'C-PLANT', '2026-02-20T00:00:00Z'),
    ]);
    const [irma] = certificationOf('OX', lookup)!.schemes;
    expect(irma!.certifiedShare).toBe(0);
    expect(irma!.gaps.map((gap) => [gap.batchId, gap.step, gap.reason])).toEqual([
      ['OX', 'BatchProduced', 'SUSPENDED'],
      ['B', 'BatchMined', 'NO_CERTIFICATE'],
    ]);
    expect(irma!.certificates.find((c) => c.certificateId === 'C-MINE')).toMatchObject({
      status: 'revoked',
      revokedAt: '2026-02-15T00:00:00Z',
    });
  });

  describe('judges each step at both times (ADR 0017)', () => {
    const day = (n: number) => `2026-03-${String(n).padStart(2, '0')}T00:00:00.000Z`;
    const chain = (revokedOn: string, revocationRecorded: string) =>
      foldRecorded([
        [certificate('C-MINE', 'facility', 'mine-a', 'mineco'), day(1)],
        [mined('EARLY', 'mineco', 'mine-a', day(5)), day(5)],
        [lifecycle('CertificateRevoked', 'C-MINE', revokedOn), revocationRecorded],
        // Recorded after the revocation, back-dated to before it: laundering, unless recordedAt is judged.
        [mined('BACKDATED', 'mineco', 'mine-a', day(5)), day(20)],
      ]);
    const irmaOf = (batchId: string, lookup: ViewLookup) => certificationOf(batchId, lookup)!.schemes[0]!;

    it('does not cover a step recorded after the revocation, whatever its occurredAt', () => {
      const lookup = chain(day(10), day(10));
      expect(irmaOf('BACKDATED', lookup)).toMatchObject({
        chainCovered: false,
        certifiedShare: 0,
        gaps: [{ batchId: 'BACKDATED', reason: 'REVOKED', recordedAt: day(20), late: true }],
      });
      // A later revocation does not reach back over a step recorded before it.
      expect(irmaOf('EARLY', lookup)).toMatchObject({
        chainCovered: true,
        certifiedShare: 1,
        chainOfCustodyModel: 'segregated',
        gaps: [],
      });
    });

    it('covers a step recorded after a suspension was lifted', () => {
      const lookup = foldRecorded([
        [certificate('C-MINE', 'facility', 'mine-a', 'mineco'), day(1)],
        [lifecycle('CertificateSuspended', 'C-MINE', day(10)), day(10)],
        [lifecycle('CertificateReinstated', 'C-MINE', day(12)), day(12)],
        [mined('LATER', 'mineco', 'mine-a', day(5)), day(13)],
      ]);
      expect(irmaOf('LATER', lookup)).toMatchObject({ chainCovered: true, certifiedShare: 1 });
    });

    it('lists late steps, covered or not, and marks late gaps', () => {
      const lookup = chain(day(10), day(10));
      expect(certificationOf('BACKDATED', lookup)!.lateSteps).toEqual([
        expect.objectContaining({ step: 'BatchMined', batchId: 'BACKDATED', late: true }),
      ]);
      expect(certificationOf('EARLY', lookup)!.lateSteps).toEqual([]);
    });
  });

  it('reads a certificate’s status at a moment from its own history', () => {
    const lookup = fold([
      certificate('C', 'facility', 'f', 'mineco'),
      lifecycle('CertificateSuspended', 'C', '2026-03-10T00:00:00Z'),
      lifecycle('CertificateReinstated', 'C', '2026-03-17T00:00:00Z'),
    ]);
    const view = lookup('certificates', 'C') as CertificateView;
    expect(certificateStatusAt(view, '2025-12-31T00:00:00Z')).toBe('not_yet_valid');
    expect(certificateStatusAt(view, '2026-03-09T23:59:59Z')).toBe('valid');
    expect(certificateStatusAt(view, '2026-03-10T00:00:00Z')).toBe('suspended');
    expect(certificateStatusAt(view, '2026-03-17T00:00:00Z')).toBe('valid');
    expect(certificateStatusAt(view, '2027-01-02T00:00:00Z')).toBe('expired');
  });
});

describe('holds through the chain', () => {
  const events: LedgerEvent[] = [
    mined('A', 'mineco', 'mine-a', '2026-02-01T00:00:00Z'),
    ...transformation('T1', '2026-03-01T00:00:00Z', [['A', 500_000]], 'OX'),
    ...transformation('T2', '2026-03-02T00:00:00Z', [['OX', 500_000]], 'MET'),
    {
      type: 'BatchHeld',
      data: { batchId: 'A', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-03-03T00:00:00Z' },
    },
  ];
  it('finds the held ancestor two transformations up', () => {
    const lookup = fold(events);
    expect(heldAncestorOf('MET', lookup)).toBe('A');
    expect(heldAncestorOf('A', lookup)).toBeNull();
  });
  it('keeps the hold with the descendants it has then and with those produced later, until released', () => {
    const release: LedgerEvent = {
      type: 'BatchReleased',
      data: { batchId: 'A', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-03-05T00:00:00Z' },
    };
    const later = transformation('T3', '2026-03-04T00:00:00Z', [['MET', 500_000]], 'MAG');
    expect(heldAncestorOf('MAG', fold([...events, ...later]))).toBe('A');
    expect(heldAncestorOf('MET', fold([...events, release]))).toBeNull();
    expect(heldAncestorOf('MAG', fold([...events, ...later, release]))).toBeNull();
    const oxHeld: LedgerEvent = {
      type: 'BatchHeld',
      data: { batchId: 'OX', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-03-06T00:00:00Z' },
    };
    expect(heldAncestorOf('MET', fold([...events, oxHeld]))).toBe('OX'); // the nearer hold
    expect(heldAncestorOf('MET', fold([...events, oxHeld, release]))).toBe('OX');
  });
  it('lists every descendant with its custodian', () => {
    expect(
      holdImpactOf('A', fold(events))?.descendants.map((d) => [d.batchId, d.depth, d.custodian?.orgId]),
    ).toEqual([
      ['OX', 1, 'refco'],
      ['MET', 2, 'refco'],
    ]);
  });
});

describe('licence usage', () => {
  it('tracks cap, drawn and remaining in exact grams, the exports and the status history', () => {
    const lookup = fold([
      mined('A', 'mineco', 'mine-a', '2026-02-01T00:00:00Z'),
      {
        type: 'LicenceGranted',
        data: {
          licenceId: 'L',
          holderOrgId: 'mineco',
          authorityOrgId: 'c',
          type: 'general',
          items: [{ form: 'concentrate', elements: ['Nd'] }],
          destinations: ['JP'],
          quantityGrams: 1_000_300,
          validFrom: '2026-01-01T00:00:00Z',
          validUntil: '2027-01-01T00:00:00Z',
          occurredAt: '2026-01-01T00:00:00Z',
        },
      },
      {
        type: 'BatchExported',
        data: {
          batchId: 'A',
          exportId: 'E',
          licenceId: 'L',
          orgId: 'mineco',
          facilityId: 'mine-a',
          massGrams: 100_100,
          destinationCountry: 'JP',
          consignee: 'x',
          endUser: 'y',
          hsCode: '2846.90',
          customsDeclarationNo: 'K',
          port: 'P',
          occurredAt: '2026-03-01T00:00:00Z',
        },
      },
      {
        type: 'LicenceDrawnDown',
        data: {
          licenceId: 'L',
          exportId: 'E',
          batchId: 'A',
          massGrams: 100_100,
          drawnGrams: 100_100,
          destinationCountry: 'JP',
          occurredAt: '2026-03-01T00:00:00Z',
        },
      },
      {
        type: 'LicenceSuspended',
        data: { licenceId: 'L', authorityOrgId: 'c', reason: 'r', occurredAt: '2026-03-02T00:00:00Z' },
      },
    ]);
    const view = lookup(LICENCES, 'L') as LicenceView;
    expect(view).toMatchObject({
      status: 'suspended',
      quantityKg: 1000.3,
      drawnKg: 100.1,
      remainingKg: 900.2,
    });
    expect(view.exports.map((e) => [e.exportId, e.massKg])).toEqual([['E', 100.1]]);
    expect(view.history.map((h) => h.type)).toEqual(['LicenceGranted', 'LicenceSuspended']);
    expect(lookup(EXPORTS, 'E') as ExportView).toMatchObject({
      licenceId: 'L',
      massKg: 100.1,
      exporterOrgId: 'mineco',
    });
  });
});
