// Row ↔ domain mapping: the only place that knows how a domain object sits in a table.
import type { InferSelectModel } from 'drizzle-orm';
import type {
  apps,
  attachments,
  campaigns,
  cardCopies,
  departments,
  extensionRequests,
  findings,
  inboundDeliveries,
  outbox,
  taskEvents,
  tasks,
  tenants,
} from '../../db/schema/index.js';
import type { CardCopy, CardCopyPurpose, OutboxItem, StoredChatApp, StoredDelivery } from '../app/store-port.js';
import type {
  Attachment,
  Campaign,
  ChatApp,
  Department,
  ExtensionRequest,
  Finding,
  FindingSource,
  Task,
  TaskEvent,
  Tenant,
} from '../domain/model.js';

export const toChatApp = (r: InferSelectModel<typeof apps>): StoredChatApp => ({
  id: r.id,
  platform: r.platform,
  appKey: r.appKey,
  baseUrl: r.baseUrl,
  name: r.name,
  sealedSecrets: r.sealedSecrets,
  updatedAt: r.updatedAt,
});

export const toTenant = (r: InferSelectModel<typeof tenants>): Tenant => ({
  id: r.id,
  platform: r.platform,
  externalKey: r.externalKey,
  name: r.name,
  appId: r.appId,
});

export const toCampaign = (r: InferSelectModel<typeof campaigns>): Campaign => ({
  id: r.id,
  tenantId: r.tenantId,
  name: r.name,
  categories: JSON.parse(r.categories) as string[],
  isDefault: r.isDefault,
  endedOn: r.endedOn,
});

export const toDepartment = (r: InferSelectModel<typeof departments>): Department => ({
  id: r.id,
  tenantId: r.tenantId,
  name: r.name,
  leaderUserId: r.leaderUserId,
  retiredOn: r.retiredOn,
});

export const toFinding = (r: InferSelectModel<typeof findings>): Finding => ({
  ...r,
  source: r.source as FindingSource,
});

export const toTask = (r: InferSelectModel<typeof tasks>): Task => ({
  id: r.id,
  tenantId: r.tenantId,
  findingId: r.findingId,
  state: r.state,
  leaderUserId: r.leaderUserId,
  measures: r.measures,
  responsiblePerson: r.responsiblePerson,
  acceptanceCriteria: r.acceptanceCriteria,
  deadline: r.deadline,
  completionNote: r.completionNote,
  closureKind: r.closureKind,
  returnsCount: r.returnsCount,
  version: r.version,
  closedAt: r.closedAt,
  closedOn: r.closedOn,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toExtension = (r: InferSelectModel<typeof extensionRequests>): ExtensionRequest => ({ ...r });

export const toAttachment = (r: InferSelectModel<typeof attachments>): Attachment => ({ ...r });

export const toTaskEvent = (r: InferSelectModel<typeof taskEvents>): TaskEvent => ({
  ...r,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

export const toCardCopy = (r: InferSelectModel<typeof cardCopies>): CardCopy => ({
  ...r,
  purpose: r.purpose as CardCopyPurpose,
});

export const toOutboxItem = (r: InferSelectModel<typeof outbox>): OutboxItem => ({
  id: r.id,
  tenantId: r.tenantId,
  platform: r.platform,
  kind: r.kind,
  target: r.target ? (JSON.parse(r.target) as OutboxItem['target']) : null,
  body: JSON.parse(r.body) as OutboxItem['body'],
  idempotencyKey: r.idempotencyKey,
  cardCopyId: r.cardCopyId,
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt,
  createdAt: r.createdAt,
});

export const toDelivery = (r: InferSelectModel<typeof inboundDeliveries>): StoredDelivery => ({
  tenantId: r.tenantId,
  platform: r.platform,
  deliveryId: r.deliveryId,
  kind: r.kind,
  payload: r.payload,
  receivedAt: r.receivedAt,
  status: r.status,
  response: r.response,
  attempts: r.attempts,
});
