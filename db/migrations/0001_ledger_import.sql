CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`file_name` text NOT NULL,
	`blob_key` text NOT NULL,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`chat_id` text,
	`summary` text NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `imports_tenant` ON `imports` (`tenant_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `findings` ADD `aspect` text;--> statement-breakpoint
ALTER TABLE `findings` ADD `major_item` text;--> statement-breakpoint
ALTER TABLE `findings` ADD `import_id` text;--> statement-breakpoint
ALTER TABLE `findings` ADD `import_row` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `findings_import_row` ON `findings` (`tenant_id`,`import_id`,`import_row`);