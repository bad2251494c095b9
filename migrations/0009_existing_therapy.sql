-- Existing therapy (people on a pump or closed loop before the service used the product) and the switch from a
-- pump to closed loop. The new enum values are only added here, never used: PostgreSQL lets a transaction use an
-- enum value only once the transaction that added it has committed, and migrations run in one transaction.
ALTER TYPE "public"."event_type" ADD VALUE 'existing_therapy';--> statement-breakpoint
ALTER TYPE "public"."event_type" ADD VALUE 'switched_to_hcl';--> statement-breakpoint
ALTER TYPE "public"."referral_status" ADD VALUE 'switched';--> statement-breakpoint
ALTER TABLE "referrals" ALTER COLUMN "received_on" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "referrals" ALTER COLUMN "source" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "origin" text DEFAULT 'pathway' NOT NULL;--> statement-breakpoint
ALTER TABLE "referrals" ADD COLUMN "known_on" date;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_origin_dates" CHECK (case "referrals"."origin" when 'pathway' then "referrals"."received_on" is not null and "referrals"."source" is not null and "referrals"."known_on" is null
        else "referrals"."known_on" is not null and "referrals"."received_on" is null and "referrals"."source" is null end);--> statement-breakpoint
DROP INDEX "referral_milestones_site_idx";--> statement-breakpoint
ALTER TABLE "referral_milestones" ALTER COLUMN "received_on" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "origin" text;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "entered_on" date;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "switched_on" date;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "on_therapy_from" date;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "ended_on" date;--> statement-breakpoint
-- Every referral so far came through the pathway, and none has been switched.
UPDATE "referral_milestones" SET "origin" = 'pathway', "entered_on" = "received_on", "on_therapy_from" = "started_on", "ended_on" = "discontinued_on";--> statement-breakpoint
ALTER TABLE "referral_milestones" ALTER COLUMN "origin" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "referral_milestones" ALTER COLUMN "entered_on" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "referral_milestones_site_idx" ON "referral_milestones" USING btree ("site_id","entered_on");--> statement-breakpoint
-- The refresh of 0006, with the existing record's start, the switch, and the two dates every "on therapy" count
-- reads: on_therapy_from (the device start, or for an existing record its start when known, else the date it was
-- known) and ended_on (the first of discontinuation and switch). An existing record's row enters at its
-- on_therapy_from, which its event decides (the insert trigger first enters it at the known date).
CREATE OR REPLACE FUNCTION referral_milestones_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referral_milestones m SET
    decided_on = n.decided_on, eligible_on = n.eligible_on, requested_on = n.requested_on,
    funding_decided_on = n.funding_decided_on, approved_on = n.approved_on, declined_on = n.declined_on,
    started_on = n.started_on, discontinued_on = n.discontinued_on, continuing_12m_on = n.continuing_12m_on,
    baseline_mmol_mol = n.baseline_mmol_mol, follow_up_on = n.follow_up_on, follow_up_mmol_mol = n.follow_up_mmol_mol,
    switched_on = n.switched_on, on_therapy_from = n.on_therapy_from, ended_on = n.ended_on, entered_on = n.entered_on
  FROM (
    SELECT d.referral_id, d.decided_on, d.eligible_on, d.requested_on, d.funding_decided_on, d.approved_on, d.declined_on,
      d.started_on, d.discontinued_on, d.switched_on, d.on_therapy_from,
      least(d.discontinued_on, d.switched_on) AS ended_on,
      coalesce(d.received_on, d.on_therapy_from, d.known_on) AS entered_on,
      -- A switch to closed loop is not a discontinuation: the pump start still counts as continuing.
      CASE WHEN d.discontinued_on IS NULL OR d.discontinued_on > d.anniversary THEN d.anniversary END AS continuing_12m_on,
      baseline.mmol_mol AS baseline_mmol_mol, follow_up.day AS follow_up_on, follow_up.mmol_mol AS follow_up_mmol_mol
    FROM (
      SELECT r.referral_id, r.patient_id, r.received_on, ref.known_on, e.*,
        coalesce(e.started_on, e.existing_started_on, e.existing_known_on) AS on_therapy_from,
        -- A year on, with 29 February's anniversary on 1 March (not 28 February, as interval arithmetic has it).
        (e.started_on + interval '1 year')::date
          + CASE WHEN extract(month FROM e.started_on) = 2 AND extract(day FROM e.started_on) = 29 THEN 1 ELSE 0 END AS anniversary
      FROM referral_milestones r
      JOIN referrals ref ON ref.id = r.referral_id
      CROSS JOIN LATERAL (
        -- The first date of each milestone. The pathway allows each at most once, except the funding request.
        SELECT
          min(occurred_on) FILTER (WHERE type = 'assessment' AND status_after IN ('awaiting_funding_request', 'not_eligible')) AS decided_on,
          min(occurred_on) FILTER (WHERE type = 'assessment' AND status_after = 'awaiting_funding_request') AS eligible_on,
          min(occurred_on) FILTER (WHERE type = 'funding_requested') AS requested_on,
          min(occurred_on) FILTER (WHERE type = 'funding_decision' AND status_after IN ('awaiting_start', 'funding_declined')) AS funding_decided_on,
          min(occurred_on) FILTER (WHERE type = 'funding_decision' AND status_after = 'awaiting_start') AS approved_on,
          min(occurred_on) FILTER (WHERE type = 'funding_decision' AND status_after = 'funding_declined') AS declined_on,
          min(occurred_on) FILTER (WHERE type = 'device_started') AS started_on,
          min(occurred_on) FILTER (WHERE type = 'review' AND status_after = 'discontinued') AS discontinued_on,
          min(occurred_on) FILTER (WHERE type = 'switched_to_hcl') AS switched_on,
          min((payload->>'startedOn')::date) FILTER (WHERE type = 'existing_therapy') AS existing_started_on,
          min(occurred_on) FILTER (WHERE type = 'existing_therapy') AS existing_known_on
        FROM referral_events WHERE referral_id = r.referral_id
      ) e
      WHERE r.referral_id = ANY (ids)
    ) d
    -- The follow-up: 150 to 210 days after the start, nearest to 180, the later of two equally near. The
    -- indexed instant is bounded two days wider than the day (more than any zone offset), then the day decides.
    LEFT JOIN LATERAL (
      SELECT o.mmol_mol, left(o.effective, 10)::date AS day
      FROM observations o
      WHERE o.patient_id = d.patient_id AND o.kind = 'hba1c'
        AND o.effective_at >= d.started_on + 148 AND o.effective_at < d.started_on + 213
        AND left(o.effective, 10)::date BETWEEN d.started_on + 150 AND d.started_on + 210
      ORDER BY abs(left(o.effective, 10)::date - d.started_on - 180), left(o.effective, 10)::date DESC, o.effective_at DESC, o.id DESC
      LIMIT 1
    ) follow_up ON true
    -- The baseline: the latest from the same day a year before (1 March for a start on 29 February) to the start.
    LEFT JOIN LATERAL (
      SELECT o.mmol_mol
      FROM observations o, LATERAL (
        SELECT (d.started_on - interval '1 year')::date
          + CASE WHEN extract(month FROM d.started_on) = 2 AND extract(day FROM d.started_on) = 29 THEN 1 ELSE 0 END AS opens
      ) w
      WHERE o.patient_id = d.patient_id AND o.kind = 'hba1c'
        AND o.effective_at >= w.opens - 2 AND o.effective_at < d.started_on + 3
        AND left(o.effective, 10)::date BETWEEN w.opens AND d.started_on
      ORDER BY left(o.effective, 10)::date DESC, o.effective_at DESC, o.id DESC
      LIMIT 1
    ) baseline ON true
  ) n
  WHERE m.referral_id = n.referral_id
    -- A row that would not change is left alone: most events (a review that continues therapy) and most results
    -- change nothing here, and an update would still write a new row version.
    AND (m.decided_on, m.eligible_on, m.requested_on, m.funding_decided_on, m.approved_on, m.declined_on, m.started_on, m.discontinued_on,
      m.continuing_12m_on, m.baseline_mmol_mol, m.follow_up_on, m.follow_up_mmol_mol, m.switched_on, m.on_therapy_from, m.ended_on, m.entered_on)
    IS DISTINCT FROM (n.decided_on, n.eligible_on, n.requested_on, n.funding_decided_on, n.approved_on, n.declined_on, n.started_on, n.discontinued_on,
      n.continuing_12m_on, n.baseline_mmol_mol, n.follow_up_on, n.follow_up_mmol_mol, n.switched_on, n.on_therapy_from, n.ended_on, n.entered_on);
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION referral_milestones_add_referrals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO referral_milestones (referral_id, site_id, patient_id, therapy, origin, received_on, entered_on)
  SELECT id, site_id, patient_id, therapy, origin, received_on, coalesce(received_on, known_on) FROM new_referrals;
  -- Nothing else to compute: a referral has no events yet when it is inserted.
  RETURN NULL;
END;
$$;
--> statement-breakpoint
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
      WHERE type IN ('funding_requested', 'device_started', 'existing_therapy', 'switched_to_hcl')
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
