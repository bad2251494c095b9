import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

const t = await createTestApp();
const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
const doc = res.json();

interface Operation {
  operationId?: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}
const operations: [string, Operation][] = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(
  ([path, methods]) => Object.entries(methods).map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op]),
);

/** Every schema-bearing node of the document, with where it is. */
function* nodes(value: unknown, at = '#'): Generator<[string, Record<string, unknown>]> {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) yield* nodes(item, `${at}/${i}`);
  } else if (value && typeof value === 'object') {
    yield [at, value as Record<string, unknown>];
    for (const [key, item] of Object.entries(value)) yield* nodes(item, `${at}/${key}`);
  }
}

describe('the OpenAPI document, as a client generator reads it', () => {
  it('is served', () => {
    expect(res.statusCode).toBe(200);
    expect(operations.length).toBeGreaterThan(30);
  });

  it('passes an independent validator', async () => {
    // The validator dereferences the document in place: give it a copy.
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  });

  it('names every operation once, in camelCase', () => {
    const ids = operations.map(([name, op]) => [name, op.operationId] as const);
    expect(ids.filter(([, id]) => !id || !/^[a-z][A-Za-z0-9]*$/.test(id))).toEqual([]);
    const seen = ids.map(([, id]) => id);
    expect(seen.filter((id, i) => seen.indexOf(id) !== i)).toEqual([]);
    expect(Object.fromEntries(ids)).toMatchObject({
      'GET /api/v1/sites': 'listSites',
      'POST /api/v1/referrals': 'createReferral',
      'POST /api/v1/referrals/{id}/events': 'recordReferralEvent',
    });
  });

  it('declares every error as a problem document (application/problem+json)', () => {
    const errors = operations.flatMap(([name, op]) =>
      Object.entries(op.responses)
        .filter(([status]) => status === 'default' || Number(status) >= 400)
        .map(([status, response]) => [`${name} ${status}`, Object.keys(response.content ?? {})] as const),
    );
    // The health check's 503 is the health body that load balancers read, not a problem; single sign-on's two browser
    // endpoints answer pages.
    const problems = errors.filter(([name]) => name !== 'GET /api/health 503' && !name.startsWith('GET /auth/oidc/'));
    expect(problems.filter(([, types]) => types.join() !== 'application/problem+json')).toEqual([]);
    expect(problems.length).toBeGreaterThan(operations.length);
  });

  it('has no empty anyOf, and no union branch that accepts anything', () => {
    const unions = [...nodes(doc)].flatMap(([at, node]) =>
      (['anyOf', 'oneOf'] as const).filter((k) => Array.isArray(node[k])).map((k) => [`${at}/${k}`, node[k] as unknown[]] as const),
    );
    expect(unions.length).toBeGreaterThan(0);
    expect(unions.filter(([, branches]) => branches.length === 0).map(([at]) => at)).toEqual([]);
    const isEmpty = (b: unknown) => !!b && typeof b === 'object' && Object.keys(b).length === 0;
    expect(unions.filter(([, branches]) => branches.some(isEmpty)).map(([at]) => at)).toEqual([]);
  });

  it('describes the health answer, with the state and lag of the read replica, for 200 and 503 alike', () => {
    const health = doc.paths['/api/health'].get.responses;
    for (const status of ['200', '503']) {
      const { properties, required } = health[status].content['application/json'].schema;
      expect(required).toEqual(['status', 'database']);
      expect(properties.replica).toMatchObject({ type: 'string', enum: ['ok', 'lagging', 'unreachable'] });
      expect(properties.replica.description).toMatch(/READ_MAX_LAG_SECONDS/);
      expect(JSON.stringify(properties.replicaLagSeconds)).toMatch(/"number".*"null"|"null".*"number"/);
    }
  });

  it('keeps only the component schemas that operations use', () => {
    const used = new Set([...JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]));
    expect(Object.keys(doc.components.schemas).filter((name) => !used.has(name))).toEqual([]);
  });
});
