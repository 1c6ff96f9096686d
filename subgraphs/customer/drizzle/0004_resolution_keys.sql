CREATE TABLE "customer"."resolution_keys" (
	"key_hash" bigint PRIMARY KEY NOT NULL
);
