CREATE TYPE "sales"."follow_up_kind" AS ENUM('CALL', 'WECHAT', 'VISIT');--> statement-breakpoint
CREATE TYPE "sales"."follow_up_outcome" AS ENUM('REACHED', 'NO_ANSWER', 'CALLBACK_REQUESTED', 'VISIT_SCHEDULED', 'NOT_INTERESTED');--> statement-breakpoint
CREATE TYPE "sales"."lead_event_kind" AS ENUM('CREATED', 'ASSIGNED', 'ESCALATED', 'REASSIGNED', 'REASSIGN_FAILED', 'CONTACTED', 'FOLLOWED_UP', 'STATUS_CHANGED', 'TEST_DRIVE_SCHEDULED', 'TEST_DRIVE_COMPLETED', 'ORDER_CREATED', 'ORDER_ADVANCED', 'ORDER_DELIVERED');--> statement-breakpoint
CREATE TYPE "sales"."sla_timer_kind" AS ENUM('ESCALATE', 'REASSIGN');--> statement-breakpoint
CREATE TYPE "sales"."sla_timer_state" AS ENUM('PENDING', 'FIRED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "sales"."test_drive_outcome" AS ENUM('LIKED', 'NEUTRAL', 'DISLIKED', 'NO_SHOW');--> statement-breakpoint
CREATE TYPE "sales"."test_drive_status" AS ENUM('SCHEDULED', 'COMPLETED', 'NO_SHOW');--> statement-breakpoint
CREATE TABLE "sales"."campaigns" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"channel" "sales"."lead_source" NOT NULL,
	"cost" numeric(14, 2) NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"starts_on" timestamp with time zone NOT NULL,
	"ends_on" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."event_outbox" (
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
CREATE TABLE "sales"."follow_ups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"consultant_id" uuid,
	"kind" "sales"."follow_up_kind" NOT NULL,
	"outcome" "sales"."follow_up_outcome" NOT NULL,
	"note" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."event_inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."lead_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"kind" "sales"."lead_event_kind" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"consultant_id" uuid,
	"from_status" "sales"."lead_status",
	"to_status" "sales"."lead_status",
	"note" text
);
--> statement-breakpoint
CREATE TABLE "sales"."event_relay_state" (
	"name" text PRIMARY KEY NOT NULL,
	"published_position" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."sla_timers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"consultant_id" uuid NOT NULL,
	"kind" "sales"."sla_timer_kind" NOT NULL,
	"state" "sales"."sla_timer_state" DEFAULT 'PENDING' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sales"."test_drives" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"dealer_code" text NOT NULL,
	"consultant_id" uuid,
	"model_code" text NOT NULL,
	"vin" text,
	"slot_start" timestamp with time zone NOT NULL,
	"slot_end" timestamp with time zone NOT NULL,
	"status" "sales"."test_drive_status" DEFAULT 'SCHEDULED' NOT NULL,
	"outcome" "sales"."test_drive_outcome",
	"note" text,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sales"."consultants" ADD COLUMN "working_hours" jsonb;--> statement-breakpoint
ALTER TABLE "sales"."dealers" ADD COLUMN "escalation_minutes" integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE "sales"."dealers" ADD COLUMN "manager_consultant_id" uuid;--> statement-breakpoint
CREATE INDEX "event_outbox_unpositioned_idx" ON "sales"."event_outbox" USING btree ("id") WHERE position is null;--> statement-breakpoint
CREATE INDEX "follow_ups_lead_at_idx" ON "sales"."follow_ups" USING btree ("lead_id","at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "event_inbox_consumer_event_uq" ON "sales"."event_inbox" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE INDEX "lead_events_lead_at_idx" ON "sales"."lead_events" USING btree ("lead_id","at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "sla_timers_due_idx" ON "sales"."sla_timers" USING btree ("due_at") WHERE state = 'PENDING';--> statement-breakpoint
CREATE INDEX "sla_timers_lead_idx" ON "sales"."sla_timers" USING btree ("lead_id") WHERE state = 'PENDING';--> statement-breakpoint
CREATE INDEX "test_drives_lead_idx" ON "sales"."test_drives" USING btree ("lead_id","slot_start" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "test_drives_vin_slot_idx" ON "sales"."test_drives" USING btree ("vin","slot_start");