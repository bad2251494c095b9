-- The patient's values the equity figures split by, copied onto each of their records, so that those figures read
-- referral_milestones alone rather than joining every record to its patient and its postcode's decile.
ALTER TABLE "referral_milestones" ADD COLUMN "birth_date" date;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "sex" "sex";--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "ethnic_category" text;--> statement-breakpoint
ALTER TABLE "referral_milestones" ADD COLUMN "imd_decile" smallint;--> statement-breakpoint
-- A record whose change is only those copied values counts as it did: passed over, so that a patient's new postcode or
-- a new deprivation table does not recount their records (and the backfill below recounts nothing).
CREATE OR REPLACE FUNCTION milestone_counts_after_milestones() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
  added referral_milestones[] := '{}';
  removed referral_milestones[] := '{}';
  copied CONSTANT text[] := ARRAY['birth_date', 'sex', 'ethnic_category', 'imd_decile'];
BEGIN
  -- Each transition table exists only for the operations that have it.
  IF TG_OP = 'INSERT' THEN
    added := ARRAY(SELECT n FROM new_rows n);
  ELSIF TG_OP = 'DELETE' THEN
    removed := ARRAY(SELECT o FROM old_rows o);
  ELSE
    -- A record's key never changes: its rows before and after pair by it.
    SELECT coalesce(array_agg(n), '{}'), coalesce(array_agg(o), '{}') INTO added, removed
    FROM new_rows n JOIN old_rows o ON o.referral_id = n.referral_id
    WHERE to_jsonb(n) - copied IS DISTINCT FROM to_jsonb(o) - copied;
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
-- A patient's deprivation decile: their own, else their postcode's in the table (postcodes kept compact there, so the
-- patient's is compared without spaces and in capitals).
CREATE FUNCTION patient_imd_decile(own integer, postcode text) RETURNS smallint LANGUAGE sql STABLE AS $$
  SELECT coalesce($1::smallint, (SELECT i.imd_decile FROM imd_postcodes i WHERE i.postcode = upper(replace($2, ' ', ''))))
$$;
--> statement-breakpoint
-- Copies the values of these patients (all of them when null) onto their records, writing only the rows that change.
CREATE FUNCTION referral_milestones_copy_patients(patient_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF patient_ids IS NULL THEN
    UPDATE referral_milestones m SET birth_date = v.birth_date, sex = v.sex, ethnic_category = v.ethnic_category, imd_decile = v.imd_decile
    FROM (SELECT p.id, p.birth_date, p.sex, p.ethnic_category, patient_imd_decile(p.imd_decile, p.postcode) AS imd_decile FROM patients p) v
    WHERE m.patient_id = v.id
      AND (m.birth_date, m.sex, m.ethnic_category, m.imd_decile) IS DISTINCT FROM (v.birth_date, v.sex, v.ethnic_category, v.imd_decile);
  ELSE
    UPDATE referral_milestones m SET birth_date = v.birth_date, sex = v.sex, ethnic_category = v.ethnic_category, imd_decile = v.imd_decile
    FROM (SELECT p.id, p.birth_date, p.sex, p.ethnic_category, patient_imd_decile(p.imd_decile, p.postcode) AS imd_decile FROM patients p WHERE p.id = ANY (patient_ids)) v
    WHERE m.patient_id = v.id
      AND (m.birth_date, m.sex, m.ethnic_category, m.imd_decile) IS DISTINCT FROM (v.birth_date, v.sex, v.ethnic_category, v.imd_decile);
  END IF;
END;
$$;
--> statement-breakpoint
SELECT referral_milestones_copy_patients(NULL);--> statement-breakpoint
ALTER TABLE "referral_milestones" ALTER COLUMN "birth_date" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "referral_milestones" ALTER COLUMN "sex" SET NOT NULL;--> statement-breakpoint
-- A new record starts with its patient's values.
CREATE OR REPLACE FUNCTION referral_milestones_add_referrals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO referral_milestones (referral_id, site_id, patient_id, therapy, origin, received_on, entered_on, birth_date, sex, ethnic_category, imd_decile)
  SELECT r.id, r.site_id, r.patient_id, r.therapy, r.origin, r.received_on, coalesce(r.received_on, r.known_on),
    p.birth_date, p.sex, p.ethnic_category, patient_imd_decile(p.imd_decile, p.postcode)
  FROM new_referrals r JOIN patients p ON p.id = r.patient_id;
  -- Nothing else to compute: a referral has no events yet when it is inserted.
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A referral moved to another patient (no path does this today) takes that patient's values.
CREATE OR REPLACE FUNCTION referral_milestones_follow_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE referral_milestones SET site_id = NEW.site_id, patient_id = NEW.patient_id, therapy = NEW.therapy, received_on = NEW.received_on
  WHERE referral_id = NEW.id;
  PERFORM referral_milestones_copy_patients(ARRAY[NEW.patient_id]);
  PERFORM referral_milestones_refresh(ARRAY[NEW.id]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE FUNCTION referral_milestones_follow_patient() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM referral_milestones_copy_patients(ARRAY[NEW.id]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_patient_update AFTER UPDATE OF birth_date, sex, ethnic_category, postcode, imd_decile ON patients
  FOR EACH ROW WHEN ((OLD.birth_date, OLD.sex, OLD.ethnic_category, OLD.postcode, OLD.imd_decile) IS DISTINCT FROM (NEW.birth_date, NEW.sex, NEW.ethnic_category, NEW.postcode, NEW.imd_decile))
  EXECUTE FUNCTION referral_milestones_follow_patient();
--> statement-breakpoint
-- The deprivation table is only ever replaced whole, in one transaction that ends by copying the deciles anew; emptying
-- it at once (TRUNCATE, which that replacement does not use) leaves every patient to copy again.
CREATE FUNCTION referral_milestones_copy_all_patients() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM referral_milestones_copy_patients(NULL);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER referral_milestones_on_imd_truncate AFTER TRUNCATE ON imd_postcodes
  FOR EACH STATEMENT EXECUTE FUNCTION referral_milestones_copy_all_patients();
