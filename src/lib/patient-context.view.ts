/**
 * How the patient page words the context pulled from FHIR. Pure, so that it is tested without a page.
 */

/** The FHIR server the deployment reads, as results name it (its id) and as people know it (its name). */
export interface FhirServerName {
  serverId: string;
  name: string;
}

/**
 * Where a result came from. Results record the server by its id, which may be a URN; the page shows the name of
 * the configured server for its own id, the host for a server given by address, and says "another FHIR server"
 * otherwise rather than print an identifier nobody reads.
 */
export function resultSourceText(source: { kind: string; server?: string | null }, current: FhirServerName | null): string {
  if (source.kind !== 'fhir') return 'Entered by hand';
  const server = source.server ?? '';
  if (current && server === current.serverId) return `FHIR: ${current.name}`;
  const host = hostOf(server);
  return host ? `FHIR: ${host}` : 'FHIR: another server';
}

export function hostOf(address: string): string | null {
  if (!/^https?:\/\//i.test(address)) return null;
  try {
    return new URL(address).host;
  } catch {
    return null;
  }
}

/**
 * Each condition once: a record imported from FHIR may hold the same condition several times (recorded at
 * several encounters, or refreshed). The same code in the same system is the same condition; conditions keep
 * their order (latest onset first).
 */
export function conditionNames(conditions: readonly { system: string | null; code: string; display: string | null }[]): string[] {
  const seen = new Map<string, string>();
  for (const c of conditions) {
    const key = `${c.system ?? ''}|${c.code}`;
    if (!seen.has(key)) seen.set(key, c.display ?? c.code);
  }
  return [...new Set(seen.values())];
}
