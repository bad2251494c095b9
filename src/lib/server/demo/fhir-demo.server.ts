import { generateDemoPopulation, type DemoPopulationOptions } from './fhir-demo.population';
import { startFhirServer, type RunningFhirServer } from './fhir.server';

/**
 * Demo mode's FHIR server: the made-up population (fhir-demo.population.ts) behind an in-process server on
 * 127.0.0.1, so "Import from FHIR" and "Sync population" work out of the box. It listens on a new port each
 * start, so patients are linked to a fixed server id rather than to its URL, and re-imports keep working
 * after a restart.
 */

import { DEMO_FHIR_SERVER_ID } from './fhir-demo.id';

export { DEMO_FHIR_SERVER_ID };

export interface DemoFhirServer extends RunningFhirServer {
  serverId: string;
  /** A few type 1 patients per site, for the import form to suggest to someone trying the demo. */
  examples: { nhsNumber: string; odsCode: string }[];
}

export async function startDemoFhirServer(
  options: DemoPopulationOptions & { port?: number } = {},
): Promise<DemoFhirServer> {
  const { port, ...populationOptions } = options;
  const population = generateDemoPopulation(populationOptions);
  const server = await startFhirServer({ resources: population.resources, port: port ?? 0 });
  const examples = population.patients
    .filter((p) => p.profile === 'type1')
    .filter((p, i, all) => all.filter((q, j) => j < i && q.odsCode === p.odsCode).length < 3)
    .map(({ nhsNumber, odsCode }) => ({ nhsNumber, odsCode }));
  return { ...server, serverId: DEMO_FHIR_SERVER_ID, examples };
}
