import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  user: locals.actor ? { name: locals.actor.name, email: locals.actor.email, role: locals.actor.role } : null,
  // Until the authenticator is added every page leads back to /account, so the menu would only mislead.
  menu: !locals.mustEnrolSecondFactor,
});
