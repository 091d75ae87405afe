import type { Material } from '@tracelode/domain';

/** The URL of a batch on this ledger: the product identifier of its passport. */
export const batchUrl = (publicUrl: string, batchId: string) =>
  `${publicUrl.replace(/\/+$/, '')}/batches/${encodeURIComponent(batchId)}`;

/** Organisations and facilities as URNs: the ledger serves no page of them (yet). */
export const organisationUri = (orgId: string) => `urn:tracelode:org:${encodeURIComponent(orgId)}`;
export const facilityUri = (orgId: string, facilityId: string) =>
  `urn:tracelode:facility:${encodeURIComponent(orgId)}:${encodeURIComponent(facilityId)}`;

/** "magnet (Nd, Pr)", as the PACT footprint names a product. */
export const materialName = (material: Material) =>
  material.elements?.length ? `${material.form} (${material.elements.join(', ')})` : material.form;
