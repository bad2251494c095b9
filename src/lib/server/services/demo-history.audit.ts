import type { ReferralEvent, ReferralSummary } from '../../schemas/referrals.schema';
import type { RequestMeta } from '../context';
import type { GeneratedHistory, ReferralEventRow, ReferralRow } from '../demo/history.types';
import type { HistoryAuditRow } from '../repositories/history.repository';
import { existingTherapyAudit, switchedToHclAudit } from './referral.service';

/**
 * The audit entries a demo history's existing-therapy records and switches to closed loop would have had, had they
 * been recorded through the referral service: the same actions and before/after shapes (built by the service's own
 * functions), by the person who recorded the event (for a switch, whoever started the closed loop), at the moment it
 * was recorded, under the seed's request id. The pathway's own steps are covered by the seed's single entry.
 */
export function demoAuditRows(history: GeneratedHistory, request: RequestMeta): HistoryAuditRow[] {
  const referrals = new Map(history.referrals.map((r) => [r.id, r]));
  const eventsOf = new Map<string, ReferralEventRow[]>();
  for (const e of history.events) eventsOf.set(e.referralId, [...(eventsOf.get(e.referralId) ?? []), e]);
  const startOf = (referralId: string) => eventsOf.get(referralId)?.find((e) => e.type === 'device_started');

  const rows: HistoryAuditRow[] = [];
  const row = (entry: ReturnType<typeof existingTherapyAudit>, by: ReferralEventRow, at: Date): HistoryAuditRow => ({
    ...entry,
    at,
    actorId: by.recordedBy,
    actorRole: by.recordedBy ? by.recordedRole : null,
    requestId: request.requestId,
    clientAddress: request.clientAddress,
  });
  for (const referral of history.referrals) {
    const events = eventsOf.get(referral.id) ?? [];
    const first = events[0];
    if (referral.origin === 'existing' && first) {
      rows.push(row(existingTherapyAudit(summaryBefore(referral, events, 1), eventOf(first)), first, first.recordedAt));
    }
    for (const [index, e] of events.entries()) {
      if (e.type !== 'switched_to_hcl') continue;
      const start = startOf((e.payload as { hclReferralId: string }).hclReferralId) ?? e;
      rows.push(row(switchedToHclAudit(summaryBefore(referral, events, index), eventOf(e)), start, e.recordedAt));
    }
  }
  return rows;
}

/**
 * The record as it stood with its first `count` events: on therapy (an existing record is created so, and a pump is
 * switched only from it), at the version and last date those events gave it.
 */
function summaryBefore(r: ReferralRow, events: readonly ReferralEventRow[], count: number): ReferralSummary {
  const last = events[count - 1];
  return {
    id: r.id,
    patientId: r.patientId,
    siteId: r.siteId,
    therapy: r.therapy,
    status: 'on_therapy',
    origin: r.origin,
    receivedOn: r.receivedOn,
    source: r.source,
    knownOn: r.knownOn,
    priorityGroup: r.priorityGroup,
    lastEventOn: last?.occurredOn ?? (r.receivedOn ?? r.knownOn)!,
    version: (r.origin === 'existing' ? 0 : 1) + count,
  };
}

const eventOf = (e: ReferralEventRow): ReferralEvent => ({
  id: e.id,
  type: e.type,
  occurredOn: e.occurredOn,
  payload: e.payload as Record<string, unknown>,
  statusAfter: e.statusAfter,
  recordedBy: e.recordedBy,
  recordedByName: null,
  recordedAt: e.recordedAt,
});
