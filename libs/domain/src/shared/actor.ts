export const ROLES = ['producer', 'certifier', 'regulator', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The roles an organisation can be registered with. `admin` is not one: it is the ledger operator's
 * (the admin token's) alone, never a tenant's. `auditor` (a consortium's auditor, who reads everything:
 * docs/visibility.md) is one, given as every role is, by the operator registering the organisation.
 */
export const ORGANISATION_ROLES = [
  'producer',
  'certifier',
  'regulator',
  'auditor',
] as const satisfies readonly Role[];
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

/** The organisation id the operator acts under (the admin token); no organisation may be registered with it. */
export const OPERATOR_ORG_ID = 'ledger';

/** Who issues a command: an organisation acting through one of its API keys, or the operator. */
export interface Actor {
  readonly orgId: string;
  readonly keyId: string;
  readonly roles: readonly Role[];
}

export const hasRole = (actor: Actor, role: Role): boolean => actor.roles.includes(role);

/**
 * The ledger's operator: the only actor with the `admin` role. Authentication never gives `admin` to an
 * organisation's key, even one registered with it before the role was reserved.
 */
export const isOperator = (actor: Actor): boolean => hasRole(actor, 'admin');

/** An organisation's roles as its keys act with them: `admin` dropped (older ledgers may hold it). */
export const tenantRoles = (roles: readonly Role[]): Role[] => roles.filter((role) => role !== 'admin');
