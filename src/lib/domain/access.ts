import { forbidden, notFound } from './errors';

export const ROLES = ['nurse', 'consultant', 'commissioner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A signed-in person: resolved once per request from the session. */
export interface UserActor {
  kind: 'user';
  userId: string;
  email: string;
  name: string;
  role: Role;
  siteIds: string[];
}

/**
 * The system acting on its own behalf: start-up, demo seeding, the command line, scheduled work. It holds every
 * permission and reaches every site; its audit entries carry no user. `name` says which part of the system acted.
 */
export interface SystemActor {
  kind: 'system';
  name: string;
}

/** Who is acting. Every service method receives one first. */
export type Actor = UserActor | SystemActor;

export const systemActor = (name: string): SystemActor => ({ kind: 'system', name });

const CLINICAL: Role[] = ['nurse', 'consultant', 'admin'];
const EVERYONE: Role[] = [...ROLES];

/**
 * Every permission the services check, and the roles that hold it. `siteScoped` permissions also need the
 * record's site to be one of the actor's sites (admins reach every site). Commissioners hold no patient-level
 * permission: they see aggregate figures only.
 */
export const PERMISSIONS = {
  'sites:read': { roles: EVERYONE, siteScoped: false },
  'sites:manage': { roles: ['admin'], siteScoped: false },
  'users:manage': { roles: ['admin'], siteScoped: false },
  'audit:read': { roles: ['admin'], siteScoped: false },
  // Reference tables (the postcode-to-deprivation table) serve every site.
  'reference:manage': { roles: ['admin'], siteScoped: false },
  // Facilitation and barriers describe a site, not a patient: everyone reads them; its clinicians and admins log them.
  'implementation:read': { roles: EVERYONE, siteScoped: false },
  'implementation:write': { roles: ['nurse', 'consultant', 'admin'], siteScoped: true },
  // Aggregates only: which sites each role sees, and whether figures are disclosure-controlled, is the metrics service's business.
  'metrics:read': { roles: EVERYONE, siteScoped: false },
  'devices:read': { roles: EVERYONE, siteScoped: false },
  'devices:manage': { roles: ['admin'], siteScoped: false },
  'patients:read': { roles: CLINICAL, siteScoped: true },
  'patients:write': { roles: ['nurse', 'consultant'], siteScoped: true },
  'referrals:read': { roles: CLINICAL, siteScoped: true },
  // Which clinician records which step is the pathway table's business (src/lib/domain/pathway.ts).
  'referrals:write': { roles: ['nurse', 'consultant'], siteScoped: true },
  // The national returns list patients by NHS number: the site's clinicians and admins make them.
  'exports:national': { roles: CLINICAL, siteScoped: true },
  // Bringing in a site's caseload registers its people and their records at once: the site's clinicians, and the
  // admins who set a service up.
  'imports:caseload': { roles: CLINICAL, siteScoped: true },
} as const satisfies Record<string, { roles: readonly Role[]; siteScoped: boolean }>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether the actor may do this (at this site): what pages ask before offering an action. */
export function can(actor: Actor, permission: Permission, siteId?: string): boolean {
  if (actor.kind === 'system') return true;
  const rule = PERMISSIONS[permission];
  if (!(rule.roles as readonly Role[]).includes(actor.role)) return false;
  return !rule.siteScoped || siteId === undefined || reachesSite(actor, siteId);
}

/** The sites whose patients the actor may see: undefined means all of them (admins). */
export function siteScope(actor: Actor): string[] | undefined {
  return actor.kind === 'system' || actor.role === 'admin' ? undefined : actor.siteIds;
}

export function reachesSite(actor: Actor, siteId: string): boolean {
  return actor.kind === 'system' || actor.role === 'admin' || actor.siteIds.includes(siteId);
}

/**
 * The one access check every service calls before it reads or writes. A role without the permission gets
 * 403; a record at a site outside the actor's reach is reported as not found, so its existence is not revealed.
 */
export function authorize(actor: Actor, permission: Permission, siteId?: string): void {
  if (actor.kind === 'system') return;
  const rule = PERMISSIONS[permission];
  if (!(rule.roles as readonly Role[]).includes(actor.role)) throw forbidden();
  if (rule.siteScoped && siteId !== undefined && !reachesSite(actor, siteId)) throw notFound();
}

/** The user recorded as the author of a change: none when the system acts. */
export const actingUserId = (actor: Actor): string | null => (actor.kind === 'user' ? actor.userId : null);

/** The person behind an action only a person may take (recording a pathway step, say); the system is refused. */
export function personActing(actor: Actor): UserActor {
  if (actor.kind !== 'user') throw forbidden('Only a signed-in person can do this');
  return actor;
}
