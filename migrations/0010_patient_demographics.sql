ALTER TABLE "patients" ADD COLUMN "ethnic_category" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "postcode" text;--> statement-breakpoint
ALTER TABLE "patients" ADD COLUMN "imd_decile" integer;--> statement-breakpoint
ALTER TABLE "patients" ADD CONSTRAINT "patients_imd_decile" CHECK ("patients"."imd_decile" between 1 and 10);