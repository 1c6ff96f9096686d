CREATE SCHEMA IF NOT EXISTS "vehicle";
--> statement-breakpoint
CREATE TYPE "vehicle"."mileage_source" AS ENUM('SERVICE', 'TELEMATICS', 'DMS');--> statement-breakpoint
CREATE TYPE "vehicle"."powertrain" AS ENUM('ICE', 'HEV', 'PHEV', 'BEV');--> statement-breakpoint
CREATE TABLE "vehicle"."mileage_readings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"vin" text NOT NULL,
	"km" integer NOT NULL,
	"source" "vehicle"."mileage_source" NOT NULL,
	"read_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle"."models" (
	"code" text PRIMARY KEY NOT NULL,
	"brand" text NOT NULL,
	"series" text NOT NULL,
	"name" text NOT NULL,
	"model_year" integer NOT NULL,
	"powertrain" "vehicle"."powertrain" NOT NULL,
	"price_min" numeric(12, 2) NOT NULL,
	"price_max" numeric(12, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle"."ownerships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"vin" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle"."vehicles" (
	"vin" text PRIMARY KEY NOT NULL,
	"model_code" text NOT NULL,
	"color" text,
	"dealer_code" text,
	"ingest_hash" text,
	"attributes" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "mileage_vin_read_idx" ON "vehicle"."mileage_readings" USING btree ("vin","read_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ownerships_customer_current_idx" ON "vehicle"."ownerships" USING btree ("customer_id") WHERE "vehicle"."ownerships"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "ownerships_vin_idx" ON "vehicle"."ownerships" USING btree ("vin","started_at" DESC NULLS LAST);