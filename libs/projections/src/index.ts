export * from './document-projection';
export * from './event-locations.projection';
export * from './batch-custody.projection';
export * from './batch-views';
export * from './batch-list';
export * from './carbon.projection';
export * from './certificates.projection';
export * from './certification';
export * from './holds';
export * from './licences.projection';
export * from './organisations.projection';
export * from './pact-footprint';
export * from './projector';
export * from './provenance.projection';
export * from './provenance-graph';
export * from './transformations.projection';
export * from './visibility/access';
export * from './visibility/certifier-engagements.projection';
export * from './visibility/reader-relationships';
export * from './visibility/relationships.projection';
export * from './visibility/visible-views';
export * from './visibility/withheld';

import { batchCustodyProjection } from './batch-custody.projection';
import { carbonProjection } from './carbon.projection';
import { certificatesBySubjectProjection, certificatesProjection } from './certificates.projection';
import type { DocumentProjection } from './document-projection';
import { eventLocationsProjection } from './event-locations.projection';
import { heldUpstreamProjection } from './holds';
import { exportsProjection, licencesProjection } from './licences.projection';
import { apiKeysProjection, glnsProjection, organisationsProjection } from './organisations.projection';
import { provenanceProjection } from './provenance.projection';
import { transformationsProjection } from './transformations.projection';
import { certifierEngagementsProjection } from './visibility/certifier-engagements.projection';
import { relationshipsProjection } from './visibility/relationships.projection';

/** Every projection the ledger maintains. */
export const LEDGER_PROJECTIONS: readonly DocumentProjection<unknown>[] = [
  batchCustodyProjection,
  organisationsProjection,
  apiKeysProjection,
  glnsProjection,
  transformationsProjection,
  provenanceProjection,
  carbonProjection,
  licencesProjection,
  exportsProjection,
  certificatesProjection,
  certificatesBySubjectProjection,
  heldUpstreamProjection,
  eventLocationsProjection,
  // After the views they read: provenance (parents), organisations (countries), licences, certificates.
  relationshipsProjection,
  certifierEngagementsProjection,
] as DocumentProjection<unknown>[];
