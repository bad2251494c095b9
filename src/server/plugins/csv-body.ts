import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';

/**
 * Routes that take a CSV file as their body (a caseload, the postcode-to-deprivation table) read it as the stream it
 * arrives on, never held whole. Every content type reaches the route, which answers 415 for anything but text/csv
 * once it knows the caller may send the file at all.
 */
export function takeCsvBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  app.setValidatorCompiler(queryOnly);
}

/** The body's schema describes the file for the OpenAPI document; the file itself is checked as it is read. */
const queryOnly: FastifySchemaCompiler<z.ZodType> = (route) => (route.httpPart === 'body' ? () => true : validatorCompiler(route));

/** Why the body cannot be taken as a CSV file, or null: text/csv, UTF-8 unless it says otherwise. */
export function csvMediaTypeProblem(header: string | undefined, what: string): string | null {
  const [type, ...params] = (header ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'text/csv') return `Send the ${what} as text/csv`;
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replaceAll('"', '');
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return `The ${what} must be UTF-8 (charset=utf-8): save it from your spreadsheet as CSV UTF-8`;
  return null;
}
