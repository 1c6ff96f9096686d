CREATE SCHEMA IF NOT EXISTS "feedback";
--> statement-breakpoint
CREATE TYPE "feedback"."survey_kind" AS ENUM('NPS', 'CSAT', 'CES');--> statement-breakpoint
CREATE TYPE "feedback"."touchpoint" AS ENUM('TEST_DRIVE', 'DELIVERY', 'FIRST_MAINTENANCE', 'REPAIR_ORDER_CLOSED', 'COMPLAINT_RESOLVED', 'ROADSIDE_CLOSED');--> statement-breakpoint
CREATE TABLE "feedback"."survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"dealer_code" text,
	"model_code" text,
	"region" text,
	"kind" "feedback"."survey_kind" NOT NULL,
	"touchpoint" "feedback"."touchpoint" NOT NULL,
	"score" integer NOT NULL,
	"comment" text,
	"responded_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "responses_customer_idx" ON "feedback"."survey_responses" USING btree ("customer_id","responded_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "responses_dealer_kind_idx" ON "feedback"."survey_responses" USING btree ("dealer_code","kind","responded_at");