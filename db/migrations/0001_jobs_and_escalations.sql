CREATE TABLE `escalations` (
	`tenant_id` text NOT NULL,
	`task_id` text NOT NULL,
	`threshold` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `task_id`, `threshold`)
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`tenant_id` text NOT NULL,
	`job` text NOT NULL,
	`period_key` text NOT NULL,
	`ran_at` integer NOT NULL,
	`summary` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `job`, `period_key`)
);
--> statement-breakpoint
ALTER TABLE `tasks` ADD `closed_on` text;--> statement-breakpoint
CREATE INDEX `tasks_closed_on` ON `tasks` (`tenant_id`,`closed_on`);--> statement-breakpoint
CREATE INDEX `findings_found_on` ON `findings` (`tenant_id`,`found_on`);