// The storage port. Reads are plain queries; every change goes through `commit`, which applies a
// list of write operations as ONE atomic write (a better-sqlite3 transaction, a D1 batch).
import type { Card } from '../../cards/model.js';
import type {
  Attachment,
  Campaign,
  ChatApp,
  Department,
  ExtensionRequest,
  Finding,
  InspectionTeam,
  InspectionVisit,
  Member,
  Platform,
  Role,
  Task,
  TaskContext,
  TaskEvent,
  TaskState,
  TeamMembership,
  Tenant,
} from '../domain/model.js';
import type { TaskFacts } from '../domain/task-facts.js';
import type { FindingCorrection } from '../domain/task-machine.js';
import type { LedgerEntry, LedgerVisit } from '../domain/ledger.js';
import type { AssessedTask } from '../domain/assessment.js';
import type { DepartmentInspections, Inspection } from '../domain/inspection-coverage.js';
import type { InspectorDay } from '../domain/inspection-teams.js';
import type { IsoDate } from '../domain/model.js';
import type { HistoryTable, PruneCutoffs } from '../domain/retention.js';
import type { DeliveryFacts } from '../domain/delivery-health.js';
import type { MessageBody, MessageTarget } from './ports.js';

export type CardCopyPurpose = 'intake' | 'task' | 'group_notice' | 'escalation';

/** One message showing a card the bot keeps in step with its task. */
/** A task as 科室考核 reads it: the time of its last 提交, which the caller dates in the business time zone. */
export type AssessedTaskRow = Omit<AssessedTask, 'submittedOn'> & { submittedAt: number | null };

export interface CampaignTally {
  campaignId: string;
  tasks: number;
  open: number;
  groups: number;
}

export interface CardCopy {
  id: string;
  tenantId: string;
  taskId: string | null;
  purpose: CardCopyPurpose;
  /** whose buttons the card shows; null for a card in a group, which shows none */
  viewerUserId: string | null;
  messageId: string | null;
  chatId: string | null;
  createdAt: number;
}

export interface OutboxItem {
  id: string;
  tenantId: string;
  platform: Platform;
  /** send a new message, or update the card of an existing copy */
  kind: 'send' | 'update';
  target: MessageTarget | null;
  body: MessageBody;
  idempotencyKey: string;
  cardCopyId: string | null;
  /** for an update, its card copy's message id when the listing read it (null: not sent yet) */
  copyMessageId?: string | null;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
}

export interface DeliveryRecord {
  tenantId: string | null;
  platform: Platform;
  deliveryId: string;
  kind: string;
  payload: string;
  receivedAt: number;
}

/** Tries at a received delivery before it is parked as failed, so one poisonous event cannot block the inbox. */
export const DELIVERY_TRIES = 3;

export interface StoredDelivery extends DeliveryRecord {
  status: 'received' | 'done' | 'failed';
  response: string | null;
  attempts: number;
}

/** A chat app as stored: its secrets still sealed. */
export interface StoredChatApp extends ChatApp {
  sealedSecrets: string;
  updatedAt: number;
}

/** A period's inspections summed for a bulletin; perInspectorDay is empty unless asked for. */
export interface InspectionSums {
  perDepartment: DepartmentInspections[];
  perInspectorDay: InspectorDay[];
}

export type WriteOp =
  | { op: 'insertTenant'; tenant: Tenant; createdAt: number }
  /** adds an app, or replaces one with the same id (new secrets, a moved base URL) */
  | { op: 'upsertChatApp'; app: StoredChatApp; at: number }
  | { op: 'insertCampaign'; campaign: Campaign; createdAt: number }
  | { op: 'upsertMember'; member: { tenantId: string; userId: string; name: string | null }; at: number }
  | { op: 'grantRole'; tenantId: string; userId: string; role: Role; at: number }
  | { op: 'revokeRole'; tenantId: string; userId: string; role: Role }
  | { op: 'upsertDepartment'; department: Department; at: number }
  /** 结束专项 (a day) / 恢复专项 (null) */
  | { op: 'setCampaignEnded'; tenantId: string; campaignId: string; endedOn: IsoDate | null }
  /** 科室更名: the same department (its findings, tasks and leader stay) under a new name; UNIQUE (tenant, name) */
  /** 科室停用 (a date) or 启用 (null) */
  | { op: 'setDepartmentRetired'; tenantId: string; departmentId: string; retiredOn: IsoDate | null; at: number }
  | { op: 'renameDepartment'; tenantId: string; departmentId: string; name: string; at: number }
  | { op: 'bindChat'; tenantId: string; chatId: string; campaignId: string; boundBy: string; at: number }
  /** 督查组 set up, or its name's group given a new 组长 (a wound-up one is set up again) */
  | { op: 'upsertTeam'; team: InspectionTeam; at: number }
  /** from `day`, nobody outside `keepUserIds` is in the group, and nobody in it is in another (periods closed, never deleted) */
  | { op: 'closeTeamMemberships'; tenantId: string; teamId: string; keepUserIds: readonly string[]; day: IsoDate }
  /** from `day`, these people are in the group (those already in it stay as they are) */
  | { op: 'openTeamMemberships'; tenantId: string; teamId: string; userIds: readonly string[]; day: IsoDate; at: number }
  /** 撤销督查组 (its memberships closed by closeTeamMemberships) */
  | { op: 'retireTeam'; tenantId: string; teamId: string; day: IsoDate; at: number }
  | { op: 'insertFinding'; finding: Finding }
  /** UNIQUE (tenant, campaign, department, inspector, day): a second record of the same inspection is ignored */
  | { op: 'insertVisit'; visit: InspectionVisit }
  /** 撤销督查记录: an inspector takes back a record made in error */
  | { op: 'deleteVisit'; tenantId: string; visitId: string }
  /** the finding's immutable fields are copied onto the task row for the sweeps */
  | { op: 'insertTask'; task: Task; finding: Finding }
  /** version-checked: applies only if the task is still at `expectedVersion`; bumps version */
  | {
      op: 'updateTask';
      tenantId: string;
      taskId: string;
      expectedVersion: number;
      patch: Partial<Task>;
      /** the finding's fields the task row keeps a copy of (for the reports' indexes), when they change */
      findingCopies?: { category?: string; departmentId?: string | null };
      at: number;
    }
  /** 修改问题: the finding's own record corrected (the task's version check guards it) */
  | { op: 'correctFinding'; tenantId: string; findingId: string; correction: FindingCorrection }
  /** UNIQUE (task_id, seq): a stale or concurrent write fails the whole commit */
  | { op: 'appendEvent'; event: TaskEvent }
  | { op: 'insertExtension'; extension: ExtensionRequest }
  | {
      op: 'decideExtension';
      tenantId: string;
      extensionId: string;
      status: 'approved' | 'refused' | 'withdrawn';
      decidedBy: string;
      at: number;
    }
  | { op: 'insertCardCopy'; copy: CardCopy }
  | { op: 'enqueue'; item: OutboxItem }
  | { op: 'insertAttachment'; attachment: Attachment }
  | { op: 'linkAttachment'; tenantId: string; attachmentId: string; findingId: string | null; taskId: string | null }
  | { op: 'completeDelivery'; platform: Platform; deliveryId: string; response: string | null; at: number }
  /** a delivery recorded as already done, in the same write as its work (card callbacks) */
  | { op: 'insertDoneDelivery'; delivery: DeliveryRecord; response: string | null; at: number }
  /** PRIMARY KEY (tenant, task, threshold): a second escalation fails the whole commit */
  | { op: 'insertEscalation'; tenantId: string; taskId: string; threshold: 'overdue' | 'returned'; at: number }
  /** a task's mark removed, so the sweep may escalate it again (a new deadline starts a new count) */
  | { op: 'clearEscalation'; tenantId: string; taskId: string; threshold: 'overdue' | 'returned' }
  /** many escalation marks at once (a sweep), same key and same all-or-nothing rule */
  | { op: 'insertEscalations'; tenantId: string; taskIds: string[]; threshold: 'overdue' | 'returned'; at: number }
  /** PRIMARY KEY (tenant, job, period): a job's second run in a period fails the whole commit */
  | { op: 'recordJobRun'; tenantId: string; job: string; periodKey: string; at: number; summary: Record<string, unknown> }
  | { op: 'insertImport'; record: ImportRecord }
  /** applies only while the import is still `previewed`; the findings' UNIQUE import row does the rest */
  | { op: 'decideImport'; tenantId: string; importId: string; status: 'confirmed' | 'cancelled'; at: number };

/** A spreadsheet sent to be imported: previewed first, then confirmed or cancelled by a person. */
export interface ImportRecord {
  id: string;
  tenantId: string;
  campaignId: string;
  fileName: string;
  blobKey: string;
  status: 'previewed' | 'confirmed' | 'cancelled';
  requestedBy: string;
  chatId: string | null;
  summary: ImportSummary;
  createdAt: number;
  decidedAt: number | null;
}

export interface ImportSummary {
  rows: number;
  ready: number;
  errors: number;
  closed: number;
  longTerm: number;
  open: number;
}

/** Thrown by `commit` when a version check failed: somebody changed the task first. */
export class StaleWriteError extends Error {
  constructor(message = 'stale write') {
    super(message);
    this.name = 'StaleWriteError';
  }
}

export interface Store {
  commit(ops: WriteOp[]): Promise<void>;

  /** true when this delivery is new; false when it was seen before */
  recordDelivery(delivery: DeliveryRecord): Promise<boolean>;
  getDelivery(platform: Platform, deliveryId: string): Promise<StoredDelivery | null>;
  /** deliveries accepted but not processed (a crash in between): the inbox job retries them */
  listUnfinishedDeliveries(receivedBefore: number, limit: number): Promise<StoredDelivery[]>;
  /** one more failed try; the last of `DELIVERY_TRIES` parks it as failed */
  markDeliveryFailed(platform: Platform, deliveryId: string, error: string): Promise<void>;

  findTenant(platform: Platform, externalKey: string): Promise<Tenant | null>;
  getChatApp(appId: string): Promise<StoredChatApp | null>;
  listChatApps(): Promise<StoredChatApp[]>;
  getTenant(tenantId: string): Promise<Tenant | null>;
  getDefaultCampaign(tenantId: string): Promise<Campaign | null>;

  getMember(tenantId: string, userId: string): Promise<Member | null>;
  listMembersWithRole(tenantId: string, role: Role): Promise<Member[]>;
  /** the names we know of these people (from mentions and messages); the unknown are left out */
  memberNames(tenantId: string, userIds: readonly string[]): Promise<Map<string, string>>;

  getChatBinding(tenantId: string, chatId: string): Promise<{ campaignId: string } | null>;
  getSupervisionChat(tenantId: string, campaignId: string): Promise<string | null>;

  listDepartments(tenantId: string): Promise<Department[]>;
  findDepartmentByName(tenantId: string, name: string): Promise<Department | null>;
  countOpenTasksOfDepartment(tenantId: string, departmentId: string): Promise<number>;

  /** the 督查组 ever set up, wound up ones too, in the order they were set up */
  listTeams(tenantId: string): Promise<InspectionTeam[]>;
  /** who was in which 督查组 on some day of [from, to] */
  teamMemberships(tenantId: string, from: IsoDate, to: IsoDate): Promise<TeamMembership[]>;

  /** 督查情况: the inspections in [from, to] (findings filed on the form and 督查记录), of one campaign or (null) all */
  inspectionActivity(tenantId: string, campaignId: string | null, from: IsoDate, to: IsoDate): Promise<Inspection[]>;
  /** the same inspections counted per department (a bulletin's 督查开展) and, when asked, per inspector and day (its 督查组 figures) */
  inspectionSums(tenantId: string, campaignId: string | null, from: IsoDate, to: IsoDate, perInspectorDay: boolean): Promise<InspectionSums>;
  /** the inspector's latest 督查记录 of a department (in one campaign), for 撤销督查记录 */
  latestVisit(tenantId: string, campaignId: string, departmentId: string, inspectorUserId: string): Promise<InspectionVisit | null>;
  /** each department's latest inspection before a day; the never inspected are absent */
  lastInspectedBefore(tenantId: string, campaignId: string | null, before: IsoDate): Promise<Map<string, IsoDate>>;

  nextFindingNumber(tenantId: string): Promise<number>;
  findFindingByIntakeCard(tenantId: string, intakeCardId: string): Promise<Finding | null>;
  /** the task of the finding numbered `number` (第N号问题) */
  taskIdOfFinding(tenantId: string, number: number): Promise<string | null>;
  getTaskContext(tenantId: string, taskId: string): Promise<TaskContext | null>;
  /** open tasks where the user is the leader, or the finding's inspector with something to decide */
  listTasksForUser(tenantId: string, userId: string, states: TaskState[]): Promise<TaskContext[]>;
  /** 查找: tasks whose finding mentions every word (description, area, category, department), newest first; only the user's own when `concerning` is set */
  searchTasks(tenantId: string, words: readonly string[], concerning: string | null, limit: number): Promise<TaskContext[]>;
  /** the user's most recently changed task in one of the states */
  latestTaskOfLeader(tenantId: string, userId: string, states: TaskState[]): Promise<Task | null>;
  listTaskEvents(tenantId: string, taskId: string): Promise<TaskEvent[]>;

  listCardCopies(tenantId: string, taskId: string): Promise<CardCopy[]>;
  findCardCopyByMessage(tenantId: string, messageId: string): Promise<CardCopy | null>;
  /** the copy the outbox row `outboxId` sends (null when that row sends no copy) */
  findCardCopyOfSend(tenantId: string, outboxId: string): Promise<CardCopy | null>;

  /** photos a user sent in a chat and not yet attached to anything */
  listLooseAttachments(tenantId: string, chatId: string, uploaderUserId: string): Promise<Attachment[]>;

  /** due, unclaimed, and not behind an earlier message to the same target that is waiting or claimed */
  listDueOutbox(now: number, limit: number): Promise<OutboxItem[]>;
  /**
   * Marks a message as being sent by this courier until `until`; false when another courier has it
   * (or it is no longer pending). The sent/retry/dead marks end the claim.
   */
  claimOutbox(id: string, now: number, until: number): Promise<boolean>;
  /** forgets every claim: for a runtime that knows it is the only courier, at start-up */
  releaseOutboxClaims(): Promise<void>;
  getCardCopy(tenantId: string, copyId: string): Promise<CardCopy | null>;
  markOutboxSent(item: OutboxItem, messageId: string | null, at: number): Promise<void>;
  markOutboxRetry(id: string, attempts: number, nextAttemptAt: number, error: string): Promise<void>;
  markOutboxDead(id: string, attempts: number, error: string): Promise<void>;
  countOutbox(status: 'pending' | 'sent' | 'dead'): Promise<number>;
  /**
   * What /healthz reports of the outbox and the inbox: a delivery received before `stuckBefore` and
   * still unprocessed is stuck; a message given up after `deadSince` counts as recent.
   */
  deliveryFacts(window: { stuckBefore: number; deadSince: number }): Promise<DeliveryFacts>;

  // — housekeeping —
  /**
   * Prunes one stretch of a table's history: the `chunk` rows after rowid `after`, in the order
   * they were written, deleting those past their cutoff (deliveries still unprocessed and messages
   * still pending are never pruned). `next` is where the following stretch starts, or null once
   * this one reached rows too recent to prune, or the end. `files`: the blobs the pruned file
   * messages sent.
   */
  pruneHistory(table: HistoryTable, cutoffs: PruneCutoffs, after: number, chunk: number): Promise<{ pruned: number; next: number | null; files: string[] }>;

  ping(): Promise<void>;

  // — for the scheduled jobs —
  listTenants(): Promise<Tenant[]>;
  /**
   * Every task still open (pending, declined, in progress, submitted), flat and light: area and
   * description are left empty — fill them with `describeTasks` for the few a card will show.
   */
  listOpenTaskFacts(tenantId: string): Promise<TaskFacts[]>;
  describeTasks(tenantId: string, facts: TaskFacts[]): Promise<TaskFacts[]>;
  /** closed as 长期坚持: the monthly 回头看 asks their leaders for progress */
  listLongTermFacts(tenantId: string): Promise<TaskFacts[]>;
  /** `${taskId}:${threshold}` of every escalation already sent */
  listEscalationKeys(tenantId: string): Promise<Set<string>>;
  hasJobRun(tenantId: string, job: string, periodKey: string): Promise<boolean>;
  bulletinFigures(tenantId: string, campaignId: string, query: BulletinQuery): Promise<BulletinFigures>;

  // — for the ledger and imports —
  /** every task of a campaign with its finding and the people's names, in 序号 order */
  ledgerEntries(tenantId: string, campaignId: string): Promise<LedgerEntry[]>;
  /** the campaign's 督查记录 for 附件1, in date order */
  ledgerVisits(tenantId: string, campaignId: string): Promise<LedgerVisit[]>;
  /** 科室考核: the campaign's tasks found from `start` (null: the first) to `end`, cancelled ones left out */
  assessedTasks(tenantId: string, campaignId: string, start: IsoDate | null, end: IsoDate): Promise<AssessedTaskRow[]>;
  listCampaigns(tenantId: string): Promise<Campaign[]>;
  /** per campaign: its tasks, those still open, and the groups bound to it */
  campaignTallies(tenantId: string): Promise<CampaignTally[]>;
  listMembers(tenantId: string): Promise<{ userId: string; name: string | null }[]>;
  getImport(tenantId: string, importId: string): Promise<ImportRecord | null>;
}

export interface BulletinQuery {
  start: IsoDate;
  end: IsoDate;
  previousStart: IsoDate;
  previousEnd: IsoDate;
  today: IsoDate;
  repeatSince: IsoDate;
  repeatMinCount: number;
  trendSince: IsoDate;
  overdueLimit: number;
}

export interface FigureCounts {
  new: number;
  closed: number;
  open: number;
  overdue: number;
}

export interface EverCounts {
  /** every item found up to the period's end (cancelled ones excluded) */
  totalEver: number;
  closedEver: number;
}

/** Raw aggregates from a few index range scans; the use case turns them into a bulletin. */
export interface BulletinFigures {
  groups: ({ department: string; category: string; previous: FigureCounts } & FigureCounts)[];
  totals: { current: EverCounts; previous: EverCounts };
  overdue: { findingNumber: number; departmentName: string | null; description: string; leaderUserId: string; deadline: IsoDate }[];
  repeats: { departmentName: string; category: string; count: number }[];
  foundByDate: { date: IsoDate; n: number }[];
  closedByDate: { date: IsoDate; n: number }[];
}

export type { Card };
