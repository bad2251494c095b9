import type { EventPayload } from '../../schemas/referrals.schema';
import { instantOn as dayInstant, isoOf } from './history.days';
import type { SimPatient, SimReferral, SiteSim } from './history.model';
import type { GeneratedHistory } from './history.types';
import { drawDemographics } from './demo.demographics';
import type { Prng } from './prng';

/**
 * Turns one site's simulated people and referrals into insertable rows: the referral's status, version and
 * last event date are read off its events, never kept separately, so they cannot drift apart. Timestamps fall
 * in UTC working hours on the day they belong to, never after the moment the history is made, and within a
 * referral they never go backwards.
 */

const LATEST_MINUTE = 23 * 60 + 59;

export function appendSiteRows(history: GeneratedHistory, sim: SiteSim, ids: Prng, people: readonly SimPatient[], referrals: readonly SimReferral[]): void {
  const { rng } = sim;
  const instantOn = (day: number, minutes = 0) => new Date(Math.min(dayInstant(day, minutes).getTime(), sim.latestStamp));
  const enteredBy = sim.clinicians.nurseId ?? null;

  for (const patient of people) {
    // Just before the referral that brought the person in (referrals are stamped from 08:30).
    const createdAt = instantOn(patient.createdDay, 8 * 60 + rng.int(0, 29));
    // On a stream of their own, so that the rest of the history is as it was before people had demographics.
    const { ethnicCategory, postcode } = drawDemographics(rng.fork(`demographics:${patient.id}`), sim.site.odsCode, true);
    history.patients.push({
      id: patient.id,
      siteId: patient.siteId,
      nhsNumber: patient.nhsNumber,
      fhirId: patient.fhir?.id ?? null,
      fhirServer: patient.fhir?.server ?? null,
      fhirFetchedAt: patient.fhir ? createdAt : null,
      givenName: patient.givenName,
      familyName: patient.familyName,
      birthDate: patient.birthDate,
      sex: patient.sex,
      diabetesType: patient.diabetesType,
      ethnicCategory,
      postcode,
      createdAt,
      updatedAt: createdAt,
    });
    for (const result of patient.hba1c) {
      if (patient.leftOn !== null && result.day > patient.leftOn) break;
      history.observations.push({
        id: ids.uuid(),
        patientId: patient.id,
        kind: 'hba1c',
        effective: result.effective,
        effectiveAt: instantOn(result.day),
        mmolMol: result.mmolMol,
        originalValue: result.originalValue,
        originalUnit: result.originalUnit,
        source: 'manual',
        enteredBy,
        // Results from before the person joined were typed in when they did.
        createdAt: instantOn(Math.max(result.day, patient.createdDay), 10 * 60 + rng.int(0, 360)),
      });
    }
  }

  for (const referral of referrals) {
    let stampDay = referral.receivedDay;
    let stampMinute = 8 * 60 + 30 + rng.int(0, 60);
    const createdAt = instantOn(stampDay, stampMinute);
    let updatedAt = createdAt;
    referral.events.forEach((event, index) => {
      const minute = 9 * 60 + rng.int(0, 480);
      stampMinute = event.day === stampDay ? Math.min(LATEST_MINUTE, Math.max(minute, stampMinute + 2)) : minute;
      stampDay = event.day;
      updatedAt = instantOn(event.day, stampMinute);
      history.events.push({
        id: ids.uuid(),
        referralId: referral.id,
        seq: index + 1,
        type: event.type,
        occurredOn: isoOf(event.day),
        payload: event.payload,
        criteria: event.criteria,
        statusAfter: event.statusAfter,
        recordedBy: event.recordedBy,
        recordedRole: event.role,
        recordedAt: updatedAt,
      });
    });
    const last = referral.events[referral.events.length - 1];
    const status = last?.statusAfter ?? 'awaiting_assessment';
    const existing = referral.origin === 'existing';
    history.referrals.push({
      id: referral.id,
      patientId: referral.patient.id,
      siteId: referral.patient.siteId,
      therapy: referral.therapy,
      status,
      origin: referral.origin,
      receivedOn: existing ? null : isoOf(referral.receivedDay),
      source: referral.source,
      knownOn: existing ? isoOf(referral.receivedDay) : null,
      priorityGroup: referral.priorityGroup,
      lastEventOn: isoOf(last?.day ?? referral.receivedDay),
      reassessOn: status === 'deferred' ? ((last!.payload as EventPayload<'assessment'>).reassessOn ?? null) : null,
      // A referral is version 1 when received; an existing record is version 1 with its first event.
      version: (existing ? 0 : 1) + referral.events.length,
      createdBy: sim.clinicians.nurseId ?? sim.clinicians.consultantId ?? null,
      createdAt,
      updatedAt,
    });
  }
}
