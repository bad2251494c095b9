import swagger, { type SwaggerTransform, type SwaggerTransformObject } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PROBLEM_TYPES } from '../../lib/problems';
import { problem } from '../../lib/schemas/common.schema';

const DESCRIPTION = `The HTTP API of Pump Pathway: referral, eligibility, funding, device start and review of insulin pump (CSII)
and hybrid closed loop (HCL) therapy, and the implementation metrics built from them.

**Conventions.** JSON in and out (the caseload import takes a CSV file, \`text/csv\`); unsafe requests with any other
content type get 415, bodies over 1 MiB (a caseload file over 20 MiB) get 413.
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

/**
 * Each operation's name in generated clients (a method on a client object, usually). Clients are built against
 * these names, so they stay as they are when a route's path or summary changes; a new route needs one.
 */
const OPERATION_IDS: Record<string, string> = {
  'GET /api/health': 'getHealth',
  'GET /api/problems/:slug': 'getProblemType',
  'POST /api/v1/auth/login': 'signIn',
  'POST /api/v1/auth/logout': 'signOut',
  'GET /api/v1/me': 'getCurrentUser',
  'POST /api/v1/me/totp': 'startTotpEnrolment',
  'POST /api/v1/me/totp/confirm': 'confirmTotpEnrolment',
  'DELETE /api/v1/me/totp': 'removeTotp',
  'DELETE /api/v1/users/:id/totp': 'resetUserTotp',
  'GET /api/v1/users': 'listUsers',
  'POST /api/v1/users': 'createUser',
  'GET /api/v1/sites': 'listSites',
  'POST /api/v1/sites': 'createSite',
  'GET /api/v1/sites/:id': 'getSite',
  'PATCH /api/v1/sites/:id': 'updateSite',
  'POST /api/v1/sites/:id/population-sync': 'syncSitePopulation',
  'GET /api/v1/sites/:id/population': 'listSitePopulationCounts',
  'GET /api/v1/sites/:id/facilitation': 'listFacilitationActivities',
  'POST /api/v1/sites/:id/facilitation': 'createFacilitationActivity',
  'GET /api/v1/sites/:id/barriers': 'listBarriers',
  'POST /api/v1/sites/:id/barriers': 'createBarrier',
  'PATCH /api/v1/barriers/:id': 'updateBarrier',
  'GET /api/v1/patients': 'searchPatients',
  'POST /api/v1/patients': 'createPatient',
  'POST /api/v1/patients/import': 'importPatient',
  'GET /api/v1/patients/:id': 'getPatient',
  'PATCH /api/v1/patients/:id': 'updatePatient',
  'POST /api/v1/patients/:id/observations': 'createObservation',
  'GET /api/v1/referrals': 'listReferrals',
  'POST /api/v1/referrals': 'createReferral',
  'GET /api/v1/referrals/:id': 'getReferral',
  'POST /api/v1/referrals/:id/events': 'recordReferralEvent',
  'GET /api/v1/queues/eligibility': 'listEligibilityQueue',
  'GET /api/v1/devices': 'listDevices',
  'POST /api/v1/devices': 'createDevice',
  'PATCH /api/v1/devices/:id': 'updateDevice',
  'GET /api/v1/audit': 'listAuditEntries',
  'GET /api/v1/metrics': 'getMetrics',
  'GET /api/v1/metrics.csv': 'getMetricsCsv',
  'GET /api/v1/metrics/starts': 'getStartsSeries',
  'GET /api/v1/metrics/spc': 'getSpcCharts',
  'GET /api/v1/metrics/equity': 'getEquityReport',
  'GET /api/v1/metrics/waits': 'getWaitDistributions',
  'GET /api/v1/metrics/funding': 'getFundingReport',
  'GET /api/v1/metrics/continuation': 'getContinuationReport',
  'GET /api/v1/exports/national-hcl': 'getNationalHclReturn',
  'GET /api/v1/exports/national-hcl.csv': 'getNationalHclReturnCsv',
  'POST /api/v1/imports/caseload': 'importCaseload',
  'POST /api/v1/reference/imd': 'replaceImdTable',
};

const TITLE_BY_STATUS = new Map<string, string>(Object.values(PROBLEM_TYPES).map(({ status, title }) => [String(status), title]));

const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });

/**
 * Routes declare their errors as the `problem` schema; every problem goes out through `sendProblem` as
 * application/problem+json, and the document says so. Any operation may also meet errors no route lists
 * (413, 415, 500, 503): the `default` response.
 */
function withProblems(response: Record<string, unknown> = {}) {
  const declared = Object.entries(response).map(([status, schema]) =>
    [status, schema === problem ? problemResponse(TITLE_BY_STATUS.get(status) ?? 'Problem') : schema] as const,
  );
  return {
    ...Object.fromEntries(declared),
    default: problemResponse('Any other failure: the body too large (413), not JSON (415), the database unreachable (503), an unexpected error (500).'),
  };
}

const transform: SwaggerTransform = (document) => {
  const { schema, route } = document;
  if (!schema || schema.hide) return jsonSchemaTransform(document);
  const operationId = OPERATION_IDS[`${String(route.method)} ${route.url}`];
  return jsonSchemaTransform({ ...document, schema: { ...schema, operationId, response: withProblems(schema.response as Record<string, unknown>) } });
};

const SCHEMA_REF = '#/components/schemas/';

/**
 * Keeps only the component schemas that the operations reach. fastify-type-provider-zod adds an input twin
 * (`ReferralInput`) of every named schema, response-only ones included, and a response's `z.date()` has no input
 * form: the twins carried `{}` and `anyOf: [{}, { type: 'null' }]`, which mean nothing to a generated client.
 */
const transformObject: SwaggerTransformObject = (document) => {
  const built = jsonSchemaTransformObject(document) as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = built.components?.schemas ?? {};
  const reached = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      const name = key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF) ? value.slice(SCHEMA_REF.length) : undefined;
      if (name === undefined) visit(value);
      else if (!reached.has(name)) {
        reached.add(name);
        visit(schemas[name]);
      }
    }
  };
  visit(built.paths);
  // Sorted by name, so that the document does not change with the order in which modules happen to load.
  const kept = Object.fromEntries(
    Object.entries(schemas)
      .filter(([name]) => reached.has(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return { ...built, components: { ...built.components, schemas: kept } } as ReturnType<SwaggerTransformObject>;
};

const htmlPage = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' as const } } } });

/**
 * Single sign-on's two browser endpoints: pages of the site rather than JSON, but part of the contract, so the
 * document describes them too (written here, as no Fastify route of the API serves them).
 */
const browserSignInPaths = () => ({
  '/auth/oidc/start': {
    get: {
      tags: ['Sign-in'],
      operationId: 'startSingleSignOn',
      summary: 'Sign in through the identity provider (browser)',
      description:
        'Only with single sign-on set up (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET). Redirects the browser to the provider\'s authorisation endpoint: the authorisation code flow with PKCE (S256), `state` and `nonce`, scopes `openid email profile`. The state, nonce, code verifier and return path wait in the database under a short-lived (10 minutes) HttpOnly, SameSite=Lax cookie, so any app process can take the callback.',
      security: [],
      parameters: [{ name: 'next', in: 'query', required: false, schema: { type: 'string' as const }, description: 'A path on this site to return to after signing in.' }],
      responses: {
        '303': { description: 'To the provider.' },
        '404': htmlPage('Single sign-on is not set up here.'),
        '502': htmlPage('The provider could not be reached, or answered something unreadable: a page saying so.'),
        '504': htmlPage('The provider did not answer in time.'),
      },
    },
  },
  '/auth/oidc/callback': {
    get: {
      tags: ['Sign-in'],
      operationId: 'finishSingleSignOn',
      summary: 'Where the identity provider sends the browser back (browser)',
      description:
        'Register `<ORIGIN>/auth/oidc/callback` as the redirect URI at the provider. Checks `state` against the cookie\'s sign-in, exchanges the code (with the PKCE verifier) and checks the ID token: issuer, audience, expiry, nonce, and its signature against the provider\'s published keys. Then signs in the user linked to that issuer and subject, or else the one active user whose email equals the token\'s verified email (`email_verified`, or Entra ID\'s `xms_edov`), and links them. Nobody is created; role and sites are the product\'s. Every outcome is audited with the method `oidc`.',
      security: [],
      responses: {
        '303': { description: 'Signed in: to the page asked for, or the home page. The session cookie is set as for POST /api/v1/auth/login.' },
        '400': htmlPage('No sign-in was started in this browser, it expired, or `state` does not match.'),
        '403': htmlPage('Refused: a person with no account (ask an administrator), an unverified email, a closed account, an ID token that failed a check, or the provider refused.'),
        '502': htmlPage('The provider could not be reached, or answered something unreadable.'),
        '504': htmlPage('The provider did not answer in time.'),
      },
    },
  },
});

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
        { name: 'Exports', description: 'The national returns a site uploads each quarter.' },
        { name: 'Imports', description: "A site's caseload brought in from a spreadsheet." },
        { name: 'Reference', description: 'Reference tables every site uses, loaded by admins.' },
        { name: 'Devices' },
        { name: 'Audit' },
        { name: 'Operations' },
      ],
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'pp_session' } },
      },
      security: [{ session: [] }],
      paths: browserSignInPaths(),
    },
    transform,
    transformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
});
