CREATE TABLE "customer"."erasure_steps" (
	"erasure_id" uuid NOT NULL,
	"subgraph" text NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "erasure_steps_erasure_id_subgraph_pk" PRIMARY KEY("erasure_id","subgraph")
);
--> statement-breakpoint
CREATE TABLE "customer"."erasures" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"merged_ids" uuid[] NOT NULL,
	"reason" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	CONSTRAINT "erasures_customer_key" UNIQUE("customer_id")
);
--> statement-breakpoint
ALTER TABLE "customer"."customers" ADD COLUMN "erased_at" timestamp with time zone;