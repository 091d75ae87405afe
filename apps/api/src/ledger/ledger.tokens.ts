/** Injection tokens for the ledger's outside things. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
/** The followers' worker, when the projector and the notary run in one (ADR 0029): `{ worker?: FollowersWorker }`. */
export const FOLLOWERS = Symbol('FOLLOWERS');
