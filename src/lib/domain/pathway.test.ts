import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ROLES, type Role } from './access';
import {
  ASSESSMENT_DECISIONS,
  EVENT_TYPES,
  FUNDING_OUTCOMES,
  PATHWAY,
  REFERRAL_STATUSES,
  REVIEW_DECISIONS,
  allowedEvents,
  applyEvent,
  type PathwayEvent,
  type ReferralStatus,
} from './pathway';
import { isTerminal, possibleNextStatuses, replay } from '../../../tests/support/oracles';

const assessment = (decision: (typeof ASSESSMENT_DECISIONS)[number]): PathwayEvent => ({ type: 'assessment', decision });
const fundingDecision = (outcome: (typeof FUNDING_OUTCOMES)[number]): PathwayEvent => ({ type: 'funding_decision', outcome });
const review = (decision: (typeof REVIEW_DECISIONS)[number]): PathwayEvent => ({ type: 'review', decision });
const fundingRequested: PathwayEvent = { type: 'funding_requested' };
const deviceStarted: PathwayEvent = { type: 'device_started' };
const withdrawn: PathwayEvent = { type: 'withdrawn' };

function describeEvent(event: PathwayEvent): string {
  switch (event.type) {
    case 'assessment':
      return `an assessment deciding ${event.decision.replace('_', ' ')}`;
    case 'funding_decision':
      return `a funding decision (${event.outcome.replace('_', ' ')})`;
    case 'review':
      return `a review deciding to ${event.decision}`;
    case 'funding_requested':
      return 'a funding request';
    case 'device_started':
      return 'a device start';
    case 'withdrawn':
      return 'a withdrawal';
  }
}

/** Every event the pathway knows, with every value of its deciding field. */
const ALL_EVENTS: PathwayEvent[] = [
  ...ASSESSMENT_DECISIONS.map(assessment),
  fundingRequested,
  ...FUNDING_OUTCOMES.map(fundingDecision),
  deviceStarted,
  ...REVIEW_DECISIONS.map(review),
  withdrawn,
];

describe('the pump pathway, row by row as docs/pathway.md sets it out', () => {
  const steps: [ReferralStatus, PathwayEvent, Role, ReferralStatus][] = [
    ['awaiting_assessment', assessment('eligible'), 'consultant', 'awaiting_funding_request'],
    ['awaiting_assessment', assessment('not_eligible'), 'consultant', 'not_eligible'],
    ['awaiting_assessment', assessment('deferred'), 'consultant', 'deferred'],
    ['deferred', assessment('eligible'), 'consultant', 'awaiting_funding_request'],
    ['deferred', assessment('not_eligible'), 'consultant', 'not_eligible'],
    ['deferred', assessment('deferred'), 'consultant', 'deferred'],
    ['awaiting_funding_request', fundingRequested, 'nurse', 'awaiting_funding_decision'],
    ['awaiting_funding_request', fundingRequested, 'consultant', 'awaiting_funding_decision'],
    ['funding_more_info', fundingRequested, 'nurse', 'awaiting_funding_decision'],
    ['awaiting_funding_decision', fundingDecision('approved'), 'nurse', 'awaiting_start'],
    ['awaiting_funding_decision', fundingDecision('declined'), 'consultant', 'funding_declined'],
    ['awaiting_funding_decision', fundingDecision('more_info'), 'nurse', 'funding_more_info'],
    ['awaiting_start', deviceStarted, 'nurse', 'on_therapy'],
    ['on_therapy', review('continue'), 'nurse', 'on_therapy'],
    ['on_therapy', review('continue'), 'consultant', 'on_therapy'],
    ['on_therapy', review('discontinue'), 'consultant', 'discontinued'],
  ];

  it.each(steps.map(([status, event, role, next]) => ({ status, step: describeEvent(event), event, role, next })))(
    'from $status, $step recorded by a $role leads to $next',
    ({ status, event, role, next }) => {
      expect(applyEvent(status, event, role)).toEqual({ ok: true, next });
    },
  );
});

describe('who records each step', () => {
  it('only a consultant records an assessment', () => {
    expect(applyEvent('awaiting_assessment', assessment('eligible'), 'nurse')).toEqual({
      ok: false,
      reason: 'forbidden_role',
      currentStatus: 'awaiting_assessment',
    });
  });

  it('only a nurse records a device start', () => {
    expect(applyEvent('awaiting_start', deviceStarted, 'consultant')).toMatchObject({ ok: false, reason: 'forbidden_role' });
  });

  it.each(['admin', 'commissioner'] as const)('a %s records no clinical event at all', (role) => {
    for (const status of REFERRAL_STATUSES.filter((s) => s !== 'switched')) {
      expect(allowedEvents(status, role)).toEqual([]);
      for (const event of ALL_EVENTS) {
        expect(applyEvent(status, event, role)).toEqual({ ok: false, reason: 'forbidden_role', currentStatus: status });
      }
    }
  });

  it('a role that may never record a step is told so whatever the status, before the status is considered', () => {
    expect(applyEvent('on_therapy', assessment('eligible'), 'nurse')).toMatchObject({ reason: 'forbidden_role' });
  });
});

describe('steps the pathway does not allow from the current status', () => {
  const steps: [ReferralStatus, PathwayEvent, Role][] = [
    ['awaiting_funding_request', assessment('eligible'), 'consultant'],
    ['awaiting_assessment', fundingRequested, 'nurse'],
    ['awaiting_funding_decision', fundingRequested, 'nurse'],
    ['awaiting_funding_request', fundingDecision('approved'), 'nurse'],
    ['funding_more_info', fundingDecision('approved'), 'nurse'],
    ['awaiting_funding_decision', deviceStarted, 'nurse'],
    ['on_therapy', deviceStarted, 'nurse'],
    ['awaiting_start', review('continue'), 'nurse'],
    ['discontinued', review('continue'), 'consultant'],
    ['on_therapy', withdrawn, 'nurse'],
    ['discontinued', withdrawn, 'nurse'],
    ['withdrawn', withdrawn, 'consultant'],
  ];

  it.each(steps.map(([status, event, role]) => ({ status, step: describeEvent(event), event, role })))(
    'from $status, $step by a $role is an invalid transition naming the current status',
    ({ status, event, role }) => {
      expect(applyEvent(status, event, role)).toEqual({ ok: false, reason: 'invalid_transition', currentStatus: status });
    },
  );
});

describe('withdrawal', () => {
  const beforeTherapy: ReferralStatus[] = [
    'awaiting_assessment',
    'deferred',
    'awaiting_funding_request',
    'awaiting_funding_decision',
    'funding_more_info',
    'awaiting_start',
  ];

  it.each(beforeTherapy)('is possible while the referral is %s', (status) => {
    expect(applyEvent(status, withdrawn, 'nurse')).toEqual({ ok: true, next: 'withdrawn' });
    expect(applyEvent(status, withdrawn, 'consultant')).toEqual({ ok: true, next: 'withdrawn' });
  });

  it.each<ReferralStatus>(['not_eligible', 'funding_declined', 'on_therapy', 'discontinued', 'withdrawn'])(
    'is not possible once the referral is %s',
    (status) => expect(applyEvent(status, withdrawn, 'nurse')).toMatchObject({ ok: false, reason: 'invalid_transition' }),
  );
});

describe('end states', () => {
  it('not eligible, funding declined, discontinued and withdrawn close the referral', () => {
    expect(REFERRAL_STATUSES.filter(isTerminal)).toEqual(['not_eligible', 'funding_declined', 'discontinued', 'withdrawn', 'switched']);
  });

  it('a pump record switched to closed loop takes no event from anyone: the answer is always an invalid transition', () => {
    for (const role of ROLES) {
      expect(allowedEvents('switched', role)).toEqual([]);
      for (const event of ALL_EVENTS) expect(applyEvent('switched', event, role)).toEqual({ ok: false, reason: 'invalid_transition', currentStatus: 'switched' });
    }
  });

  it('a deferred referral can still be assessed, and a patient on therapy is still reviewed', () => {
    expect(isTerminal('deferred')).toBe(false);
    expect(isTerminal('on_therapy')).toBe(false);
  });
});

describe('next steps offered to each role', () => {
  it.each<[ReferralStatus, Role, string[]]>([
    ['awaiting_assessment', 'consultant', ['assessment', 'withdrawn']],
    ['awaiting_assessment', 'nurse', ['withdrawn']],
    ['deferred', 'consultant', ['assessment', 'withdrawn']],
    ['awaiting_funding_request', 'nurse', ['funding_requested', 'withdrawn']],
    ['funding_more_info', 'consultant', ['funding_requested', 'withdrawn']],
    ['awaiting_funding_decision', 'nurse', ['funding_decision', 'withdrawn']],
    ['awaiting_start', 'nurse', ['device_started', 'withdrawn']],
    ['awaiting_start', 'consultant', ['withdrawn']],
    ['on_therapy', 'nurse', ['review']],
    ['on_therapy', 'consultant', ['review']],
    ['discontinued', 'consultant', []],
    ['funding_declined', 'nurse', []],
  ])('while %s, a %s is offered %j', (status, role, events) => {
    expect(allowedEvents(status, role)).toEqual(events);
  });

  it('agree with applyEvent for every status, event and role', () => {
    for (const status of REFERRAL_STATUSES) {
      for (const role of ROLES) {
        for (const event of ALL_EVENTS) {
          expect(applyEvent(status, event, role).ok).toBe(allowedEvents(status, role).includes(event.type));
        }
      }
    }
  });

  it('a status is terminal exactly when no role is offered any step', () => {
    for (const status of REFERRAL_STATUSES) {
      expect(isTerminal(status)).toBe(ROLES.every((role) => allowedEvents(status, role).length === 0));
    }
  });
});

describe('the table itself', () => {
  it('covers every event type once', () => expect(Object.keys(PATHWAY).sort()).toEqual([...EVENT_TYPES].sort()));

  it('lists where each event can lead', () => {
    expect(possibleNextStatuses('assessment')).toEqual(['awaiting_funding_request', 'not_eligible', 'deferred']);
    expect(possibleNextStatuses('funding_decision')).toEqual(['awaiting_start', 'funding_declined', 'funding_more_info']);
    expect(possibleNextStatuses('review')).toEqual(['on_therapy', 'discontinued']);
    expect(possibleNextStatuses('device_started')).toEqual(['on_therapy']);
  });

  it('refuses an event whose deciding field is missing, which the request schema should have caught', () => {
    expect(() => applyEvent('awaiting_assessment', { type: 'assessment' } as unknown as PathwayEvent, 'consultant')).toThrow(
      TypeError,
    );
    expect(() => applyEvent('awaiting_assessment', { type: 'triage' } as unknown as PathwayEvent, 'consultant')).toThrow(
      TypeError,
    );
  });
});

describe('replaying a referral history', () => {
  it('starts awaiting assessment', () => expect(replay([])).toBe('awaiting_assessment'));

  it('follows the full road to therapy and a later discontinuation', () => {
    expect(
      replay([
        assessment('deferred'),
        assessment('eligible'),
        fundingRequested,
        fundingDecision('more_info'),
        fundingRequested,
        fundingDecision('approved'),
        deviceStarted,
        review('continue'),
        review('discontinue'),
      ]),
    ).toBe('discontinued');
  });

  it('refuses a history the pathway does not allow', () => {
    expect(() => replay([deviceStarted])).toThrow(/cannot follow status awaiting_assessment/);
    expect(() => replay([assessment('not_eligible'), withdrawn])).toThrow(/Event 2/);
  });
});

describe('random walks through the pathway (property tests)', () => {
  const anyEvent = fc.constantFrom(...ALL_EVENTS);
  const anyRole = fc.constantFrom(...ROLES);

  /** Every status reachable from awaiting_assessment, following the table's rows. */
  function reachableByTable(): Set<ReferralStatus> {
    const reached = new Set<ReferralStatus>(['awaiting_assessment']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const type of EVENT_TYPES) {
        if (!PATHWAY[type].from.some((s) => reached.has(s))) continue;
        for (const next of possibleNextStatuses(type)) {
          if (!reached.has(next)) {
            reached.add(next);
            grew = true;
          }
        }
      }
    }
    return reached;
  }

  /** Only the system moves a record to switched, when the person starts closed loop: no recorded event leads there. */
  const RECORDED_STATUSES = REFERRAL_STATUSES.filter((s) => s !== 'switched');

  it('every status but switched can be reached by recorded events', () => {
    expect([...reachableByTable()].sort()).toEqual([...RECORDED_STATUSES].sort());
  });

  /**
   * Blind attempts rarely get past funding, so most attempts (four in five) are steered to a step some role could take
   * from where the referral stands (still chosen at random, and still sent to applyEvent with a random role).
   */
  const anyWalk = fc.array(fc.tuple(anyEvent, anyRole, fc.integer({ min: 0, max: 4 }).map((n) => n > 0), fc.nat()), {
    maxLength: 60,
    size: 'max',
  });

  function walk(
    attempts: [PathwayEvent, Role, boolean, number][],
    onStep: (status: ReferralStatus, event: PathwayEvent, role: Role) => void,
  ): void {
    let status: ReferralStatus = 'awaiting_assessment';
    for (const [blindEvent, blindRole, steered, pick] of attempts) {
      const candidates = ALL_EVENTS.filter((event) => ROLES.some((role) => allowedEvents(status, role).includes(event.type)));
      const steeredEvent = candidates[pick % Math.max(candidates.length, 1)];
      const event = steered && steeredEvent ? steeredEvent : blindEvent;
      const role = steered && steeredEvent ? (PATHWAY[event.type].who[pick % PATHWAY[event.type].who.length] ?? blindRole) : blindRole;
      onStep(status, event, role);
      const result = applyEvent(status, event, role);
      if (result.ok) status = result.next;
    }
  }

  it('no sequence of attempted steps reaches a status by a move the table does not allow', () => {
    const visited = new Set<ReferralStatus>();
    fc.assert(
      fc.property(anyWalk, (attempts) => {
        walk(attempts, (status, event, role) => {
          visited.add(status);
          const result = applyEvent(status, event, role);
          if (!result.ok) {
            expect(result.currentStatus).toBe(status);
            return;
          }
          const row = PATHWAY[event.type];
          expect(row.from).toContain(status);
          expect(row.who).toContain(role);
          expect(possibleNextStatuses(event.type)).toContain(result.next);
          expect(isTerminal(status)).toBe(false);
          visited.add(result.next);
        });
      }),
      { numRuns: 1000 },
    );
    // The walks went everywhere, so the checks above were exercised on every row.
    expect([...visited].sort()).toEqual([...RECORDED_STATUSES].sort());
  });

  it("replaying a referral's accepted events gives the status the steps led to", () => {
    fc.assert(
      fc.property(anyWalk, (attempts) => {
        let status: ReferralStatus = 'awaiting_assessment';
        const accepted: PathwayEvent[] = [];
        walk(attempts, (current, event, role) => {
          const result = applyEvent(current, event, role);
          if (result.ok) {
            accepted.push(event);
            status = result.next;
          }
        });
        expect(replay(accepted)).toBe(status);
      }),
      { numRuns: 500 },
    );
  });

  it('once a referral reaches an end state, nothing moves it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...REFERRAL_STATUSES.filter(isTerminal)), anyEvent, anyRole, (status, event, role) => {
        expect(applyEvent(status, event, role).ok).toBe(false);
      }),
    );
  });
});
