import type { GlnDirectory } from '@tracelode/epcis';
import { GLNS, type GlnHolderView, ORGANISATIONS, type OrganisationView } from '@tracelode/projections';
import type { ReadModelStore } from '@tracelode/read-models';

/**
 * The GLNs organisations and facilities were given, as the views hold them (one keyed read each), for
 * EPCIS identifiers (ADR 0031). A GLN is a public key (GS1 registers it, and resolves it to its holder's
 * name): a read shows it only through `glnDirectoryFor`, to a reader that may identify the holder.
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

/**
 * The directory as a reader may see it: an organisation's GLN, and its facilities', only when the reader
 * may identify that organisation (`identified`: the rule that withholds an unidentified organisation's
 * name and GLN from its events, docs/visibility.md); otherwise the ledger's own URI names it. A GLN is
 * public at GS1, which resolves it to the holder's name and address. Read back (`holderOf`) as ever.
 */
export function glnDirectoryFor(
  directory: GlnDirectory,
  identified: (orgId: string) => boolean,
): GlnDirectory {
  return {
    glnOf: (orgId, facilityId) => (identified(orgId) ? directory.glnOf(orgId, facilityId) : undefined),
    holderOf: (gln) => directory.holderOf(gln),
  };
}
