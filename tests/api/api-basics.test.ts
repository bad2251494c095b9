import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { systemCtx } from '../../src/lib/server/context';

const t = await createTestApp();
const { app } = t;
const admin = await t.as('admin');

describe('API basics', () => {
  it('answers an unknown API path with a JSON problem document, not a page', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/no-such-thing' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: '/api/problems/not-found', title: 'Not found', status: 404 });
  });

  it('refuses a body that is not JSON with 415 and writes nothing', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { cookie: admin.cookie, 'content-type': 'text/plain' },
      payload: 'odsCode=ABC12',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().type).toBe('/api/problems/unsupported-media-type');
    expect((await t.services.sites.all(systemCtx('tests'))).length).toBe(0);
  });

  it('refuses a form post (the shape of a cross-site request) with 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'odsCode=ABC12&name=x&icb=y',
    });
    expect(res.statusCode).toBe(415);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      payload: JSON.stringify({ odsCode: 'ABC12', name: 'x'.repeat(1_100_000), icb: 'y' }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().status).toBe(413);
  });

  it('answers malformed JSON with a 400 problem naming the body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: { cookie: admin.cookie, 'content-type': 'application/json' },
      payload: '{"odsCode": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400, errors: [{ path: 'body' }] });
  });

  it('gives every response a request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports the database healthy', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('serves an OpenAPI document generated from the request schemas', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/me', '/api/v1/users', '/api/v1/sites', '/api/v1/sites/{id}', '/api/health']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const createSite = doc.paths['/api/v1/sites'].post.requestBody.content['application/json'].schema;
    expect(createSite.required).toEqual(expect.arrayContaining(['odsCode', 'name', 'icb']));
    expect(JSON.stringify(doc)).not.toMatch(/passwordHash/);
  });

  it('serves a browsable API reference', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });

  it('makes every problem type URI resolve to what it means', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/problems/conflict' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: '/api/problems/conflict', status: 409 });
    expect((await app.inject({ method: 'GET', url: '/api/problems/nonsense' })).statusCode).toBe(404);
  });
});

describe('who may call before what was sent', () => {
  it('answers 401, not 400, to a request with a bad body when not signed in', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/sites', payload: { odsCode: 1 } });
    expect(res.statusCode).toBe(401);
  });

  it('answers 403, not 400, to a role without the permission', async () => {
    const nurse = await t.as('nurse');
    const res = await app.inject({ method: 'POST', url: '/api/v1/users', payload: {}, headers: { cookie: nurse.cookie } });
    expect(res.statusCode).toBe(403);
  });
});
