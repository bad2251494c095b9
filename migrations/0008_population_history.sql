CREATE TABLE "site_population_counts" (
	"site_id" uuid NOT NULL,
	"as_of" date NOT NULL,
	"t1d_population" integer NOT NULL,
	"source" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by" uuid,
	CONSTRAINT "site_population_counts_site_id_as_of_pk" PRIMARY KEY("site_id","as_of")
);
--> statement-breakpoint
ALTER TABLE "site_population_counts" ADD CONSTRAINT "site_population_counts_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Today's counts become the first history: who recorded each, and how, is read from the audit trail's newest
-- entry that set that very count (a FHIR sync, or an admin's edit or the site's creation).
INSERT INTO "site_population_counts" ("site_id", "as_of", "t1d_population", "source", "recorded_at", "recorded_by")
SELECT s."id", s."t1d_population_as_of", s."t1d_population",
       CASE WHEN last."action" = 'site.population_sync' THEN 'fhir' ELSE 'manual' END,
       coalesce(last."at", s."updated_at"), last."actor_id"
FROM "sites" s
LEFT JOIN LATERAL (
  SELECT a."action", a."at", a."actor_id" FROM "audit_log" a
  WHERE a."entity_id" = s."id"
    AND a."action" IN ('site.create', 'site.update', 'site.population_sync')
    AND a."after" ->> 't1dPopulation' = s."t1d_population"::text
    AND a."after" ->> 't1dPopulationAsOf' = s."t1d_population_as_of"::text
  ORDER BY a."at" DESC, a."id" DESC
  LIMIT 1
) last ON true
WHERE s."t1d_population" IS NOT NULL AND s."t1d_population_as_of" IS NOT NULL
ON CONFLICT DO NOTHING;
