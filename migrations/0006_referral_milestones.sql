CREATE TABLE "referral_milestones" (
	"referral_id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"patient_id" uuid NOT NULL,
	"therapy" "therapy" NOT NULL,
	"received_on" date NOT NULL,
	"decided_on" date,
	"eligible_on" date,
	"requested_on" date,
	"funding_decided_on" date,
	"approved_on" date,
	"declined_on" date,
	"started_on" date,
	"discontinued_on" date,
	"continuing_12m_on" date,
	"baseline_mmol_mol" integer,
	"follow_up_on" date,
	"follow_up_mmol_mol" integer
);
--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD CONSTRAINT "referral_milestones_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "referral_milestones_site_idx" ON "referral_milestones" USING btree ("site_id","received_on");--> statement-breakpoint
CREATE INDEX "referral_milestones_follow_up_idx" ON "referral_milestones" USING btree ("follow_up_on");--> statement-breakpoint
-- referral_milestones is kept by the database alone (schema.ts says what each column means). Whatever changes a
-- referral, its events or its patient's results, the referral's row is recomputed from those tables from scratch,
-- so rows inserted out of order, edited or removed leave it right too. The implementation metrics then filter
-- these dates by the period instead of aggregating every event on every request.
-- PL/pgSQL rather than SQL: it keeps the statement's plan for the session, where an SQL function plans it anew on
-- every call, which cost more than the update itself on each recorded event.
CREATE FUNCTION referral_milestones_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referral_milestones m SET
    decided_on = n.decided_on, eligible_on = n.eligible_on, requested_on = n.requested_on,
    funding_decided_on = n.funding_decided_on, approved_on = n.approved_on, declined_on = n.declined_on,
    started_on = n.started_on, discontinued_on = n.discontinued_on, continuing_12m_on = n.continuing_12m_on,
    baseline_mmol_mol = n.baseline_mmol_mol, follow_up_on = n.follow_up_on, follow_up_mmol_mol = n.follow_up_mmol_mol
  FROM (
    SELECT d.referral_id, d.decided_on, d.eligible_on, d.requested_on, d.funding_decided_on, d.approved_on, d.declined_on,
      d.started_on, d.discontinued_on,
      CASE WHEN d.discontinued_on IS NULL OR d.discontinued_on > d.anniversary THEN d.anniversary END AS continuing_12m_on,
      baseline.mmol_mol AS baseline_mmol_mol, follow_up.day AS follow_up_on, follow_up.mmol_mol AS follow_up_mmol_mol
    FROM (
      SELECT r.referral_id, r.patient_id, e.*,
        -- A year on, with 29 February's anniversary on 1 March (not 28 February, as interval arithmetic has it).
        (e.started_on + interval '1 year')::date
          + CASE WHEN extract(month FROM e.started_on) = 2 AND extract(day FROM e.started_on) = 29 THEN 1 ELSE 0 END AS anniversary
      FROM referral_milestones r
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
          min(occurred_on) FILTER (WHERE type = 'review' AND status_after = 'discontinued') AS discontinued_on
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
      m.continuing_12m_on, m.baseline_mmol_mol, m.follow_up_on, m.follow_up_mmol_mol)
    IS DISTINCT FROM (n.decided_on, n.eligible_on, n.requested_on, n.funding_decided_on, n.approved_on, n.declined_on, n.started_on, n.discontinued_on,
      n.continuing_12m_on, n.baseline_mmol_mol, n.follow_up_on, n.follow_up_mmol_mol);
END;
$$;
--> statement-breakpoint
CREATE FUNCTION referral_milestones_add_referrals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO referral_milestones (referral_id, site_id, patient_id, therapy, received_on)
  SELECT id, site_id, patient_id, therapy, received_on FROM new_referrals;
  -- Nothing else to compute: a referral has no events yet when it is inserted.
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_referral_insert AFTER INSERT ON referrals
  REFERENCING NEW TABLE AS new_referrals FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_add_referrals();
--> statement-breakpoint
-- No path changes these today; were one to, the copy and the results (the patient may change) follow it.
CREATE FUNCTION referral_milestones_follow_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referral_milestones SET site_id = NEW.site_id, patient_id = NEW.patient_id, therapy = NEW.therapy, received_on = NEW.received_on
  WHERE referral_id = NEW.id;
  PERFORM referral_milestones_refresh(ARRAY[NEW.id]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_referral_update AFTER UPDATE OF site_id, patient_id, therapy, received_on ON referrals
  FOR EACH ROW EXECUTE FUNCTION referral_milestones_follow_referral();
--> statement-breakpoint
-- One function for the three statement triggers on referral_events: each names its transition tables alike.
CREATE FUNCTION referral_milestones_after_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new event can only set a milestone not yet reached or an earlier date for one. Those that set none (a
    -- review that continues therapy, a deferral, a request for more information, a withdrawal: most of what is
    -- recorded) are passed over, so that recording them costs next to nothing here. These are the events the
    -- filters of referral_milestones_refresh count.
    PERFORM referral_milestones_refresh(ARRAY(
      SELECT DISTINCT referral_id FROM new_events
      WHERE type IN ('funding_requested', 'device_started')
        OR (type = 'assessment' AND status_after IN ('awaiting_funding_request', 'not_eligible'))
        OR (type = 'funding_decision' AND status_after IN ('awaiting_start', 'funding_declined'))
        OR (type = 'review' AND status_after = 'discontinued')
    ));
  END IF;
  IF TG_OP = 'UPDATE' THEN
    PERFORM referral_milestones_refresh(ARRAY(SELECT referral_id FROM new_events UNION SELECT referral_id FROM old_events));
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM referral_milestones_refresh(ARRAY(SELECT DISTINCT referral_id FROM old_events));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_event_insert AFTER INSERT ON referral_events
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_after_events();
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_event_update AFTER UPDATE ON referral_events
  REFERENCING OLD TABLE AS old_events NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_after_events();
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_event_delete AFTER DELETE ON referral_events
  REFERENCING OLD TABLE AS old_events FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_after_events();
--> statement-breakpoint
-- A patient's results decide the baseline and follow-up of each of their starts.
CREATE FUNCTION referral_milestones_after_observations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM referral_milestones_refresh(ARRAY(
      SELECT m.referral_id FROM referral_milestones m
      WHERE m.started_on IS NOT NULL AND m.referral_id IN (SELECT r.id FROM referrals r WHERE r.patient_id IN (SELECT patient_id FROM new_observations))
    ));
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM referral_milestones_refresh(ARRAY(
      SELECT m.referral_id FROM referral_milestones m
      WHERE m.started_on IS NOT NULL AND m.referral_id IN (SELECT r.id FROM referrals r WHERE r.patient_id IN (SELECT patient_id FROM old_observations))
    ));
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_observation_insert AFTER INSERT ON observations
  REFERENCING NEW TABLE AS new_observations FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_after_observations();
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_observation_update AFTER UPDATE ON observations
  REFERENCING OLD TABLE AS old_observations NEW TABLE AS new_observations FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_after_observations();
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_observation_delete AFTER DELETE ON observations
  REFERENCING OLD TABLE AS old_observations FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_after_observations();
--> statement-breakpoint
-- Emptying either table at once leaves every row to recompute.
CREATE FUNCTION referral_milestones_refresh_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM referral_milestones_refresh(ARRAY(SELECT referral_id FROM referral_milestones));
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_event_truncate AFTER TRUNCATE ON referral_events
  FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_refresh_all();
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_observation_truncate AFTER TRUNCATE ON observations
  FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_refresh_all();
--> statement-breakpoint
-- The referrals already recorded.
INSERT INTO referral_milestones (referral_id, site_id, patient_id, therapy, received_on)
SELECT id, site_id, patient_id, therapy, received_on FROM referrals;
--> statement-breakpoint
SELECT referral_milestones_refresh(ARRAY(SELECT referral_id FROM referral_milestones));
