import { error } from '@sveltejs/kit';
import { can } from '$lib/domain/access';
import type { LayoutServerLoad } from './$types';

/** The administration pages manage users, sites and devices and read the audit trail: one role holds all of it. */
export const load: LayoutServerLoad = ({ locals }) => {
  if (!locals.actor || !can(locals.actor, 'users:manage')) error(403, 'Administrators only');
};
