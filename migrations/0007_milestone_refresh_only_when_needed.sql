-- The milestone triggers called referral_milestones_refresh even with no referral to recompute (most events, a
-- review that continues therapy above all, set no milestone). PL/pgSQL then planned the refresh's update afresh
-- on every call: for an empty array its custom plan always looks cheaper than the cached generic one, so the
-- generic plan is never chosen. That planning was half of what the database spent on each recorded event. The
-- triggers now call the refresh only when there is a referral to recompute.
CREATE OR REPLACE FUNCTION referral_milestones_after_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ids uuid[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new event can only set a milestone not yet reached or an earlier date for one. Those that set none (a
    -- review that continues therapy, a deferral, a request for more information, a withdrawal: most of what is
    -- recorded) are passed over. These are the events the filters of referral_milestones_refresh count.
    ids := ARRAY(
      SELECT DISTINCT referral_id FROM new_events
      WHERE type IN ('funding_requested', 'device_started')
        OR (type = 'assessment' AND status_after IN ('awaiting_funding_request', 'not_eligible'))
        OR (type = 'funding_decision' AND status_after IN ('awaiting_start', 'funding_declined'))
        OR (type = 'review' AND status_after = 'discontinued')
    );
  ELSIF TG_OP = 'UPDATE' THEN
    ids := ARRAY(SELECT referral_id FROM new_events UNION SELECT referral_id FROM old_events);
  ELSE
    ids := ARRAY(SELECT DISTINCT referral_id FROM old_events);
  END IF;
  IF cardinality(ids) > 0 THEN
    PERFORM referral_milestones_refresh(ids);
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION referral_milestones_after_observations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  patient_ids uuid[] := '{}';
  ids uuid[];
BEGIN
  -- Each transition table exists only for the operations that have it.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    patient_ids := patient_ids || ARRAY(SELECT patient_id FROM new_observations);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    patient_ids := patient_ids || ARRAY(SELECT patient_id FROM old_observations);
  END IF;
  -- Only the results of patients with a device start decide anything here.
  ids := ARRAY(
    SELECT m.referral_id FROM referral_milestones m
    WHERE m.started_on IS NOT NULL AND m.referral_id IN (SELECT r.id FROM referrals r WHERE r.patient_id = ANY(patient_ids))
  );
  IF cardinality(ids) > 0 THEN
    PERFORM referral_milestones_refresh(ids);
  END IF;
  RETURN NULL;
END;
$$;
