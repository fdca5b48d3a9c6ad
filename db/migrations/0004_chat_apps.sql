CREATE TABLE `apps` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`app_key` text NOT NULL,
	`sealed_secrets` text NOT NULL,
	`base_url` text,
	`name` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `apps_platform_key` ON `apps` (`platform`,`app_key`);--> statement-breakpoint
ALTER TABLE `tenants` ADD `app_id` text;