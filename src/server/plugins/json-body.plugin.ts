import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * The API reads JSON only: any other body gets 415 (no text/plain parser, so a cross-site HTML form cannot post
 * here). An empty body is read as no body, so `POST /auth/logout` with a JSON content type still works.
 */
export default fp(async function jsonBody(app: FastifyInstance) {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body === '') return done(null, undefined);
    parseJson(req, body as string, done);
  });
});
