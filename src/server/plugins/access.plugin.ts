import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { authorize, type Permission } from '../../lib/domain/access';
import { mfaEnrolmentRequired, unauthorized } from '../../lib/domain/errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Open to anyone (sign-in and sign-out). */
    public?: boolean;
    /** The role permission the route needs, checked before the body is validated. */
    permission?: Permission;
    /** Open to a person who must add an authenticator first (MFA_REQUIRED_ROLES): who they are, and adding it. */
    duringEnrolment?: boolean;
  }
}

/**
 * Who may call a route is decided before what they sent: not signed in is 401 and a role without the permission
 * is 403, whatever the body. The services check again (with the record's site) before they touch data.
 */
export default fp(async function access(app: FastifyInstance) {
  app.addHook('preValidation', async (req) => {
    const config = req.routeOptions.config;
    if (config.public || !req.url.startsWith('/api/v1/')) return;
    if (!req.actor) throw unauthorized();
    if (req.mustEnrolSecondFactor && !config.duringEnrolment) throw mfaEnrolmentRequired();
    if (config.permission) authorize(req.actor, config.permission);
  });
});
