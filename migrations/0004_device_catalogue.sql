CREATE TABLE "devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"manufacturer" text,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "devices_kind_name_key" ON "devices" USING btree ("kind","name");--> statement-breakpoint
-- The devices in UK use (domain.md), as the catalogue starts; admins add to it.
INSERT INTO "devices" ("kind", "name", "manufacturer") VALUES
  ('pump', 'Medtronic MiniMed 780G', 'Medtronic'),
  ('pump', 'Tandem t:slim X2', 'Tandem Diabetes Care'),
  ('pump', 'Insulet Omnipod 5', 'Insulet'),
  ('pump', 'Insulet Omnipod DASH', 'Insulet'),
  ('pump', 'Ypsomed mylife YpsoPump', 'Ypsomed'),
  ('pump', 'Dana-i', 'SOOIL'),
  ('cgm', 'Guardian 4', 'Medtronic'),
  ('cgm', 'Simplera Sync', 'Medtronic'),
  ('cgm', 'Dexcom G6', 'Dexcom'),
  ('cgm', 'Dexcom G7', 'Dexcom'),
  ('cgm', 'Dexcom One+', 'Dexcom'),
  ('cgm', 'FreeStyle Libre 2 Plus', 'Abbott'),
  ('cgm', 'FreeStyle Libre 3', 'Abbott'),
  ('cgm', 'FreeStyle Libre 3 Plus', 'Abbott'),
  ('algorithm', 'SmartGuard', 'Medtronic'),
  ('algorithm', 'Control-IQ', 'Tandem Diabetes Care'),
  ('algorithm', 'SmartAdjust', 'Insulet'),
  ('algorithm', 'CamAPS FX', 'CamDiab');
