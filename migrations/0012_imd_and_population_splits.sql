CREATE TABLE "imd_postcodes" (
	"postcode" text PRIMARY KEY NOT NULL,
	"imd_decile" smallint NOT NULL,
	CONSTRAINT "imd_postcodes_decile" CHECK ("imd_postcodes"."imd_decile" between 1 and 10)
);
--> statement-breakpoint
CREATE TABLE "site_population_split_counts" (
	"site_id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"split" text NOT NULL,
	"value" text NOT NULL,
	"t1d_population" integer NOT NULL,
	CONSTRAINT "site_population_split_counts_site_id_as_of_split_value_pk" PRIMARY KEY("site_id","as_of","split","value")
);
--> statement-breakpoint
ALTER TABLE "site_population_split_counts" ADD CONSTRAINT "site_population_split_counts_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;