CREATE TABLE "hypoglycaemia_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"effective" text NOT NULL,
	"effective_at" timestamp with time zone NOT NULL,
	"description" text NOT NULL,
	"source_server" text NOT NULL,
	"source_resource_type" text NOT NULL,
	"source_resource_id" text NOT NULL,
	"source_version" text,
	"source_last_updated" timestamp with time zone,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "patient_conditions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"patient_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"system" text NOT NULL,
	"code" text NOT NULL,
	"display" text,
	"clinical_status" text,
	"onset" text,
	"source_server" text NOT NULL,
	"source_resource_type" text NOT NULL,
	"source_resource_id" text NOT NULL,
	"source_version" text,
	"source_last_updated" timestamp with time zone,
	"fetched_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "fhir_version" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "fhir_fetched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hypoglycaemia_events" ADD CONSTRAINT "hypoglycaemia_events_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "patient_conditions" ADD CONSTRAINT "patient_conditions_patient_id_patients_id_fk" FOREIGN KEY ("patient_id") REFERENCES "public"."patients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "hypoglycaemia_events_source_key" ON "hypoglycaemia_events" USING btree ("patient_id","source_server","source_resource_type","source_resource_id");--> statement-breakpoint
CREATE INDEX "hypoglycaemia_events_patient_idx" ON "hypoglycaemia_events" USING btree ("patient_id","effective_at");--> statement-breakpoint
CREATE UNIQUE INDEX "patient_conditions_source_key" ON "patient_conditions" USING btree ("patient_id","source_server","source_resource_id");--> statement-breakpoint
CREATE UNIQUE INDEX "observations_source_key" ON "observations" USING btree ("patient_id","source_server","source_resource_id");