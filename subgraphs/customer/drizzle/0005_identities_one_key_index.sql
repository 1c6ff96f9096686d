DROP INDEX "customer"."identities_kind_source_value_uq";--> statement-breakpoint
DROP INDEX "customer"."identities_kind_value_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "identities_kind_value_source_uq" ON "customer"."identities" USING btree ("kind","value_key","source");