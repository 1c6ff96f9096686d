CREATE TABLE "vehicle"."customer_alias" (
	"merged_id" uuid PRIMARY KEY NOT NULL,
	"survivor_id" uuid NOT NULL,
	"via_id" uuid NOT NULL,
	"merge_id" uuid NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vehicle"."erasure_receipts" (
	"erasure_id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"customer_ids" uuid[] NOT NULL,
	"rows" jsonb NOT NULL,
	"erased_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "customer_alias_survivor_idx" ON "vehicle"."customer_alias" USING btree ("survivor_id","merged_id");