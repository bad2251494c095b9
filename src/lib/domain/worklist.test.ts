import { describe, expect, it } from 'vitest';
import { placeOnWorklist } from './worklist';

const today = '2026-06-30';

describe("the nurse's worklist", () => {
  it('puts a new referral under awaiting assessment, counting days since it arrived', () => {
    expect(placeOnWorklist({ status: 'awaiting_assessment', lastEventOn: '2026-06-01', reassessOn: null }, today)).toEqual({
      group: 'assessment',
      daysWaiting: 29,
      dueOn: '2026-07-13',
      daysOverdue: -13,
      overdue: false,
    });
  });

  it('marks an assessment overdue after six weeks, not on the 42nd day', () => {
    expect(placeOnWorklist({ status: 'awaiting_assessment', lastEventOn: '2026-05-19', reassessOn: null }, today)?.overdue).toBe(false);
    expect(placeOnWorklist({ status: 'awaiting_assessment', lastEventOn: '2026-05-18', reassessOn: null }, today)?.overdue).toBe(true);
  });

  it('keeps a deferred referral off the list until its reassessment date', () => {
    expect(placeOnWorklist({ status: 'deferred', lastEventOn: '2026-04-01', reassessOn: '2026-07-01' }, today)).toBeNull();
    expect(placeOnWorklist({ status: 'deferred', lastEventOn: '2026-04-01', reassessOn: '2026-06-30' }, today)?.group).toBe('assessment');
  });

  it('groups a request for more information with the funding requests to (re)send', () => {
    expect(placeOnWorklist({ status: 'funding_more_info', lastEventOn: '2026-06-20', reassessOn: null }, today)?.group).toBe('funding_request');
  });

  it('shows a review as due two weeks before six months on therapy, and overdue after', () => {
    expect(placeOnWorklist({ status: 'on_therapy', lastEventOn: '2026-01-14', reassessOn: null }, today)).toBeNull();
    expect(placeOnWorklist({ status: 'on_therapy', lastEventOn: '2026-01-13', reassessOn: null }, today)).toEqual({
      group: 'review',
      daysWaiting: 168,
      dueOn: '2026-07-14',
      daysOverdue: -14,
      overdue: false,
    });
    expect(placeOnWorklist({ status: 'on_therapy', lastEventOn: '2025-12-29', reassessOn: null }, today)?.overdue).toBe(true);
  });

  it('dates a review six months (182 days) after the start or the last review, and counts the days past it', () => {
    expect(placeOnWorklist({ status: 'on_therapy', lastEventOn: '2025-12-10', reassessOn: null }, today)).toMatchObject({
      dueOn: '2026-06-10',
      daysOverdue: 20,
      overdue: true,
    });
    expect(placeOnWorklist({ status: 'on_therapy', lastEventOn: '2025-12-30', reassessOn: null }, today)).toMatchObject({
      dueOn: '2026-06-30',
      daysOverdue: 0,
      overdue: false,
    });
  });

  it.each(['not_eligible', 'funding_declined', 'discontinued', 'withdrawn'] as const)('leaves a %s referral off the list', (status) => {
    expect(placeOnWorklist({ status, lastEventOn: '2020-01-01', reassessOn: null }, today)).toBeNull();
  });
});
