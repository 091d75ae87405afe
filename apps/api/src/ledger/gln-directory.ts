import type { GlnDirectory } from '@tracelode/epcis';
import { GLNS, type GlnHolderView, ORGANISATIONS, type OrganisationView } from '@tracelode/projections';
import type { ReadModelStore } from '@tracelode/read-models';

/**
 * The GLNs organisations and facilities were given, as the views hold them (one keyed read each), for
 * EPCIS identifiers (ADR 0031). A GLN is a public key (GS1 registers it): it is shown wherever the org id
 * it stands for is.
 */
export function glnDirectoryOf(views: ReadModelStore): GlnDirectory {
  return {
    glnOf: (orgId, facilityId) => {
      const organisation = views.get<OrganisationView>(ORGANISATIONS, orgId);
      if (facilityId === undefined) return organisation?.gln;
      return organisation?.facilities.find((facility) => facility.facilityId === facilityId)?.gln;
    },
    holderOf: (gln) => {
      const holder = views.get<GlnHolderView>(GLNS, gln);
      if (!holder) return undefined;
      const { orgId, facilityId } = holder;
      return { orgId, ...(facilityId !== undefined ? { facilityId } : {}) };
    },
  };
}
