import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

const DESCRIPTION = `The HTTP API of Pump Pathway: referral, eligibility, funding, device start and review of insulin pump (CSII)
and hybrid closed loop (HCL) therapy, and the implementation metrics built from them.

**Conventions.** JSON in and out; unsafe requests with any other content type get 415, bodies over 1 MiB get 413.
Dates are \`YYYY-MM-DD\` calendar dates; instants are ISO 8601 with \`Z\`; ids are UUIDs.
Every error is an RFC 9457 problem document (\`application/problem+json\`); \`type\` is a URI under
\`/api/problems/\` that describes it. Validation failures are 400 with one \`errors\` entry per bad field, its
\`path\` a dotted field name (\`siteIds.0\`). A failed request writes nothing.

**Access.** Sign in with \`POST /api/v1/auth/login\`; the session is an HttpOnly cookie. 401 when not signed in,
403 when your role may not do something, and 404 for records outside your sites (their existence is not revealed).

**Concurrency.** Mutable records carry \`version\` (from 1). Send the version you read with every change: a stale
one gets 409 and changes nothing.

**Lists** take \`limit\` (default 50, max 500) and \`cursor\`, and answer \`{ items, nextCursor }\`; \`nextCursor\`
is null on the last page.`;

/** The OpenAPI document is generated from the same zod schemas that validate requests. */
export default fp(async function openapi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Pump Pathway API', version: '1.0.0', description: DESCRIPTION },
      servers: [{ url: '/' }],
      tags: [
        { name: 'Sign-in' },
        { name: 'Users' },
        { name: 'Sites' },
        { name: 'Patients' },
        { name: 'Referrals' },
        { name: 'Implementation', description: 'Facilitation activities and barriers per site.' },
        { name: 'Metrics', description: 'Implementation metrics per site, ICB or facilitation mode.' },
        { name: 'Devices' },
        { name: 'Audit' },
        { name: 'Operations' },
      ],
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'pp_session' } },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
