CREATE TABLE "rp_flow_log" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"site" text NOT NULL,
	"session_id" text,
	"subject" text,
	"provider_session_id" text,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rp_flow_trace" (
	"id" text PRIMARY KEY NOT NULL,
	"log_id" text NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"size_bytes" integer NOT NULL,
	"trace" jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "rp_flow_log" ADD CONSTRAINT "rp_flow_log_session_id_rp_session_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."rp_session"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rp_flow_trace" ADD CONSTRAINT "rp_flow_trace_log_id_rp_flow_log_id_fk" FOREIGN KEY ("log_id") REFERENCES "public"."rp_flow_log"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rp_flow_log_session_idx" ON "rp_flow_log" USING btree ("session_id");--> statement-breakpoint
CREATE INDEX "rp_flow_log_sid_idx" ON "rp_flow_log" USING btree ("site","provider_session_id");--> statement-breakpoint
CREATE INDEX "rp_flow_log_subject_idx" ON "rp_flow_log" USING btree ("site","subject");--> statement-breakpoint
CREATE INDEX "rp_flow_trace_log_idx" ON "rp_flow_trace" USING btree ("log_id","recorded_at");