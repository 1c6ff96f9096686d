-- The key rows are only lock anchors: a claim inserts any that are missing, so losing them in a
-- crash (or on a promoted replica) loses nothing. Unlogged, an ingest batch writes no WAL for its
-- ~2,500 claimed keys. Drizzle's schema cannot express UNLOGGED, hence this hand-written step.
ALTER TABLE "customer"."resolution_keys" SET UNLOGGED;
