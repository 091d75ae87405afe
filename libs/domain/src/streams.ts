/** Stream ids: one helper per consistency boundary (docs/domain.md, "Streams"). */
export const toOrgStreamId = (orgId: string): string => `org-${orgId}`;
export const toBatchStreamId = (batchId: string): string => `batch-${batchId}`;
export const toLicenceStreamId = (licenceId: string): string => `licence-${licenceId}`;
export const toCertificateStreamId = (certificateId: string): string => `certificate-${certificateId}`;
/** Holds the record of one idempotent command, written atomically with the command's events. */
export const toCommandStreamId = (commandKey: string): string => `command-${commandKey}`;
