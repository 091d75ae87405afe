import { ORGANISATIONS, type OrganisationView } from './organisations.projection';
import { BATCH_CUSTODY } from './batch-custody.projection';
import type { ViewLookup } from './document-projection';
import { type Reader, readsEverything } from './visibility/access';
import { BATCH_RELATIONSHIPS } from './visibility/relationships.projection';

/** What `GET /batches` filters on: the custody view's status, material form and custodian. */
export interface BatchListFilters {
  readonly status?: string;
  readonly form?: string;
  readonly custodian?: string;
}

/**
 * The index query that finds the batches a reader may find (docs/visibility.md), before each is checked
 * against the policy: the relationships documents' terms naming the reader's organisation, its country (a
 * regulator) or a subject it holds a certificate on (a certifier); every batch for the auditor and admin.
 * `engagementKeys`: the keys of the reader's `certifier_engagements` documents (`{orgId}_{subject}`).
 */
export function readerTerms(
  reader: Reader,
  lookup: ViewLookup,
  engagementKeys: readonly string[],
): { collection: string; anyOf?: string[] } {
  if (readsEverything(reader)) return { collection: BATCH_CUSTODY };
  const terms = [`org:${reader.orgId}`];
  if (reader.roles.includes('regulator')) {
    const country = (lookup(ORGANISATIONS, reader.orgId) as OrganisationView | undefined)?.country;
    if (country !== undefined) terms.push(`country:${country}`);
  }
  if (reader.roles.includes('certifier')) {
    const prefix = `${reader.orgId}_`;
    for (const key of engagementKeys) terms.push(`subject:${key.slice(prefix.length)}`);
  }
  return { collection: BATCH_RELATIONSHIPS, anyOf: terms };
}

/** The filters as terms of the custody documents. */
export const filterTerms = (filters: BatchListFilters): { collection: string; term: string }[] =>
  (['status', 'form', 'custodian'] as const)
    .filter((name) => filters[name] !== undefined)
    .map((name) => ({ collection: BATCH_CUSTODY, term: `${name}:${filters[name]!}` }));
