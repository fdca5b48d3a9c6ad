CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`categories` text NOT NULL,
	`is_default` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_tenant` ON `campaigns` (`tenant_id`);--> statement-breakpoint
CREATE TABLE `chat_bindings` (
	`tenant_id` text NOT NULL,
	`chat_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`bound_by` text NOT NULL,
	`bound_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `chat_id`)
);
--> statement-breakpoint
CREATE INDEX `chat_bindings_campaign` ON `chat_bindings` (`tenant_id`,`campaign_id`);--> statement-breakpoint
CREATE TABLE `departments` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`leader_user_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `departments_tenant_name` ON `departments` (`tenant_id`,`name`);--> statement-breakpoint
CREATE TABLE `member_roles` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`role` text NOT NULL,
	`granted_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`, `role`)
);
--> statement-breakpoint
CREATE INDEX `member_roles_role` ON `member_roles` (`tenant_id`,`role`);--> statement-breakpoint
CREATE TABLE `members` (
	`tenant_id` text NOT NULL,
	`user_id` text NOT NULL,
	`name` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `user_id`)
);
--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`platform` text NOT NULL,
	`external_key` text NOT NULL,
	`name` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tenants_platform_key` ON `tenants` (`platform`,`external_key`);--> statement-breakpoint
CREATE TABLE `attachments` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`finding_id` text,
	`task_id` text,
	`purpose` text NOT NULL,
	`blob_key` text NOT NULL,
	`platform_image_key` text,
	`uploader_user_id` text NOT NULL,
	`chat_id` text NOT NULL,
	`reply_to_message_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `attachments_finding` ON `attachments` (`tenant_id`,`finding_id`);--> statement-breakpoint
CREATE INDEX `attachments_task` ON `attachments` (`tenant_id`,`task_id`);--> statement-breakpoint
CREATE INDEX `attachments_loose` ON `attachments` (`tenant_id`,`chat_id`,`uploader_user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `extension_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`task_id` text NOT NULL,
	`requested_deadline` text NOT NULL,
	`previous_deadline` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`requested_by` text NOT NULL,
	`decided_by` text,
	`decided_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `extension_requests_task` ON `extension_requests` (`tenant_id`,`task_id`,`status`);--> statement-breakpoint
CREATE TABLE `findings` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`number` integer NOT NULL,
	`department_id` text,
	`area` text NOT NULL,
	`category` text NOT NULL,
	`description` text NOT NULL,
	`inspector_user_id` text NOT NULL,
	`found_on` text NOT NULL,
	`source` text NOT NULL,
	`chat_id` text,
	`intake_card_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `findings_tenant_number` ON `findings` (`tenant_id`,`number`);--> statement-breakpoint
CREATE UNIQUE INDEX `findings_intake_card` ON `findings` (`tenant_id`,`intake_card_id`);--> statement-breakpoint
CREATE INDEX `findings_tenant_campaign` ON `findings` (`tenant_id`,`campaign_id`);--> statement-breakpoint
CREATE INDEX `findings_found_on` ON `findings` (`tenant_id`,`found_on`);--> statement-breakpoint
CREATE TABLE `task_events` (
	`tenant_id` text NOT NULL,
	`task_id` text NOT NULL,
	`seq` integer NOT NULL,
	`action` text NOT NULL,
	`actor_user_id` text NOT NULL,
	`at` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`task_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `task_events_tenant_at` ON `task_events` (`tenant_id`,`at`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`finding_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`finding_number` integer NOT NULL,
	`department_id` text,
	`category` text NOT NULL,
	`found_on` text NOT NULL,
	`inspector_user_id` text NOT NULL,
	`state` text NOT NULL,
	`leader_user_id` text NOT NULL,
	`measures` text,
	`deadline` text NOT NULL,
	`completion_note` text,
	`closure_kind` text,
	`returns_count` integer DEFAULT 0 NOT NULL,
	`version` integer NOT NULL,
	`closed_at` integer,
	`closed_on` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tasks_finding` ON `tasks` (`finding_id`);--> statement-breakpoint
CREATE INDEX `tasks_leader_state` ON `tasks` (`tenant_id`,`leader_user_id`,`state`);--> statement-breakpoint
CREATE INDEX `tasks_inspector_state` ON `tasks` (`tenant_id`,`inspector_user_id`,`state`);--> statement-breakpoint
CREATE INDEX `tasks_sweep` ON `tasks` (`tenant_id`,`state`,`campaign_id`,`deadline`,`department_id`,`category`,`found_on`,`leader_user_id`,`inspector_user_id`,`returns_count`,`version`,`finding_number`,`id`);--> statement-breakpoint
CREATE INDEX `tasks_by_group` ON `tasks` (`tenant_id`,`campaign_id`,`department_id`,`category`,`state`,`deadline`,`found_on`);--> statement-breakpoint
CREATE INDEX `tasks_found_on` ON `tasks` (`tenant_id`,`campaign_id`,`found_on`,`state`,`department_id`,`category`);--> statement-breakpoint
CREATE INDEX `tasks_closed_on` ON `tasks` (`tenant_id`,`campaign_id`,`closed_on`,`department_id`,`category`,`found_on`,`deadline`);--> statement-breakpoint
CREATE TABLE `card_copies` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`task_id` text,
	`purpose` text NOT NULL,
	`viewer_user_id` text,
	`message_id` text,
	`chat_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `card_copies_task` ON `card_copies` (`tenant_id`,`task_id`);--> statement-breakpoint
CREATE INDEX `card_copies_message` ON `card_copies` (`tenant_id`,`message_id`);--> statement-breakpoint
CREATE TABLE `inbound_deliveries` (
	`platform` text NOT NULL,
	`delivery_id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`kind` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`response` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`received_at` integer NOT NULL,
	`done_at` integer,
	PRIMARY KEY(`platform`, `delivery_id`)
);
--> statement-breakpoint
CREATE INDEX `inbound_unfinished` ON `inbound_deliveries` (`status`,`received_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`platform` text NOT NULL,
	`kind` text NOT NULL,
	`target` text,
	`body` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`card_copy_id` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`message_id` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `outbox_copy` ON `outbox` (`card_copy_id`);--> statement-breakpoint
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
