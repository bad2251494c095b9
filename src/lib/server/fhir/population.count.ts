import { notFound } from '../../domain/errors';
import { ACTIVE_CLINICAL_STATUS_SEARCH, SYSTEMS, TYPE1_CODE_SEARCH } from './codes';
import type { FhirClient } from './fhir.client';
import type { PopulationPerson } from '../../domain/equity';
import { FULL_DATE, ethnicCategoryOf, mapConditions, postcodeOf } from './fhir.mappers';
import { fhirCondition, fhirOrganization, fhirPatient } from './fhir.schemas';
import { patientIdOf } from './import.fetch';

/**
 * The t1dPopulation figure: distinct living patients, on active records, whose managing organisation carries
 * the site's ODS code and who have an active type 1 diabetes Condition.
 *
 * A chained search (Condition?patient.organization.identifier=...) would do this in one query, but servers
 * differ in support for chains (medplum's in-memory router has none), so it is three plain searches
 * intersected in memory: the Organization by its ODS identifier, that organisation's Patients (ids only), and
 * every active type 1 Condition (subjects only). Sets of ids: fine for tens of thousands of patients.
 * Each answer is checked again in memory, so a server that ignores a parameter cannot inflate the count.
 */

export interface PopulationCount {
  count: number;
  /** What the equity splits need of each person counted (domain.md, "Equity"). */
  people: PopulationPerson[];
  organizations: string[];
  /** The moment the figure was read (the caller turns it into the as-of date). */
  countedAt: Date;
}

/** Big pages: the population searches return thousands of small resources. */
export const POPULATION_PAGE_SIZE = 1000;
/** Only the elements the count and its splits read, so each page stays small. */
export const POPULATION_PATIENT_ELEMENTS = 'id,active,deceased,managingOrganization,birthDate,gender,extension,address';
export const POPULATION_CONDITION_ELEMENTS = 'subject,code,clinicalStatus,verificationStatus';

export async function countType1Population(client: FhirClient, odsCode: string, now: () => Date): Promise<PopulationCount> {
  const organizations = (
    await client.searchAll('Organization', { identifier: `${SYSTEMS.odsOrganisation}|${odsCode}` }, fhirOrganization)
  ).filter((o) => o.identifier?.some((i) => i.system === SYSTEMS.odsOrganisation && i.value?.toUpperCase() === odsCode.toUpperCase()));
  if (organizations.length === 0) throw notFound(`The FHIR server has no organisation with ODS code ${odsCode}`);
  const organizationRefs = new Set(organizations.map((o) => `Organization/${o.id}`));

  const [patients, conditions] = await Promise.all([
    client.searchAll(
      'Patient',
      { organization: [...organizationRefs].join(','), _elements: POPULATION_PATIENT_ELEMENTS },
      fhirPatient,
      { pageSize: POPULATION_PAGE_SIZE },
    ),
    client.searchAll(
      'Condition',
      { code: TYPE1_CODE_SEARCH, 'clinical-status': ACTIVE_CLINICAL_STATUS_SEARCH, _elements: POPULATION_CONDITION_ELEMENTS },
      fhirCondition,
      { pageSize: POPULATION_PAGE_SIZE },
    ),
  ]);
  const countedAt = now();

  const underCare = new Map(
    patients
      .filter((p) => organizationRefs.has(p.managingOrganization?.reference?.replace(/^.*\/(Organization\/[^/]+)$/, '$1') ?? ''))
      .filter((p) => p.active !== false && p.deceasedBoolean !== true && p.deceasedDateTime === undefined)
      .map((p) => [p.id, p]),
  );
  const subjects = new Map(conditions.map((c) => [c.id, c.subject.reference]));
  const withType1 = new Set<string>();
  for (const condition of mapConditions(conditions, { server: client.serverId, fetchedAt: countedAt }).conditions) {
    if (condition.kind !== 'diabetes_type1' || !condition.active) continue;
    const id = patientIdOf(subjects.get(condition.provenance.resourceId));
    if (id !== null && underCare.has(id)) withType1.add(id);
  }
  const people = [...withType1].map((id): PopulationPerson => {
    const patient = underCare.get(id)!;
    return {
      birthDate: patient.birthDate && FULL_DATE.test(patient.birthDate) ? patient.birthDate : null,
      sex: patient.gender ?? 'unknown',
      ethnicCategory: ethnicCategoryOf(patient),
      postcode: postcodeOf(patient),
    };
  });
  return { count: withType1.size, people, organizations: [...organizationRefs], countedAt };
}
