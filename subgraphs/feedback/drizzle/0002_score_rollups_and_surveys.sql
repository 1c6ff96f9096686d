-- Score bands (kept in step with src/domain/scales.ts; a test compares the rollup with a raw recount):
-- favorable = NPS 9-10, CSAT 4-5, CES 5-7; unfavorable = NPS 0-6, CSAT 1-2, CES 1-3.
CREATE OR REPLACE FUNCTION "feedback"."score_band"(kind "feedback"."survey_kind", score integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE kind
    WHEN 'NPS' THEN CASE WHEN score >= 9 THEN 1 WHEN score <= 6 THEN -1 ELSE 0 END
    WHEN 'CSAT' THEN CASE WHEN score >= 4 THEN 1 WHEN score <= 2 THEN -1 ELSE 0 END
    ELSE CASE WHEN score >= 5 THEN 1 WHEN score <= 3 THEN -1 ELSE 0 END
  END
$$;
--> statement-breakpoint
-- Counters are updated in place on every insert batch and no counter is indexed: free space on
-- each page lets those updates stay HOT (same page, no index churn), which keeps the table and
-- its reads compact.
ALTER TABLE "feedback"."score_rollups" SET (fillfactor = 50);
--> statement-breakpoint
-- The statement that adds (sign 1) or removes (sign -1) the rows of `source` to the weekly and
-- monthly counters of each dimension. Periods are Shanghai-local; date_trunc('week') starts ISO
-- weeks on Monday. Rows are upserted in key order so concurrent writers lock counters alike.
-- It is returned as text and EXECUTEd by the trigger itself: transition tables are visible only
-- to the trigger function's own queries.
CREATE OR REPLACE FUNCTION "feedback"."score_rollup_sql"(source text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT format($q$
    INSERT INTO "feedback"."score_rollups" AS r
      (grain, kind, dimension, period_start, group_key, responses, score_sum, favorable, unfavorable)
    SELECT g.grain, s.kind, d.dimension,
      (CASE g.grain WHEN 'WEEK' THEN date_trunc('week', s.local_at) ELSE date_trunc('month', s.local_at) END)::date,
      d.group_key,
      sum(s.sign), sum(s.sign * s.score),
      coalesce(sum(s.sign) FILTER (WHERE s.band = 1), 0),
      coalesce(sum(s.sign) FILTER (WHERE s.band = -1), 0)
    FROM (
      SELECT x.kind, x.score, x.sign, "feedback"."score_band"(x.kind, x.score) AS band,
        x.responded_at AT TIME ZONE 'Asia/Shanghai' AS local_at,
        x.dealer_code, x.model_code, x.region, x.touchpoint::text AS touchpoint
      FROM (%s) x
    ) s
    CROSS JOIN LATERAL (VALUES
      ('DEALER'::"feedback"."score_dimension", s.dealer_code),
      ('MODEL'::"feedback"."score_dimension", s.model_code),
      ('REGION'::"feedback"."score_dimension", s.region),
      ('TOUCHPOINT'::"feedback"."score_dimension", s.touchpoint)
    ) d(dimension, group_key)
    CROSS JOIN (VALUES ('WEEK'::"feedback"."score_grain"), ('MONTH'::"feedback"."score_grain")) g(grain)
    WHERE d.group_key IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (grain, kind, dimension, period_start, group_key) DO UPDATE SET
      responses = r.responses + excluded.responses,
      score_sum = r.score_sum + excluded.score_sum,
      favorable = r.favorable + excluded.favorable,
      unfavorable = r.unfavorable + excluded.unfavorable
  $q$, source)
$$;
--> statement-breakpoint
-- Statement-level, with transition tables: a bulk insert of thousands of rows costs one grouped upsert.
CREATE OR REPLACE FUNCTION "feedback"."survey_responses_rollup"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE "feedback"."score_rollup_sql"('SELECT *, 1 AS sign FROM new_rows');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE "feedback"."score_rollup_sql"('SELECT *, -1 AS sign FROM old_rows');
  ELSE
    EXECUTE "feedback"."score_rollup_sql"(
      'SELECT *, 1 AS sign FROM new_rows UNION ALL SELECT *, -1 AS sign FROM old_rows');
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "feedback"."survey_responses_rollup_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "feedback"."score_rollups";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "survey_responses_rollup_insert" AFTER INSERT ON "feedback"."survey_responses"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "feedback"."survey_responses_rollup"();
--> statement-breakpoint
CREATE TRIGGER "survey_responses_rollup_delete" AFTER DELETE ON "feedback"."survey_responses"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "feedback"."survey_responses_rollup"();
--> statement-breakpoint
CREATE TRIGGER "survey_responses_rollup_update" AFTER UPDATE ON "feedback"."survey_responses"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "feedback"."survey_responses_rollup"();
--> statement-breakpoint
CREATE TRIGGER "survey_responses_rollup_truncate" AFTER TRUNCATE ON "feedback"."survey_responses"
  FOR EACH STATEMENT EXECUTE FUNCTION "feedback"."survey_responses_rollup_truncate"();
--> statement-breakpoint
-- Responses written before this migration (e.g. demo data) enter the counters once.
DO $$
BEGIN
  EXECUTE "feedback"."score_rollup_sql"('SELECT *, 1 AS sign FROM "feedback"."survey_responses"');
END
$$;
--> statement-breakpoint
-- Default survey definitions, one active per touchpoint; idempotent by code.
INSERT INTO "feedback"."surveys" ("code", "kind", "touchpoint", "question") VALUES
  ('TEST_DRIVE_CSAT', 'CSAT', 'TEST_DRIVE', 'How satisfied are you with your test drive?'),
  ('DELIVERY_NPS', 'NPS', 'DELIVERY', 'How likely are you to recommend this dealer to a friend or colleague?'),
  ('FIRST_MAINTENANCE_NPS', 'NPS', 'FIRST_MAINTENANCE', 'After your first maintenance visit, how likely are you to recommend this dealer to a friend or colleague?'),
  ('REPAIR_ORDER_CLOSED_CSAT', 'CSAT', 'REPAIR_ORDER_CLOSED', 'How satisfied are you with the service on your vehicle?'),
  ('COMPLAINT_RESOLVED_CES', 'CES', 'COMPLAINT_RESOLVED', 'The dealer made it easy to get my issue resolved.'),
  ('ROADSIDE_CLOSED_CES', 'CES', 'ROADSIDE_CLOSED', 'Roadside assistance made it easy to get back on the road.')
ON CONFLICT ("code") DO NOTHING;
