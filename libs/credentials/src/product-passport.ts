import type {
  BatchCustodyView,
  CarbonSummary,
  CertificationView,
  PactProductFootprint,
  ProvenanceSummary,
} from '@tracelode/projections';
import { type Credential, type CredentialIssuer, type StatusListEntry, VC_CONTEXT_V2 } from './vc';
import { batchUrl, facilityUri, organisationUri, materialName } from './identifiers';

/** UNTP DPP v0.6 JSON-LD context (data-models/untp-dpp, context of the 0.6.x schema). */
export const UNTP_DPP_CONTEXT = 'https://test.uncefact.org/vocabulary/untp/dpp/0.6.0/';
/** UNTP link types (the vocabulary the schema's Link.linkType examples draw from). */
export const LINK_TYPES = 'https://test.uncefact.org/vocabulary/linkTypes/';

/** A certificate's evidence, from the public certificate view: the document and its SHA-256. */
export interface CertificateEvidence {
  readonly sha256: string;
  readonly uri: string;
}

/** Everything a passport is made of: the batch's views as its reader may see them, and where it lives. */
export interface PassportSource {
  readonly publicUrl: string;
  readonly issuer: CredentialIssuer;
  readonly id: string;
  readonly validFrom: string;
  readonly status?: StatusListEntry;
  readonly custody: BatchCustodyView;
  readonly provenance: ProvenanceSummary;
  readonly carbon: CarbonSummary;
  readonly footprint: PactProductFootprint;
  readonly certification: CertificationView;
  /** Of each origin batch, the mass fraction of this batch that reached it through a recycling step. */
  readonly recycledByOrigin: ReadonlyMap<string, number>;
  readonly evidence: ReadonlyMap<string, CertificateEvidence>;
}

const date = (instant: string) => new Date(instant).toISOString().slice(0, 10);

/** How the batch came into being: its first timeline entry (mined, produced, split off or blended). */
function producedBy(custody: BatchCustodyView) {
  const first = custody.timeline[0];
  const details = (first?.details ?? {}) as { orgId?: unknown; facilityId?: unknown };
  return {
    orgId: typeof details.orgId === 'string' ? details.orgId : custody.custodian.orgId,
    facilityId: typeof details.facilityId === 'string' ? details.facilityId : custody.custodian.facilityId,
    occurredAt: first?.occurredAt,
  };
}

/**
 * A UNTP DigitalProductPassport (v0.6) of one batch, from its views (docs/passports.md has the mapping):
 * identity from the custody view, materialsProvenance from the origin mix grouped by country, the
 * emissions scorecard from the carbon view (the PACT footprint's figure), a conformity claim per scheme
 * of the certification view, and links to the batch's traceability events and audit bundle.
 */
export function toProductPassport(source: PassportSource): Credential {
  const { custody, provenance, carbon, footprint, certification, publicUrl } = source;
  const product = batchUrl(publicUrl, custody.batchId);
  const maker = producedBy(custody);
  const name = materialName(custody.material);

  const byCountry = new Map<string, { massFraction: number; recycled: number }>();
  for (const origin of provenance.origins) {
    const country = origin.country ?? 'ZZ';
    const entry = byCountry.get(country) ?? { massFraction: 0, recycled: 0 };
    entry.massFraction += origin.massFraction;
    entry.recycled += source.recycledByOrigin.get(origin.batchId) ?? 0;
    byCountry.set(country, entry);
  }
  const recycledContent = [...byCountry.values()].reduce((sum, entry) => sum + entry.recycled, 0);

  const materialsProvenance = [...byCountry.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([country, entry]) => ({
      type: ['Material'],
      name: `${name} traced to mines in ${country}`,
      originCountry: country,
      massFraction: entry.massFraction,
      mass: { type: ['Measure'], value: entry.massFraction * custody.massKg, unit: 'KGM' },
      recycledMassFraction: entry.massFraction > 0 ? entry.recycled / entry.massFraction : 0,
    }));

  const conformityClaim = certification.schemes.map((scheme) => {
    const certificate = [...scheme.direct, ...scheme.certificates].find((summary) =>
      source.evidence.has(summary.certificateId),
    );
    const evidence = certificate && source.evidence.get(certificate.certificateId);
    return {
      type: ['Claim', 'Declaration'],
      id: `${product}#claim-${encodeURIComponent(scheme.scheme)}`,
      description:
        scheme.chainOfCustodyModel === 'segregated'
          ? `${scheme.scheme}: every step from the mines to this batch was covered by a certificate (segregated chain of custody)`
          : `${scheme.scheme}: ${scheme.certifiedShare} of this batch's mass traces to covered mines along covered steps (mass balance); ${scheme.gaps.length} steps were not covered`,
      referenceStandard: {
        type: ['Standard'],
        id: `urn:tracelode:scheme:${encodeURIComponent(scheme.scheme)}`,
        name: scheme.scheme,
        issuingParty: {
          id: certificate
            ? organisationUri(certificate.certifierOrgId)
            : `urn:tracelode:scheme:${scheme.scheme}`,
          name: certificate ? certificate.certifierOrgId : scheme.scheme,
        },
      },
      ...(source.validFrom && { assessmentDate: date(source.validFrom) }),
      declaredValue: [
        {
          type: ['Metric'],
          metricName: 'certified share',
          metricValue: { type: ['Measure'], value: scheme.certifiedShare, unit: 'P1' },
        },
      ],
      conformance: scheme.chainCovered || scheme.certifiedShare > 0,
      conformityTopic: 'governance.compliance',
      ...(evidence && {
        conformityEvidence: {
          type: ['SecureLink', 'Link'],
          linkURL: evidence.uri,
          linkName: `${scheme.scheme} certificate ${certificate.certificateId}`,
          linkType: `${LINK_TYPES}dcc`,
          hashDigest: evidence.sha256,
          hashMethod: 'SHA-256',
          encryptionMethod: 'none',
        },
      }),
      // Tracelode extensions (docs/passports.md): the ISO 22095 model and the uncovered steps.
      chainOfCustodyModel: scheme.chainOfCustodyModel,
      certifiedShare: scheme.certifiedShare,
      chainCovered: scheme.chainCovered,
      certificates: scheme.certificates.map((summary) => summary.certificateId),
      gaps: scheme.gaps.map((gap) => ({
        step: gap.step,
        batchId: gap.batchId,
        ...(gap.facilityId ? { location: facilityUri(gap.orgId, gap.facilityId) } : {}),
        occurredAt: gap.occurredAt,
        reason: gap.reason,
      })),
    };
  });

  const dte = `${product}/traceability-events`;
  return {
    '@context': [VC_CONTEXT_V2, UNTP_DPP_CONTEXT],
    type: ['DigitalProductPassport', 'VerifiableCredential'],
    id: source.id,
    issuer: source.issuer,
    validFrom: source.validFrom,
    ...(source.status && { credentialStatus: source.status }),
    credentialSubject: {
      type: ['ProductPassport'],
      id: product,
      product: {
        type: ['Product'],
        id: product,
        name: footprint.productNameCompany,
        registeredId: custody.batchId,
        idScheme: { type: ['IdentifierScheme'], id: `${publicUrl}/batches/`, name: 'Tracelode batch id' },
        batchNumber: custody.batchId,
        description: footprint.productDescription,
        producedByParty: { id: organisationUri(maker.orgId), name: footprint.companyName },
        producedAtFacility: { id: facilityUri(maker.orgId, maker.facilityId), name: maker.facilityId },
        // The producer's own calendar date (occurredAt carries its offset).
        ...(maker.occurredAt && { productionDate: maker.occurredAt.slice(0, 10) }),
        ...(footprint.pcf.geographyCountry && { countryOfProduction: footprint.pcf.geographyCountry }),
        dimensions: {
          type: ['Dimension'],
          weight: { type: ['Measure'], value: custody.massKg, unit: 'KGM' },
        },
        furtherInformation: [
          {
            type: ['Link'],
            linkURL: `${product}/footprint`,
            linkName: 'PACT v3 product footprint',
            linkType: `${LINK_TYPES}pcf`,
          },
          {
            type: ['Link'],
            linkURL: `${product}/audit-bundle`,
            linkName: 'Audit bundle (offline-verifiable history)',
            linkType: `${LINK_TYPES}auditBundle`,
          },
        ],
      },
      granularityLevel: 'batch',
      materialsProvenance,
      circularityScorecard: { type: ['CircularityPerformance'], recycledContent },
      emissionsScorecard: {
        type: ['EmissionsPerformance'],
        carbonFootprint: carbon.intensityKgCo2ePerKg,
        declaredUnit: 'KGM',
        operationalScope: 'CradleToGate',
        primarySourcedRatio: carbon.primaryDataShare,
        reportingStandard: {
          type: ['Standard'],
          id: 'https://wbcsd.github.io/tr/2025/data-exchange-protocol-20250326/',
          name: `PACT Technical Specifications ${footprint.specVersion}`,
          issuingParty: {
            id: 'https://www.carbon-transparency.org/',
            name: 'WBCSD Partnership for Carbon Transparency',
          },
        },
        // Tracelode extension: the PACT footprint this figure is (same value, per kg).
        pactFootprintId: `urn:uuid:${footprint.id}`,
        embodiedKgCo2e: carbon.embodiedKgCo2e,
      },
      conformityClaim,
      traceabilityInformation: [
        {
          type: ['TraceabilityPerformance'],
          valueChainProcess: 'Rare-earth chain of custody, mine to this batch',
          verifiedRatio: provenance.origins.reduce((sum, origin) => sum + origin.massFraction, 0),
          traceabilityEvent: [
            {
              type: ['SecureLink', 'Link'],
              linkURL: dte,
              linkName: 'Digital traceability events of the chain',
              linkType: `${LINK_TYPES}dte`,
            },
          ],
        },
      ],
    },
  };
}
