/** The ledger's own first admin token, generated on first start when none is configured (hash only). */
export type AdminTokenIssued = { type: 'AdminTokenIssued'; data: { keyId: string; keySha256: string } };

/** Records an idempotent command with its first response, atomically with the command's events. */
export type CommandRecorded = {
  type: 'CommandRecorded';
  data: {
    orgId: string;
    idempotencyKey: string;
    requestSha256: string;
    commandType: string;
    response: Record<string, unknown>;
  };
};

export type LedgerAdministrationEvent = AdminTokenIssued | CommandRecorded;

export const LEDGER_ADMIN_STREAM = 'ledger-admin';
