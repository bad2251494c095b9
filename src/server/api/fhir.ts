import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../lib/domain/errors';

/** The FHIR import service, or 503 when this deployment has no FHIR server configured. */
export function fhirOf(app: FastifyInstance) {
  if (!app.services.fhir) throw new DomainError('unavailable', 'No FHIR server is configured (set FHIR_BASE_URL)');
  return app.services.fhir;
}
