import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isDomainError, type FieldError } from '../../lib/domain/errors';
import { PROBLEM_TYPES, problemType, type ProblemKind } from '../../lib/problems';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../../lib/server/db/errors';

export function sendProblem(
  reply: FastifyReply,
  kind: ProblemKind,
  detail: string,
  extra: { errors?: FieldError[]; [k: string]: unknown } = {},
) {
  const { status, title } = PROBLEM_TYPES[kind];
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: problemType(kind), title, status, detail, ...extra });
}

/** Dotted field path from a JSON pointer (`/siteIds/0` -> `siteIds.0`); the whole body is `body`. */
const pathOf = (instancePath: string, context?: string) =>
  instancePath.replace(/^\//, '').replaceAll('/', '.') || (context === 'body' ? 'body' : (context ?? 'request'));

/** A schema validation failure's field errors, one per problem, at dotted paths. */
export function schemaFieldErrors(err: unknown): FieldError[] | null {
  if (!hasZodFastifySchemaValidationErrors(err)) return null;
  return err.validation.flatMap((v) => {
    const path = pathOf(v.instancePath, err.validationContext);
    // An unknown field is reported at its own path, so a client sees which one to drop.
    const keys = v.keyword === 'unrecognized_keys' ? (v.params as { keys?: string[] }).keys : undefined;
    if (keys?.length) return keys.map((k) => ({ path: path === 'body' ? k : `${path}.${k}`, message: 'Unknown field' }));
    return [{ path, message: v.message ?? 'Invalid value' }];
  });
}

/** Every error the API can give, mapped to an RFC 9457 problem document in this one place. */
export default fp(async function problems(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const errors = schemaFieldErrors(err);
    if (errors) return sendProblem(reply, 'validation', 'The request has invalid fields', { errors });
    if (isDomainError(err)) {
      const { retryAfterSeconds, ...extra } = err.extra ?? {};
      if (typeof retryAfterSeconds === 'number') reply.header('retry-after', String(retryAfterSeconds));
      return sendProblem(reply, err.kind, err.detail, { ...(err.errors ? { errors: err.errors } : {}), ...extra });
    }
    switch (err.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, 'unsupported_media_type', 'Send the request body as application/json');
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 'payload_too_large', 'The request body is larger than this API accepts');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, 'validation', 'The request body is not valid JSON', {
          errors: [{ path: 'body', message: 'Not valid JSON' }],
        });
    }
    if (err.statusCode === 400 && err instanceof SyntaxError) {
      return sendProblem(reply, 'validation', 'The request body is not valid JSON', { errors: [{ path: 'body', message: 'Not valid JSON' }] });
    }
    if (isDatabaseUnavailable(err)) {
      req.log.error({ err }, 'database unavailable');
      return sendProblem(reply, 'unavailable', DATABASE_UNAVAILABLE_MESSAGE);
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      req.log.info({ err }, 'client error');
      return sendProblem(reply, 'validation', err.message);
    }
    // Unexpected: log everything, show nothing of the internals.
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 'internal', `Something went wrong on our side. Quote request id ${req.id} if you report it.`);
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, 'not_found', `No such endpoint: ${req.method} ${req.url.split('?')[0]}`));
});
