DROP INDEX "customer"."customers_merged_into_idx";--> statement-breakpoint
DROP INDEX "customer"."customers_preferred_dealer_idx";--> statement-breakpoint
CREATE INDEX "customers_merged_into_idx" ON "customer"."customers" USING btree ("merged_into") WHERE merged_into is not null;--> statement-breakpoint
CREATE INDEX "customers_preferred_dealer_idx" ON "customer"."customers" USING btree ("preferred_dealer_code") WHERE preferred_dealer_code is not null;