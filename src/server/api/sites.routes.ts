import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, listQuery, page, problem } from '../../lib/schemas/common.schema';
import { createSiteBody, populationHistory, site, updateSiteBody } from '../../lib/schemas/sites.schema';
import { ctxOf } from '../plugins/auth.plugin';
import { fhirOf } from './fhir';
import { z } from 'zod';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/sites', {
    schema: {
      tags: ['Sites'],
      summary: 'List sites',
      description: 'Every signed-in role may list sites (they hold no patient data). Ordered by name.',
      querystring: listQuery,
      response: { 200: page(site), 401: problem },
    },
    handler: async (req) => app.services.sites.list(ctxOf(req), req.query),
  });

  app.get('/sites/:id', {
    schema: { tags: ['Sites'], summary: 'Read a site', params: idParams, response: { 200: site, 401: problem, 404: problem } },
    handler: async (req) => app.services.sites.get(ctxOf(req), req.params.id),
  });

  app.get('/sites/:id/population', {
    schema: {
      tags: ['Sites'],
      summary: "List a site's type 1 population counts",
      description:
        'Every count the site has had, newest asOf first, with where it came from. Counts are never overwritten: a ' +
        "count for a date that already has one replaces that date's count (and is audited). The metrics of a period use " +
        'the latest count on or before its end.',
      params: idParams,
      response: { 200: populationHistory, 401: problem, 404: problem },
    },
    handler: async (req) => app.services.population.history(ctxOf(req), req.params.id),
  });

  app.post('/sites', {
    config: { permission: 'sites:manage' },
    schema: {
      tags: ['Sites'],
      summary: 'Create a site (admin)',
      description: 'The ODS code is stored upper-cased; a duplicate gets 409.',
      body: createSiteBody,
      response: { 201: site, 400: problem, 401: problem, 403: problem, 409: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.sites.create(ctxOf(req), req.body)),
  });

  app.post('/sites/:id/population-sync', {
    config: { permission: 'sites:manage' },
    schema: {
      tags: ['Sites'],
      summary: 'Count the type 1 population on the FHIR server (admin)',
      description: `Counts the distinct patients with an active type 1 diabetes Condition (SNOMED 46635009 and its configured
descendants) whose managing organisation carries the site's ODS code (identifier system
https://fhir.nhs.uk/Id/ods-organization-code), following every page, and stores it with today's date. Deceased patients
are left out. 404 when the FHIR server does not know the ODS code; 502/504 as for imports, and the previous figure stays;
503 when no FHIR server is configured.`,
      params: idParams,
      response: {
        200: z.object({ t1dPopulation: z.int(), t1dPopulationAsOf: z.string().meta({ format: 'date' }) }),
        401: problem,
        403: problem,
        404: problem,
        502: problem,
        503: problem,
        504: problem,
      },
    },
    handler: async (req) => fhirOf(app).syncPopulation(ctxOf(req), req.params.id),
  });

  app.patch('/sites/:id', {
    config: { permission: 'sites:manage' },
    schema: {
      tags: ['Sites'],
      summary: 'Update a site (admin)',
      description:
        'Send the `version` you read: a stale one gets 409 and changes nothing. `t1dPopulation` and `t1dPopulationAsOf` go together (both null clears a manual count).',
      params: idParams,
      body: updateSiteBody,
      response: { 200: site, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
    },
    handler: async (req) => app.services.sites.update(ctxOf(req), req.params.id, req.body),
  });
};

export default routes;
