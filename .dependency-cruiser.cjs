/**
 * The layers of the code, as docs/architecture.md describes them, held by the build: `npm run lint:deps` fails on
 * any import that crosses them. A new crossing is a design question, not a rule to relax.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const DB_LIBRARIES = '(^|/)node_modules/(drizzle-orm|postgres|@electric-sql/pglite)/';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'src/lib/domain is pure TypeScript: it imports only itself (tests may use test libraries).',
      severity: 'error',
      from: { path: '^src/lib/domain/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: '^src/lib/domain/' },
    },
    {
      name: 'schemas-import-schemas-domain-zod',
      comment: 'src/lib/schemas holds the zod schemas: it imports only schemas, the domain and zod.',
      severity: 'error',
      from: { path: '^src/lib/schemas/', pathNot: '\\.test\\.ts$' },
      to: { pathNot: ['^src/lib/schemas/', '^src/lib/domain/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'queries-live-in-repositories',
      comment: 'drizzle, SQL and the database drivers are used in repositories and the db folder only.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/lib/server/repositories/', '^src/lib/server/db/', '\\.test\\.ts$'] },
      to: { path: [DB_LIBRARIES, '^src/lib/server/db/schema\\.ts$'] },
    },
    {
      name: 'repositories-only-from-services',
      comment: 'Services own access, transactions and audit: nothing else calls a repository.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/lib/server/services/', '^src/lib/server/repositories/', '\\.test\\.ts$'] },
      to: { path: '^src/lib/server/repositories/' },
    },
    {
      name: 'repositories-do-not-call-services',
      severity: 'error',
      from: { path: '^src/lib/server/repositories/' },
      to: { path: '^src/lib/server/services/' },
    },
    {
      name: 'database-opened-by-the-composition-root',
      comment:
        'The database is opened once, by src/server/main.ts (or the command line), and handed to the services; ' +
        'services may hold its transaction handle.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: [
          '^src/server/main\\.ts$',
          '^src/server/cli/',
          '^src/lib/server/(db|repositories|services)/',
          '^src/lib/server/bootstrap\\.ts$',
          '\\.test\\.ts$',
        ],
      },
      to: { path: '^src/lib/server/db/client\\.ts$' },
    },
    {
      name: 'pages-and-routes-call-services',
      comment: 'Pages, API routes and plugins call services; they never reach the database layer.',
      severity: 'error',
      from: { path: ['^src/routes/', '^src/server/(api|plugins)/', '^src/hooks\\.server\\.ts$'] },
      // db/errors.ts only recognises "the database is unreachable", so that pages and the API can answer 503.
      to: { path: ['^src/lib/server/(db|repositories)/', DB_LIBRARIES], pathNot: '^src/lib/server/db/errors\\.ts$' },
    },
    {
      name: 'fhir-adapter-never-stores',
      comment: 'src/lib/server/fhir is the outbound adapter (client, auth, retries, mappers): it never stores.',
      severity: 'error',
      from: { path: '^src/lib/server/fhir/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^src/lib/server/(db|repositories|services|demo)/', DB_LIBRARIES] },
    },
    {
      name: 'services-built-by-the-composition-root',
      comment: 'createServices is called by src/server/main.ts and the command line only.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/server/main\\.ts$', '^src/server/cli/', '\\.test\\.ts$'] },
      to: { path: '^src/lib/server/services/index\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'server-code-stays-on-the-server',
      comment: 'Components and the browser never import server-only code.',
      severity: 'error',
      from: { path: ['^src/lib/components/', '\\.svelte$'] },
      to: { path: '^src/lib/server/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^\\.svelte-kit/', '^build/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    webpackConfig: { fileName: '.dependency-cruiser.aliases.cjs' },
    enhancedResolveOptions: {
      exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.svelte', '.d.ts'] },
    extraExtensionsToScan: ['.svelte'],
  },
};
