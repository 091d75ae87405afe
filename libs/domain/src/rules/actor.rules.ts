import { type Actor, hasRole, type Role } from '../shared/actor';
import { refuse } from '../shared/domain-error';

/** The actor's organisation must hold `role` to do this. */
export function actorMustHaveRole(actor: Actor, role: Role, toDo: string): void {
  if (!hasRole(actor, role))
    throw refuse('ROLE_REQUIRED', `Only ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} may ${toDo}`, { role });
}

/** An organisation's own records (facilities, keys) are managed by that organisation, or the admin. */
export function actorMustBeTheOrganisationOrAdmin(actor: Actor, orgId: string, toDo: string): void {
  if (actor.orgId !== orgId && !hasRole(actor, 'admin')) {
    throw refuse('NOT_YOUR_ORGANISATION', `Only ${orgId} (or an admin) may ${toDo}`);
  }
}
