CREATE TABLE "funding_counts" (
	"grain" text NOT NULL,
	"bucket" date NOT NULL,
	"site_id" uuid NOT NULL,
	"therapy" "therapy" NOT NULL,
	"commissioner" text NOT NULL,
	"route" text NOT NULL,
	"submitted" integer DEFAULT 0 NOT NULL,
	"approved" integer DEFAULT 0 NOT NULL,
	"declined" integer DEFAULT 0 NOT NULL,
	"more_info" integer DEFAULT 0 NOT NULL,
	"awaiting_in" integer DEFAULT 0 NOT NULL,
	"awaiting_out" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "funding_counts_pk" PRIMARY KEY("grain","bucket","site_id","therapy","commissioner","route")
);
--> statement-breakpoint
CREATE TABLE "funding_steps" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"referral_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"therapy" "therapy" NOT NULL,
	"occurred_on" date NOT NULL,
	"outcome" text NOT NULL,
	"commissioner" text NOT NULL,
	"route" text NOT NULL,
	"answered_on" date
);
--> statement-breakpoint
CREATE TABLE "milestone_counts" (
	"grain" text NOT NULL,
	"bucket" date NOT NULL,
	"site_id" uuid NOT NULL,
	"therapy" "therapy" NOT NULL,
	"origin" text NOT NULL,
	"referrals" integer DEFAULT 0 NOT NULL,
	"assessed" integer DEFAULT 0 NOT NULL,
	"eligible" integer DEFAULT 0 NOT NULL,
	"funding_requested" integer DEFAULT 0 NOT NULL,
	"funding_approved" integer DEFAULT 0 NOT NULL,
	"funding_declined" integer DEFAULT 0 NOT NULL,
	"started" integer DEFAULT 0 NOT NULL,
	"discontinued" integer DEFAULT 0 NOT NULL,
	"on_therapy_in" integer DEFAULT 0 NOT NULL,
	"on_therapy_out" integer DEFAULT 0 NOT NULL,
	"continuing" integer DEFAULT 0 NOT NULL,
	"reached" integer DEFAULT 0 NOT NULL,
	"awaiting_funding_in" integer DEFAULT 0 NOT NULL,
	"awaiting_funding_out" integer DEFAULT 0 NOT NULL,
	"referral_to_assessment_0" integer DEFAULT 0 NOT NULL,
	"referral_to_assessment_1" integer DEFAULT 0 NOT NULL,
	"referral_to_assessment_2" integer DEFAULT 0 NOT NULL,
	"referral_to_assessment_3" integer DEFAULT 0 NOT NULL,
	"referral_to_assessment_4" integer DEFAULT 0 NOT NULL,
	"referral_to_assessment_5" integer DEFAULT 0 NOT NULL,
	"assessment_to_funding_decision_0" integer DEFAULT 0 NOT NULL,
	"assessment_to_funding_decision_1" integer DEFAULT 0 NOT NULL,
	"assessment_to_funding_decision_2" integer DEFAULT 0 NOT NULL,
	"assessment_to_funding_decision_3" integer DEFAULT 0 NOT NULL,
	"assessment_to_funding_decision_4" integer DEFAULT 0 NOT NULL,
	"assessment_to_funding_decision_5" integer DEFAULT 0 NOT NULL,
	"funding_approval_to_start_0" integer DEFAULT 0 NOT NULL,
	"funding_approval_to_start_1" integer DEFAULT 0 NOT NULL,
	"funding_approval_to_start_2" integer DEFAULT 0 NOT NULL,
	"funding_approval_to_start_3" integer DEFAULT 0 NOT NULL,
	"funding_approval_to_start_4" integer DEFAULT 0 NOT NULL,
	"funding_approval_to_start_5" integer DEFAULT 0 NOT NULL,
	"referral_to_start_0" integer DEFAULT 0 NOT NULL,
	"referral_to_start_1" integer DEFAULT 0 NOT NULL,
	"referral_to_start_2" integer DEFAULT 0 NOT NULL,
	"referral_to_start_3" integer DEFAULT 0 NOT NULL,
	"referral_to_start_4" integer DEFAULT 0 NOT NULL,
	"referral_to_start_5" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "milestone_counts_pk" PRIMARY KEY("grain","bucket","site_id","therapy","origin")
);
--> statement-breakpoint
CREATE TABLE "patients_counted_directly" (
	"patient_id" uuid PRIMARY KEY NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referral_withdrawals" (
	"referral_id" uuid PRIMARY KEY NOT NULL,
	"withdrawn_on" date NOT NULL
);
--> statement-breakpoint
DROP INDEX "referral_milestones_follow_up_idx";--> statement-breakpoint
CREATE INDEX "funding_steps_referral_idx" ON "funding_steps" USING btree ("referral_id");--> statement-breakpoint
CREATE INDEX "referral_milestones_patient_idx" ON "referral_milestones" USING btree ("patient_id");--> statement-breakpoint
CREATE INDEX "referral_milestones_decided_idx" ON "referral_milestones" USING btree ("site_id","decided_on","received_on","entered_on","therapy");--> statement-breakpoint
CREATE INDEX "referral_milestones_funding_decided_idx" ON "referral_milestones" USING btree ("site_id","funding_decided_on","eligible_on","entered_on","therapy");--> statement-breakpoint
CREATE INDEX "referral_milestones_started_idx" ON "referral_milestones" USING btree ("site_id","started_on","approved_on","received_on","entered_on","therapy");--> statement-breakpoint
CREATE INDEX "referral_milestones_follow_up_idx" ON "referral_milestones" USING btree ("site_id","follow_up_on","baseline_mmol_mol","follow_up_mmol_mol","patient_id","entered_on","therapy");
--> statement-breakpoint
-- The functions below run inside the writes that keep the counts. Each is planned once per connection
-- (plan_cache_mode = force_generic_plan): PostgreSQL would otherwise plan their statements afresh on every call, a
-- custom plan for the array at hand always looking cheaper than the cached one, and planning them costs more than
-- running them for the one or two records a write changes (most of what the counts added to a recorded start).
-- Each referral's first withdrawal (referral_withdrawals), from its events.
CREATE FUNCTION referral_withdrawals_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  DELETE FROM referral_withdrawals w
  WHERE w.referral_id = ANY (ids) AND NOT EXISTS (SELECT 1 FROM referral_events e WHERE e.referral_id = w.referral_id AND e.type = 'withdrawn');
  INSERT INTO referral_withdrawals AS w (referral_id, withdrawn_on)
  SELECT referral_id, min(occurred_on) FROM referral_events WHERE referral_id = ANY (ids) AND type = 'withdrawn' GROUP BY referral_id
  ON CONFLICT (referral_id) DO UPDATE SET withdrawn_on = excluded.withdrawn_on WHERE w.withdrawn_on <> excluded.withdrawn_on;
END;
$$;
--> statement-breakpoint
INSERT INTO referral_withdrawals (referral_id, withdrawn_on)
SELECT referral_id, min(occurred_on) FROM referral_events WHERE type = 'withdrawn' GROUP BY referral_id;
--> statement-breakpoint
-- Which of these patients are counted directly (patients_counted_directly, see schema.ts). A record's time on
-- therapy runs from the later of on_therapy_from and entered_on to the later of that and ended_on (open while
-- ended_on is null), as the metrics count it. Dates out of order: a milestone before the record was entered, a
-- funding decision before eligibility, a start before approval. Written only when it changes: each write fires
-- the table's statement triggers.
CREATE FUNCTION patients_counted_directly_refresh(patient_ids uuid[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  direct uuid[];
  leaving uuid[];
  joining uuid[];
BEGIN
  direct := ARRAY(
    WITH spans AS (
      SELECT r.patient_id, r.referral_id, s.opens,
        CASE WHEN r.ended_on IS NULL THEN 'infinity'::date ELSE greatest(s.opens, r.ended_on) END AS closes
      FROM referral_milestones r
      CROSS JOIN LATERAL (SELECT greatest(r.on_therapy_from, r.entered_on) AS opens) s
      WHERE r.patient_id = ANY (patient_ids) AND r.on_therapy_from IS NOT NULL
    )
    SELECT r.patient_id
    FROM referral_milestones r
    WHERE r.patient_id = ANY (patient_ids)
    GROUP BY r.patient_id
    HAVING count(DISTINCT r.site_id) FILTER (WHERE r.on_therapy_from IS NOT NULL) > 1
      OR count(r.started_on) > 1
      OR coalesce(bool_or(
        least(r.decided_on, r.eligible_on, r.requested_on, r.funding_decided_on, r.approved_on, r.declined_on, r.started_on, r.discontinued_on) < r.entered_on
        OR r.funding_decided_on < r.eligible_on OR r.started_on < r.approved_on), false)
      OR EXISTS (
        SELECT 1 FROM spans a JOIN spans b ON b.patient_id = a.patient_id AND b.referral_id > a.referral_id
        WHERE a.patient_id = r.patient_id AND a.opens < a.closes AND b.opens < b.closes AND a.opens < b.closes AND b.opens < a.closes
      )
  );
  leaving := ARRAY(SELECT patient_id FROM patients_counted_directly WHERE patient_id = ANY (patient_ids) AND NOT patient_id = ANY (direct));
  joining := ARRAY(SELECT d FROM unnest(direct) d WHERE NOT EXISTS (SELECT 1 FROM patients_counted_directly p WHERE p.patient_id = d));
  IF cardinality(leaving) > 0 THEN
    DELETE FROM patients_counted_directly WHERE patient_id = ANY (leaving);
  END IF;
  IF cardinality(joining) > 0 THEN
    INSERT INTO patients_counted_directly (patient_id) SELECT unnest(joining);
  END IF;
END;
$$;
--> statement-breakpoint
SELECT patients_counted_directly_refresh(ARRAY(SELECT DISTINCT patient_id FROM referral_milestones));
--> statement-breakpoint
CREATE FUNCTION wait_bin(days integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
  -- WAIT_BINS of src/lib/domain/metrics-series.ts: 0-30, 31-60, 61-90, 91-180, 181-365 and over 365 days.
  SELECT CASE WHEN days <= 30 THEN 0 WHEN days <= 60 THEN 1 WHEN days <= 90 THEN 2 WHEN days <= 180 THEN 3 WHEN days <= 365 THEN 4 ELSE 5 END
$$;
--> statement-breakpoint
-- What a record counts in milestone_counts: each count (a column's name) and the day it counts on. Everything a
-- report reads on or after entered_on counts on that day at the earliest, as the reports read it.
CREATE FUNCTION referral_milestone_facts(m referral_milestones, withdrawn_on date) RETURNS TABLE (day date, fact text) LANGUAGE sql IMMUTABLE AS $$
  SELECT f.day, f.fact
  FROM (
    SELECT
      CASE WHEN m.on_therapy_from IS NOT NULL THEN greatest(m.on_therapy_from, m.entered_on) END AS therapy_from,
      CASE WHEN m.eligible_on IS NOT NULL THEN greatest(m.eligible_on, m.entered_on) END AS awaiting_from,
      -- The start's first anniversary, 29 February's on 1 March.
      (m.started_on + interval '1 year')::date
        + CASE WHEN extract(month FROM m.started_on) = 2 AND extract(day FROM m.started_on) = 29 THEN 1 ELSE 0 END AS anniversary
  ) d
  CROSS JOIN LATERAL (VALUES
    (m.received_on, 'referrals'),
    (m.decided_on, 'assessed'),
    (m.eligible_on, 'eligible'),
    (m.requested_on, 'funding_requested'),
    (m.approved_on, 'funding_approved'),
    (m.declined_on, 'funding_declined'),
    (m.started_on, 'started'),
    (m.discontinued_on, 'discontinued'),
    (d.therapy_from, 'on_therapy_in'),
    (CASE WHEN d.therapy_from IS NOT NULL AND m.ended_on IS NOT NULL THEN greatest(d.therapy_from, m.ended_on) END, 'on_therapy_out'),
    (CASE WHEN m.continuing_12m_on IS NOT NULL THEN greatest(m.continuing_12m_on, m.entered_on) END, 'continuing'),
    (CASE WHEN m.started_on IS NOT NULL THEN greatest(d.anniversary, m.entered_on) END, 'reached'),
    (d.awaiting_from, 'awaiting_funding_in'),
    (CASE WHEN d.awaiting_from IS NOT NULL AND coalesce(m.funding_decided_on, withdrawn_on) IS NOT NULL
      THEN greatest(d.awaiting_from, least(m.funding_decided_on, withdrawn_on)) END, 'awaiting_funding_out'),
    (CASE WHEN m.received_on IS NOT NULL THEN m.decided_on END, 'referral_to_assessment_' || wait_bin(m.decided_on - m.received_on)),
    (CASE WHEN m.eligible_on IS NOT NULL THEN m.funding_decided_on END, 'assessment_to_funding_decision_' || wait_bin(m.funding_decided_on - m.eligible_on)),
    (CASE WHEN m.approved_on IS NOT NULL THEN m.started_on END, 'funding_approval_to_start_' || wait_bin(m.started_on - m.approved_on)),
    (CASE WHEN m.received_on IS NOT NULL THEN m.started_on END, 'referral_to_start_' || wait_bin(m.started_on - m.received_on))
  ) f(day, fact)
  WHERE f.day IS NOT NULL
$$;
--> statement-breakpoint
-- A record to count (sign 1) or to stop counting (-1), with its withdrawal.
CREATE TYPE milestone_count_change AS (sign integer, m referral_milestones, withdrawn_on date);
--> statement-breakpoint
-- Adds or takes away the facts of each record, in each of their days, months and years. Facts that cancel out
-- (most of a record that changed in one date) write nothing.
CREATE FUNCTION milestone_counts_apply(changes milestone_count_change[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  INSERT INTO milestone_counts AS c (grain, bucket, site_id, therapy, origin,
  referrals, assessed, eligible, funding_requested, funding_approved, funding_declined, started,
  discontinued, on_therapy_in, on_therapy_out, continuing, reached, awaiting_funding_in,
  awaiting_funding_out, referral_to_assessment_0, referral_to_assessment_1, referral_to_assessment_2,
  referral_to_assessment_3, referral_to_assessment_4, referral_to_assessment_5,
  assessment_to_funding_decision_0, assessment_to_funding_decision_1, assessment_to_funding_decision_2,
  assessment_to_funding_decision_3, assessment_to_funding_decision_4, assessment_to_funding_decision_5,
  funding_approval_to_start_0, funding_approval_to_start_1, funding_approval_to_start_2,
  funding_approval_to_start_3, funding_approval_to_start_4, funding_approval_to_start_5, referral_to_start_0,
  referral_to_start_1, referral_to_start_2, referral_to_start_3, referral_to_start_4, referral_to_start_5)
  SELECT grain, bucket, site_id, therapy, origin,
    coalesce(sum(n) FILTER (WHERE fact = 'referrals'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessed'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'eligible'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_requested'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approved'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_declined'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'started'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'discontinued'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'on_therapy_in'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'on_therapy_out'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'continuing'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'reached'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'awaiting_funding_in'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'awaiting_funding_out'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_assessment_0'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_assessment_1'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_assessment_2'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_assessment_3'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_assessment_4'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_assessment_5'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessment_to_funding_decision_0'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessment_to_funding_decision_1'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessment_to_funding_decision_2'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessment_to_funding_decision_3'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessment_to_funding_decision_4'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'assessment_to_funding_decision_5'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approval_to_start_0'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approval_to_start_1'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approval_to_start_2'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approval_to_start_3'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approval_to_start_4'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'funding_approval_to_start_5'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_start_0'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_start_1'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_start_2'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_start_3'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_start_4'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'referral_to_start_5'), 0)
  FROM (
    SELECT g.grain, date_trunc(g.grain, f.day::timestamp)::date AS bucket, (r.m).site_id, (r.m).therapy, (r.m).origin, f.fact, sum(r.sign) AS n
    FROM unnest(changes) r
    CROSS JOIN LATERAL referral_milestone_facts(r.m, r.withdrawn_on) f
    CROSS JOIN (VALUES ('day'), ('month'), ('year')) g(grain)
    GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(r.sign) <> 0
  ) changed
  GROUP BY 1, 2, 3, 4, 5
  -- Written, and so locked, in key order: two transactions counting on the same rows cannot each hold one the other waits for.
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (grain, bucket, site_id, therapy, origin) DO UPDATE SET
    referrals = c.referrals + excluded.referrals,
    assessed = c.assessed + excluded.assessed,
    eligible = c.eligible + excluded.eligible,
    funding_requested = c.funding_requested + excluded.funding_requested,
    funding_approved = c.funding_approved + excluded.funding_approved,
    funding_declined = c.funding_declined + excluded.funding_declined,
    started = c.started + excluded.started,
    discontinued = c.discontinued + excluded.discontinued,
    on_therapy_in = c.on_therapy_in + excluded.on_therapy_in,
    on_therapy_out = c.on_therapy_out + excluded.on_therapy_out,
    continuing = c.continuing + excluded.continuing,
    reached = c.reached + excluded.reached,
    awaiting_funding_in = c.awaiting_funding_in + excluded.awaiting_funding_in,
    awaiting_funding_out = c.awaiting_funding_out + excluded.awaiting_funding_out,
    referral_to_assessment_0 = c.referral_to_assessment_0 + excluded.referral_to_assessment_0,
    referral_to_assessment_1 = c.referral_to_assessment_1 + excluded.referral_to_assessment_1,
    referral_to_assessment_2 = c.referral_to_assessment_2 + excluded.referral_to_assessment_2,
    referral_to_assessment_3 = c.referral_to_assessment_3 + excluded.referral_to_assessment_3,
    referral_to_assessment_4 = c.referral_to_assessment_4 + excluded.referral_to_assessment_4,
    referral_to_assessment_5 = c.referral_to_assessment_5 + excluded.referral_to_assessment_5,
    assessment_to_funding_decision_0 = c.assessment_to_funding_decision_0 + excluded.assessment_to_funding_decision_0,
    assessment_to_funding_decision_1 = c.assessment_to_funding_decision_1 + excluded.assessment_to_funding_decision_1,
    assessment_to_funding_decision_2 = c.assessment_to_funding_decision_2 + excluded.assessment_to_funding_decision_2,
    assessment_to_funding_decision_3 = c.assessment_to_funding_decision_3 + excluded.assessment_to_funding_decision_3,
    assessment_to_funding_decision_4 = c.assessment_to_funding_decision_4 + excluded.assessment_to_funding_decision_4,
    assessment_to_funding_decision_5 = c.assessment_to_funding_decision_5 + excluded.assessment_to_funding_decision_5,
    funding_approval_to_start_0 = c.funding_approval_to_start_0 + excluded.funding_approval_to_start_0,
    funding_approval_to_start_1 = c.funding_approval_to_start_1 + excluded.funding_approval_to_start_1,
    funding_approval_to_start_2 = c.funding_approval_to_start_2 + excluded.funding_approval_to_start_2,
    funding_approval_to_start_3 = c.funding_approval_to_start_3 + excluded.funding_approval_to_start_3,
    funding_approval_to_start_4 = c.funding_approval_to_start_4 + excluded.funding_approval_to_start_4,
    funding_approval_to_start_5 = c.funding_approval_to_start_5 + excluded.funding_approval_to_start_5,
    referral_to_start_0 = c.referral_to_start_0 + excluded.referral_to_start_0,
    referral_to_start_1 = c.referral_to_start_1 + excluded.referral_to_start_1,
    referral_to_start_2 = c.referral_to_start_2 + excluded.referral_to_start_2,
    referral_to_start_3 = c.referral_to_start_3 + excluded.referral_to_start_3,
    referral_to_start_4 = c.referral_to_start_4 + excluded.referral_to_start_4,
    referral_to_start_5 = c.referral_to_start_5 + excluded.referral_to_start_5;
END;
$$;
--> statement-breakpoint
-- Two transactions writing records of one patient at once (two referrals of the same person) would each judge
-- whether the patient is counted directly without the other's change, and could leave the counts wrong. So each
-- takes the lock of the patient's row first (in id order, so that writers of several patients cannot deadlock),
-- and what it reads after that, in statements of its own, includes what the other committed. The row lock of
-- FOR NO KEY UPDATE does not stop referrals being added for the patient (their key checks take FOR KEY SHARE),
-- and takes no room in the lock table, so a load of thousands of records can hold them all.
CREATE FUNCTION milestone_counts_lock_patients(patient_ids uuid[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  PERFORM 1 FROM patients WHERE id = ANY (patient_ids) ORDER BY id FOR NO KEY UPDATE;
END;
$$;
--> statement-breakpoint
-- The counts are kept by three triggers, each counting its own table's change against the current state of the
-- other two: records (referral_milestones), withdrawals, and the patients counted directly, whose records are left
-- out. Whatever changes a record (a refresh, a new referral, a referral moved or removed), the patients concerned
-- are judged again.
CREATE FUNCTION milestone_counts_after_milestones() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  added referral_milestones[] := '{}';
  removed referral_milestones[] := '{}';
BEGIN
  -- Each transition table exists only for the operations that have it.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    added := ARRAY(SELECT n FROM new_rows n);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    removed := ARRAY(SELECT o FROM old_rows o);
  END IF;
  IF cardinality(added) + cardinality(removed) > 0 THEN
    PERFORM milestone_counts_lock_patients(ARRAY(SELECT DISTINCT r.patient_id FROM unnest(added || removed) r));
    PERFORM milestone_counts_apply(ARRAY(
      SELECT ROW(r.sign, r.m, w.withdrawn_on)::milestone_count_change
      FROM (SELECT 1 AS sign, a AS m FROM unnest(added) a UNION ALL SELECT -1, d FROM unnest(removed) d) r
      LEFT JOIN referral_withdrawals w ON w.referral_id = (r.m).referral_id
      WHERE NOT EXISTS (SELECT 1 FROM patients_counted_directly p WHERE p.patient_id = (r.m).patient_id)
    ));
    PERFORM patients_counted_directly_refresh(ARRAY(SELECT DISTINCT r.patient_id FROM unnest(added || removed) r));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_insert AFTER INSERT ON referral_milestones
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_milestones();
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_update AFTER UPDATE ON referral_milestones
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_milestones();
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_delete AFTER DELETE ON referral_milestones
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_milestones();
--> statement-breakpoint
CREATE FUNCTION milestone_counts_after_withdrawals() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  added referral_withdrawals[] := '{}';
  removed referral_withdrawals[] := '{}';
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    added := ARRAY(SELECT n FROM new_rows n);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    removed := ARRAY(SELECT o FROM old_rows o);
  END IF;
  PERFORM milestone_counts_lock_patients(ARRAY(
    SELECT r.patient_id FROM referrals r WHERE r.id IN (SELECT referral_id FROM unnest(added || removed))
  ));
  -- A withdrawal recorded replaces the record's facts without one, and one removed puts them back.
  PERFORM milestone_counts_apply(ARRAY(
    SELECT ROW(c.sign, m, c.withdrawn_on)::milestone_count_change
    FROM (SELECT 1 AS sign, a.* FROM unnest(added) a UNION ALL SELECT -1, d.* FROM unnest(removed) d) w
    CROSS JOIN LATERAL (VALUES (w.sign, w.withdrawn_on), (-w.sign, NULL::date)) c(sign, withdrawn_on)
    JOIN referral_milestones m ON m.referral_id = w.referral_id
    WHERE NOT EXISTS (SELECT 1 FROM patients_counted_directly p WHERE p.patient_id = m.patient_id)
  ));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_withdrawal_insert AFTER INSERT ON referral_withdrawals
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_withdrawals();
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_withdrawal_update AFTER UPDATE ON referral_withdrawals
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_withdrawals();
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_withdrawal_delete AFTER DELETE ON referral_withdrawals
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_withdrawals();
--> statement-breakpoint
-- A patient counted directly from now on: their records stop being counted here; and the other way round.
CREATE FUNCTION milestone_counts_after_direct_patients() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM milestone_counts_apply(ARRAY(
      SELECT ROW(-1, m, w.withdrawn_on)::milestone_count_change
      FROM new_rows p JOIN referral_milestones m ON m.patient_id = p.patient_id LEFT JOIN referral_withdrawals w ON w.referral_id = m.referral_id
    ));
  ELSE
    PERFORM milestone_counts_apply(ARRAY(
      SELECT ROW(1, m, w.withdrawn_on)::milestone_count_change
      FROM old_rows p JOIN referral_milestones m ON m.patient_id = p.patient_id LEFT JOIN referral_withdrawals w ON w.referral_id = m.referral_id
    ));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_direct_patient_insert AFTER INSERT ON patients_counted_directly
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_direct_patients();
--> statement-breakpoint
CREATE TRIGGER milestone_counts_on_direct_patient_delete AFTER DELETE ON patients_counted_directly
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION milestone_counts_after_direct_patients();
--> statement-breakpoint
-- The records already kept, counted once; from here on the triggers keep the counts.
SELECT milestone_counts_apply(ARRAY(
  SELECT ROW(1, m, w.withdrawn_on)::milestone_count_change
  FROM referral_milestones m LEFT JOIN referral_withdrawals w ON w.referral_id = m.referral_id
  WHERE NOT EXISTS (SELECT 1 FROM patients_counted_directly p WHERE p.patient_id = m.patient_id)
));
--> statement-breakpoint
-- The funding steps of these referrals as their events say (funding_steps in schema.ts).
CREATE FUNCTION funding_steps_of(ids uuid[]) RETURNS SETOF funding_steps LANGUAGE sql STABLE AS $$
  SELECT e.id, e.referral_id, r.site_id, r.therapy, e.occurred_on,
    CASE WHEN e.type = 'funding_requested' THEN 'submitted'
      WHEN e.status_after = 'awaiting_start' THEN 'approved' WHEN e.status_after = 'funding_declined' THEN 'declined' ELSE 'more_info' END,
    q.commissioner, q.route,
    CASE WHEN e.type = 'funding_requested' THEN (SELECT min(l.occurred_on) FROM referral_events l WHERE l.referral_id = e.referral_id AND l.seq > e.seq) END
  FROM referral_events e
  JOIN referrals r ON r.id = e.referral_id
  -- A request is its own; a decision answers the latest request before it, and without one is not counted.
  CROSS JOIN LATERAL (
    SELECT coalesce(q.payload->>'commissioner', '') AS commissioner, coalesce(q.payload->>'route', '') AS route
    FROM referral_events q
    WHERE q.referral_id = e.referral_id AND q.type = 'funding_requested' AND q.seq <= e.seq
    ORDER BY q.seq DESC LIMIT 1
  ) q
  WHERE e.referral_id = ANY (ids) AND e.type IN ('funding_requested', 'funding_decision')
$$;
--> statement-breakpoint
-- Only the steps that change are written, so that funding_counts sees only real changes.
CREATE FUNCTION funding_steps_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  DELETE FROM funding_steps s
  WHERE s.referral_id = ANY (ids) AND s.event_id NOT IN (SELECT w.event_id FROM funding_steps_of(ids) w);
  INSERT INTO funding_steps AS s SELECT * FROM funding_steps_of(ids)
  ON CONFLICT (event_id) DO UPDATE SET
    referral_id = excluded.referral_id, site_id = excluded.site_id, therapy = excluded.therapy, occurred_on = excluded.occurred_on,
    outcome = excluded.outcome, commissioner = excluded.commissioner, route = excluded.route, answered_on = excluded.answered_on
  WHERE (s.referral_id, s.site_id, s.therapy, s.occurred_on, s.outcome, s.commissioner, s.route, s.answered_on)
    IS DISTINCT FROM (excluded.referral_id, excluded.site_id, excluded.therapy, excluded.occurred_on, excluded.outcome, excluded.commissioner,
      excluded.route, excluded.answered_on);
END;
$$;
--> statement-breakpoint
-- A referral's withdrawal and funding steps follow its events. A new event changes the withdrawal when it is one,
-- and the steps when it is one or answers a request (most events do neither).
CREATE FUNCTION withdrawals_and_funding_steps_after_events() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  withdrawn uuid[];
  funded uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    withdrawn := ARRAY(SELECT DISTINCT referral_id FROM new_events WHERE type = 'withdrawn');
    funded := ARRAY(
      SELECT DISTINCT n.referral_id FROM new_events n
      WHERE n.type IN ('funding_requested', 'funding_decision')
        OR EXISTS (
          SELECT 1 FROM funding_steps s
          WHERE s.referral_id = n.referral_id AND s.outcome = 'submitted' AND (s.answered_on IS NULL OR s.answered_on > n.occurred_on)
        )
    );
  ELSIF TG_OP = 'UPDATE' THEN
    withdrawn := ARRAY(SELECT referral_id FROM new_events UNION SELECT referral_id FROM old_events);
    funded := withdrawn;
  ELSE
    withdrawn := ARRAY(SELECT DISTINCT referral_id FROM old_events);
    funded := withdrawn;
  END IF;
  IF cardinality(withdrawn) > 0 THEN
    PERFORM referral_withdrawals_refresh(withdrawn);
  END IF;
  IF cardinality(funded) > 0 THEN
    PERFORM funding_steps_refresh(funded);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER withdrawals_and_funding_steps_on_event_insert AFTER INSERT ON referral_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION withdrawals_and_funding_steps_after_events();
--> statement-breakpoint
CREATE TRIGGER withdrawals_and_funding_steps_on_event_update AFTER UPDATE ON referral_events
  REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION withdrawals_and_funding_steps_after_events();
--> statement-breakpoint
CREATE TRIGGER withdrawals_and_funding_steps_on_event_delete AFTER DELETE ON referral_events
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION withdrawals_and_funding_steps_after_events();
--> statement-breakpoint
CREATE FUNCTION withdrawals_and_funding_steps_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM referral_withdrawals;
  DELETE FROM funding_steps;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER withdrawals_and_funding_steps_on_event_truncate AFTER TRUNCATE ON referral_events
  FOR EACH STATEMENT EXECUTE FUNCTION withdrawals_and_funding_steps_clear();
--> statement-breakpoint
-- No path changes a referral's site or therapy today; were one to, its steps follow.
CREATE FUNCTION funding_steps_follow_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM funding_steps_refresh(ARRAY[NEW.id]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER funding_steps_on_referral_update AFTER UPDATE OF site_id, therapy ON referrals
  FOR EACH ROW EXECUTE FUNCTION funding_steps_follow_referral();
--> statement-breakpoint
-- As milestone_counts_apply, for funding steps: a request is awaiting its decision from its date until the first
-- date of anything recorded after it.
CREATE FUNCTION funding_counts_apply(added funding_steps[], removed funding_steps[]) RETURNS void LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  INSERT INTO funding_counts AS c (grain, bucket, site_id, therapy, commissioner, route,
  submitted, approved, declined, more_info, awaiting_in, awaiting_out)
  SELECT grain, bucket, site_id, therapy, commissioner, route,
    coalesce(sum(n) FILTER (WHERE fact = 'submitted'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'approved'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'declined'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'more_info'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'awaiting_in'), 0),
    coalesce(sum(n) FILTER (WHERE fact = 'awaiting_out'), 0)
  FROM (
    SELECT g.grain, date_trunc(g.grain, f.day::timestamp)::date AS bucket, r.site_id, r.therapy, r.commissioner, r.route, f.fact, sum(r.sign) AS n
    FROM (
      SELECT 1 AS sign, a.* FROM unnest(added) AS a
      UNION ALL
      SELECT -1, d.* FROM unnest(removed) AS d
    ) r
    CROSS JOIN LATERAL (VALUES
      (r.occurred_on, r.outcome),
      (CASE WHEN r.outcome = 'submitted' THEN r.occurred_on END, 'awaiting_in'),
      (CASE WHEN r.outcome = 'submitted' AND r.answered_on IS NOT NULL THEN greatest(r.occurred_on, r.answered_on) END, 'awaiting_out')
    ) f(day, fact)
    CROSS JOIN (VALUES ('day'), ('month'), ('year')) g(grain)
    WHERE f.day IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(r.sign) <> 0
  ) changed
  GROUP BY 1, 2, 3, 4, 5, 6
  ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (grain, bucket, site_id, therapy, commissioner, route) DO UPDATE SET
    submitted = c.submitted + excluded.submitted,
    approved = c.approved + excluded.approved,
    declined = c.declined + excluded.declined,
    more_info = c.more_info + excluded.more_info,
    awaiting_in = c.awaiting_in + excluded.awaiting_in,
    awaiting_out = c.awaiting_out + excluded.awaiting_out;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION funding_counts_after_steps() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  added funding_steps[] := '{}';
  removed funding_steps[] := '{}';
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    added := ARRAY(SELECT n FROM new_steps n);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    removed := ARRAY(SELECT o FROM old_steps o);
  END IF;
  IF cardinality(added) + cardinality(removed) > 0 THEN
    PERFORM funding_counts_apply(added, removed);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER funding_counts_on_insert AFTER INSERT ON funding_steps
  REFERENCING NEW TABLE AS new_steps FOR EACH STATEMENT EXECUTE FUNCTION funding_counts_after_steps();
--> statement-breakpoint
CREATE TRIGGER funding_counts_on_update AFTER UPDATE ON funding_steps
  REFERENCING OLD TABLE AS old_steps NEW TABLE AS new_steps FOR EACH STATEMENT EXECUTE FUNCTION funding_counts_after_steps();
--> statement-breakpoint
CREATE TRIGGER funding_counts_on_delete AFTER DELETE ON funding_steps
  REFERENCING OLD TABLE AS old_steps FOR EACH STATEMENT EXECUTE FUNCTION funding_counts_after_steps();
--> statement-breakpoint
-- The steps already recorded, counted as they are inserted.
SELECT funding_steps_refresh(ARRAY(SELECT DISTINCT referral_id FROM referral_events WHERE type IN ('funding_requested', 'funding_decision')));
