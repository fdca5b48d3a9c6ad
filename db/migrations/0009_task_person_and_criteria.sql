ALTER TABLE `tasks` ADD `responsible_person` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `acceptance_criteria` text;