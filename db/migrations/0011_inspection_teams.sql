CREATE TABLE `inspection_teams` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`lead_user_id` text,
	`retired_on` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inspection_teams_tenant_name` ON `inspection_teams` (`tenant_id`,`name`);--> statement-breakpoint
CREATE TABLE `team_memberships` (
	`tenant_id` text NOT NULL,
	`team_id` text NOT NULL,
	`user_id` text NOT NULL,
	`from_on` text NOT NULL,
	`until_on` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `team_memberships_current` ON `team_memberships` (`tenant_id`,`user_id`) WHERE "team_memberships"."until_on" is null;--> statement-breakpoint
CREATE INDEX `team_memberships_team` ON `team_memberships` (`tenant_id`,`team_id`);