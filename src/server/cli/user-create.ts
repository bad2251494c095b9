/**
 * Creates a user from the command line, typically the first admin on a new PostgreSQL server:
 *   npm run user:create -- --email a@nhs.net --name "A Person" --role admin
 * The password is read from a hidden prompt, or from standard input when piped; never from the arguments,
 * where it would end up in shell history and process listings. With `--sso-only` the person has no password and
 * signs in only through the identity provider (single sign-on must be set up in the environment).
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../lib/server/config';
import { migrate, openEmbedded, openPostgres } from '../../lib/server/db/client';
import { createUserBody } from '../../lib/schemas/users.schema';
import { createServices } from '../../lib/server/services';
import { oidcSettingsFrom, PASSWORD_ONLY } from '../../lib/server/auth/sign-in.settings';
import { systemCtx } from '../../lib/server/context';
import { isDomainError } from '../../lib/domain/errors';

const USAGE = 'Usage: npm run user:create -- --email <email> --name <name> --role <nurse|consultant|commissioner|admin> [--site <ODS code>]... [--sso-only]';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    return input.split(/\r?\n/)[0] ?? '';
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      const muted = rl as unknown as { _writeToOutput: (s: string) => void };
      muted._writeToOutput = (s: string) => {
        if (s.startsWith(q)) process.stdout.write(q);
      };
      rl.question(q, (answer) => {
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  const first = await ask('Password: ');
  const second = await ask('Password again: ');
  rl.close();
  if (first !== second) throw new Error('The passwords do not match');
  return first;
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, site: { type: 'string', multiple: true }, 'sso-only': { type: 'boolean' } },
  });
  if (!values.email || !values.name || !values.role) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const oidc = oidcSettingsFrom(config);
  if (values['sso-only'] && !oidc) {
    console.error('--sso-only needs single sign-on set up: OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET in the environment');
    process.exit(2);
  }
  const database = config.DATABASE_URL ? openPostgres(config.DATABASE_URL, { max: 2 }) : await openEmbedded(config.DATA_DIR);
  try {
    await migrate(database, config.DATABASE_URL);
    const services = createServices(database, config, { signIn: { ...PASSWORD_ONLY, oidc } });
    const ctx = systemCtx('command line', 'cli:user-create');
    const sites = await services.sites.all(ctx);
    const siteIds = (values.site ?? []).map((code) => {
      const site = sites.find((s) => s.odsCode === code.toUpperCase());
      if (!site) throw new Error(`No site with ODS code ${code}`);
      return site.id;
    });
    const password = values['sso-only'] ? undefined : await readPassword();
    const input = createUserBody.safeParse({ email: values.email, name: values.name, role: values.role, siteIds, password });
    if (!input.success) {
      throw new Error(input.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n'));
    }
    const user = await services.users.create(ctx, input.data);
    console.log(`Created ${user.role} ${user.email} (${user.id})${password === undefined ? `, who signs in only with ${oidc!.displayName}` : ''}`);
  } finally {
    await database.close();
  }
}

main().catch((e: unknown) => {
  console.error(isDomainError(e) ? e.detail : e instanceof Error ? e.message : e);
  process.exit(1);
});
