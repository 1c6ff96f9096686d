CREATE SCHEMA IF NOT EXISTS "sales";
--> statement-breakpoint
CREATE TYPE "sales"."lead_grade" AS ENUM('H', 'A', 'B', 'C');--> statement-breakpoint
CREATE TYPE "sales"."lead_source" AS ENUM('WEBSITE', 'APP', 'MEDIA_PLATFORM', 'CALL_CENTER', 'SHOWROOM', 'SERVICE_HANDOFF', 'CAMPAIGN');--> statement-breakpoint
CREATE TYPE "sales"."lead_status" AS ENUM('NEW', 'ASSIGNED', 'CONTACTED', 'VISITED', 'TEST_DRIVEN', 'ORDERED', 'WON', 'LOST');--> statement-breakpoint
CREATE TYPE "sales"."order_status" AS ENUM('CREATED', 'DEPOSIT_PAID', 'ALLOCATED', 'INVOICED', 'DELIVERED', 'CANCELLED');--> statement-breakpoint
CREATE TABLE "sales"."consultants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dealer_code" text NOT NULL,
	"name" text NOT NULL,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"capacity" integer DEFAULT 30 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."dealers" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"city" text NOT NULL,
	"province" text NOT NULL,
	"region" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"sla_minutes" integer DEFAULT 5 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."lead_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"consultant_id" uuid NOT NULL,
	"dealer_code" text NOT NULL,
	"reason" text NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."leads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"dealer_code" text,
	"consultant_id" uuid,
	"model_code" text,
	"source" "sales"."lead_source" NOT NULL,
	"status" "sales"."lead_status" DEFAULT 'NEW' NOT NULL,
	"grade" "sales"."lead_grade" DEFAULT 'C' NOT NULL,
	"city" text,
	"campaign_code" text,
	"lost_reason" text,
	"assigned_at" timestamp with time zone,
	"first_contact_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"topic" text NOT NULL,
	"dealer_code" text,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"position" bigint,
	CONSTRAINT "outbox_position_key" UNIQUE("position")
);
--> statement-breakpoint
CREATE TABLE "sales"."sales_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"lead_id" uuid,
	"dealer_code" text NOT NULL,
	"vin" text,
	"model_code" text,
	"status" "sales"."order_status" DEFAULT 'CREATED' NOT NULL,
	"total_amount" numeric(12, 2) NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "consultants_dealer_idx" ON "sales"."consultants" USING btree ("dealer_code");--> statement-breakpoint
CREATE INDEX "lead_assignments_lead_idx" ON "sales"."lead_assignments" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "lead_assignments_consultant_assigned_idx" ON "sales"."lead_assignments" USING btree ("consultant_id","assigned_at");--> statement-breakpoint
CREATE INDEX "leads_customer_created_idx" ON "sales"."leads" USING btree ("customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "leads_dealer_created_idx" ON "sales"."leads" USING btree ("dealer_code","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "leads_consultant_idx" ON "sales"."leads" USING btree ("consultant_id");--> statement-breakpoint
CREATE INDEX "outbox_topic_position_idx" ON "sales"."outbox" USING btree ("topic","position");--> statement-breakpoint
CREATE INDEX "outbox_topic_dealer_position_idx" ON "sales"."outbox" USING btree ("topic","dealer_code","position");--> statement-breakpoint
CREATE INDEX "outbox_unpositioned_idx" ON "sales"."outbox" USING btree ("id") WHERE position is null;--> statement-breakpoint
CREATE INDEX "orders_customer_created_idx" ON "sales"."sales_orders" USING btree ("customer_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "orders_vin_idx" ON "sales"."sales_orders" USING btree ("vin");--> statement-breakpoint
CREATE INDEX "orders_dealer_idx" ON "sales"."sales_orders" USING btree ("dealer_code","created_at" DESC NULLS LAST);