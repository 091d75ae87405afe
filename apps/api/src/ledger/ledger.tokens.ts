/** Injection tokens for the ledger's outside things. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
/** The followers' worker, when the projector and the notary run in one (ADR 0029): `{ worker?: FollowersWorker }`. */
export const FOLLOWERS = Symbol('FOLLOWERS');
/**
 * Whether an actor may know a lot or a licence exists, as its own reads would show it (ADR 0023): a
 * command's refusal tells a stranger no more than its reads would (the view source).
 */
export const REACH = Symbol('REACH');
