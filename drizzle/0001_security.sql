CREATE TABLE "initial_access_token" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"description" text NOT NULL,
	"allowed_grant_types" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"allowed_scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"allowed_resources" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"uses_left" integer,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "resource_server" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rp_seen_logout_token" (
	"site" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rp_seen_logout_token_site_jti_pk" PRIMARY KEY("site","jti")
);
--> statement-breakpoint
CREATE TABLE "job_lease" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"lease_until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "oauth_client" ADD COLUMN "self_registered" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_client" ADD COLUMN "allowed_scopes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_client" ADD COLUMN "allowed_resources" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_client" ADD COLUMN "registration_access_token_hash" text;--> statement-breakpoint
ALTER TABLE "rate_limit" ADD COLUMN "blocked_until" timestamp with time zone;