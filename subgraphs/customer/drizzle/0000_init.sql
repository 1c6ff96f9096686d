CREATE SCHEMA IF NOT EXISTS "customer";
--> statement-breakpoint
CREATE TYPE "customer"."consent_purpose" AS ENUM('MARKETING_SMS', 'MARKETING_PUSH', 'DATA_SHARING_DEALER', 'SENSITIVE_ID');--> statement-breakpoint
CREATE TYPE "customer"."gender" AS ENUM('MALE', 'FEMALE');--> statement-breakpoint
CREATE TYPE "customer"."identity_kind" AS ENUM('PHONE', 'NATIONAL_ID', 'EMAIL', 'EXTERNAL_ID');--> statement-breakpoint
CREATE TYPE "customer"."source" AS ENUM('APP', 'WEBSITE', 'MINI_PROGRAM', 'DMS', 'CALL_CENTER', 'MEDIA_PLATFORM', 'ECOMMERCE');--> statement-breakpoint
CREATE TYPE "customer"."tag_kind" AS ENUM('FACT', 'BEHAVIOR', 'PREDICTIVE');--> statement-breakpoint
CREATE TABLE "customer"."consents" (
	"customer_id" uuid NOT NULL,
	"purpose" "customer"."consent_purpose" NOT NULL,
	"granted" boolean NOT NULL,
	"source" "customer"."source" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "consents_customer_id_purpose_pk" PRIMARY KEY("customer_id","purpose")
);
--> statement-breakpoint
CREATE TABLE "customer"."customers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"display_name" text NOT NULL,
	"phone" text,
	"email" text,
	"national_id_cipher" text,
	"national_id_last4" text,
	"gender" "customer"."gender",
	"birth_date" date,
	"city" text,
	"province" text,
	"preferred_dealer_code" text,
	"merged_into" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"kind" "customer"."identity_kind" NOT NULL,
	"source" "customer"."source" NOT NULL,
	"value_key" text NOT NULL,
	"display" text NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."merge_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"survivor_id" uuid NOT NULL,
	"merged_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"evidence" jsonb NOT NULL,
	"source" "customer"."source",
	"actor" text NOT NULL,
	"moved_identities" jsonb NOT NULL,
	"moved_source_records" jsonb NOT NULL,
	"undone_at" timestamp with time zone,
	"undone_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."source_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" "customer"."source" NOT NULL,
	"external_id" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"payload" jsonb NOT NULL,
	"payload_hash" text NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer"."tags" (
	"customer_id" uuid NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"kind" "customer"."tag_kind" NOT NULL,
	"score" integer,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tags_customer_id_key_pk" PRIMARY KEY("customer_id","key")
);
--> statement-breakpoint
CREATE INDEX "customers_phone_idx" ON "customer"."customers" USING btree ("phone");--> statement-breakpoint
CREATE INDEX "customers_city_idx" ON "customer"."customers" USING btree ("city");--> statement-breakpoint
CREATE INDEX "customers_name_prefix_idx" ON "customer"."customers" USING btree ("display_name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "customers_merged_into_idx" ON "customer"."customers" USING btree ("merged_into");--> statement-breakpoint
CREATE UNIQUE INDEX "identities_kind_source_value_uq" ON "customer"."identities" USING btree ("kind","source","value_key");--> statement-breakpoint
CREATE INDEX "identities_kind_value_idx" ON "customer"."identities" USING btree ("kind","value_key");--> statement-breakpoint
CREATE INDEX "identities_customer_idx" ON "customer"."identities" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "merge_records_survivor_idx" ON "customer"."merge_records" USING btree ("survivor_id");--> statement-breakpoint
CREATE INDEX "merge_records_merged_idx" ON "customer"."merge_records" USING btree ("merged_id");--> statement-breakpoint
CREATE UNIQUE INDEX "source_records_source_external_uq" ON "customer"."source_records" USING btree ("source","external_id");--> statement-breakpoint
CREATE INDEX "source_records_customer_idx" ON "customer"."source_records" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "tags_key_idx" ON "customer"."tags" USING btree ("key");