CREATE TYPE "service"."appointment_channel" AS ENUM('APP', 'PHONE', 'WALK_IN');--> statement-breakpoint
CREATE TYPE "service"."appointment_status" AS ENUM('BOOKED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "service"."care_reminder_kind" AS ENUM('FIRST_MAINTENANCE', 'PERIODIC_MAINTENANCE', 'WARRANTY_EXPIRY', 'DELIVERY_TIPS');--> statement-breakpoint
CREATE TYPE "service"."care_reminder_status" AS ENUM('PENDING', 'DONE', 'DISMISSED');--> statement-breakpoint
CREATE TYPE "service"."event_source" AS ENUM('API', 'INGEST');--> statement-breakpoint
CREATE TYPE "service"."roadside_kind" AS ENUM('BREAKDOWN', 'FLAT_TIRE', 'BATTERY', 'LOCKOUT', 'FUEL', 'ACCIDENT');--> statement-breakpoint
CREATE TYPE "service"."roadside_resolution" AS ENUM('FIXED_ON_SITE', 'TOWED_TO_DEALER', 'CANCELLED_BY_CUSTOMER');--> statement-breakpoint
CREATE TYPE "service"."roadside_status" AS ENUM('OPEN', 'CLOSED');--> statement-breakpoint
CREATE TYPE "service"."warranty_claim_status" AS ENUM('SUBMITTED', 'APPROVED', 'REJECTED', 'PAID');--> statement-breakpoint
CREATE TABLE "service"."appointments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"vin" text NOT NULL,
	"dealer_code" text NOT NULL,
	"slot_start" timestamp with time zone NOT NULL,
	"slot_end" timestamp with time zone NOT NULL,
	"channel" "service"."appointment_channel" NOT NULL,
	"status" "service"."appointment_status" DEFAULT 'BOOKED' NOT NULL,
	"note" text,
	"booked_at" timestamp with time zone NOT NULL,
	"booked_by" text NOT NULL,
	"cancelled_at" timestamp with time zone,
	"cancelled_by" text,
	"cancel_reason" text
);
--> statement-breakpoint
CREATE TABLE "service"."care_reminders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"vin" text NOT NULL,
	"customer_id" uuid,
	"dealer_code" text,
	"kind" "service"."care_reminder_kind" NOT NULL,
	"due_period" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"status" "service"."care_reminder_status" DEFAULT 'PENDING' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text
);
--> statement-breakpoint
CREATE TABLE "service"."complaint_sla_policies" (
	"severity" "service"."complaint_severity" PRIMARY KEY NOT NULL,
	"acknowledge_minutes" integer NOT NULL,
	"resolve_minutes" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text DEFAULT 'seed' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."repair_order_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"repair_order_id" uuid NOT NULL,
	"from_status" "service"."repair_order_status",
	"to_status" "service"."repair_order_status" NOT NULL,
	"source" "service"."event_source" NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"occurred_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."roadside_cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"vin" text NOT NULL,
	"dealer_code" text,
	"kind" "service"."roadside_kind" NOT NULL,
	"status" "service"."roadside_status" DEFAULT 'OPEN' NOT NULL,
	"location" text NOT NULL,
	"latitude" double precision,
	"longitude" double precision,
	"description" text,
	"resolution" "service"."roadside_resolution",
	"note" text,
	"opened_at" timestamp with time zone NOT NULL,
	"opened_by" text NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" text
);
--> statement-breakpoint
CREATE TABLE "service"."service_capacity" (
	"dealer_code" text PRIMARY KEY NOT NULL,
	"bays" integer NOT NULL,
	"slot_minutes" integer NOT NULL,
	"opens_at_minute" integer NOT NULL,
	"closes_at_minute" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."vehicle_facts" (
	"vin" text PRIMARY KEY NOT NULL,
	"customer_id" uuid,
	"dealer_code" text,
	"delivered_at" timestamp with time zone,
	"mileage_km" integer,
	"mileage_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."warranty_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repair_order_id" uuid NOT NULL,
	"vin" text NOT NULL,
	"status" "service"."warranty_claim_status" DEFAULT 'SUBMITTED' NOT NULL,
	"description" text NOT NULL,
	"amount" numeric(12, 2) NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"filed_by" text NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" text,
	"decision_note" text,
	"paid_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "service"."complaints" ADD COLUMN "acknowledge_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "service"."complaints" ADD COLUMN "resolve_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "service"."complaints" ADD COLUMN "opened_by" text;--> statement-breakpoint
ALTER TABLE "service"."complaints" ADD COLUMN "acknowledged_by" text;--> statement-breakpoint
ALTER TABLE "service"."complaints" ADD COLUMN "resolved_by" text;--> statement-breakpoint
ALTER TABLE "service"."complaints" ADD COLUMN "resolution" text;--> statement-breakpoint
CREATE INDEX "appointments_dealer_slot_idx" ON "service"."appointments" USING btree ("dealer_code","slot_start" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "appointments_customer_slot_idx" ON "service"."appointments" USING btree ("customer_id","slot_start" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "appointments_vin_slot_booked_uq" ON "service"."appointments" USING btree ("vin","slot_start") WHERE status = 'BOOKED';--> statement-breakpoint
CREATE UNIQUE INDEX "care_reminders_once_uq" ON "service"."care_reminders" USING btree ("vin","kind","due_period");--> statement-breakpoint
CREATE INDEX "care_reminders_dealer_idx" ON "service"."care_reminders" USING btree ("dealer_code","due_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "care_reminders_customer_idx" ON "service"."care_reminders" USING btree ("customer_id","due_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "repair_order_events_order_idx" ON "service"."repair_order_events" USING btree ("repair_order_id","occurred_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "roadside_cases_customer_idx" ON "service"."roadside_cases" USING btree ("customer_id","opened_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "roadside_cases_vin_open_uq" ON "service"."roadside_cases" USING btree ("vin") WHERE status = 'OPEN';--> statement-breakpoint
CREATE INDEX "vehicle_facts_delivered_idx" ON "service"."vehicle_facts" USING btree ("delivered_at");--> statement-breakpoint
CREATE INDEX "warranty_claims_order_idx" ON "service"."warranty_claims" USING btree ("repair_order_id","filed_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
-- The default complaint SLA for every severity: acknowledge within 2 hours, resolve within 72.
INSERT INTO "service"."complaint_sla_policies" ("severity", "acknowledge_minutes", "resolve_minutes") VALUES ('LOW', 120, 4320), ('MEDIUM', 120, 4320), ('HIGH', 120, 4320), ('CRITICAL', 120, 4320) ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Deadlines are fixed at insert from the policy of the day, whichever path inserts the complaint.
CREATE FUNCTION "service"."complaint_sla_deadlines"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT NEW.opened_at + make_interval(mins => p.acknowledge_minutes), NEW.opened_at + make_interval(mins => p.resolve_minutes)
    INTO STRICT NEW.acknowledge_due_at, NEW.resolve_due_at
    FROM "service"."complaint_sla_policies" p WHERE p.severity = NEW.severity;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "complaints_sla_deadlines" BEFORE INSERT ON "service"."complaints" FOR EACH ROW WHEN (NEW.acknowledge_due_at IS NULL OR NEW.resolve_due_at IS NULL) EXECUTE FUNCTION "service"."complaint_sla_deadlines"();--> statement-breakpoint
UPDATE "service"."complaints" c SET "acknowledge_due_at" = c.opened_at + make_interval(mins => p.acknowledge_minutes), "resolve_due_at" = c.opened_at + make_interval(mins => p.resolve_minutes) FROM "service"."complaint_sla_policies" p WHERE p.severity = c.severity;--> statement-breakpoint
-- Existing repair orders get their current status as the first step of their timeline.
INSERT INTO "service"."repair_order_events" ("repair_order_id", "from_status", "to_status", "source", "actor", "occurred_at") SELECT "id", NULL, "status", 'INGEST', 'migration', "updated_at" FROM "service"."repair_orders";
