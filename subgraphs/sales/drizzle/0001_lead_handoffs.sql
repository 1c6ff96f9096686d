CREATE TABLE "sales"."lead_handoffs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"repair_order_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "lead_handoffs_order_lead_uq" ON "sales"."lead_handoffs" USING btree ("repair_order_id","lead_id");--> statement-breakpoint
CREATE INDEX "lead_handoffs_lead_idx" ON "sales"."lead_handoffs" USING btree ("lead_id","created_at");