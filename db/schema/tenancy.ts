// Who: tenants, their campaigns, people, roles, departments and bound chats.
// Every table carries tenant_id: one deployment serves many organisations.
import { sql } from 'drizzle-orm/sql';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const tenants = sqliteTable(
  'tenants',
  {
    /** `${platform}:${externalKey}`, so an event maps to its tenant without a lookup */
    id: text('id').primaryKey(),
    platform: text('platform', { enum: ['feishu', 'dingtalk'] }).notNull(),
    externalKey: text('external_key').notNull(),
    name: text('name'),
    /** the app (apps.id) whose deliveries may act for this tenant; null: the environment's app */
    appId: text('app_id'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('tenants_platform_key').on(t.platform, t.externalKey)],
);

/**
 * Chat apps kept in the database beside the one in the environment: a deployment serving many
 * organisations holds one self-built app per organisation. The secrets are sealed (AES-GCM with
 * APP_SECRETS_KEY from the environment), never stored in the clear.
 */
export const apps = sqliteTable(
  'apps',
  {
    /** the name in the webhook path: /webhooks/<platform>/<id> */
    id: text('id').primaryKey(),
    platform: text('platform', { enum: ['feishu', 'dingtalk'] }).notNull(),
    /** the platform's id of the app (Feishu cli_…, DingTalk clientId) */
    appKey: text('app_key').notNull(),
    /** JSON of the app's secrets, sealed */
    sealedSecrets: text('sealed_secrets').notNull(),
    baseUrl: text('base_url'),
    name: text('name'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('apps_platform_key').on(t.platform, t.appKey)],
);

export const campaigns = sqliteTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    /** JSON array of category names offered by this campaign */
    categories: text('categories').notNull(),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
    /** 结束专项: the day it ended (business time zone); null while it runs */
    endedOn: text('ended_on'),
  },
  (t) => [index('campaigns_tenant').on(t.tenantId)],
);

export const members = sqliteTable(
  'members',
  {
    tenantId: text('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    name: text('name'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId] })],
);

export const memberRoles = sqliteTable(
  'member_roles',
  {
    tenantId: text('tenant_id').notNull(),
    userId: text('user_id').notNull(),
    role: text('role', { enum: ['admin', 'supervisor', 'inspector', 'leader'] }).notNull(),
    grantedAt: integer('granted_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.userId, t.role] }), index('member_roles_role').on(t.tenantId, t.role)],
);

export const departments = sqliteTable(
  'departments',
  {
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    leaderUserId: text('leader_user_id'),
    /** 科室停用: the business date it stopped taking new findings; its past ones keep it */
    retiredOn: text('retired_on'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('departments_tenant_name').on(t.tenantId, t.name)],
);

export const chatBindings = sqliteTable(
  'chat_bindings',
  {
    tenantId: text('tenant_id').notNull(),
    chatId: text('chat_id').notNull(),
    campaignId: text('campaign_id').notNull(),
    boundBy: text('bound_by').notNull(),
    boundAt: integer('bound_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.chatId] }), index('chat_bindings_campaign').on(t.tenantId, t.campaignId)],
);

/** 督查组 (督查一组 …): who inspects together; see TeamMembership in src/domain/model.ts */
export const inspectionTeams = sqliteTable(
  'inspection_teams',
  {
    /** `${tenantId}:team:${name}`: two messages setting up the same group set up one */
    id: text('id').primaryKey(),
    tenantId: text('tenant_id').notNull(),
    name: text('name').notNull(),
    leadUserId: text('lead_user_id'),
    /** 撤销督查组: the day it was wound up; null while it works */
    retiredOn: text('retired_on'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('inspection_teams_tenant_name').on(t.tenantId, t.name)],
);

/**
 * Who was in which 督查组 when: [from_on, until_on), until_on null while it lasts. Rows are closed,
 * never rewritten, so a month's inspections are counted by the groups as they were then.
 */
export const teamMemberships = sqliteTable(
  'team_memberships',
  {
    tenantId: text('tenant_id').notNull(),
    teamId: text('team_id').notNull(),
    userId: text('user_id').notNull(),
    fromOn: text('from_on').notNull(),
    untilOn: text('until_on'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    /** a person is in one group at a time */
    uniqueIndex('team_memberships_current').on(t.tenantId, t.userId).where(sql`${t.untilOn} is null`),
    index('team_memberships_team').on(t.tenantId, t.teamId),
  ],
);
