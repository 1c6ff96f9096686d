CREATE TABLE "service"."event_inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service"."event_outbox" (
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
CREATE TABLE "service"."event_relay_state" (
	"name" text PRIMARY KEY NOT NULL,
	"published_position" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "event_inbox_consumer_event_uq" ON "service"."event_inbox" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE INDEX "event_outbox_unpositioned_idx" ON "service"."event_outbox" USING btree ("id") WHERE position is null;