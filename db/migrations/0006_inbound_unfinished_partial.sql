DROP INDEX `inbound_unfinished`;--> statement-breakpoint
CREATE INDEX `inbound_unfinished` ON `inbound_deliveries` (`status`,`received_at`) WHERE status = 'received';