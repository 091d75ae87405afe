import type { BatchEvent } from './batch/batch.events';
import type { CertificateEvent } from './certificate/certificate.events';
import type { ApiKeyRevoked } from './credentials/credentials.events';
import type { EngagementEvent } from './engagement/engagement.events';
import type { GlnEvent } from './gln/gln.events';
import type { LicenceEvent } from './licence/licence.events';
import type { LedgerAdministrationEvent } from './ledger/ledger.events';
import type { OrganisationEvent } from './organisation/organisation.events';
import type { TransformationEvent } from './transformation/transformation.events';

/** Every event type the ledger stores; `type` is its permanent wire name. */
export type LedgerEvent =
  | OrganisationEvent
  | BatchEvent
  | LicenceEvent
  | CertificateEvent
  | LedgerAdministrationEvent
  | ApiKeyRevoked
  | EngagementEvent
  | TransformationEvent
  | GlnEvent;
