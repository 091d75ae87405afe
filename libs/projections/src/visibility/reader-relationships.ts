import type { ViewLookup } from '../document-projection';
import { type ExportView, LICENCES, type LicenceView } from '../licences.projection';
import { accessTo, type BatchAccess, type ReadMoment, type Reader, readsEverything } from './access';
import type { ReaderRelationships } from './withheld';

/**
 * A reader's relationships at one moment, each batch's worked out once (one document, and a certifier's
 * engagements) when first asked. `identified`: organisations the caller knows the reader may know (the
 * parties of the events it is shown), besides itself.
 */
export function readerRelationships(
  reader: Reader,
  lookup: ViewLookup,
  moment: ReadMoment,
  identified: ReadonlySet<string> = new Set(),
): ReaderRelationships {
  const batches = new Map<string, BatchAccess | undefined>();
  return {
    batch: (batchId) => {
      if (!batches.has(batchId)) batches.set(batchId, accessTo(reader, batchId, lookup, moment));
      return batches.get(batchId);
    },
    licence: (licenceId) => {
      const licence = lookup(LICENCES, licenceId) as LicenceView | undefined;
      return licence !== undefined && mayReadLicence(reader, licence);
    },
    identified: (orgId) => orgId === reader.orgId || readsEverything(reader) || identified.has(orgId),
  };
}

/** A licence is read by its holder, its granting regulator, auditors and the admin. */
export const mayReadLicence = (reader: Reader, licence: LicenceView): boolean =>
  readsEverything(reader) || reader.orgId === licence.holderOrgId || reader.orgId === licence.authorityOrgId;

/**
 * An export is read by its exporter, the regulator that granted its licence, the regulators competent for
 * the exported batch, auditors and the admin.
 */
export function mayReadExport(
  reader: Reader,
  view: ExportView,
  lookup: ViewLookup,
  moment: ReadMoment,
): boolean {
  if (readsEverything(reader) || reader.orgId === view.exporterOrgId) return true;
  if (!reader.roles.includes('regulator')) return false;
  const licence = lookup(LICENCES, view.licenceId) as LicenceView | undefined;
  if (licence?.authorityOrgId === reader.orgId) return true;
  return accessTo(reader, view.batchId, lookup, moment)?.why === 'competent_regulator';
}
