CREATE TYPE "feedback"."score_dimension" AS ENUM('DEALER', 'MODEL', 'REGION', 'TOUCHPOINT');--> statement-breakpoint
CREATE TYPE "feedback"."score_grain" AS ENUM('WEEK', 'MONTH');--> statement-breakpoint
CREATE TYPE "feedback"."suppression_reason" AS ENUM('FATIGUE', 'CONSENT', 'NO_ACTIVE_SURVEY', 'STALE_TOUCHPOINT');--> statement-breakpoint
CREATE TABLE "feedback"."customer_consents" (
	"customer_id" uuid NOT NULL,
	"purpose" text NOT NULL,
	"granted" boolean NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "customer_consents_customer_id_purpose_pk" PRIMARY KEY("customer_id","purpose")
);
--> statement-breakpoint
CREATE TABLE "feedback"."dealers" (
	"code" text PRIMARY KEY NOT NULL,
	"region" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback"."event_inbox" (
	"consumer" text NOT NULL,
	"event_id" uuid NOT NULL,
	"handled_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback"."survey_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"survey_id" uuid NOT NULL,
	"kind" "feedback"."survey_kind" NOT NULL,
	"customer_id" uuid NOT NULL,
	"touchpoint" "feedback"."touchpoint" NOT NULL,
	"dealer_code" text,
	"source_topic" text NOT NULL,
	"source_ref" text NOT NULL,
	"source_event_id" uuid NOT NULL,
	"touchpoint_at" timestamp with time zone NOT NULL,
	"model_code" text,
	"region" text,
	"vin" text,
	"token_hash" text NOT NULL,
	"fatigue_exempt" boolean NOT NULL,
	"invited_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"responded_at" timestamp with time zone,
	CONSTRAINT "survey_invitations_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "feedback"."event_outbox" (
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
CREATE TABLE "feedback"."event_relay_state" (
	"name" text PRIMARY KEY NOT NULL,
	"published_position" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback"."score_rollups" (
	"grain" "feedback"."score_grain" NOT NULL,
	"kind" "feedback"."survey_kind" NOT NULL,
	"dimension" "feedback"."score_dimension" NOT NULL,
	"period_start" date NOT NULL,
	"group_key" text NOT NULL,
	"responses" integer DEFAULT 0 NOT NULL,
	"score_sum" integer DEFAULT 0 NOT NULL,
	"favorable" integer DEFAULT 0 NOT NULL,
	"unfavorable" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "score_rollups_grain_kind_dimension_period_start_group_key_pk" PRIMARY KEY("grain","kind","dimension","period_start","group_key")
);
--> statement-breakpoint
CREATE TABLE "feedback"."survey_suppressions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"touchpoint" "feedback"."touchpoint" NOT NULL,
	"dealer_code" text,
	"source_topic" text NOT NULL,
	"source_ref" text NOT NULL,
	"source_event_id" uuid NOT NULL,
	"touchpoint_at" timestamp with time zone NOT NULL,
	"survey_id" uuid,
	"reason" "feedback"."suppression_reason" NOT NULL,
	"detail" text NOT NULL,
	"blocking_invitation_id" uuid,
	"suppressed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback"."surveys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"kind" "feedback"."survey_kind" NOT NULL,
	"touchpoint" "feedback"."touchpoint" NOT NULL,
	"question" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "surveys_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "feedback"."vehicles" (
	"vin" text PRIMARY KEY NOT NULL,
	"model_code" text NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feedback"."survey_responses" ADD COLUMN "invitation_id" uuid;--> statement-breakpoint
ALTER TABLE "feedback"."survey_responses" ADD COLUMN "survey_id" uuid;--> statement-breakpoint
ALTER TABLE "feedback"."survey_invitations" ADD CONSTRAINT "survey_invitations_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "feedback"."surveys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback"."survey_suppressions" ADD CONSTRAINT "survey_suppressions_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "feedback"."surveys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback"."survey_suppressions" ADD CONSTRAINT "survey_suppressions_blocking_invitation_id_survey_invitations_id_fk" FOREIGN KEY ("blocking_invitation_id") REFERENCES "feedback"."survey_invitations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "event_inbox_consumer_event_uq" ON "feedback"."event_inbox" USING btree ("consumer","event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_source_uq" ON "feedback"."survey_invitations" USING btree ("touchpoint","source_ref");--> statement-breakpoint
CREATE INDEX "invitations_customer_idx" ON "feedback"."survey_invitations" USING btree ("customer_id","invited_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "event_outbox_unpositioned_idx" ON "feedback"."event_outbox" USING btree ("id") WHERE position is null;--> statement-breakpoint
CREATE UNIQUE INDEX "suppressions_source_uq" ON "feedback"."survey_suppressions" USING btree ("touchpoint","source_ref");--> statement-breakpoint
CREATE INDEX "suppressions_customer_idx" ON "feedback"."survey_suppressions" USING btree ("customer_id","suppressed_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "suppressions_reason_idx" ON "feedback"."survey_suppressions" USING btree ("reason","suppressed_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "suppressions_time_idx" ON "feedback"."survey_suppressions" USING btree ("suppressed_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "surveys_active_touchpoint_uq" ON "feedback"."surveys" USING btree ("touchpoint") WHERE active;--> statement-breakpoint
ALTER TABLE "feedback"."survey_responses" ADD CONSTRAINT "survey_responses_invitation_id_survey_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "feedback"."survey_invitations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback"."survey_responses" ADD CONSTRAINT "survey_responses_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "feedback"."surveys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "responses_invitation_uq" ON "feedback"."survey_responses" USING btree ("invitation_id");