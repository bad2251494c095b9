import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { idParams, page, problem } from '../../lib/schemas/common.schema';
import { createObservationBody, createPatientBody, hba1cResult, importPatientBody, patient, patientQuery, patientWithContext, updatePatientBody } from '../../lib/schemas/patients.schema';
import { fhirOf } from './fhir';
import { ctxOf } from '../plugins/auth.plugin';

const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/patients', {
    config: { permission: 'patients:write' },
    schema: {
      tags: ['Patients'],
      summary: 'Register a patient',
      description:
        'Nurses and consultants, at their own sites (403 for another site; 400 on `siteId` for a site that does not exist). `nhsNumber`: 10 digits, spaces allowed, stored without, valid modulus-11 check digit. A second patient with the same NHS number gets 409. `ethnicCategory`, `postcode` and `imdDecile` may be given or left out (null).',
      body: createPatientBody,
      response: { 201: patient, 400: problem, 401: problem, 403: problem, 409: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.patients.create(ctxOf(req), req.body)),
  });

  app.post('/patients/import', {
    config: { permission: 'patients:write' },
    schema: {
      tags: ['Patients'],
      summary: 'Import (or refresh) a patient from the FHIR server',
      description: `By NHS number (identifier search, system https://fhir.nhs.uk/Id/nhs-number) or by FHIR id. Pulls demographics
(with the ethnic category letter from the UK Core extension ending \`Extension-UKCore-EthnicCategory\`, and the UK postcode
of the home or else current address; a refresh without them keeps what is recorded),
every HbA1c result (LOINC 4548-4, 17856-6, 59261-8; % converted to mmol/mol, the original kept), diabetes type and
hypoglycaemia from Conditions and Observations, following every page; each value keeps its provenance. 201 when the
patient is new here, 200 when refreshed (no duplicates: values are updated in place, values gone from the server are
removed). 404 when the FHIR server has no such patient; 409 when the patient is registered at another site or the NHS
number is linked to a different FHIR record; 502 when the FHIR server fails or answers something that is not the FHIR we
expect; 504 when it does not answer within FHIR_TIMEOUT_MS; 503 when no FHIR server is configured. A failed import writes
nothing.`,
      body: importPatientBody,
      response: { 200: patientWithContext, 201: patientWithContext, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 502: problem, 503: problem, 504: problem },
    },
    handler: async (req, reply) => {
      const { created, patient } = await fhirOf(app).importPatientWithContext(ctxOf(req), req.body);
      return reply.code(created ? 201 : 200).send(patient);
    },
  });

  app.get('/patients', {
    config: { permission: 'patients:read' },
    schema: {
      tags: ['Patients'],
      summary: 'Search patients',
      description: 'Patients of the caller\'s sites (all sites for admins), ordered by family name. Commissioners get 403.',
      querystring: patientQuery,
      response: { 200: page(patient), 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req) => app.services.patients.search(ctxOf(req), req.query),
  });

  app.get('/patients/:id', {
    config: { permission: 'patients:read' },
    schema: {
      tags: ['Patients'],
      summary: 'Read a patient with their clinical context',
      description: 'HbA1c results newest first, each with its original value and unit and where it came from.',
      params: idParams,
      response: { 200: patientWithContext, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req) => app.services.patients.get(ctxOf(req), req.params.id),
  });

  app.patch('/patients/:id', {
    config: { permission: 'patients:write' },
    schema: {
      tags: ['Patients'],
      summary: "Add a missing NHS number, or change a patient's demographics",
      description: `Nurses and consultants, for patients of their own sites (404 for any other). Send the \`version\` you read: a
stale one gets 409 and changes nothing. A field left out keeps its value; null clears \`ethnicCategory\`, \`postcode\` or
\`imdDecile\`. \`nhsNumber\` may be sent only to record one for a patient who has none (imported from a FHIR record
without one) or whose stored number is not a valid NHS number: the valid number already recorded changes nothing, another
gets 400, and a number registered to another patient 409. Name, date of birth, sex and diabetes type come from registration or the FHIR server and are not changed here.
Audited as \`patient.update\` with the patient before and after.`,
      params: idParams,
      body: updatePatientBody,
      response: { 200: patient, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem },
    },
    handler: async (req) => app.services.patients.update(ctxOf(req), req.params.id, req.body),
  });

  app.post('/patients/:id/observations', {
    config: { permission: 'patients:write' },
    schema: {
      tags: ['Patients'],
      summary: 'Enter an HbA1c result by hand',
      description: '`%` (DCCT) is converted to IFCC mmol/mol, rounded once; the original value and unit are kept. Plausible ranges: 20-200 mmol/mol, 3-20 %. Not dated in the future nor before birth.',
      params: idParams,
      body: createObservationBody,
      response: { 201: hba1cResult, 400: problem, 401: problem, 403: problem, 404: problem },
    },
    handler: async (req, reply) => reply.code(201).send(await app.services.patients.addObservation(ctxOf(req), req.params.id, req.body)),
  });
};

export default routes;
