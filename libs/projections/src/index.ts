export * from './document-projection';
export * from './batch-custody.projection';
export * from './organisations.projection';
export * from './projector';

import { batchCustodyProjection } from './batch-custody.projection';
import type { DocumentProjection } from './document-projection';
import { apiKeysProjection, organisationsProjection } from './organisations.projection';

/** Every projection the ledger maintains. */
export const LEDGER_PROJECTIONS: readonly DocumentProjection<unknown>[] = [
  batchCustodyProjection,
  organisationsProjection,
  apiKeysProjection,
] as DocumentProjection<unknown>[];
