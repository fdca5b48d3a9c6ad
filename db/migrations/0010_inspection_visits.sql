CREATE TABLE `inspection_visits` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`department_id` text NOT NULL,
	`inspector_user_id` text NOT NULL,
	`visited_on` text NOT NULL,
	`note` text,
	`chat_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inspection_visits_once_a_day` ON `inspection_visits` (`tenant_id`,`campaign_id`,`department_id`,`inspector_user_id`,`visited_on`);--> statement-breakpoint
CREATE INDEX `inspection_visits_on` ON `inspection_visits` (`tenant_id`,`visited_on`);--> statement-breakpoint
DROP INDEX `findings_found_on`;--> statement-breakpoint
CREATE INDEX `findings_inspections` ON `findings` (`tenant_id`,`found_on`,`campaign_id`,`department_id`,`inspector_user_id`,`import_id`);