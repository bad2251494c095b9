CREATE TYPE "public"."diabetes_type" AS ENUM('type1', 'type2', 'other', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."event_type" AS ENUM('assessment', 'funding_requested', 'funding_decision', 'device_started', 'review', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."referral_status" AS ENUM('awaiting_assessment', 'deferred', 'not_eligible', 'awaiting_funding_request', 'awaiting_funding_decision', 'funding_more_info', 'funding_declined', 'awaiting_start', 'on_therapy', 'discontinued', 'withdrawn');--> statement-breakpoint
CREATE TYPE "public"."sex" AS ENUM('female', 'male', 'other', 'unknown');--> statement-breakpoint
CREATE TYPE "public"."therapy" AS ENUM('csii', 'hcl');--> statement-breakpoint
CREATE TABLE "observations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"effective" text NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"mmol_mol" integer NOT NULL,
	"original_value" text NOT NULL,
	"original_unit" text NOT NULL,
	"source" text NOT NULL,
	"source_server" text,
	"source_resource_id" text,
	"source_version" text,
	"fetched_at" timestamp with time zone,
	"entered_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patients" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"site_id" uuid NOT NULL,
	"nhs_number" text,
	"fhir_id" text,
	"fhir_server" text,
	"given_name" text NOT NULL,
	"family_name" text NOT NULL,
	"birth_date" date NOT NULL,
	"sex" "sex" NOT NULL,
	"diabetes_type" "diabetes_type" NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "patients_nhs_number_unique" UNIQUE("nhs_number")
);
--> statement-breakpoint
CREATE TABLE "referral_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"referral_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"type" "event_type" NOT NULL,
	"occurred_on" date NOT NULL,
	"payload" jsonb NOT NULL,
	"criteria" jsonb,
	"status_after" "referral_status" NOT NULL,
	"recorded_by" uuid,
	"recorded_role" "role",
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"therapy" "therapy" NOT NULL,
	"status" "referral_status" DEFAULT 'awaiting_assessment' NOT NULL,
	"received_on" date NOT NULL,
	"source" text NOT NULL,
	"priority_group" text,
	"last_event_on" date NOT NULL,
	"reassess_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referral_events" ADD CONSTRAINT "referral_events_referral_id_referrals_id_fk" FOREIGN KEY ("referral_id") REFERENCES "public"."referrals"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "observations_patient_idx" ON "observations" USING btree ("patient_id","kind","effective_at");--> statement-breakpoint
CREATE INDEX "patients_site_family_idx" ON "patients" USING btree ("site_id","family_name");--> statement-breakpoint
CREATE UNIQUE INDEX "patients_fhir_idx" ON "patients" USING btree ("fhir_server","fhir_id");--> statement-breakpoint
CREATE UNIQUE INDEX "referral_events_seq_key" ON "referral_events" USING btree ("referral_id","seq");--> statement-breakpoint
CREATE INDEX "referral_events_type_date_idx" ON "referral_events" USING btree ("type","occurred_on");--> statement-breakpoint
CREATE INDEX "referrals_site_status_idx" ON "referrals" USING btree ("site_id","status","received_on");--> statement-breakpoint
CREATE INDEX "referrals_patient_idx" ON "referrals" USING btree ("patient_id");