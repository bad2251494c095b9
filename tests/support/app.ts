import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { PASSWORD_ONLY, type SignInSettings } from '../../src/lib/server/auth/sign-in.settings';
import type { Role } from '../../src/lib/domain/access';
import type { Site } from '../../src/lib/schemas/sites.schema';
import type { User } from '../../src/lib/schemas/users.schema';
import { createServices, type Services } from '../../src/lib/server/services';
import { systemCtx } from '../../src/lib/server/context';
import { buildApp, type App } from '../../src/server/app';
import { freshDatabase } from './database';

export const TEST_PASSWORD = 'correct-horse-battery';

export interface TestApp {
  app: App;
  services: Services;
  database: Awaited<ReturnType<typeof freshDatabase>>;
  /** Creates a site directly through the service, as the system. */
  site(odsCode: string, name?: string): Promise<Site>;
  /** Creates a user with TEST_PASSWORD. */
  user(role: Role, siteIds?: string[], email?: string): Promise<User>;
  /** Signs in through the API and returns the cookie header to send. */
  signIn(email: string, password?: string): Promise<string>;
  /** A user of the role, signed in: its cookie and record. */
  as(role: Role, siteIds?: string[]): Promise<{ cookie: string; user: User }>;
}

let counter = 0;

/** The whole API on a fresh database of its own, closed after the file's tests. */
export async function createTestApp(
  options: { sessionIdleMinutes?: number; sessionAbsoluteHours?: number; origin?: string; signIn?: Partial<SignInSettings> } = {},
): Promise<TestApp> {
  const database = await freshDatabase();
  const services = createServices(
    database,
    { SESSION_IDLE_MINUTES: options.sessionIdleMinutes ?? 30, SESSION_ABSOLUTE_HOURS: options.sessionAbsoluteHours ?? 12 },
    // Authenticator apps work (a key of the run's own), nobody is made to add one, and no single sign-on, unless asked.
    { signIn: { ...PASSWORD_ONLY, totpKey: randomBytes(32), ...options.signIn } },
  );
  const app = await buildApp({
    config: { ORIGIN: options.origin, LOG_LEVEL: 'silent', NODE_ENV: 'test' },
    services,
  });
  await app.ready();
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  const signIn = async (email: string, password = TEST_PASSWORD) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    if (res.statusCode !== 200) throw new Error(`sign-in failed for ${email}: ${res.statusCode} ${res.body}`);
    const cookie = res.cookies.find((c) => c.name === 'pp_session')!;
    return `${cookie.name}=${cookie.value}`;
  };
  const user = (role: Role, siteIds: string[] = [], email = `${role}-${++counter}@test.nhs.uk`) =>
    services.users.create(systemCtx('tests'), { email, name: `Test ${role} ${counter}`, role, siteIds, password: TEST_PASSWORD });

  return {
    app,
    services,
    database,
    site: (odsCode, name = `Site ${odsCode}`) => services.sites.create(systemCtx('tests'), { odsCode, name, icb: 'Test ICB', t1dPopulation: null, t1dPopulationAsOf: null }),
    user,
    signIn,
    as: async (role, siteIds = []) => {
      const u = await user(role, siteIds);
      return { user: u, cookie: await signIn(u.email) };
    },
  };
}
