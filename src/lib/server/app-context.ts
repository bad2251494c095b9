import type { Logger } from 'pino';
import type { Services } from './services';

/**
 * The one process-wide hand-over from the Fastify server to the SvelteKit pages. The server builds the services
 * once and provides them here; the pages' hooks read them back, so pages and API share one database handle.
 * A global symbol, because the SvelteKit bundle loads its own copy of this module.
 */
export interface AppContext {
  services: Services;
  log: Logger;
  /** In demo mode: NHS numbers the demo FHIR server holds, to suggest on the import form. */
  demoFhirExamples?: { nhsNumber: string; odsCode: string }[];
}

const KEY = Symbol.for('pump-pathway.app-context');
type Holder = { [KEY]?: AppContext };

export function provideAppContext(context: AppContext): void {
  (globalThis as Holder)[KEY] = context;
}

export function appContext(): AppContext {
  const context = (globalThis as Holder)[KEY];
  if (!context) throw new Error('Pump Pathway pages must be served by the Pump Pathway server (npm start or npm run dev)');
  return context;
}
