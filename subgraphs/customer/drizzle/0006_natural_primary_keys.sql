-- Identities and source records are keyed by their natural keys: the surrogate uuid ids were never
-- referred to, and their random-uuid index cost every ingested row an index entry on a random page.
-- The existing unique indexes become the primary keys (no index is rebuilt).
ALTER TABLE "customer"."identities" DROP CONSTRAINT "identities_pkey";--> statement-breakpoint
ALTER TABLE "customer"."identities" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "customer"."identities" ADD CONSTRAINT "identities_pkey" PRIMARY KEY USING INDEX "identities_kind_value_source_uq";--> statement-breakpoint
ALTER TABLE "customer"."source_records" DROP CONSTRAINT "source_records_pkey";--> statement-breakpoint
ALTER TABLE "customer"."source_records" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "customer"."source_records" ADD CONSTRAINT "source_records_pkey" PRIMARY KEY USING INDEX "source_records_source_external_uq";
