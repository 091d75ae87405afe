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

/**
 * The filters as terms of the custody documents. The material form is the batch's own; status and
 * custodian are as the ledger knows them, which a partial or upstream reader may be shown otherwise
 * (`left_custody`, the maker as custodian: docs/visibility.md). So those two narrow the index only for a
 * reader that reads everything; any other reader's candidates are its own relationships' batches, and the
 * caller matches status and custodian on each row as shown.
 */
export const filterTerms = (
  filters: BatchListFilters,
  reader: Reader,
): { collection: string; term: string }[] =>
  (['status', 'form', 'custodian'] as const)
    .filter((name) => filters[name] !== undefined && (name === 'form' || readsEverything(reader)))
    .map((name) => ({ collection: BATCH_CUSTODY, term: `${name}:${filters[name]!}` }));
