CREATE TYPE "customer"."consent_origin" AS ENUM('SOURCE_RECORD', 'DIRECT', 'MERGE', 'UNMERGE');--> statement-breakpoint
CREATE TYPE "customer"."event_kind" AS ENUM('MODEL_PAGE_VIEWED', 'TEST_DRIVE_CAMPAIGN_JOINED', 'COMMUNITY_POSTED', 'COUPON_CLICKED');--> statement-breakpoint
CREATE TYPE "customer"."marketing_channel" AS ENUM('SMS', 'PUSH');--> statement-breakpoint
CREATE TABLE "customer"."consent_history" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"purpose" "customer"."consent_purpose" NOT NULL,
	"granted" boolean NOT NULL,
	"origin" "customer"."consent_origin" NOT NULL,
	"source" "customer"."source",
	"actor" text NOT NULL,
	"note" text,
	"effective_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."customer_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" "customer"."event_kind" NOT NULL,
	"subject" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."customer_facts" (
	"customer_id" uuid PRIMARY KEY NOT NULL,
	"last_service_at" timestamp with time zone,
	"last_service_mileage_km" integer,
	"last_nps_score" integer,
	"last_nps_at" timestamp with time zone,
	"open_complaints" integer DEFAULT 0 NOT NULL,
	"vehicle_since" timestamp with time zone,
	"mileage_km" integer,
	"family_changed_at" timestamp with time zone,
	"owned_brands" text[],
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."dealer_relationships" (
	"customer_id" uuid NOT NULL,
	"dealer_code" text NOT NULL,
	"kind" text NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "dealer_relationships_customer_id_dealer_code_kind_pk" PRIMARY KEY("customer_id","dealer_code","kind")
);
--> statement-breakpoint
CREATE TABLE "customer"."event_inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."event_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"topic" text NOT NULL,
	"key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint,
	CONSTRAINT "event_outbox_event_id_unique" UNIQUE("event_id"),
	CONSTRAINT "event_outbox_position_unique" UNIQUE("position")
);
--> statement-breakpoint
CREATE TABLE "customer"."event_relay_state" (
	"name" text PRIMARY KEY NOT NULL,
	"published_position" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."segment_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"segment_id" uuid NOT NULL,
	"channel" "customer"."marketing_channel" NOT NULL,
	"size" integer NOT NULL,
	"actor" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"expression" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "segments_name_key" UNIQUE("name")
);
--> statement-breakpoint
DROP INDEX "customer"."tags_key_idx";--> statement-breakpoint
ALTER TABLE "customer"."merge_records" ADD COLUMN "seq" bigserial NOT NULL;--> statement-breakpoint
CREATE INDEX "consent_history_customer_idx" ON "customer"."consent_history" USING btree ("customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "customer_events_customer_idx" ON "customer"."customer_events" USING btree ("customer_id","occurred_at");--> statement-breakpoint
CREATE INDEX "dealer_relationships_dealer_idx" ON "customer"."dealer_relationships" USING btree ("dealer_code","customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "event_inbox_consumer_event_uq" ON "customer"."event_inbox" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE INDEX "event_outbox_unpositioned_idx" ON "customer"."event_outbox" USING btree ("id") WHERE position is null;--> statement-breakpoint
CREATE INDEX "segment_exports_segment_idx" ON "customer"."segment_exports" USING btree ("segment_id");--> statement-breakpoint
CREATE INDEX "consents_granted_idx" ON "customer"."consents" USING btree ("purpose","customer_id") WHERE granted;--> statement-breakpoint
CREATE INDEX "customers_preferred_dealer_idx" ON "customer"."customers" USING btree ("preferred_dealer_code");--> statement-breakpoint
CREATE INDEX "customers_live_created_idx" ON "customer"."customers" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE merged_into is null;--> statement-breakpoint
CREATE INDEX "tags_key_customer_idx" ON "customer"."tags" USING btree ("key","customer_id","expires_at");