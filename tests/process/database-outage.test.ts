import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/lib/server/db/client';
import { createServices } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { buildApp } from '../../src/server/app';
import { freshDatabase, onPostgresServer } from '../support/database';
import { tcpRelay } from '../support/tcp-relay';

describe.runIf(onPostgresServer())('when the database goes away (PostgreSQL)', () => {
  it('answers 503 on health and on the API, then recovers by itself when the database is back', async () => {
    const fresh = await freshDatabase();
    afterAll(() => fresh.close());
    const proxy = tcpRelay(new URL(fresh.url!));
    await proxy.start();
    const database = openPostgres(proxy.url(), { max: 4 });
    const services = createServices(database, { SESSION_IDLE_MINUTES: 30, SESSION_ABSOLUTE_HOURS: 12 });
    const app = await buildApp({ config: { ORIGIN: undefined, LOG_LEVEL: 'silent', NODE_ENV: 'test' }, services });
    afterAll(async () => {
      await app.close();
      await database.close();
    });
    await services.users.create(systemCtx('tests'), { email: 'admin@outage.test', name: 'A', role: 'admin', siteIds: [], password: 'outage-password-1' });
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'admin@outage.test', password: 'outage-password-1' } });
    const cookie = login.headers['set-cookie'] as string;

    expect((await app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);

    await proxy.cut();
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    const write = await app.inject({ method: 'POST', url: '/api/v1/sites', payload: { odsCode: 'OUT01', name: 'Outage', icb: 'ICB' }, headers: { cookie } });
    expect(write.statusCode).toBe(503);
    expect(write.json()).toMatchObject({ type: '/api/problems/unavailable', status: 503 });

    await proxy.start();
    await expect.poll(async () => (await app.inject({ method: 'GET', url: '/api/health' })).statusCode, { timeout: 10_000 }).toBe(200);
    const again = await app.inject({ method: 'POST', url: '/api/v1/sites', payload: { odsCode: 'OUT01', name: 'Outage', icb: 'ICB' }, headers: { cookie } });
    expect(again.statusCode).toBe(201);
  });
});
