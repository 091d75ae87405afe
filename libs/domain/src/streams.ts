/** Stream ids: one helper per consistency boundary (docs/domain.md, "Streams"). */
export const toOrgStreamId = (orgId: string): string => `org-${orgId}`;
export const toBatchStreamId = (batchId: string): string => `batch-${batchId}`;
export const toLicenceStreamId = (licenceId: string): string => `licence-${licenceId}`;
/** A transformation's declaration, recorded once (ADR 0021). */
export const toTransformationStreamId = (transformationId: string): string =>
  `transformation-${transformationId}`;
export const toCertificateStreamId = (certificateId: string): string => `certificate-${certificateId}`;
/** Holds the record of one idempotent command, written atomically with the command's events. */
export const toCommandStreamId = (commandKey: string): string => `command-${commandKey}`;
/** An organisation's API keys (never gathered into audit bundles). */
export const toCredentialsStreamId = (orgId: string): string => `credentials-${orgId}`;
/** One certifier's certificates for one subject; `_` never occurs in an org id, so it separates the two. */
export const toEngagementStreamId = (engagementId: string): string => `engagement-${engagementId}`;
/** The index of who holds a GS1 GLN (ADR 0031): one stream per GLN, so a GLN is given once. */
export const toGlnStreamId = (gln: string): string => `gln-${gln}`;
