export const ROLES = ['producer', 'certifier', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who issues a command: an organisation acting through one of its API keys. */
export interface Actor {
  readonly orgId: string;
  readonly keyId: string;
  readonly roles: readonly Role[];
}

export const hasRole = (actor: Actor, role: Role): boolean => actor.roles.includes(role);
