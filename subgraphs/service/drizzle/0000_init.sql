CREATE SCHEMA IF NOT EXISTS "service";
--> statement-breakpoint
CREATE TYPE "service"."complaint_status" AS ENUM('OPEN', 'ACKNOWLEDGED', 'RESOLVED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "service"."line_kind" AS ENUM('LABOR', 'PART');--> statement-breakpoint
CREATE TYPE "service"."repair_order_status" AS ENUM('OPEN', 'DISPATCHED', 'IN_REPAIR', 'QUALITY_CHECK', 'SETTLED', 'DELIVERED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "service"."complaint_severity" AS ENUM('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');--> statement-breakpoint
CREATE TABLE "service"."complaints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"dealer_code" text,
	"repair_order_id" uuid,
	"severity" "service"."complaint_severity" NOT NULL,
	"status" "service"."complaint_status" DEFAULT 'OPEN' NOT NULL,
	"channel" text DEFAULT 'CALL_CENTER' NOT NULL,
	"description" text NOT NULL,
	"details" jsonb,
	"opened_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."repair_order_lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repair_order_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"kind" "service"."line_kind" NOT NULL,
	"description" text NOT NULL,
	"quantity" numeric(10, 2) NOT NULL,
	"unit_price" numeric(12, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."repair_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dealer_code" text NOT NULL,
	"external_id" text,
	"vin" text NOT NULL,
	"customer_id" uuid,
	"status" "service"."repair_order_status" DEFAULT 'OPEN' NOT NULL,
	"mileage_km" integer,
	"total_amount" numeric(12, 2) DEFAULT '0' NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"ingest_hash" text,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "complaints_customer_opened_idx" ON "service"."complaints" USING btree ("customer_id","opened_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "complaints_dealer_idx" ON "service"."complaints" USING btree ("dealer_code","opened_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "repair_order_lines_order_pos_uq" ON "service"."repair_order_lines" USING btree ("repair_order_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "repair_orders_dealer_external_uq" ON "service"."repair_orders" USING btree ("dealer_code","external_id");--> statement-breakpoint
CREATE INDEX "repair_orders_vin_opened_idx" ON "service"."repair_orders" USING btree ("vin","opened_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "repair_orders_customer_idx" ON "service"."repair_orders" USING btree ("customer_id");